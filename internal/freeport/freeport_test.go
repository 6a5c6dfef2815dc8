package freeport

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// TestReserve: a port recorded in this slot or the one before is not
// handed out again; two slots later it is. Of several processes recording
// one port at once, on either side of a slot's end, at most one gets it.
func TestReserve(t *testing.T) {
	old, oldPrepared, oldShared := dir, prepared, shared
	dir, prepared = t.TempDir(), false
	defer func() { dir, prepared, shared = old, oldPrepared, oldShared }()
	now := time.Now()
	if !reserve(20001, now) {
		t.Fatal("a port nobody recorded was refused")
	}
	if reserve(20001, now.Add(time.Second)) || reserve(20001, now.Add(reuseAfter)) {
		t.Error("a port recorded in this slot or the one before was handed out again")
	}
	if !reserve(20001, now.Add(2*reuseAfter)) {
		t.Error("a record two slots old still holds the port")
	}
	boundary := time.Unix((slot(now)+10)*int64(reuseAfter/time.Second), 0)
	for p := 20100; p < 20400; p++ {
		var got atomic.Int32
		var wg sync.WaitGroup
		for i := range 6 {
			at := boundary.Add(time.Duration(i%2*2-1) * time.Millisecond) // either side of the slot's end
			wg.Go(func() {
				if reserve(p, at) {
					got.Add(1)
				}
			})
		}
		wg.Wait()
		if got.Load() > 1 {
			t.Fatalf("port %d handed to %d processes at once", p, got.Load())
		}
	}
}

// TestPort_acrossProcesses: two processes drawing ports at once never
// draw the same one (each draws 1,500 of the ~22,000 ports: without the
// shared record they would share about a hundred).
func TestPort_acrossProcesses(t *testing.T) {
	if os.Getenv("FREEPORT_CHILD") != "" {
		for range 1500 {
			p, err := Port()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Println(p)
		}
		return
	}
	tmp := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPort_acrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "FREEPORT_CHILD=1", "TMPDIR="+tmp)
		out := new(bytes.Buffer)
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	seen := map[string]bool{}
	shared := 0
	for _, out := range outs {
		mine := map[string]bool{}
		for _, line := range strings.Fields(out.String()) {
			if _, err := strconv.Atoi(line); err != nil {
				continue // go test's own lines
			}
			mine[line] = true
		}
		if len(mine) < 1500 {
			t.Fatalf("a child drew %d ports, want 1500:\n%s", len(mine), out)
		}
		for p := range mine {
			if seen[p] {
				shared++
			}
			seen[p] = true
		}
	}
	if shared > 0 {
		t.Errorf("the two processes drew %d ports in common", shared)
	}
}
