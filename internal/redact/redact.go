// Package redact decides what, in a configuration value, grants access, and
// masks it. config's Explain, backing's printers and admin's built-ins share
// it, so the three agree on what never prints.
//
// Three rules, each deliberately wider than the narrowest reading, because a
// value masked for nothing costs a line of output while a value shown by
// mistake costs a credential:
//
//   - [Name]: a variable or field whose name says it holds a credential.
//   - [Param]: a URL query key (or a libpq keyword) that carries one.
//   - [URL]: the password of a URL, its user when a lone user is a token for
//     that scheme, and its credential query values, read the way drivers
//     split a URL, including passwords that hold '/', '?', '#' or '@'.
package redact

import (
	"slices"
	"strings"
)

// Mask replaces every value this package hides.
const Mask = "[REDACTED]"

// joined are the fragments that make a name a credential wherever they
// appear in it, once separators are removed and case is folded:
// DB_PASSWORD, dbPassword, SMTP_PASSWD, STRIPE_SECRET_KEY, GITHUB_TOKEN,
// PAYMENTS_APIKEY, TLS_PRIVATE_KEY, GOOGLE_APPLICATION_CREDENTIALS,
// AWS_SECRET_ACCESS_KEY...
var joined = [...]string{
	"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY",
	"PRIVATEKEY", "CREDENTIAL", "ACCESSKEY", "SIGNINGKEY", "ENCRYPTIONKEY",
	"MASTERKEY", "SESSIONKEY", "AUTHKEY", "CLIENTKEY", "COOKIEKEY", "HMACKEY",
}

// lastWords make a name a credential when they are its last word: DB_PASS,
// DB_PWD, REDIS_AUTH, STRIPE_KEY, PASSWORD_SALT, JWT_SIGNATURE. KEYS is not
// one: LOG_KEYS names a set of field names, and API_KEYS is caught by APIKEY.
var lastWords = [...]string{"PASS", "PWD", "AUTH", "KEY", "SALT", "PEPPER", "SIGNATURE", "SIG", "DSN", "JWT", "NKEY"}

// Name reports whether a variable or field name says that its value is a
// credential. Case and separators do not matter (DB_PASSWORD, db-password
// and DBPassword are one name). It is true when the name contains PASSWORD,
// PASSWD, PASSPHRASE, SECRET, TOKEN, APIKEY, PRIVATEKEY, CREDENTIAL,
// ACCESSKEY or another KEY that signs or encrypts (SIGNINGKEY, ENCRYPTIONKEY,
// MASTERKEY, SESSIONKEY, AUTHKEY, CLIENTKEY, COOKIEKEY, HMACKEY), or when its
// last word is PASS, PWD, AUTH, KEY, SALT, PEPPER, SIGNATURE, SIG, DSN, JWT
// or NKEY, except PUBLIC_KEY and the shell's own PWD. Like Spring Boot's
// sanitiser, it errs towards hiding: TOKEN_TTL is hidden too.
func Name(name string) bool {
	words := split(name)
	if len(words) == 0 {
		return false
	}
	all := strings.Join(words, "")
	for _, j := range joined {
		if strings.Contains(all, j) {
			return true
		}
	}
	last := words[len(words)-1]
	for _, w := range lastWords {
		if last != w {
			continue
		}
		switch {
		case len(words) == 1 && last == "PWD": // the working directory
			return false
		case len(words) > 1 && words[len(words)-2] == "PUBLIC":
			return false
		}
		return true
	}
	return false
}

// split cuts a name into upper-case words at every character that is not a
// letter or a digit and where a lower-case letter meets an upper-case one
// (dbPassword -> DB PASSWORD; APIKey -> APIKEY).
func split(name string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToUpper(name[start:end]))
		}
		start = -1
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum {
			flush(i)
			continue
		}
		if start >= 0 && 'A' <= c && c <= 'Z' && 'a' <= name[i-1] && name[i-1] <= 'z' {
			flush(i)
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(name))
	return words
}

// params are query keys that carry a credential although [Name] does not
// say so: AWS presigned URLs, Azure SAS tokens, NATS and others.
var params = [...]string{
	"x-amz-credential", "x-amz-signature", "x-amz-security-token",
	"sv", "sp", // not credentials alone, but part of an Azure SAS that is
	"code", "nkey", "seed", "jwt", "sig", "signature", "passwd", "pwd", "pass",
}

// Param reports whether a URL query key, or a keyword of a libpq
// keyword/value string, carries a credential: every key for which [Name] is
// true (password, sslpassword, token, access_token, secret_access_key,
// api_key, key, auth...), and the signature and credential keys of presigned
// URLs (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token, sig).
// Case does not matter.
func Param(key string) bool {
	k := strings.ToLower(key)
	for _, p := range params {
		if k == p {
			return true
		}
	}
	return Name(key)
}

