// Package freeport finds a TCP port a child process can be told to bind
// ($PORT), for the test kits of this repository (processtest, grpccheck,
// internal/testkit). Standard library only.
//
// A port the kernel hands out for "port 0" comes from its ephemeral range,
// the same range every outgoing connection takes its local port from: on a
// machine running load tests, one of those connections can take the port
// between the moment it was found free and the moment the child binds it,
// and the child then fails to start for no fault of its own. Port chooses
// instead, at random, a port below the ephemeral range, which outgoing
// connections never take, and checks that it can be bound; it does not
// hand the same port out twice while it may still be in use, in one
// process or in several: each port handed out is recorded for two to four
// minutes as a file in a directory of the system's temporary directory
// (twelvekit-ports), which every process using the package on the machine
// reads, so that test binaries running side by side (go test -p, a
// parallel CI) do not hand one port to two children.
package freeport

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// lowest is the lowest port chosen: above the registered ports most
	// services on a developer machine listen on.
	lowest = 10000
	// defaultEphemeral is Linux's default start of the ephemeral range,
	// used when /proc does not say.
	defaultEphemeral = 32768
	// reuseAfter is how long a port handed out is not handed out again by
	// this process: longer than any test keeps a port between finding it
	// and binding it.
	reuseAfter = 2 * time.Minute
	// tries bounds the random draws before Port falls back to port 0.
	tries = 64
)

var (
	mu     sync.Mutex
	handed = map[int]time.Time{}
)

// Port returns a TCP port that is free on every local address now and lies
// below the kernel's ephemeral range (so no outgoing connection takes it
// before the caller's child binds it). Where no such port can be found
// (a narrow range, every draw busy), it returns one the kernel chooses. It
// fails only when not even that can be bound. It is safe for concurrent use.
func Port() (int, error) {
	high := ephemeralStart()
	mu.Lock()
	defer mu.Unlock()
	now := time.Now()
	for p, at := range handed {
		if now.Sub(at) > reuseAfter {
			delete(handed, p)
		}
	}
	if high-lowest > 2*tries {
		for range tries {
			p := lowest + rand.IntN(high-lowest)
			if _, taken := handed[p]; taken {
				continue
			}
			if bindable(p) && reserve(p, now) {
				handed[p] = now
				return p, nil
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	p := ln.Addr().(*net.TCPAddr).Port
	handed[p] = now
	return p, nil
}

// dir is where the ports handed out are recorded across processes.
var dir = filepath.Join(os.TempDir(), "twelvekit-ports")

// prepared is set once this process has readied dir (created, opened to
// every user, expired records removed), and shared once that worked.
var prepared, shared bool

// reserve records port p as handed out at now, for every process on the
// machine, unless another process recorded it in the same two-minute slot
// or the one before or after. Records are files named PORT.SLOT, each
// created in one exclusive step: of two processes recording one port in
// one slot, one fails to create it; of two on either side of a slot's
// end, the one that then finds the other's record gives way (both may:
// then neither takes the port). A port is so held for two to four
// minutes. Where records cannot be written (no writable temporary
// directory), it reserves within this process only. Port calls it with mu
// held.
func reserve(p int, now time.Time) bool {
	s := slot(now)
	if !prepared {
		prepared = true
		shared = prepare(s)
	}
	if !shared {
		return true
	}
	name := func(s int64) string { return filepath.Join(dir, strconv.Itoa(p)+"."+strconv.FormatInt(s, 10)) }
	f, err := os.OpenFile(name(s), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
	if err != nil {
		// Recorded by another process in this slot; or the directory is
		// not ours to write, and this process is all there is to go by.
		return !errors.Is(err, fs.ErrExist)
	}
	_ = f.Close()
	for _, other := range []int64{s - 1, s + 1} {
		if _, err := os.Stat(name(other)); err == nil {
			_ = os.Remove(name(s))
			return false
		}
	}
	return true
}

// prepare creates dir, opens it to every user as /tmp is (the owner can;
// for anyone else this fails, harmlessly) and removes the records of
// slots before the one before s. It reports whether dir can be used.
func prepare(s int64) bool {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return false
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm() != 0o777 {
		_ = os.Chmod(dir, 0o777|os.ModeSticky)
	}
	sweep(s)
	return true
}

// slot numbers the two-minute period t falls in.
func slot(t time.Time) int64 { return t.Unix() / int64(reuseAfter/time.Second) }

// sweep removes the records of slots before the one before s, and any
// file not named PORT.SLOT.
func sweep(s int64) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		_, sl, ok := strings.Cut(e.Name(), ".")
		n, err := strconv.ParseInt(sl, 10, 64)
		if !ok || err != nil || n < s-1 {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// bindable reports whether port p can be bound on every address (as a
// server binding ":PORT" does) and on the loopback address.
func bindable(p int) bool {
	for _, addr := range []string{":" + strconv.Itoa(p), "127.0.0.1:" + strconv.Itoa(p)} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return false
		}
		_ = ln.Close()
	}
	return true
}

// ephemeralStart returns the first port of the kernel's ephemeral range.
func ephemeralStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return defaultEphemeral
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return defaultEphemeral
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 {
		return defaultEphemeral
	}
	return n
}
