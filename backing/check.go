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
// by ctx. The error names the host and port, never the password, and wraps
// [ErrUnreachable] when no connection was made, [ErrWrongService] when
// something else answered, or the context's error when ctx ended first. Check
// starts no goroutine that outlives it.
func Check(ctx context.Context, u URL, opts ...Option) error {
	if u.IsZero() {
		return errors.New("backing: cannot check an unset URL; set the variable")
	}
	s := newSettings(opts)
	if u.scheme == "sqlite" {
		if u.database == ":memory:" || strings.Contains(u.database, "mode=memory") {
			return nil
		}
		if _, err := os.Stat(u.database); err != nil {
			return &CheckError{Addr: filepath.Base(u.database), Scheme: "sqlite", err: ErrUnreachable, detail: "file not found or not readable"}
		}
		return nil
	}
	hosts := u.hosts
	if u.scheme == "s3" {
		hosts = []Host{{Name: s3Endpoint(u), Port: 443}}
	}
	var first error
	for _, h := range hosts {
		err := checkHost(ctx, u, h, s.timeout)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return first
}

func s3Endpoint(u URL) string {
	for _, p := range u.params {
		if p.Key == "region" && validHostName(p.Value) {
			return "s3." + p.Value + ".amazonaws.com"
		}
	}
	return "s3.amazonaws.com"
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
		if u.scheme == "postgres" {
			addr = filepath.Join(h.Name, ".s.PGSQL."+strconv.Itoa(h.Port))
		}
	}
	fail := func(kind error, detail string) error {
		if ce := parent.Err(); ce != nil && kind == ErrUnreachable {
			kind, detail = ce, "the context ended: "+detail
		}
		return &CheckError{Scheme: u.scheme, Addr: addr, err: kind, detail: detail}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
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
	if u.scheme == "s3" {
		c, err = handshake(ctx, conn, u, h)
	}
	if err != nil {
		return fail(ErrUnreachable, "TLS handshake failed: "+err.Error())
	}
	if u.variant == "ws" || u.variant == "wss" {
		return nil
	}
	if err := greet(c, u, h); err != nil {
		if ce := parent.Err(); ce != nil {
			return fail(ce, "no "+u.scheme+" greeting before the context ended")
		}
		if ctx.Err() != nil {
			return fail(ErrWrongService, "connected, but no "+u.scheme+" greeting within "+timeout.String())
		}
		var w wrongf
		switch {
		case errors.As(err, &w):
			return fail(ErrWrongService, err.Error())
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return fail(ErrWrongService, "the connection closed without a "+u.scheme+" greeting")
		}
		return fail(ErrWrongService, "no "+u.scheme+" greeting: "+dialDetail(err))
	}
	return nil
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

func greet(c net.Conn, u URL, h Host) error {
	r := bufio.NewReaderSize(c, 512)
	switch u.scheme {
	case "postgres":
		if _, err := c.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}); err != nil {
			return err
		}
		b, err := r.ReadByte()
		if err != nil {
			return err
		}
		// PostgreSQL answers with that one byte and nothing more.
		if (b != 'S' && b != 'N') || r.Buffered() > 0 {
			return wrongf("the answer to an SSLRequest is not PostgreSQL's")
		}
	case "mysql":
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
		if hdr[3] != 0 || n < 1 || n > 1<<16 || (hdr[4] != 10 && hdr[4] != 0xff) {
			return wrongf("the first packet is not a MySQL handshake")
		}
	case "redis":
		if _, err := c.Write([]byte("PING\r\n")); err != nil {
			return err
		}
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if line != "+PONG" && !strings.HasPrefix(line, "-NOAUTH") && !strings.HasPrefix(line, "-ERR") &&
			!strings.HasPrefix(line, "-WRONGPASS") && !strings.HasPrefix(line, "-DENIED") && !strings.HasPrefix(line, "-LOADING") {
			return wrongf("the answer to PING is not Redis's")
		}
	case "amqp":
		if _, err := c.Write([]byte("AMQP\x00\x00\x09\x01")); err != nil {
			return err
		}
		var b [11]byte
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return err
		}
		if string(b[:4]) == "AMQP" {
			return nil // the server states the protocol version it speaks
		}
		if _, err := io.ReadFull(r, b[8:]); err != nil {
			return err
		}
		// method frame on channel 0: class 10 (connection), method 10 (start)
		if b[0] != 1 || b[1] != 0 || b[2] != 0 || b[7] != 0 || b[8] != 10 || b[9] != 0 || b[10] != 10 {
			return wrongf("the answer to the AMQP header is not Connection.Start")
		}
	case "nats":
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "INFO ") && !strings.HasPrefix(line, "INFO\t") {
			return wrongf("the first line is not a NATS INFO")
		}
	case "mqtt":
		// CONNECT, MQTT 3.1.1, clean session, keep-alive 10 s, client id.
		id := "twelvekit-check"
		pkt := []byte{0x10, byte(12 + len(id)), 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10, 0, byte(len(id))}
		pkt = append(pkt, id...)
		if _, err := c.Write(pkt); err != nil {
			return err
		}
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return err
		}
		if b[0] != 0x20 || b[1] != 2 {
			return wrongf("the answer to CONNECT is not a CONNACK")
		}
		_, _ = c.Write([]byte{0xe0, 0})
	case "memcached":
		if _, err := c.Write([]byte("version\r\n")); err != nil {
			return err
		}
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "VERSION ") {
			return wrongf("the answer to version is not memcached's")
		}
	case "smtp":
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "220") {
			return wrongf("the first line is not an SMTP 220 greeting")
		}
		_, _ = c.Write([]byte("QUIT\r\n"))
	case "http", "s3":
		req := "HEAD / HTTP/1.1\r\nHost: " + h.String() + "\r\nConnection: close\r\nUser-Agent: twelvekit-backing-check\r\n\r\n"
		if _, err := c.Write([]byte(req)); err != nil {
			return err
		}
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "HTTP/1.") {
			return wrongf("the answer is not an HTTP status line")
		}
	}
	return nil
}

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
