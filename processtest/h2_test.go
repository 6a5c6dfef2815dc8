package processtest

import (
	"io"
	"net"
	"testing"
)

// TestAnswersHTTP2: a server that answers an HTTP/1.1 request with an
// HTTP/2 SETTINGS frame is told from one that answers with a status line
// and from one that closes without a word.
func TestAnswersHTTP2(t *testing.T) {
	t.Parallel()
	serve := func(reply string) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_, _ = io.WriteString(c, reply)
				_ = c.Close()
			}
		}()
		return ln.Addr().String()
	}
	for _, tc := range []struct {
		name, reply string
		want        bool
	}{
		{"HTTP/2 server preface", "\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x05\x00\x00\x40\x00", true},
		{"HTTP/1.1", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false},
		{"closes at once", "", false},
	} {
		if got := answersHTTP2(serve(tc.reply)); got != tc.want {
			t.Errorf("%s: answersHTTP2 = %v, want %v", tc.name, got, tc.want)
		}
	}
}
