package backing_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
)

// fakeServer listens on 127.0.0.1:0 and answers each connection with reply
// once it has read want bytes (0: at once). Close waits for its goroutines.
func fakeServer(t testing.TB, want int, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				if want > 0 {
					if _, err := io.ReadFull(c, make([]byte, want)); err != nil {
						return
					}
				}
				_, _ = c.Write([]byte(reply))
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

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

func TestCheck(t *testing.T) {
	amqpStart := "\x01\x00\x00\x00\x00\x01\x00\x00\x0a\x00\x0a"
	httpReply := "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	tests := []struct {
		scheme, up, other string
		upWant, otherWant int
	}{
		{"postgres", "N", httpReply, 8, 8},
		{"postgres", "S", "SSH-2.0-OpenSSH_9.6\r\n", 8, 0},
		{"mysql", "\x0a\x00\x00\x00\x0a5.7.0\x00", "SSH-2.0-OpenSSH\r\n", 0, 0},
		{"redis", "+PONG\r\n", httpReply, 6, 6},
		{"amqp", amqpStart, httpReply, 8, 8},
		{"nats", "INFO {}\r\n", "220 smtp ready\r\n", 0, 0},
		{"mqtt", "\x20\x02\x00\x00", "+PONG\r\n", 27, 27},
		{"memcached", "VERSION 1.6\r\n", "+PONG\r\n", 9, 9},
		{"smtp", "220 mail ESMTP\r\n", "INFO {}\r\n", 0, 0},
		{"http", httpReply, "INFO {}\r\n", 10, 0},
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
			if err := backing.Check(ctx, mk(fakeServer(t, tt.upWant, tt.up)), backing.WithTimeout(2*time.Second)); err != nil {
				t.Errorf("up: %v", err)
			}
			err := backing.Check(ctx, mk(fakeServer(t, tt.otherWant, tt.other)), backing.WithTimeout(500*time.Millisecond))
			if !errors.Is(err, backing.ErrWrongService) {
				t.Errorf("wrong service: %v, want ErrWrongService", err)
			}
			down := mk(closedPort(t))
			err = backing.Check(ctx, down, backing.WithTimeout(2*time.Second))
			if !errors.Is(err, backing.ErrUnreachable) {
				t.Errorf("down: %v, want ErrUnreachable", err)
			}
			var ce *backing.CheckError
			if !errors.As(err, &ce) || ce.Addr != down.Hosts()[0].String() {
				t.Errorf("errors.As CheckError: %v", err)
			}
			for _, e := range []error{err} {
				if e != nil && strings.Contains(e.Error(), "hunter2") {
					t.Errorf("error shows the password: %v", e)
				}
			}
		})
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
	two, _ := backing.Parse("nats://" + closedPort(t) + "," + fakeServer(t, 0, "INFO {}\r\n"))
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
