// Command cheat is a set of small services for processtest's own tests,
// each breaking one rule of the process contract and keeping every other:
// CHEAT names the rule it breaks. Without CHEAT it is a good service: JSON
// events on stdout, /livez and /readyz on $PORT (or the probes on
// $MANAGEMENT_PORT when it is set), readiness failing at SIGTERM, a drain
// of DRAIN (0 by default), exit 0; PORT or LOG_LEVEL wrong exits 78 naming
// the variable, before binding. SECRET_TOKEN is the secret it may leak.
//
//	b64, b64url  logs base64 (std, URL) of CHEAT_PREFIX and the secret
//	hex, hexupper, reversed, upper
//	             logs the secret so encoded
//	split        logs the secret in two events, cut after CHEAT_SPLIT bytes
//	bigstdout    logs 17 MiB of good events, then a plain-text line with
//	             the secret in clear
//	bigbody      answers GET / with 1 MiB of text, then the secret
//	stderr       writes every event to stderr, nothing to stdout
//	tmpfile      writes the secret to /tmp/$CHEAT_FILE, a path it makes
//	             itself (not one its environment names)
//	homefile     writes a cache file in $HOME
//	keepalive    closes its listener 61 ms after SIGTERM but serves its
//	             kept-alive connections until the drain ends
//	bindexit     binds $PORT, then exits 78 for a wrong LOG_LEVEL
//	setsid       starts a child in a new session holding the listener,
//	             and leaves it running
//	exec         starts another program (itself, CHEAT=noop) at start
//	needpath     exits 1 at start unless PATH finds sh
//	needroot     exits 1 at start unless it runs as root
//	baked        answers GET / with a greeting baked in at build time,
//	             ignoring GREETING
//	version      prints a release that is not its build's for `version`
//	admin        a one-off `task` that binds $PORT (without it, `task`
//	             exits TASK_EXIT and binds nothing)
//	crash        exits 3 300 ms after it binds, under load
//	nolevel      serves no level endpoint (/debug/level)
//	publiclevel  serves the level endpoint on $PORT, not on MANAGEMENT_PORT
//	worker       binds no $PORT: a process type whose probes answer on
//	             MANAGEMENT_PORT only
//	lateport     ready on MANAGEMENT_PORT 300 ms before it binds $PORT
//	lock         takes an exclusive lock on /tmp/twelvekit-cheat-$CHEAT_LOCK.lock, so a
//	             second instance exits 1
//
// The release it logs and prints for `version` is RELEASE, else its
// build's VCS revision.
package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() { os.Exit(run()) }

var logOut = os.Stdout

func logf(msg string, kv ...any) {
	ev := map[string]any{"msg": msg, "level": "info"}
	for i := 0; i+1 < len(kv); i += 2 {
		ev[fmt.Sprint(kv[i])] = kv[i+1]
	}
	b, _ := json.Marshal(ev)
	_, _ = logOut.Write(append(b, '\n'))
}

func release() string {
	if r := os.Getenv("RELEASE"); r != "" {
		return r
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
		return bi.Main.Version
	}
	return "unknown"
}

