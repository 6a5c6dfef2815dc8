package backing_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/internal/testkit"
)

func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// step is one turn of a scripted server: read n bytes (0: none), then
// write reply.
type step struct {
	n     int
	reply string
}

// scripted listens on 127.0.0.1:0 and plays the steps on each connection,
// then reads until the client closes. Cleanup waits for its goroutines.
func scripted(t testing.TB, steps ...step) string {
	t.Helper()
	return testkit.ServeTCP(t, nil, func(c net.Conn) {
		for _, s := range steps {
			if s.n > 0 {
				if _, err := io.ReadFull(c, make([]byte, s.n)); err != nil {
					return
				}
			}
			if _, err := c.Write([]byte(s.reply)); err != nil {
				return
			}
		}
	})
}

func fakeServer(t testing.TB, want int, reply string) string {
	return scripted(t, step{want, reply})
}

// Real first answers of each protocol, as the fakes send them.
const (
	pgAuthMD5     = "R\x00\x00\x00\x0c\x00\x00\x00\x05salt"
	pgNoHBA       = "E\x00\x00\x00\x29SFATAL\x00C28000\x00Mno pg_hba.conf entry\x00\x00"
	mysqlHello    = "\x16\x00\x00\x00\x0a5.7.0\x00\x01\x00\x00\x0012345678\x00\xff\xf7"
	mysqlDenied   = "\x16\x00\x00\x00\xff\x6a\x04Host is not allowed"
	amqpStart     = "\x01\x00\x00\x00\x00\x00\x1c\x00\x0a\x00\x0a\x00\x09\x00\x00\x00\x00\x00\x00\x00\x05PLAIN\x00\x00\x00\x05en_US\xce"
	natsInfo      = "INFO {\"server_id\":\"NABC\",\"version\":\"2.10.0\"}\r\n"
	httpReply     = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	sshBanner     = "SSH-2.0-OpenSSH_9.6\r\n"
	pgStartupLen  = 16 // StartupMessage for user "u", no database
	mqttConnLen   = 27
	smtpEHLOLen   = len("EHLO twelvekit-check.invalid\r\n")
	redisPINGLen  = len("*1\r\n$4\r\nPING\r\n")
	memcachedVLen = len("version\r\n")
)

