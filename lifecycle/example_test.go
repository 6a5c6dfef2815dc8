package lifecycle_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"go.uber.org/zap"

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
// raw TCP server whose interrupt closes its listener.
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
	os.Exit(lifecycle.ExitCode(g.Run(context.Background())))
}

// ExampleGroup_HTTP shows a web process: the server listens on $PORT, answers
// /livez and /readyz, and stops gracefully on SIGTERM.
func ExampleGroup_HTTP() {
	cfg := lifecycle.Config{Port: 8080, ShutdownTimeout: 25 * time.Second, DrainDelay: 5 * time.Second}
	log, _ := zap.NewProduction()
	defer log.Sync()

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello\n")
	})
	g := lifecycle.New(cfg, lifecycle.WithLogger(log))
	g.HTTP("web", mux, lifecycle.WithServer(func(s *http.Server) {
		s.WriteTimeout = 30 * time.Second
	}))
	os.Exit(lifecycle.ExitCode(g.Run(context.Background())))
}

// ExampleGroup_Check shows readiness checks and startup work: /readyz answers
// 503 until the migration is done, then 503 whenever the database does not
// answer within 500ms.
func ExampleGroup_Check() {
	var db *sql.DB // opened elsewhere
	g := lifecycle.New(lifecycle.Config{Port: 8080})
	g.Startup("migrate", func(ctx context.Context) error {
		_, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS jobs (id integer)")
		return err
	})
	g.Check("db", 500*time.Millisecond, db.PingContext)
	g.HTTP("web", http.NotFoundHandler())
	os.Exit(lifecycle.ExitCode(g.Run(context.Background())))
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
