package testkit

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"testing"
)

// TestStartHAProxy: a backend's servers come UP on their checks, a
// disabled slot only once enabled, and requests reach them through Addr.
func TestStartHAProxy(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatal("haproxy is not installed (test.sh installs it: apt-get install haproxy)")
	}
	var servers []string
	for i := range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "server %d", i)
		})}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		s := fmt.Sprintf("%s check inter 100ms", ln.Addr())
		if i == 1 {
			s += " disabled"
		}
		servers = append(servers, s)
	}
	lb := StartHAProxy(t, bin, Backend{Name: "web", Check: "option httpchk GET /readyz", Servers: servers})
	lb.WaitUp(0)
	get := func() string {
		resp, err := http.Get("http://" + lb.Addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for range 4 {
		if got := get(); got != "server 0" {
			t.Fatalf("GET through haproxy = %q, want server 0 alone (slot 1 is disabled)", got)
		}
	}
	lb.Enable(1)
	lb.WaitUp(1)
	seen := map[string]bool{}
	for range 6 {
		seen[get()] = true
	}
	if !seen["server 1"] {
		t.Errorf("after Enable(1) the answers were %v, want server 1 among them", seen)
	}
}
