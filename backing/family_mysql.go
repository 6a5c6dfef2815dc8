package backing

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

var mysqlFamily = family{
	name: "mysql",
	schemes: []scheme{
		{name: "mysql", port: 3306, tls: TLSPrefer},
		{name: "mariadb", port: 3306, tls: TLSPrefer},
		{name: "maria", port: 3306, tls: TLSPrefer},
		{name: "mysql2", port: 3306, tls: TLSPrefer},
	},
	example:     "mysql://user:password@host:3306/database",
	hier:        true,
	userName:    true,
	plus:        true,
	public:      publicParts{database: true, keys: []string{"tls", "ssl-mode", "sslmode", "ssl", "parseTime", "loc", "charset", "collation", "timeout", "readTimeout", "writeTimeout", "interpolateParams", "multiStatements", "clientFoundRows", "columnsWithAlias", "rejectReadOnly", "max_open_conns", "max_idle_conns", "conn_max_lifetime", "conn_max_idle_time"}},
	secretParam: isSecretParam,
	finish:      finishMySQL,
	write:       writeMySQL,
	greet:       greetMySQL,
}

// mysqlTLS names a mode in go-sql-driver/mysql's tls option; verify-ca has
// no name there and is written as such for the canonical form only.
func mysqlTLS(m TLSMode) string {
	switch m {
	case TLSDisable:
		return "false"
	case TLSPrefer:
		return "preferred"
	case TLSRequire:
		return "skip-verify"
	case TLSVerifyCA:
		return "verify-ca"
	}
	return "true"
}

func finishMySQL(u *URL, params []Param) error {
	kept := params[:0] // filtered in place: each is written at or before where it is read
	for _, p := range params {
		v := strings.ToLower(p.Value)
		switch p.Key {
		case "tls", "ssl-mode", "sslmode", "ssl_mode", "ssl", "sslaccept":
			// The URL asks for a TLS mode: the DSN and the canonical form
			// write it. (For mysql, pgSSLMode only records that it was asked.)
			u.pgSSLMode = "asked"
		}
		switch p.Key {
		case "tls":
			switch v {
			case "true", "1", "verify-full", "verify_identity":
				u.tls = TLSVerify
			case "false", "0", "disable", "disabled":
				u.tls = TLSDisable
			case "skip-verify", "require", "required":
				u.tls = TLSRequire
			case "preferred", "prefer":
				u.tls = TLSPrefer
			case "verify-ca", "verify_ca":
				u.tls = TLSVerifyCA
			default:
				return errorf("tls must be true, false, skip-verify or preferred; a custom TLS config name cannot come from a URL")
			}
		case "ssl-mode", "sslmode", "ssl_mode":
			switch strings.ReplaceAll(v, "-", "_") {
			case "disabled", "disable":
				u.tls = TLSDisable
			case "preferred", "prefer":
				u.tls = TLSPrefer
			case "required", "require":
				u.tls = TLSRequire
			case "verify_ca":
				u.tls = TLSVerifyCA
			case "verify_identity", "verify_full":
				u.tls = TLSVerify
			default:
				return errorf("ssl-mode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY")
			}
		case "ssl":
			switch v {
			case "true", "1":
				u.tls = TLSVerify
			case "false", "0":
				u.tls = TLSDisable
			default:
				return errorf("ssl must be true or false")
			}
		case "sslaccept":
			switch v {
			case "strict":
				u.tls = TLSVerify
			case "accept_invalid_certs":
				u.tls = TLSRequire
			default:
				return errorf("sslaccept must be strict or accept_invalid_certs")
			}
		case "socket":
			if p.Value == "" || p.Value[0] != '/' {
				return errorf("socket must be an absolute path such as /run/mysqld/mysqld.sock")
			}
			u.hosts = []Host{{Name: p.Value, Unix: true}}
		default:
			if !validKey(p.Key) {
				return errorf("a query option name has characters other than letters, digits, '_', '-' and '.'; fix its name")
			}
			if err := checkMySQLValue(p); err != nil {
				return err
			}
			if isClientParam(p.Key) {
				u.client = append(u.client, p)
			} else {
				kept = append(kept, p)
			}
		}
	}
	if len(kept) > 0 {
		u.params = kept
	}
	if len(u.hosts) == 1 && u.hosts[0].Unix {
		u.hosts[0].Port = 0
	}
	if len(u.path) > 0 {
		u.database = u.path[1:]
	}
	if strings.IndexByte(u.database, '/') >= 0 {
		return errorf("the database name has a /; a MySQL database name cannot hold one")
	}
	u.path = ""
	return nil
}

