package lifecycle_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/twelvekit/twelvekit/lifecycle"
)

// ExampleGroup_Run shows the first actor to return stopping the others: the
// job finishes, so the worker's context is cancelled, and Run returns nil.
func ExampleGroup_Run() {
	g := lifecycle.New(lifecycle.Config{})
	g.Go("job", func(ctx context.Context) error {
		fmt.Println("job done")
		return nil
	})
	g.Go("worker", func(ctx context.Context) error {
		<-ctx.Done()
		fmt.Println("worker stopped")
		return ctx.Err() // context.Canceled from the group's own stop is clean
	})
	err := g.Run(context.Background())
	fmt.Println("exit code", lifecycle.ExitCode(err))
	// Output:
	// job done
	// worker stopped
	// exit code 0
}

// ExampleGroup_Run_failure shows Run returning the first real error, which
// names the actor, and the exit code main should end with.
func ExampleGroup_Run_failure() {
	g := lifecycle.New(lifecycle.Config{})
	g.Go("consumer", func(ctx context.Context) error {
		return errors.New("queue unreachable")
	})
	g.Go("worker", func(ctx context.Context) error {
		<-ctx.Done()
		return nil
	})
	err := g.Run(context.Background())
	fmt.Println(err)
	fmt.Println("exit code", lifecycle.ExitCode(err))
	// Output:
	// lifecycle: actor "consumer" failed: queue unreachable
	// exit code 1
}

// ExampleGroup_Add shows an execute/interrupt pair, as in oklog/run: here a
// raw TCP echo server whose interrupt closes its listener, and a client
// whose return stops the group.
func ExampleGroup_Add() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	g := lifecycle.New(lifecycle.Config{})
	g.Add("echo", func() error {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return err // after interrupt: logged, not a failure
			}
			go func() {
				defer conn.Close()
				io.Copy(conn, conn)
			}()
		}
	}, func(error) {
		ln.Close()
	})
	g.Go("client", func(ctx context.Context) error {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return err
		}
		defer conn.Close()
		io.WriteString(conn, "ping")
		buf := make([]byte, 4)
		if _, err := io.ReadFull(conn, buf); err != nil {
			return err
		}
		fmt.Printf("echo: %s\n", buf)
		return nil // the first actor to return stops the group
	})
	fmt.Println("exit code", lifecycle.ExitCode(g.Run(context.Background())))
	// Output:
	// echo: ping
	// exit code 0
}

// ExampleGroup_HTTP shows a web process. In a service the server listens on
// $PORT and the group stops on SIGTERM; here it listens on a loopback port
// and a client actor ends the run once it has its answer.
func ExampleGroup_HTTP() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello\n")
	})
	g := lifecycle.New(lifecycle.Config{ShutdownTimeout: 5 * time.Second})
	g.HTTP("web", mux, lifecycle.WithListener(ln), lifecycle.WithServer(func(s *http.Server) {
		s.WriteTimeout = 30 * time.Second
	}))
	g.Go("client", func(ctx context.Context) error {
		for _, path := range []string{"/", "/livez"} {
			resp, err := http.Get("http://" + ln.Addr().String() + path)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			fmt.Printf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return nil
	})
	fmt.Println("exit code", lifecycle.ExitCode(g.Run(context.Background())))
	// Output:
	// GET /: 200 hello
	// GET /livez: 200 {"status":"ok"}
	// exit code 0
}

// ExampleGroup_Check shows readiness: /readyz answers 503 until the startup
// work is done, then runs the checks, each within its timeout.
func ExampleGroup_Check() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	migrated := make(chan struct{})
	g := lifecycle.New(lifecycle.Config{})
	g.Startup("migrate", func(ctx context.Context) error {
		<-migrated // the schema migration stands here
		return nil
	})
	g.Check("db", 500*time.Millisecond, func(ctx context.Context) error {
		return nil // db.PingContext(ctx) in a service
	})
	g.HTTP("web", http.NotFoundHandler(), lifecycle.WithListener(ln))
	g.Go("probe", func(ctx context.Context) error {
		readyz := func() string {
			resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
			if err != nil {
				return err.Error()
			}
			defer resp.Body.Close()
			var body struct{ Status string }
			json.NewDecoder(resp.Body).Decode(&body)
			return fmt.Sprint(resp.StatusCode, " ", body.Status)
		}
		fmt.Println(readyz())
		close(migrated)
		deadline := time.Now().Add(10 * time.Second)
		for readyz() != "200 ready" {
			if time.Now().After(deadline) {
				return errors.New("not ready within 10s of the migration")
			}
			time.Sleep(time.Millisecond)
		}
		fmt.Println("200 ready")
		return nil
	})
	fmt.Println("exit code", lifecycle.ExitCode(g.Run(context.Background())))
	// Output:
	// 503 starting
	// 200 ready
	// exit code 0
}