// TestCheck checks every family against its own protocol (up), a closed
// port (down) and an SSH server, which speaks first, on its port: the error
// names what answered.
func TestCheck(t *testing.T) {
	tests := []struct {
		scheme string
		up     []step
	}{
		{"postgres", []step{{pgStartupLen, pgAuthMD5}}},
		{"postgres", []step{{pgStartupLen, pgNoHBA}}},
		{"mysql", []step{{0, mysqlHello}}},
		{"mysql", []step{{0, mysqlDenied}}},
		{"redis", []step{{redisPINGLen, "+PONG\r\n"}}},
		{"redis", []step{{redisPINGLen, "-NOAUTH Authentication required.\r\n"}}},
		{"amqp", []step{{8, amqpStart}}},
		{"amqp", []step{{8, "AMQP\x00\x01\x00\x00"}}},
		{"nats", []step{{0, natsInfo}}},
		{"mqtt", []step{{mqttConnLen, "\x20\x02\x00\x00"}}},
		{"mqtt", []step{{mqttConnLen, "\x20\x02\x00\x05"}}}, // not authorised: MQTT all the same
		{"memcached", []step{{memcachedVLen, "VERSION 1.6.21\r\n"}}},
		{"smtp", []step{{0, "220-mail ESMTP\r\n220 ready\r\n"}, {smtpEHLOLen, "250-mail\r\n250 SIZE 1000\r\n"}}},
		{"http", []step{{10, httpReply}}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(tt.scheme, i), func(t *testing.T) {
			ctx := context.Background()
			mk := func(addr string) backing.URL {
				t.Helper()
				u, err := backing.Parse(tt.scheme + "://u:hunter2@" + addr)
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			if err := backing.Check(ctx, mk(scripted(t, tt.up...)), backing.WithTimeout(5*time.Second)); err != nil {
				t.Errorf("up: %v", err)
			}
			err := backing.Check(ctx, mk(fakeServer(t, 0, sshBanner)), backing.WithTimeout(5*time.Second))
			if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(fmt.Sprint(err), "an SSH server answered") {
				t.Errorf("SSH on the port: %v, want ErrWrongService naming an SSH server", err)
			}
			down := mk(closedPort(t))
			err = backing.Check(ctx, down, backing.WithTimeout(5*time.Second))
			if !errors.Is(err, backing.ErrUnreachable) {
				t.Errorf("down: %v, want ErrUnreachable", err)
			}
			var ce *backing.CheckError
			if !errors.As(err, &ce) || ce.Addr != down.Hosts()[0].String() {
				t.Errorf("errors.As CheckError: %v", err)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestCheck_otherProtocols puts each family's probe against a server of
// another family: Check reports ErrWrongService and names the other.
func TestCheck_otherProtocols(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scheme string
		server []step
		named  string
	}{
		{"postgres", []step{{0, mysqlHello}}, "a MySQL server"},
		{"postgres", []step{{pgStartupLen, httpReply}}, "an HTTP server"},
		{"postgres", []step{{pgStartupLen, "-ERR unknown command\r\n"}}, "a Redis server"},
		{"mysql", []step{{0, natsInfo}}, "a NATS server"},
		{"mysql", []step{{0, "220 ftp ready\r\n"}}, "an SMTP or FTP server"},
		{"redis", []step{{0, natsInfo}}, "a NATS server"},
		{"redis", []step{{redisPINGLen, httpReply}}, "an HTTP server"},
		{"redis", []step{{redisPINGLen, "VERSION 1.6\r\n"}}, "a memcached server"},
		{"amqp", []step{{8, "-ERR wrong\r\n"}}, "a Redis server"},
		{"amqp", []step{{8, httpReply}}, "an HTTP server"},
		{"nats", []step{{0, mysqlHello}}, "a MySQL server"},
		{"nats", []step{{0, "INFO hello\r\n"}}, `text ("INFO hello")`}, // an INFO without JSON
		{"mqtt", []step{{8, amqpStart}}, "an AMQP 0-9-1 broker"},
		{"mqtt", []step{{mqttConnLen, pgNoHBA}}, "a PostgreSQL server"},
		{"memcached", []step{{memcachedVLen, "+PONG\r\n"}}, "a Redis server"},
		{"smtp", []step{{0, "220 ProFTPD ready\r\n"}, {smtpEHLOLen, "500 EHLO not understood\r\n"}, {len("HELO twelvekit-check.invalid\r\n"), "500 HELO not understood\r\n"}}, "an SMTP or FTP server"},
		{"smtp", []step{{0, natsInfo}}, "a NATS server"},
		{"http", []step{{10, "+PONG\r\n"}}, "a Redis server"},
		{"http", []step{{0, "\x15\x03\x01\x00\x02\x02\x46"}}, "a TLS server"},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(tt.scheme, i), func(t *testing.T) {
			t.Parallel()
			u, err := backing.Parse(tt.scheme + "://u@" + scripted(t, tt.server...))
			if err != nil {
				t.Fatal(err)
			}
			err = backing.Check(context.Background(), u, backing.WithTimeout(5*time.Second))
			if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(fmt.Sprint(err), tt.named) {
				t.Errorf("got %v, want ErrWrongService naming %s", err, tt.named)
			}
		})
	}
}

// TestCheck_prefixThenSilence sends the start of each protocol's right
// answer and then nothing: a prefix is not a handshake, so Check fails, at
// the latest once its timeout ends (saying how much came), sooner when the
// prefix already cannot be the protocol's.
func TestCheck_prefixThenSilence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scheme string
		server []step
	}{
		{"mysql", []step{{0, mysqlHello[:12]}}},
		{"postgres", []step{{pgStartupLen, pgAuthMD5[:5]}}},
		{"postgres", []step{{pgStartupLen, "N"}}},
		{"redis", []step{{redisPINGLen, "+PONG"}}},
		{"amqp", []step{{8, amqpStart[:20]}}},
		{"nats", []step{{0, "INFO {"}}},
		{"mqtt", []step{{mqttConnLen, "\x20\x02"}}},
		{"memcached", []step{{memcachedVLen, "VERSION"}}},
		{"smtp", []step{{0, "220 mail ready\r\n"}}},
		{"http", []step{{10, "HTTP/1.1 200 OK\r\n"}}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(tt.scheme, i), func(t *testing.T) {
			t.Parallel()
			u, err := backing.Parse(tt.scheme + "://u@" + scripted(t, tt.server...))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = backing.Check(context.Background(), u, backing.WithTimeout(300*time.Millisecond))
			if !errors.Is(err, backing.ErrWrongService) {
				t.Errorf("got %v, want ErrWrongService", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Check took %v with a 300ms timeout", d)
			}
		})
	}
}

// TestCheck_mysqlPrefix is the hostile review's case: ff ff 00 00 0a, the
// header of a 64 KiB packet and the protocol byte of a handshake, then
// silence, is not MySQL.
func TestCheck_mysqlPrefix(t *testing.T) {
	t.Parallel()
	u, err := backing.Parse("mysql://u@" + scripted(t, step{0, "\xff\xff\x00\x00\x0a"}))
	if err != nil {
		t.Fatal(err)
	}
	err = backing.Check(context.Background(), u, backing.WithTimeout(time.Second))
	if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(fmt.Sprint(err), "ff ff 00 00 0a") {
		t.Errorf("got %v, want ErrWrongService showing the bytes", err)
	}
}

// TestCheck_mqttWebSocket checks the ws variant against a server that
// upgrades and answers CONNECT in a frame, and against a plain HTTP server.
func TestCheck_mqttWebSocket(t *testing.T) {
	addr := wsServer(t, "mqtt", func(c net.Conn, r *bufio.Reader) {
		if _, err := io.ReadFull(r, make([]byte, 2+4+mqttConnLen)); err != nil {
			return
		}
		_, _ = c.Write([]byte{0x82, 4, 0x20, 2, 0, 0})
	})
	u, err := backing.Parse("ws://" + addr + "/mqtt")
	if err != nil {
		t.Fatal(err)
	}
	if err := backing.Check(context.Background(), u, backing.WithTimeout(5*time.Second)); err != nil {
		t.Errorf("MQTT over WebSocket: %v", err)
	}
	u, _ = backing.Parse("ws://" + fakeServer(t, 10, httpReply))
	err = backing.Check(context.Background(), u, backing.WithTimeout(5*time.Second))
	if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(err.Error(), "an HTTP server") {
		t.Errorf("plain HTTP for ws: %v", err)
	}
}

func TestCheck_silentAndCancelled(t *testing.T) {
	silent := fakeServer(t, 1<<20, "") // reads, never answers
	u, _ := backing.Parse("nats://" + silent)
	start := time.Now()
	err := backing.Check(context.Background(), u, backing.WithTimeout(200*time.Millisecond))
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("silent server: %v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := backing.Check(ctx, u); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
	// The second host answers when the first is down.
	two, _ := backing.Parse("nats://" + closedPort(t) + "," + fakeServer(t, 0, natsInfo))
	if err := backing.Check(context.Background(), two); err != nil {
		t.Errorf("second host: %v", err)
	}
	mem, _ := backing.Parse("sqlite::memory:")
	if err := backing.Check(context.Background(), mem); err != nil {
		t.Errorf("sqlite memory: %v", err)
	}
	missing, _ := backing.Parse("sqlite:///nonexistent/dir/app.db")
	if err := backing.Check(context.Background(), missing); !errors.Is(err, backing.ErrUnreachable) {
		t.Errorf("missing sqlite file: %v", err)
	}
}

// TestCheck_contextEnds checks that a silent server and a short context give
// the context's error, every time, never "another program holds this port".
func TestCheck_contextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // accepted, never answered
			mu.Unlock()
		}
	}()
	defer func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	}()
	u, err := backing.Parse("redis://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := backing.Check(ctx, u, backing.WithTimeout(5*time.Second))
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, backing.ErrWrongService) {
			t.Fatalf("run %d: %v, want context.DeadlineExceeded", i, err)
		}
	}
}

