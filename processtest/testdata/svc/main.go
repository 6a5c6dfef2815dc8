// Command svc is the test subject of processtest's own tests: a stdlib-only
// web process whose behaviour MODE chooses.
//
//	MODE=good   readiness fails at SIGTERM, serves on for DRAIN (default
//	            2s), then shuts down; a SIGINT after the first signal exits
//	            130; PORT not a number exits 78 naming PORT
//	MODE=bare   a bare net/http server: Shutdown at once on SIGTERM, with
//	            /readyz answering 200 until the listener closes
//	MODE=hang   like good, but never stops after SIGTERM or SIGINT
//	MODE=leaky  like good, but prints SECRET_TOKEN, writes app.log in the
//	            working directory and a line that is not JSON on stdout
//	REQUIRE_AUTH=1 makes / answer 401 without Authorization: Bearer
//	$SECRET_TOKEN, in any mode.
//	MODE=spawn  like good, but first starts a child of itself that never
//	            stops (MODE=hang), logging its pid, and leaves it running
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

func main() { os.Exit(run()) }

func logf(msg string, kv ...any) {
	ev := map[string]any{"msg": msg}
	for i := 0; i+1 < len(kv); i += 2 {
		ev[fmt.Sprint(kv[i])] = kv[i+1]
	}
	b, _ := json.Marshal(ev)
	os.Stdout.Write(append(b, '\n'))
}

func run() int {
	mode := os.Getenv("MODE")
	port, err := strconv.Atoi(os.Getenv("PORT"))
	if err != nil || port < 0 || port > 65535 {
		if mode == "bare" {
			fmt.Fprintln(os.Stderr, "bad port:", os.Getenv("PORT"))
			return 1
		}
		fmt.Fprintln(os.Stderr, "svc: PORT: not a port number; set it to a number such as 8080")
		return 78
	}
	drain := 2 * time.Second
	if d, err := time.ParseDuration(os.Getenv("DRAIN")); err == nil {
		drain = d
	}
	var stopping atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if stopping.Load() && mode != "bare" {
			http.Error(w, "stopping", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("REQUIRE_AUTH") != "" && r.Header.Get("Authorization") != "Bearer "+os.Getenv("SECRET_TOKEN") {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if mode == "leaky" {
			fmt.Fprintln(w, "token is", os.Getenv("SECRET_TOKEN"))
			return
		}
		fmt.Fprintln(w, "hello")
	})
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "svc: listen:", err)
		return 1
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	if mode == "bare" {
		fmt.Println("listening on", ln.Addr())
	} else {
		logf("listening", "addr", ln.Addr().String())
	}
	if mode == "leaky" {
		fmt.Println("starting up, token", os.Getenv("SECRET_TOKEN"))
		_ = os.WriteFile("app.log", []byte("log in a file\n"), 0o600)
	}
	if mode == "spawn" {
		child := exec.Command(os.Args[0])
		child.Env = []string{"MODE=hang", "PORT=0"}
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "svc: child:", err)
			return 1
		}
		logf("child", "pid", child.Process.Pid)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	<-sigs
	stopping.Store(true)
	logf("stopping")
	if mode == "hang" {
		signal.Ignore(syscall.SIGTERM, syscall.SIGINT)
		select {}
	}
	if mode != "bare" {
		select {
		case <-time.After(drain):
		case <-sigs:
			logf("forced")
			return 130
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return 1
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return 1
	}
	logf("stopped")
	return 0
}