// nativeMySQL reads a go-sql-driver/mysql DSN,
// [user[:password]@][net[(addr)]]/dbname[?param=value&...], as its ParseDSN
// does: the last '/' ends the address part, the last '@' before it ends the
// user information, the first ':' in that splits user and password (both
// taken as written, not percent-decoded). net is tcp (tcp6, or empty for
// tcp) or unix; an empty address is 127.0.0.1:3306 for tcp and
// /tmp/mysql.sock for unix, the driver's defaults, and a port-less address
// gets 3306. The options are read as a mysql URL's are; without a TLS
// option the DSN has no TLS, as go-sql-driver/mysql reads it.
func nativeMySQL(raw string, u *URL) (bool, error) {
	slash := strings.LastIndexByte(raw, '/')
	if slash < 0 || strings.Contains(raw, "://") {
		return false, nil
	}
	*u = URL{fam: &mysqlFamily, tls: TLSPrefer}
	addrPart := raw[:slash]
	if at := strings.LastIndexByte(addrPart, '@'); at >= 0 {
		ui := addrPart[:at]
		addrPart = addrPart[at+1:]
		u.hasUser = true
		user, pass, hasPass := strings.Cut(ui, ":")
		u.user = user
		if hasPass {
			u.hasPass = true
			u.secrets().password = pass
		}
	}
	network, addr := addrPart, ""
	if i := strings.IndexByte(addrPart, '('); i >= 0 {
		if !strings.HasSuffix(addrPart, ")") {
			return true, errorf("a MySQL DSN address without its closing ')'; write it as tcp(host:3306) or unix(/path/mysqld.sock), and percent-encode nothing in it")
		}
		network, addr = addrPart[:i], addrPart[i+1:len(addrPart)-1]
	}
	switch network {
	case "", "tcp", "tcp4", "tcp6":
		if addr == "" {
			addr = "127.0.0.1:3306"
		}
		h, err := parseHost(addr, 3306, false)
		if err != nil || h.Unix {
			return true, errorf("the address in a MySQL DSN's tcp(...) is not host:port; write it as tcp(db.internal:3306)")
		}
		u.hosts = []Host{h}
	case "unix":
		if addr == "" {
			addr = "/tmp/mysql.sock"
		}
		if addr[0] != '/' {
			return true, errorf("the socket in a MySQL DSN's unix(...) is not an absolute path; write it as unix(/run/mysqld/mysqld.sock)")
		}
		u.hosts = []Host{{Name: addr, Unix: true}}
	default:
		return true, errorf("a MySQL DSN with a network other than tcp or unix (a dialer registered in code cannot come from the environment); write tcp(host:3306) or unix(/path)")
	}
	db, query, _ := strings.Cut(raw[slash+1:], "?")
	dec, ok := unescape(db, false)
	if !ok {
		return true, errorf("bad percent-encoding in the database name; write a % as %25")
	}
	u.path = "/" + dec
	params, err := parseQuery(query, true, false)
	if err != nil {
		return true, err
	}
	if err := finishMySQL(u, params); err != nil {
		return true, err
	}
	u.seal()
	return true, nil
}

// mysqlBools and mysqlDurations are go-sql-driver/mysql's options of those
// kinds; it refuses a malformed value when it parses the DSN.
var (
	mysqlBools = map[string]bool{"allowAllFiles": true, "allowCleartextPasswords": true, "allowFallbackToPlaintext": true,
		"allowNativePasswords": true, "allowOldPasswords": true, "checkConnLiveness": true, "clientFoundRows": true,
		"columnsWithAlias": true, "interpolateParams": true, "multiStatements": true, "parseTime": true, "rejectReadOnly": true,
		"compress": true, "tinyInt1IsBool": true}
	mysqlDurations = map[string]bool{"timeout": true, "readTimeout": true, "writeTimeout": true, "timeTruncate": true}
)