// userSchemes are the schemes whose URLs put a user name, not a token, in a
// userinfo without a password (postgres://app@db/). For every other scheme a
// lone userinfo is a token (https://TOKEN@host/, nats://TOKEN@host) and is
// masked whole.
var userSchemes = [...]string{
	"postgres", "postgresql", "pgx", "mysql", "mariadb", "amqp", "amqps",
	"redis", "rediss", "redis+sentinel", "valkey", "valkeys", "mongodb", "mongodb+srv",
	"mqtt", "mqtts", "smtp", "smtps", "ftp", "ftps", "sftp", "ssh", "ldap", "ldaps",
	"memcached", "sqlserver", "mssql", "clickhouse", "cockroachdb", "cockroach",
}

// URL returns s with what grants access masked, and reports whether s was
// shaped like a URL or a driver DSN at all (when false, s is returned as it
// is). It masks:
//
//   - the password of scheme://user:password@host, up to the last '@' of
//     the URL, so that a password holding '/', '?', '#' or '@' (which
//     net/url would misread) is masked whole; only an '@' in a query value
//     of a URL whose authority is a bare host (?to=ops@shop.example) is
//     read as net/url reads it, as part of that value;
//   - the whole userinfo (scheme://TOKEN@host, scheme://TOKEN:x@host)
//     unless the scheme names a user there (postgres, mysql, amqp, redis,
//     mqtt, smtp...), where only the password goes;
//   - the value of every query parameter for which [Param] is true;
//   - the password of a MySQL DSN (user:password@tcp(host)/db) and the values
//     of credential keywords of a libpq keyword/value string
//     (host=db password=secret).
func URL(s string) (string, bool) {
	if i := strings.Index(s, "://"); i > 0 && validScheme(s[:i]) {
		return hierarchical(s, i), true
	}
	// A string may read as both forms (app:pw@tcp(db)/x?a=b is one
	// keyword/value pair too): mask what either reading says, on the
	// original string.
	dsn, isDSN := dsnMasks(s)
	kv, isKV := kvMasks(s)
	if !isDSN && !isKV {
		return s, false
	}
	return apply(s, append(dsn, kv...)), true
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// hierarchical masks scheme://[userinfo@]host[/path][?query][#fragment],
// where i is the index of "://".
func hierarchical(s string, i int) string {
	scheme := strings.ToLower(s[:i])
	rest := s[i+3:]
	var b strings.Builder
	b.Grow(len(s) + len(Mask))
	b.WriteString(s[:i+3])
	at := strings.LastIndexByte(rest, '@')
	for at >= 0 && (tailOnly(rest, at) || inCredential(rest, at)) {
		at = strings.LastIndexByte(rest[:at], '@')
	}
	if at >= 0 {
		userinfo := rest[:at]
		user, _, hasPass := strings.Cut(userinfo, ":")
		switch {
		case !isUserScheme(scheme) || strings.ContainsAny(user, "/?#@"):
			// https://TOKEN@host, https://TOKEN:x-oauth-basic@host: where
			// the scheme does not name a user there, the user may be the
			// token, so the whole userinfo goes.
			b.WriteString(Mask)
		case hasPass:
			b.WriteString(user)
			b.WriteString(":")
			b.WriteString(Mask)
		default:
			b.WriteString(user)
		}
		b.WriteByte('@')
		rest = rest[at+1:]
	}
	// The rest is host, path, query and fragment. It is masked as one run
	// of segments split at '?', '&', ';' and '#', so that a credential pair
	// is found wherever an odd '@', '?' or '#' has moved the query.
	writeQuery(&b, rest, "?&;#")
	return b.String()
}

// inCredential reports whether the '@' at index at of rest lies in the
// value of a credential query parameter (?password=p@ss, ?password=a#@b),
// read with the same segments as writeQuery, where it belongs to the value,
// not to a userinfo.
func inCredential(rest string, at int) bool {
	q := strings.IndexByte(rest, '?')
	if q < 0 || q > at {
		return false
	}
	cred := false
	for seg := range strings.FieldsFuncSeq(rest[q+1:at+1], func(r rune) bool { return strings.ContainsRune("?&;#", r) }) {
		key, _, hasValue := strings.Cut(seg, "=")
		if hasValue {
			cred = Param(unescape(key))
		}
	}
	return cred
}

// tailOnly reports whether the '@' at index at of rest (the part after
// "://") belongs to a query value, as net/url and the drivers read it: the
// authority is a bare host (no ':' that could start a password), a '?'
// comes before the '@', and the '@' sits after the '=' of its pair
// (https://host/p?to=ops@shop.example). Anything less clear is read as a
// userinfo, so it is masked.
func tailOnly(rest string, at int) bool {
	q := strings.IndexByte(rest, '?')
	if q <= 0 || q > at {
		return false
	}
	host := rest[:q]
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	if host == "" || strings.ContainsAny(rest[:q], ":#@") {
		return false
	}
	pair := rest[q+1 : at]
	if j := strings.LastIndexAny(pair, "&;"); j >= 0 {
		pair = pair[j+1:]
	}
	return strings.IndexByte(pair, '=') > 0 && !strings.ContainsAny(rest[q:at], "#")
}

func isUserScheme(scheme string) bool {
	for _, s := range userSchemes {
		if scheme == s {
			return true
		}
	}
	return false
}

// span is a byte range [from, to) of a string that is to be masked.
type span struct{ from, to int }

// writeQuery writes q with the values of credential keys masked (see
// queryMasks).
func writeQuery(b *strings.Builder, q, seps string) {
	b.WriteString(apply(q, queryMasks(q, 0, seps, nil)))
}

// queryMasks appends to out the spans, offset by off, of the values of
// credential keys in q. Pairs are split at any byte of seps ('&' and ';' as
// drivers do, and more where the caller wants); keys are percent-decoded
// before the test. A pair with no '=' right after a credential is taken as
// the rest of its value (?password=a&b, ?password=a#b), and masked too.
func queryMasks(q string, off int, seps string, out []span) []span {
	cred := false
	for i := 0; i < len(q); {
		end := len(q)
		if j := strings.IndexAny(q[i:], seps); j >= 0 {
			end = i + j
		}
		pair := q[i:end]
		key, _, hasValue := strings.Cut(pair, "=")
		switch {
		case hasValue && Param(unescape(key)):
			out = append(out, span{off + i + len(key) + 1, off + end})
			cred = true
		case !hasValue && cred:
			if pair != "" {
				out = append(out, span{off + i, off + end})
			}
		default:
			cred = false
		}
		i = end + 1
	}
	return out
}

// apply returns s with every span replaced by [Mask]; overlapping and
// touching spans make one mask, and empty spans still show one, so that an
// empty password reads as masked too.
func apply(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	var b strings.Builder
	b.Grow(len(s) + len(Mask))
	last := 0
	for i := 0; i < len(spans); {
		from, to := spans[i].from, spans[i].to
		for i++; i < len(spans) && spans[i].from <= to; i++ {
			to = max(to, spans[i].to)
		}
		from = max(from, last)
		b.WriteString(s[last:from])
		b.WriteString(Mask)
		last = max(to, from)
	}
	b.WriteString(s[last:])
	return b.String()
}

// unescape percent-decodes s, leaving malformed escapes as they are; '+' is
// a space, as in a query.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			out = append(out, ' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// dsnMasks returns the spans to mask in go-sql-driver/mysql's form
// [user[:password]@][net[(addr)]]/dbname[?params]: the credentials end at
// the last '@' that is followed by net(addr)/ or by /, and the user at the
// first ':' in them.
func dsnMasks(s string) ([]span, bool) {
	at := -1
	for i := strings.LastIndexByte(s, '@'); i >= 0; i = strings.LastIndexByte(s[:i], '@') {
		if addrEnd(s[i+1:]) >= 0 {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, false
	}
	var out []span
	if colon := strings.IndexByte(s[:at], ':'); colon >= 0 {
		out = append(out, span{colon + 1, at})
	}
	slash := at + 1 + addrEnd(s[at+1:])
	if q := strings.IndexByte(s[slash:], '?'); q >= 0 {
		out = queryMasks(s[slash+q+1:], slash+q+1, "&;", out)
	}
	return out, true
}

// addrEnd returns the index of the '/' that ends a DSN's net(addr) part at
// the start of t, or -1 when t does not start with one.
func addrEnd(t string) int {
	i := 0
	for i < len(t) && isAlnum(t[i]) {
		i++
	}
	if i < len(t) && t[i] == '(' {
		j := strings.IndexByte(t[i:], ')')
		if j < 0 || i == 0 {
			return -1
		}
		i += j + 1
	}
	if i < len(t) && t[i] == '/' {
		return i
	}
	return -1
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// kvMasks returns the spans to mask in a libpq keyword/value string such
// as "host=db user=app password='it\'s'": pairs keyword = value separated
// by spaces, a value either bare or single-quoted with \' and \\ escapes.
// A string that is not made of such pairs gives false.
func kvMasks(s string) ([]span, bool) {
	var out []span
	i := 0
	pairs := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		k := i
		for i < len(s) && s[i] != '=' && !isSpace(s[i]) {
			i++
		}
		key := s[k:i]
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if key == "" || i == len(s) || s[i] != '=' {
			return nil, false
		}
		i++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		v := i
		if i < len(s) && s[i] == '\'' {
			i++
			for i < len(s) && s[i] != '\'' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				i++
			}
			if i < len(s) {
				i++ // closing quote
			}
		} else {
			for i < len(s) && !isSpace(s[i]) {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				i++
			}
		}
		if Param(key) {
			out = append(out, span{v, i})
		}
		pairs++
	}
	return out, pairs > 0
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
