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
	"syscall"
	"time"
)

// Check tells whether the service of u answers, trying its hosts in order
// until one does. For each it connects (TCP, or the unix socket), does the
// TLS handshake where the protocol starts with TLS (rediss, amqps, mqtts,
// wss, smtps, https, s3, and mongodb and kafka URLs that ask for TLS), and
// then completes the first exchange of the
// service's own protocol, parsing the whole answer rather than matching its
// first bytes, so a different program on the port is told apart:
//
//   - postgres: a StartupMessage (the URL's user and database, no
//     password), answered by a whole authentication request or
//     ErrorResponse, then Terminate;
//   - mysql: the server's first packet read whole and parsed: a protocol 10
//     handshake (version, connection id, auth data, filler), or an error
//     packet such as "host not allowed", which is still MySQL;
//   - redis: PING, answered +PONG or a Redis error (NOAUTH, DENIED...);
//   - amqp: the AMQP 0-9-1 protocol header, answered by a whole
//     Connection.Start frame (frame end included) or the header of the
//     version the server speaks;
//   - nats: the server's INFO line, sent in plain text before any TLS, whose
//     JSON names the server (server_id);
//   - mqtt: CONNECT without credentials, answered by a CONNACK (a refusal
//     is still MQTT), then DISCONNECT; over ws and wss the same inside
//     WebSocket frames, after an upgrade whose Sec-WebSocket-Accept is
//     checked;
//   - memcached: version, answered VERSION and a version;
//   - smtp: the 220 greeting, then EHLO (or HELO) answered 250, which tells
//     an FTP server's 220 apart, then QUIT;
//   - http, https and s3: HEAD /, answered by a status line and headers;
//   - mongodb: hello in an OP_MSG, answered by an OP_MSG reply to it whose
//     BSON body holds ok: 1 and maxWireVersion; a mongodb+srv URL's hosts
//     come from its SRV record, looked up within ctx;
//   - kafka: an ApiVersions request (version 0, before any SASL), answered
//     by a response with our correlation id whose list holds ApiVersions;
//   - sqlite: the file exists (":memory:" always does).
//
// It sends no credentials. Each host is bounded by the timeout of
// [WithTimeout] ([DefaultTimeout] by default) and by ctx: a server that
// sends a valid beginning and then nothing fails when the timeout ends. When
// ctx ends first, Check returns ctx.Err() itself. Otherwise the error is a
// *[CheckError] that names the host and port, never the password, and wraps
// [ErrUnreachable] when no connection was made or [ErrWrongService] when
// something else answered; its message then names what answered where the
// first bytes tell it (an HTTP, SSH, TLS, Redis, NATS, MySQL, PostgreSQL,
// AMQP, MQTT, memcached or SMTP/FTP server), or shows them. [WithTLSConfig]
// supplies the TLS settings a service requires beyond the URL's (a client
// certificate). Check starts no goroutine that outlives it.
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
	switch u.fam {
	case &s3Family:
		hosts = []Host{{Name: s3Endpoint(u), Port: 443}}
	case &mongoFamily:
		var err error
		if hosts, err = mongoHosts(ctx, u); err != nil {
			if ce := ctx.Err(); ce != nil {
				return ce
			}
			return &CheckError{Addr: u.hosts[0].Name, Scheme: u.Scheme(), err: ErrUnreachable, detail: "no SRV record: " + dialDetail(err)}
		}
	}
	var first error
	for _, h := range hosts {
		err := checkHost(ctx, u, h, s)
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

func checkHost(parent context.Context, u URL, h Host, s settings) error {
	timeout := s.timeout
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
		if ce := ctxEnded(ctx, parent, err); ce != nil {
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
	if u.tlsFirst() {
		c, err = handshake(ctx, conn, u, h, s.tls)
	}
	if err != nil {
		if ce := ctxEnded(ctx, parent, err); ce != nil {
			return ce
		}
		return fail(ErrUnreachable, "TLS handshake failed: "+err.Error())
	}
	rec := &recordConn{Conn: c}
	if err := u.fam.greet(rec, bufio.NewReaderSize(rec, 512), u, h); err != nil {
		if ce := ctxEnded(ctx, parent, err); ce != nil {
			return ce
		}
		who := identify(rec.first)
		if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
			if len(rec.first) == 0 {
				return fail(ErrWrongService, "connected, but nothing answered the "+u.Scheme()+" greeting within "+timeout.String())
			}
			return fail(ErrWrongService, "connected, but no complete "+u.Scheme()+" answer within "+timeout.String()+
				" ("+strconv.Itoa(rec.n)+" bytes, then silence; "+who+")")
		}
		var w wrongf
		switch {
		case errors.As(err, &w):
			return fail(ErrWrongService, err.Error()+"; "+who+" answered")
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
			if len(rec.first) == 0 {
				return fail(ErrWrongService, "the connection closed without "+article(u.Scheme())+" "+u.Scheme()+" answer")
			}
			return fail(ErrWrongService, "the connection closed in the middle of "+article(u.Scheme())+" "+u.Scheme()+" answer; "+who+" answered")
		}
		return fail(ErrWrongService, "no "+u.Scheme()+" answer: "+dialDetail(err))
	}
	return nil
}

// ctxEnded returns the caller's context error when err came from the
// context ending. The connection's deadline is the context's, and the
// network poller (or a dial's own timer) can report it a moment before the
// context's timer has marked it done: a deadline error means the context is
// done or about to be (ctx always has a deadline), so it waits for that
// before deciding.
func ctxEnded(ctx, parent context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
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

func handshake(ctx context.Context, conn net.Conn, u URL, h Host, given *tls.Config) (net.Conn, error) {
	cfg := u.TLSConfig()
	if given != nil {
		cfg = given.Clone()
	}
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: h.Name}
	}
	if !h.Unix && (given == nil || given.ServerName == "") {
		cfg.ServerName = h.Name
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// tlsFirst reports whether the connection starts with a TLS handshake: the
// TLS variants of the families whose protocol has no upgrade of its own
// (rediss, amqps, mqtts, wss, smtps, https, s3, and MongoDB and Kafka when
// their URL asks for TLS). PostgreSQL, MySQL, NATS and smtp:// negotiate TLS
// inside their protocol, after the first exchange Check makes.
func (u URL) tlsFirst() bool {
	switch u.fam {
	case &s3Family:
		return true
	case &mongoFamily, &kafkaFamily:
		return u.tls != TLSDisable
	}
	switch u.variant {
	case "rediss", "amqps", "mqtts", "wss", "smtps", "https":
		return true
	}
	return false
}

// recordConn keeps the first bytes read from a connection, so that an
// answer of another protocol can be named.
type recordConn struct {
	net.Conn
	first []byte // at most 64 bytes
	n     int    // bytes read in all
}

func (c *recordConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n += n
	if k := min(n, 64-len(c.first)); k > 0 {
		c.first = append(c.first, p[:k]...)
	}
	return n, err
}

// identify names the program whose first bytes b are, as far as they tell.
func identify(b []byte) string {
	has := func(p string) bool { return bytes.HasPrefix(b, []byte(p)) }
	le32 := func(i int) int {
		return int(b[i]) | int(b[i+1])<<8 | int(b[i+2])<<16 | int(b[i+3])<<24
	}
	switch {
	case len(b) == 0:
		return "nothing"
	case has("HTTP/"):
		return "an HTTP server"
	case has("SSH-"):
		return "an SSH server"
	case has("INFO {") || has("INFO\t{"):
		return "a NATS server"
	case has("+PONG") || has("-ERR ") || has("-NOAUTH") || has("-WRONGPASS") || has("-DENIED") || has("-LOADING"):
		return "a Redis server"
	case has("+OK"):
		return "a POP3 server"
	case has("* OK"):
		return "an IMAP server"
	case has("220"):
		return "an SMTP or FTP server"
	case has("AMQP"):
		return "an AMQP server"
	case has("VERSION ") || has("ERROR\r\n"):
		return "a memcached server"
	case len(b) >= 11 && b[0] == 1 && b[1] == 0 && b[2] == 0 && b[7] == 0 && b[8] == 10 && b[9] == 0 && b[10] == 10:
		return "an AMQP 0-9-1 broker"
	case len(b) >= 3 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 3:
		return "a TLS server"
	case len(b) >= 5 && b[3] == 0 && (b[4] == 10 || b[4] == 0xff) && le32(0)&0xffffff > 2 && le32(0)&0xffffff <= 1<<14:
		return "a MySQL server"
	case len(b) >= 5 && (b[0] == 'R' || b[0] == 'E') && b[1] == 0 && b[2] == 0:
		return "a PostgreSQL server"
	case len(b) == 1 && (b[0] == 'S' || b[0] == 'N'):
		return "a PostgreSQL server"
	case len(b) >= 4 && b[0] == 0x20 && b[1] == 2:
		return "an MQTT broker"
	case len(b) >= 16 && (le32(12) == 2013 || le32(12) == 1):
		return "a MongoDB server"
	}
	for _, c := range b {
		if (c < ' ' || c > '~') && c != '\r' && c != '\n' && c != '\t' {
			return "a program answering in binary (" + strconv.Itoa(len(b)) + " bytes: " + hexPrefix(b) + ")"
		}
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return "a program answering in text (" + strconv.Quote(string(bytes.TrimSuffix(line, []byte("\r")))) + ")"
}

// hexPrefix writes the first 8 bytes of b in hex.
func hexPrefix(b []byte) string {
	const digits = "0123456789abcdef"
	var out []byte
	for i, c := range b[:min(len(b), 8)] {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
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
