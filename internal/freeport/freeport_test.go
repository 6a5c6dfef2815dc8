package freeport

import (
	"net"
	"strconv"
	"testing"
)

// TestPort: ports below the ephemeral range, bindable, never the same one
// twice, and never one a listener holds.
func TestPort(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := held.Addr().(*net.TCPAddr).Port
	high := ephemeralStart()
	seen := map[int]bool{}
	for range 300 {
		p, err := Port()
		if err != nil {
			t.Fatal(err)
		}
		if p < lowest || p >= high {
			t.Errorf("port %d outside [%d, %d): an outgoing connection could take it", p, lowest, high)
		}
		if seen[p] {
			t.Errorf("port %d handed out twice", p)
		}
		if p == heldPort {
			t.Errorf("port %d is held by a listener", p)
		}
		seen[p] = true
		ln, err := net.Listen("tcp", ":"+strconv.Itoa(p))
		if err != nil {
			t.Errorf("port %d cannot be bound: %v", p, err)
			continue
		}
		_ = ln.Close()
	}
}

// TestBindable: a port a listener holds is not bindable.
func TestBindable(t *testing.T) {
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if bindable(ln.Addr().(*net.TCPAddr).Port) {
		t.Error("a port held by a listener counts as bindable")
	}
}