// ExampleGroup_Serve shows a serving actor that is not net/http, here a
// queue consumer: readiness waits for its ready, it is drained like an HTTP
// server, then its stop ends it.
func ExampleGroup_Serve() {
	g := lifecycle.New(lifecycle.Config{Port: 0})
	quit := make(chan struct{})
	g.Serve("consumer", func(ctx context.Context, ready func()) error {
		ready() // subscribed: /readyz may answer 200
		<-quit  // consume until stopped
		fmt.Println("consumer stopped")
		return nil
	}, func(ctx context.Context) error {
		close(quit) // stop taking messages, finish those in hand
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	g.Go("stopper", func(context.Context) error {
		cancel() // as a SIGTERM would
		return nil
	})
	fmt.Println("exit code", lifecycle.ExitCode(g.Run(ctx)))
	// Output:
	// consumer stopped
	// exit code 0
}

// ExampleGroup_Cleanup shows cleanups: they run after every actor has
// stopped, last added first.
func ExampleGroup_Cleanup() {
	g := lifecycle.New(lifecycle.Config{})
	g.Cleanup("db", func(ctx context.Context) error {
		fmt.Println("close the database pool")
		return nil
	})
	g.Cleanup("cache", func(ctx context.Context) error {
		fmt.Println("close the cache client")
		return nil
	})
	g.Go("job", func(ctx context.Context) error {
		fmt.Println("job done")
		return nil
	})
	fmt.Println("exit code", lifecycle.ExitCode(g.Run(context.Background())))
	// Output:
	// job done
	// close the cache client
	// close the database pool
	// exit code 0
}

// ExampleConfig_Validate shows every problem of a Config at once, each
// naming its variable and what to set.
func ExampleConfig_Validate() {
	cfg := lifecycle.Config{Port: 70000, DrainDelay: 30 * time.Second}
	fmt.Println(cfg.Validate())
	// Output:
	// lifecycle: PORT: not a TCP port; want a port from 1 to 65535 such as 8080, or 0 for a free port
	// lifecycle: DRAIN_DELAY: not shorter than SHUTDOWN_TIMEOUT, which must also cover the requests in flight; want a shorter DRAIN_DELAY, or a longer SHUTDOWN_TIMEOUT below the platform's grace period
}

// ExampleExitCode shows the exit codes of the outcomes of Run.
func ExampleExitCode() {
	fmt.Println(lifecycle.ExitCode(nil))
	fmt.Println(lifecycle.ExitCode(errors.New("boom")))
	fmt.Println(lifecycle.ExitCode(fmt.Errorf("stop: %w", lifecycle.ErrShutdownTimeout)))
	fmt.Println(lifecycle.ExitCode(fmt.Errorf("stop: %w", lifecycle.ErrForced)))
	fmt.Println(lifecycle.ExitCode(lifecycle.New(lifecycle.Config{DrainDelay: -1}).Run(context.Background())))
	// Output:
	// 0
	// 1
	// 124
	// 130
	// 78
}

// ExampleGroup_ShuttingDown shows the handler of a hijacked connection, as a
// websocket library's would be, closing it cleanly when the group stops:
// http.Server.Shutdown neither sees nor closes hijacked connections, so the
// handler sends its close (a websocket's close frame 1001, "going away") and
// returns, and its client reconnects to another instance.
func ExampleGroup_ShuttingDown() {
	g := lifecycle.New(lifecycle.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		select {
		case <-g.ShuttingDown(): // the drain has ended: finish now
			conn.Write([]byte{0x88, 0x02, 0x03, 0xe9}) // close frame, status 1001
		case <-r.Context().Done(): // the requests' grace has passed
		}
	})
	g.HTTP("web", mux)
	// ... then os.Exit(lifecycle.ExitCode(g.Run(ctx))) as usual.
}