func run() int {
	cheat := os.Getenv("CHEAT")
	secret := os.Getenv("SECRET_TOKEN")
	if cheat == "stderr" {
		logOut = os.Stderr
	}
	args := os.Args[1:]
	switch {
	case cheat == "noop":
		return 0
	case cheat == "hold":
		// The setsid child: it holds the inherited listener until killed.
		f := os.NewFile(3, "listener")
		defer f.Close()
		time.Sleep(10 * time.Minute)
		return 0
	case slices.Equal(args, []string{"version"}):
		r := release()
		if cheat == "version" {
			r = "v9.9.9-not-this-build"
		}
		fmt.Println(r)
		return 0
	case slices.Equal(args, []string{"config"}):
		fmt.Printf("GREETING=%s\nLOG_LEVEL=%s\n", os.Getenv("GREETING"), os.Getenv("LOG_LEVEL"))
		return 0
	}
	port, err := strconv.Atoi(os.Getenv("PORT"))
	if err != nil || port < 0 || port > 65535 {
		fmt.Fprintln(os.Stderr, "cheat: PORT: not a port number; set it to a number such as 8080")
		return 78
	}
	if cheat == "needroot" && os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "cheat: must run as root")
		return 1
	}
	if cheat == "lock" {
		f, err := os.OpenFile(filepath.Join("/tmp", "twelvekit-cheat-"+os.Getenv("CHEAT_LOCK")+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil || syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			fmt.Fprintln(os.Stderr, "cheat: another instance holds the lock")
			return 1
		}
		defer f.Close()
	}
	if cheat == "needpath" {
		if _, err := exec.LookPath("sh"); err != nil {
			fmt.Fprintln(os.Stderr, "cheat: no sh on PATH")
			return 1
		}
	}
	var ln net.Listener
	if cheat == "bindexit" {
		if ln, err = net.Listen("tcp", ":"+strconv.Itoa(port)); err != nil {
			return 1
		}
	}
	switch os.Getenv("LOG_LEVEL") {
	case "", "debug", "info", "warn", "error":
	default:
		fmt.Fprintln(os.Stderr, "cheat: LOG_LEVEL: not a level; set it to debug, info, warn or error")
		return 78
	}
	if len(args) > 0 && args[0] == "task" {
		// A one-off admin task: it exits with TASK_EXIT and binds nothing
		// (but for the admin cheat).
		if cheat == "admin" {
			if l, err := net.Listen("tcp", ":"+strconv.Itoa(port)); err == nil {
				time.Sleep(300 * time.Millisecond)
				l.Close()
			}
		}
		logf("task", "greeting", os.Getenv("GREETING"))
		code, _ := strconv.Atoi(os.Getenv("TASK_EXIT"))
		return code
	}
	drain, _ := time.ParseDuration(os.Getenv("DRAIN"))
	greeting := os.Getenv("GREETING")
	if cheat == "baked" {
		greeting = "hello from the build"
	}
	var stopping atomic.Bool
	probes, app := http.NewServeMux(), http.NewServeMux()
	probes.HandleFunc("/livez", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	probes.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if stopping.Load() {
			http.Error(w, "stopping", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	level := func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, `{"level":"info"}`) }
	switch cheat {
	case "nolevel":
	case "publiclevel":
		app.HandleFunc("/debug/level", level)
	default:
		probes.HandleFunc("/debug/level", level)
	}
	app.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if cheat == "bigbody" {
			line := strings.Repeat("x", 1023) + "\n"
			for range 1024 {
				_, _ = w.Write([]byte(line))
			}
			fmt.Fprintln(w, secret)
			return
		}
		fmt.Fprintln(w, "hello", greeting)
	})
	mgmt := os.Getenv("MANAGEMENT_PORT")
	var mln net.Listener
	if mgmt != "" {
		if mln, err = net.Listen("tcp", ":"+mgmt); err != nil {
			fmt.Fprintln(os.Stderr, "cheat: MANAGEMENT_PORT:", err)
			return 1
		}
	} else {
		for _, p := range []string{"/livez", "/readyz", "/debug/level"} {
			if p == "/debug/level" && (cheat == "nolevel" || cheat == "publiclevel") {
				continue
			}
			app.Handle(p, probes)
		}
	}
	var msrv *http.Server
	if mln != nil {
		msrv = &http.Server{Handler: probes, ReadHeaderTimeout: 5 * time.Second}
		if cheat == "lateport" {
			// Ready on the management port before the app binds $PORT.
			go func() { _ = msrv.Serve(mln) }()
			time.Sleep(300 * time.Millisecond)
		}
	}
	if cheat == "worker" {
		// No $PORT: the app listener is on a port nobody is told of.
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return 1
		}
	}
	if ln == nil {
		if ln, err = net.Listen("tcp", ":"+strconv.Itoa(port)); err != nil {
			fmt.Fprintln(os.Stderr, "cheat: listen:", err)
			return 1
		}
	}
	if cheat == "bindexit" {
		return 0 // not reached with a wrong LOG_LEVEL
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	logf("listening", "addr", ln.Addr().String(), "release", release())
	if leak := leaked(cheat, secret); leak != nil {
		for _, l := range leak {
			logf("debug", "value", l)
		}
	}
	switch cheat {
	case "bigstdout":
		filler := strings.Repeat("y", 1000)
		for range 17 << 10 {
			logf("filler", "pad", filler)
		}
		fmt.Println("token", secret) // neither JSON nor secret-free
	case "tmpfile":
		_ = os.WriteFile(filepath.Join("/tmp", os.Getenv("CHEAT_FILE")), []byte("token="+secret+"\n"), 0o600)
	case "homefile":
		_ = os.MkdirAll(os.Getenv("HOME")+"/.cache", 0o700)
		_ = os.WriteFile(os.Getenv("HOME")+"/.cache/state", []byte("state\n"), 0o600)
	case "setsid":
		f, _ := ln.(*net.TCPListener).File()
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "CHEAT=hold")
		child.ExtraFiles = []*os.File{f}
		child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := child.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "cheat: child:", err)
			return 1
		}
		// Passing f to the child made the listener's open file blocking
		// (the flag is shared with the duplicate): make it non-blocking
		// again, or Shutdown could not interrupt Accept and this cheat
		// would hang at SIGTERM instead of exiting, leaving its child.
		_ = syscall.SetNonblock(int(f.Fd()), true)
		f.Close()
		logf("child", "pid", child.Process.Pid)
	case "exec":
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "CHEAT=noop")
		_ = child.Run()
	}
	if cheat == "crash" {
		go func() {
			time.Sleep(300 * time.Millisecond)
			os.Exit(3)
		}()
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if msrv != nil && cheat != "lateport" {
		go func() { _ = msrv.Serve(mln) }()
	}

	<-sigs
	stopping.Store(true)
	logf("stopping")
	if cheat == "keepalive" {
		time.Sleep(61 * time.Millisecond)
		_ = ln.Close() // kept-alive connections are still served
	}
	select {
	case <-time.After(drain):
	case <-sigs:
		logf("forced")
		return 130
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if msrv != nil {
		defer msrv.Shutdown(ctx)
	}
	if err := srv.Shutdown(ctx); err != nil {
		return 1
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) && cheat != "keepalive" {
		return 1
	}
	logf("stopped")
	return 0
}

// leaked returns what the cheat logs of the secret.
func leaked(cheat, secret string) []string {
	prefix := os.Getenv("CHEAT_PREFIX")
	switch cheat {
	case "b64":
		return []string{base64.StdEncoding.EncodeToString([]byte(prefix + secret))}
	case "b64url":
		return []string{base64.URLEncoding.EncodeToString([]byte(prefix + secret))}
	case "hex":
		return []string{hex.EncodeToString([]byte(secret))}
	case "hexupper":
		return []string{strings.ToUpper(hex.EncodeToString([]byte(secret)))}
	case "reversed":
		b := []byte(secret)
		slices.Reverse(b)
		return []string{string(b)}
	case "upper":
		return []string{strings.ToUpper(secret)}
	case "split":
		n, err := strconv.Atoi(os.Getenv("CHEAT_SPLIT"))
		if err != nil || n < 0 || n > len(secret) {
			n = len(secret) / 2
		}
		return []string{secret[:n], secret[n:]}
	}
	return nil
}
