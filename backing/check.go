package backing

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Check tells whether the service of u answers, trying its hosts in order
// until one does. For each it connects (TCP, or the unix socket), does the
// TLS handshake where the scheme asks for TLS from the first byte (rediss,
// amqps, tls, mqtts, wss, smtps, https, s3), and then exchanges the first
// bytes of the service's own protocol, so a different program on the port is
// told apart:
//
//   - postgres: an SSLRequest, answered by the single byte S or N;
//   - mysql: the server's handshake packet (protocol 10, or an error packet
//     such as "host not allowed", which is still MySQL);
//   - redis: PING, answered +PONG or an error such as NOAUTH;
//   - amqp: the AMQP 0-9-1 protocol header, answered by Connection.Start;
//   - nats: the server's INFO line;
//   - mqtt over TCP: CONNECT, answered by CONNACK, then DISCONNECT; over
//     ws and wss only the connection is made;
//   - memcached: version; smtp: the 220 greeting; http, https and s3: an
//     HTTP/1.1 HEAD / answered by any HTTP status line;
//   - sqlite: the file exists (":memory:" always does).
//
// It sends no credentials and reads nothing after the greeting. Each host is
// bounded by the timeout of [WithTimeout] ([DefaultTimeout] by default) and
// by ctx. When ctx ends first, Check returns ctx.Err() itself. Otherwise the
// error is a *[CheckError] that names the host and port, never the
// password, and wraps [ErrUnreachable] when no connection was made or
// [ErrWrongService] when something else answered. Check starts no goroutine
// that outlives it.
func Check(ctx context.Context, u URL, opts ...Option) error {
	if u.IsZero() {
		return errors.New("backing: cannot check an unset URL; set the variable")
	}
	s := newSettings(opts)
	if u.fam == &sqliteFamily {
		if u.database == ":memory:" || strings.Contains(u.database, "mode=memory") {
			return nil
		}
		if _, err := os.Stat(u.database); err != nil {
			return &CheckError{Addr: filepath.Base(u.database), Scheme: "sqlite", err: ErrUnreachable, detail: "file not found or not readable"}
		}
		return nil
	}
	hosts := u.hosts
	if u.fam == &s3Family {
		hosts = []Host{{Name: s3Endpoint(u), Port: 443}}
	}
	var first error
	for _, h := range hosts {
		err := checkHost(ctx, u, h, s.timeout)
		if err == nil {
			return nil
		}
		if ce := ctx.Err(); ce != nil {
			return ce
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// CheckError is the error of [Check] for one host. errors.Is tells
// [ErrUnreachable], [ErrWrongService] and context errors apart.
type CheckError struct {
	Scheme string // the URL's family
	Addr   string // host:port or socket path that failed
	err    error
	detail string
}

// Error says which service at which address failed and what to check.
func (e *CheckError) Error() string {
	var hint string
	switch {
	case errors.Is(e.err, ErrWrongService):
		hint = "; another program holds this port: check the port and what listens on it"
	case errors.Is(e.err, ErrUnreachable):
		hint = "; start the service or fix the host and port"
	}
	return "backing: " + e.Scheme + " at " + e.Addr + ": " + e.detail + hint
}

// Unwrap returns [ErrUnreachable], [ErrWrongService] or the context's error.
func (e *CheckError) Unwrap() error { return e.err }

func checkHost(parent context.Context, u URL, h Host, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	addr := h.String()
	network := "tcp"
	if h.Unix {
		network = "unix"
		if u.fam == &postgresFamily {
			addr = filepath.Join(h.Name, ".s.PGSQL."+strconv.Itoa(h.Port))
		}
	}
	fail := func(kind error, detail string) error {
		return &CheckError{Scheme: u.Scheme(), Addr: addr, err: kind, detail: detail}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		if ce := parent.Err(); ce != nil {
			return ce
		}
		return fail(ErrUnreachable, dialDetail(err))
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// Unblock reads when ctx is cancelled before the deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var c net.Conn = conn
	switch u.variant {
	case "rediss", "amqps", "tls", "mqtts", "wss", "smtps", "https":
		c, err = handshake(ctx, conn, u, h)
	}
	if u.fam == &s3Family {
		c, err = handshake(ctx, conn, u, h)
	}
	if err != nil {
		if ce := ctxEnded(ctx, parent, err); ce != nil {
			return ce
		}
		return fail(ErrUnreachable, "TLS handshake failed: "+err.Error())
	}
	if u.variant == "ws" || u.variant == "wss" {
		return nil
	}
	if err := u.fam.greet(c, bufio.NewReaderSize(c, 512), u, h); err != nil {
		if ce := ctxEnded(ctx, parent, err); ce != nil {
			return ce
		}
		if ctx.Err() != nil {
			return fail(ErrWrongService, "connected, but no "+u.Scheme()+" greeting within "+timeout.String())
		}
		var w wrongf
		switch {
		case errors.As(err, &w):
			return fail(ErrWrongService, err.Error())
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return fail(ErrWrongService, "the connection closed without a "+u.Scheme()+" greeting")
		}
		return fail(ErrWrongService, "no "+u.Scheme()+" greeting: "+dialDetail(err))
	}
	return nil
}

// ctxEnded returns the caller's context error when err came from the
// context ending. The connection's deadline is the context's, and the
// network poller can report it a moment before the context's own timer has
// marked it done: a deadline error means the context is done or about to
// be, so it waits for that before deciding.
func ctxEnded(ctx, parent context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		<-ctx.Done()
	}
	return parent.Err()
}

// dialDetail keeps the cause of a network error without repeating addresses.
func dialDetail(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Op + ": " + oe.Err.Error()
	}
	return err.Error()
}

func handshake(ctx context.Context, conn net.Conn, u URL, h Host) (net.Conn, error) {
	cfg := u.TLSConfig()
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: h.Name}
	}
	if !h.Unix {
		cfg.ServerName = h.Name
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// wrongf is a greeting that does not match.
type wrongf string

func (w wrongf) Error() string { return string(w) }

// readLine reads one CRLF- or LF-ended line of at most 4 KiB.
func readLine(r *bufio.Reader) (string, error) {
	var buf []byte
	for len(buf) < 4096 {
		b, err := r.ReadByte()
		if err != nil {
			if len(buf) > 0 && err == io.EOF {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		if b == '\n' {
			return string(bytes.TrimSuffix(buf, []byte{'\r'})), nil
		}
		buf = append(buf, b)
	}
	return "", wrongf("a first line longer than 4 KiB")
}
