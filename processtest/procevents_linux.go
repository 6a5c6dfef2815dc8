package processtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procEvents observes every fork and exec on the machine through the
// kernel's process events connector, and keeps the tree of one process:
// so a program its process starts is seen however briefly it ran, and a
// descendant is known whatever its session, parent or environment. It
// needs the right to join the connector (root, or CAP_NET_ADMIN).
type procEvents struct {
	fd   int
	stop chan struct{}
	done chan struct{}

	mu      sync.Mutex
	root    int
	pending [][3]uint32 // events before the root was known: what, pid, child
	tree    map[int]bool
	execs   map[int]string // descendants that ran a program: pid -> name
	lost    bool
}

const (
	netlinkConnector = 11
	cnIdxProc        = 1
	cnValProc        = 1
	procMcastListen  = 1
	procMcastIgnore  = 2
	procEventFork    = 1
	procEventExec    = 2
)

// newProcEvents joins the connector; call setRoot once the process has
// started, and close at the end.
func newProcEvents() (*procEvents, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkConnector)
	if err != nil {
		return nil, fmt.Errorf("no process events socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Groups: cnIdxProc}); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("cannot join the process events: %w", err)
	}
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<20)
	_ = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &syscall.Timeval{Usec: 50_000})
	if err := mcast(fd, procMcastListen); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("cannot join the process events: %w", err)
	}
	e := &procEvents{fd: fd, stop: make(chan struct{}), done: make(chan struct{}), tree: map[int]bool{}, execs: map[int]string{}}
	go e.read()
	return e, nil
}

// mcast sends the connector's listen or ignore operation.
func mcast(fd int, op uint32) error {
	msg := make([]byte, 16+20+4)
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], syscall.NLMSG_DONE)
	binary.NativeEndian.PutUint32(msg[12:], uint32(os.Getpid()))
	binary.NativeEndian.PutUint32(msg[16:], cnIdxProc)
	binary.NativeEndian.PutUint32(msg[20:], cnValProc)
	binary.NativeEndian.PutUint16(msg[32:], 4)
	binary.NativeEndian.PutUint32(msg[36:], op)
	return syscall.Sendto(fd, msg, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK})
}

func (e *procEvents) read() {
	defer close(e.done)
	buf := make([]byte, 64<<10)
	for {
		select {
		case <-e.stop:
			return
		default:
		}
		n, _, err := syscall.Recvfrom(e.fd, buf, 0)
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			if errors.Is(err, syscall.ENOBUFS) {
				e.mu.Lock()
				e.lost = true
				e.mu.Unlock()
				continue
			}
			return
		}
		b := buf[:n]
		for len(b) >= 16 {
			l := int(binary.NativeEndian.Uint32(b[0:4]))
			if l < 16 || l > len(b) {
				break
			}
			// nlmsghdr (16), cn_msg (20), proc_event: what, cpu,
			// timestamp (8), then the event's pids.
			if ev := b[16+20 : l]; len(ev) >= 32 {
				what := binary.NativeEndian.Uint32(ev[0:4])
				d := ev[16:]
				switch what {
				case procEventFork:
					ptgid, cpid, ctgid := binary.NativeEndian.Uint32(d[4:8]), binary.NativeEndian.Uint32(d[8:12]), binary.NativeEndian.Uint32(d[12:16])
					if cpid == ctgid { // a process, not a thread
						e.event([3]uint32{procEventFork, ptgid, ctgid})
					}
				case procEventExec:
					e.event([3]uint32{procEventExec, binary.NativeEndian.Uint32(d[4:8]), 0})
				}
			}
			b = b[(l+3)&^3:]
		}
	}
}

func (e *procEvents) event(ev [3]uint32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.root == 0 {
		e.pending = append(e.pending, ev)
		return
	}
	e.apply(ev)
}

// apply adds a fork's child to the tree, or records a descendant's exec.
func (e *procEvents) apply(ev [3]uint32) {
	switch ev[0] {
	case procEventFork:
		if e.tree[int(ev[1])] {
			e.tree[int(ev[2])] = true
		}
	case procEventExec:
		pid := int(ev[1])
		if pid != e.root && e.tree[pid] {
			name := "pid " + strconv.Itoa(pid)
			if comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); err == nil {
				name = strings.TrimSpace(string(comm))
			}
			e.execs[pid] = name
		}
	}
}

// setRoot names the process whose tree is kept.
func (e *procEvents) setRoot(pid int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.root = pid
	e.tree[pid] = true
	for _, ev := range e.pending {
		e.apply(ev)
	}
	e.pending = nil
}

// descendants returns the processes of the tree still running, but the
// root.
func (e *procEvents) descendants() []stray {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []stray
	for pid := range e.tree {
		if pid == e.root || zombie(pid) {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		out = append(out, stray{pid: pid, name: strings.TrimSpace(string(comm))})
	}
	return out
}

// programs returns the names of the programs descendants ran, and whether
// events were lost.
func (e *procEvents) programs() ([]string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, n := range e.execs {
		out = append(out, n)
	}
	return out, e.lost
}

// close stops reading, bounded by the read timeout.
func (e *procEvents) close() {
	close(e.stop)
	select {
	case <-e.done:
	case <-time.After(time.Second):
	}
	_ = mcast(e.fd, procMcastIgnore)
	_ = syscall.Close(e.fd)
}

// has reports whether pid is the root or one of its descendants.
func (e *procEvents) has(pid int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tree[pid]
}
