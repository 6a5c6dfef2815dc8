package testkit

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// haproxyPatience bounds every wait on HAProxy: its start, one command on
// its admin socket, a server coming UP.
const haproxyPatience = 30 * time.Second

// A Backend is what a rolling-deploy test puts behind a real HAProxy.
type Backend struct {
	// Name is the backend's name, as its servers are addressed on the
	// admin socket (NAME/sN).
	Name string
	// H2 makes the frontend speak HTTP/2 without TLS (gRPC); without it,
	// HTTP/1.1.
	H2 bool
	// Check is the health check of the backend, such as
	// "option httpchk GET /readyz".
	Check string
	// Servers are the server lines' arguments, one per slot, such as
	// "127.0.0.1:8080 check inter 2s fall 3"; slot i is named si. A slot
	// whose arguments end in "disabled" takes traffic only once
	// [HAProxy.Enable] has enabled it.
	Servers []string
}

// HAProxy is a running HAProxy, started by [StartHAProxy] and killed when
// the test ends.
type HAProxy struct {
	// Addr is the frontend's loopback address, host:port.
	Addr    string
	t       testing.TB
	socket  string
	backend string
}

// StartHAProxy runs HAProxy (bin) in the foreground with one frontend on a
// free loopback port and b behind it, no retries and no redispatch (a
// request that fails is lost, as a test of a rolling stop wants), checks
// the config first, and returns once its admin socket answers.
func StartHAProxy(t testing.TB, bin string, b Backend) *HAProxy {
	t.Helper()
	dir := t.TempDir()
	lb := &HAProxy{Addr: Addr(FreePort(t)), t: t, socket: filepath.Join(dir, "admin.sock"), backend: b.Name}
	proto := ""
	if b.H2 {
		proto = " proto h2"
	}
	var servers strings.Builder
	for i, s := range b.Servers {
		fmt.Fprintf(&servers, "    server s%d %s\n", i, s)
	}
	cfg := fmt.Sprintf(`global
    maxconn 2000
    stats socket %s mode 600 level admin

defaults
    mode http
    retries 0
    no option redispatch
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend front
    bind %s%s
    default_backend %s

backend %s
    balance roundrobin
    %s
%s`, lb.socket, lb.Addr, proto, b.Name, b.Name, b.Check, servers.String())
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := Run(t, haproxyPatience, exec.Command(bin, "-c", "-f", path)); code != 0 {
		t.Fatalf("testkit: haproxy -c: exit %d\n%s%s\n%s", code, out, errOut, cfg)
	}
	p := Start(t, exec.Command(bin, "-db", "-f", path))
	Eventually(t, haproxyPatience, "haproxy's admin socket up", func() bool {
		if p.HasExited() {
			t.Fatalf("testkit: haproxy exited\n%s", p.Stderr())
		}
		c, err := net.Dial("unix", lb.socket)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
	return lb
}

// Command sends one command to HAProxy's admin socket and returns the
// answer.
func (lb *HAProxy) Command(cmd string) string {
	lb.t.Helper()
	c, err := net.DialTimeout("unix", lb.socket, haproxyPatience)
	if err != nil {
		lb.t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(haproxyPatience))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		lb.t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		lb.t.Fatal(err)
	}
	return string(b)
}

// Enable makes the server of slot ready for traffic (once its checks pass).
func (lb *HAProxy) Enable(slot int) {
	lb.t.Helper()
	lb.Command(fmt.Sprintf("set server %s/s%d state ready", lb.backend, slot))
}

// WaitUp waits until HAProxy reports the server of slot UP.
func (lb *HAProxy) WaitUp(slot int) {
	lb.t.Helper()
	var last string
	if !Within(haproxyPatience, func() bool {
		for _, line := range strings.Split(lb.Command("show stat"), "\n") {
			f := strings.Split(line, ",")
			if len(f) > 17 && f[0] == lb.backend && f[1] == "s"+strconv.Itoa(slot) {
				last = f[17]
			}
		}
		return last == "UP"
	}) {
		lb.t.Fatalf("testkit: server %s/s%d not UP within %s (last status %q)", lb.backend, slot, haproxyPatience, last)
	}
}
