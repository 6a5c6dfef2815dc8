package processtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// bindWatch observes every TCP socket bound to one port, however briefly:
// it listens to the kernel's sock_diag broadcast of destroyed sockets
// (IPv4 and IPv6), which reports each socket as it is freed, listeners
// included, with its local port. A socket bound to the port with no peer
// (a listener, or bound and not connected) freed after the kit's own
// socket on the port was reported means the process bound the port. It
// needs the right to join the broadcast (root, or CAP_NET_ADMIN). The
// kernel reports from an unordered work queue: a report can in principle
// arrive after the sentinel's, so a bind is missed only if its report is
// later than a socket freed after it.
type bindWatch struct {
	fd    int
	port  uint16
	bound bool
}

// Groups of the sock_diag broadcast: SKNLGRP_INET_TCP_DESTROY and
// SKNLGRP_INET6_TCP_DESTROY, as bits.
const sknlTCPDestroy = 1<<0 | 1<<2

// newBindWatch starts watching port.
func newBindWatch(port int) (*bindWatch, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, 4 /* NETLINK_SOCK_DIAG */)
	if err != nil {
		return nil, fmt.Errorf("no sock_diag socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Groups: sknlTCPDestroy}); err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("cannot join the sock_diag broadcast: %w", err)
	}
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1<<20)
	_ = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &syscall.Timeval{Usec: 100_000})
	return &bindWatch{fd: fd, port: uint16(port)}, nil
}

// settle waits until the kernel has reported the sockets freed before
// now: it binds and closes a sentinel listener on another port and reads
// the broadcast until the sentinel's own report, at most limit. It reports
// whether a socket bound to the watched port was freed meanwhile.
func (w *bindWatch) settle(limit time.Duration) (bool, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return w.bound, err
	}
	sentinel := uint16(ln.Addr().(*net.TCPAddr).Port)
	_ = ln.Close()
	deadline := time.Now().Add(limit)
	buf := make([]byte, 64<<10)
	for time.Now().Before(deadline) {
		n, _, err := syscall.Recvfrom(w.fd, buf, 0)
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.ENOBUFS) {
			return w.bound, errors.New("the kernel dropped socket reports (ENOBUFS)")
		}
		if err != nil {
			return w.bound, err
		}
		if w.read(buf[:n], sentinel) {
			return w.bound, nil
		}
	}
	return w.bound, fmt.Errorf("the kernel did not report the sentinel socket within %v", limit)
}

// reset forgets what was seen: called once the kit's own socket on the
// port has been reported, before the process starts.
func (w *bindWatch) reset() { w.bound = false }

// read handles one datagram and reports whether it held the sentinel, a
// socket bound to its port with no peer.
func (w *bindWatch) read(b []byte, sentinel uint16) bool {
	saw := false
	for len(b) >= 16 {
		l := int(binary.NativeEndian.Uint32(b[0:4]))
		if l < 16 || l > len(b) {
			break
		}
		// inet_diag_msg: family, state, timer, retrans; then the socket id:
		// sport, dport (big-endian), src[16], dst[16], ...
		if m := b[16:l]; len(m) >= 8 {
			sport := binary.BigEndian.Uint16(m[4:6])
			dport := binary.BigEndian.Uint16(m[6:8])
			switch {
			case dport != 0:
			case sport == sentinel:
				saw = true
			case sport == w.port:
				w.bound = true
			}
		}
		b = b[(l+3)&^3:]
	}
	return saw
}

func (w *bindWatch) close() { _ = syscall.Close(w.fd) }