func checkMySQLValue(p Param) error {
	switch {
	case p.Key == "strict":
		return errorf("strict was removed from go-sql-driver/mysql, which panics on it; remove it and set sql_mode instead")
	case p.Key == "serverPubKey":
		return errorf("serverPubKey names a key registered in code, which cannot come from the environment; remove it")
	case p.Key == "maxAllowedPacket":
		if _, err := strconv.Atoi(p.Value); err != nil {
			return errorf("maxAllowedPacket is not a whole number; fix it")
		}
	case mysqlBools[p.Key]:
		switch p.Value {
		case "1", "true", "TRUE", "True", "0", "false", "FALSE", "False":
		default:
			return errorf("a MySQL option that takes a boolean is not one; write true or false")
		}
	case mysqlDurations[p.Key]:
		if _, err := time.ParseDuration(p.Value); err != nil {
			return errorf("a MySQL timeout option is not a duration; write it as 5s or 500ms")
		}
	}
	return nil
}

func writeMySQL(u *URL, b *strings.Builder, hide bool) {
	u.writeHosts(b)
	b.WriteByte('/')
	b.WriteString(escape(u.database, segKeep))
	if !u.mysqlTLSAsked() {
		u.writeQuery(b, hide)
		return
	}
	u.writeQuery(b, hide, Param{Key: "tls", Value: mysqlTLS(u.tls)})
}

// mysqlTLSAsked reports whether the URL names a TLS mode (tls, ssl-mode,
// ssl...); when it does not, neither the DSN nor the canonical form writes
// one, so go-sql-driver/mysql's own default (no TLS) applies, and every
// release from 1.4 on reads the DSN.
func (u *URL) mysqlTLSAsked() bool { return u.pgSSLMode != "" }

// mysqlKeep are the characters go-sql-driver/mysql reads as they are in an
// option value; the rest are percent-encoded for its QueryUnescape.
const mysqlKeep = "!$'()*,;:@"

func (u URL) mysqlDSN() (string, error) {
	if u.tls == TLSVerifyCA {
		return "", errorf("go-sql-driver/mysql has no tls option for verify-ca; use ssl-mode=VERIFY_IDENTITY or REQUIRED")
	}
	if strings.IndexByte(u.user, ':') >= 0 {
		return "", errorf("the MySQL user name has a ':', which go-sql-driver/mysql cannot read; rename the user")
	}
	var b strings.Builder
	b.Grow(96)
	if u.hasUser {
		b.WriteString(u.user)
		if u.hasPass {
			b.WriteByte(':')
			b.WriteString(u.password())
		}
		b.WriteByte('@')
	}
	h := u.hosts[0]
	if h.Unix {
		b.WriteString("unix(")
		b.WriteString(h.Name)
	} else {
		b.WriteString("tcp(")
		b.WriteString(h.String())
	}
	b.WriteString(")/")
	b.WriteString(u.database)
	sep := byte('?')
	if u.mysqlTLSAsked() {
		b.WriteString("?tls=")
		b.WriteString(mysqlTLS(u.tls))
		sep = '&'
	}
	for _, p := range u.Params() {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(escape(p.Value, mysqlKeep))
	}
	return b.String(), nil
}

// greetMySQL reads the server's first packet whole and parses it: a
// protocol 10 handshake (a NUL-terminated server version, a connection id,
// the first 8 bytes of the auth data and a 0 filler), or an error packet
// (such as "host not allowed"), which is still MySQL.
func greetMySQL(_ net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if hdr[3] != 0 || n < 3 || n > 1<<14 {
		return wrongf("the first packet is not a MySQL handshake")
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return err
	}
	switch p[0] {
	case 0xff: // error packet: code, then the message
		if printable(p[3:]) {
			return nil
		}
	case 10:
		v := bytes.IndexByte(p[1:], 0)
		// version, then id (4), auth data (8), filler (1), capabilities (2)
		if v > 0 && printable(p[1:1+v]) && len(p) >= 1+v+1+15 && p[1+v+1+12] == 0 {
			return nil
		}
	}
	return wrongf("the first packet is not a MySQL handshake")
}

// printable reports whether b is printable text.
func printable(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}
