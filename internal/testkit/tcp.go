package testkit

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// ServeTCP serves ln (nil: a new listener on 127.0.0.1:0) with handle, one
// goroutine a connection, each connection bounded by 10 s, and returns the
// listener's address: the fake server of a protocol test. Once handle
// returns, the connection is drained until the client closes it, then
// closed. When the test ends the listener is closed and every goroutine
// waited for.
func ServeTCP(t testing.TB, ln net.Listener, handle func(c net.Conn)) string {
	t.Helper()
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatalf("testkit: listen: %v", err)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
				_, _ = io.Copy(io.Discard, c)
			})
		}
	})
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return ln.Addr().String()
}