// TestCheck_natsWebSocket checks NATS over ws: the upgrade, then the INFO
// in the first frame (over 125 bytes, so with an extended length), parsed.
func TestCheck_natsWebSocket(t *testing.T) {
	info := "INFO {\"server_id\":\"NABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\",\"version\":\"2.10.0\",\"proto\":1,\"headers\":true,\"max_payload\":1048576,\"client_id\":7}\r\n"
	for _, tt := range []struct {
		frame string
		ok    bool
	}{{info, true}, {"INFO nope\r\n", false}} {
		addr := wsServer(t, "", func(c net.Conn, _ *bufio.Reader) {
			frame := []byte{0x81}
			if n := len(tt.frame); n < 126 {
				frame = append(frame, byte(n))
			} else {
				frame = append(frame, 126, byte(n>>8), byte(n))
			}
			_, _ = c.Write(append(frame, tt.frame...))
		})
		u, err := backing.Parse("ws://"+addr, backing.WithFamily("nats"))
		if err != nil {
			t.Fatal(err)
		}
		err = backing.Check(context.Background(), u, backing.WithTimeout(5*time.Second))
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, backing.ErrWrongService) {
			t.Errorf("NATS over WebSocket, INFO %q: %v", tt.frame[:10], err)
		}
	}
}

// wsServer is a fake WebSocket server: it reads the upgrade request,
// answers 101 with the Sec-WebSocket-Accept of its key (and the
// subprotocol proto, when not ""), then hands the connection to answer.
func wsServer(t *testing.T, proto string, answer func(c net.Conn, r *bufio.Reader)) string {
	t.Helper()
	return testkit.ServeTCP(t, nil, func(c net.Conn) {
		r := bufio.NewReader(c)
		key := ""
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line = strings.TrimSpace(line); line == "" {
				break
			}
			if k, v, _ := strings.Cut(line, ":"); strings.EqualFold(k, "Sec-WebSocket-Key") {
				key = strings.TrimSpace(v)
			}
		}
		sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n"
		if proto != "" {
			head += "Sec-WebSocket-Protocol: " + proto + "\r\n"
		}
		if _, err := c.Write([]byte(head + "\r\n")); err != nil {
			return
		}
		answer(c, r)
	})
}
