package redact

import "strings"

// URL returns s, a URL or connection string, with every part that may carry
// a credential masked, and reports whether s had one of the shapes it reads
// (when false, it returns s unchanged and the caller must mask s whole, as
// [Text] does). The shapes, tried in this order:
//
//   - scheme://[userinfo@]hosts[/path][?query][#fragment]. The userinfo
//     ends at the last '@' (so a password holding '/', '?', '#' or '@' is
//     masked whole); but when a '/', '?' or '#' comes before that '@' and
//     net/url would read a valid host before them, the two readings
//     disagree on where the host is, and all but the scheme is masked. The
//     user shows only for schemes whose user
//     is a role (postgres, mysql, sqlserver, redis, amqp, mongodb,
//     clickhouse, kafka, memcached, mqtt); the password and every other
//     userinfo are masked. Hosts
//     and ports show. Of the path, the database, vhost or database number
//     shows for the families that have one (the first segment), the file
//     for sqlite and unix sockets (but a segment holding ':' or '@'); every
//     other segment is masked. A query key shows when the rule knows it, a
//     value only when its key is in the family's safe list and, decoded, it
//     holds nothing but letters, digits, spaces and ._-:+%,/()~*. The fragment
//     is masked.
//   - jdbc:sub://... is read as sub://...; any other jdbc: URL keeps only
//     jdbc:sub: and masks the rest.
//   - sqlite:path, file:path (no //): the file, as above.
//   - go-sql-driver/mysql's DSN, user[:password]@net(addr)/dbname?params.
//   - libpq keyword/value strings (host=db dbname=app password=...) and
//     ADO.NET strings (Server=db;Database=app;Password=...), read when one
//     keyword at least is one the rule knows; values show for the safe
//     ones, and a pair with a keyword the rule does not know is masked
//     whole.
func URL(s string) (string, bool) {
	note := ""
	if t, ok := strings.CutSuffix(s, InsecureNote); ok {
		s, note = t, InsecureNote
	}
	if rest, ok := cutPrefixFold(s, "jdbc:"); ok {
		return jdbc(s[:len(s)-len(rest)], rest) + note, true
	}
	if i := strings.Index(s, "://"); i > 0 && validScheme(s[:i]) {
		return hierarchical(s, i) + note, true
	}
	if i := strings.IndexByte(s, ':'); i > 0 && validScheme(s[:i]) && lookupFamily(s[:i]).path == pathFile &&
		!strings.HasPrefix(s[i+1:], "//") {
		var b strings.Builder
		b.WriteString(s[:i+1])
		writeRest(&b, lookupFamily(s[:i]), s[i+1:])
		return b.String() + note, true
	}
	if m, ok := mysqlDSN(s); ok {
		return m + note, true
	}
	if m, ok := keywordValue(s); ok {
		return m + note, true
	}
	if m, ok := adoNet(s); ok {
		return m + note, true
	}
	return s, false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
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

// jdbc masks a JDBC URL: prefix is "jdbc:" as written, rest what follows.
func jdbc(prefix, rest string) string {
	if i := strings.Index(rest, "://"); i > 0 && validScheme(rest[:i]) {
		return prefix + hierarchical(rest, i)
	}
	// jdbc:oracle:thin:user/password@host..., jdbc:h2:mem:..., and every
	// form the rule does not read: the subprotocol shows, the rest not.
	i := strings.IndexByte(rest, ':')
	if i <= 0 || !validScheme(rest[:i]) {
		return prefix + Mask
	}
	return prefix + rest[:i+1] + Mask
}

// hierarchical masks scheme://[userinfo@]host[/path][?query][#fragment],
// where i is the index of "://".
func hierarchical(s string, i int) string {
	f := lookupFamily(s[:i])
	rest := s[i+3:]
	var b strings.Builder
	b.Grow(len(s) + 2*len(Mask))
	b.WriteString(s[:i+3])
	at := strings.LastIndexByte(rest, '@')
	if at >= 0 && strings.ContainsAny(rest[:at], "/?#") {
		// A '/', '?' or '#' before the last '@'. Drivers that split at the
		// last '@' read what precedes it as a userinfo (a password holding
		// '/', '?' or '#'); net/url reads the authority up to the first
		// '/', '?' or '#' and the '@' as part of the path, query or
		// fragment. When net/url's
		// authority is a valid host list, both readings are possible, and
		// what is a host in one is a credential in the other: nothing shows.
		auth := rest
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			auth = rest[:j]
		}
		if validHosts(auth) {
			b.WriteString(Mask)
			return b.String()
		}
	}
	if at >= 0 {
		user, _, hasPass := strings.Cut(rest[:at], ":")
		switch {
		case f.user != userRole || !plainUser(user):
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
	end := strings.IndexAny(rest, "/?#;")
	if end < 0 {
		end = len(rest)
	}
	writeHosts(&b, rest[:end])
	writeRest(&b, f, rest[end:])
	return b.String()
}

// plainUser reports whether a user name is made of the characters a role
// name is written with, percent-escapes included; anything else is masked.
func plainUser(u string) bool {
	for i := 0; i < len(u); i++ {
		if c := u[i]; !isAlnum(c) && !strings.ContainsRune("-._~%!$&'()*+,=", rune(c)) {
			return false
		}
	}
	return true
}

// validHosts reports whether writeHosts would show every part of hosts, and
// no host ends in an empty port (app: in postgres://app:/pw@db reads as a
// user, not as a host).
func validHosts(hosts string) bool {
	for h := range strings.SplitSeq(hosts, ",") {
		if strings.HasSuffix(h, ":") {
			return false
		}
	}
	var b strings.Builder
	writeHosts(&b, hosts)
	return !strings.Contains(b.String(), Mask)
}

// writeHosts writes a comma-separated host list: each host name, IP literal
// and numeric port as it is, any other text (which a host does not hold)
// masked.
func writeHosts(b *strings.Builder, hosts string) {
	for i, h := range strings.Split(hosts, ",") {
		if i > 0 {
			b.WriteByte(',')
		}
		h = strings.TrimLeft(h, " ")
		name, port := h, ""
		if strings.HasPrefix(h, "[") {
			if j := strings.IndexByte(h, ']'); j > 0 {
				name, port = h[:j+1], h[j+1:]
			}
		} else if j := strings.LastIndexByte(h, ':'); j >= 0 {
			name, port = h[:j], h[j:]
		}
		if validHost(name) {
			b.WriteString(name)
		} else {
			b.WriteString(Mask)
		}
		if port != "" {
			if port[0] == ':' && allDigits(port[1:]) {
				b.WriteString(port)
			} else {
				b.WriteString(":" + Mask)
			}
		}
	}
}

func validHost(h string) bool {
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
		for i := 0; i < len(h); i++ {
			if c := h[i]; !isHex(c) && c != ':' && c != '.' && c != '%' && !isAlnum(c) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !isAlnum(c) && c != '.' && c != '-' && c != '_' && c != '%' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// writeRest writes a path, query and fragment as the rule of family f lets
// them show.
func writeRest(b *strings.Builder, f family, rest string) {
	frag := ""
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest, frag = rest[:i], rest[i:]
	}
	query := ""
	seps := "?;" // jdbc:sqlserver://host;key=value
	if f.path == pathFile {
		seps = "?" // a file name may hold ';'
	}
	if i := strings.IndexAny(rest, seps); i >= 0 {
		rest, query = rest[:i], rest[i:]
	}
	writePath(b, f, rest)
	if query != "" {
		writeQuery(b, f, query)
	}
	if frag != "" {
		b.WriteByte('#')
		if len(frag) > 1 {
			b.WriteString(Mask)
		}
	}
}

// writePath writes the path segment by segment.
func writePath(b *strings.Builder, f family, path string) {
	if path == "" {
		return
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if i > 0 {
			b.WriteByte('/')
		}
		if seg == "" {
			continue
		}
		var show bool
		switch f.path {
		case pathDB:
			// the database or vhost: one segment, which may decode to a
			// leading '/' (amqp's %2F) but to no other
			show = i == 1 && plainSegment(seg) && !strings.Contains(unescape(seg)[1:], "/")
		case pathFile:
			show = plainSegment(seg) || seg == ":memory:"
		}
		if show {
			b.WriteString(seg)
		} else {
			b.WriteString(Mask)
		}
	}
}

// plainSegment reports whether a path segment, decoded, holds only what
// database, vhost and file names are written with; one holding ':', '@',
// '=', spaces or other marks may be a credential, and is masked.
func plainSegment(seg string) bool {
	d := unescape(strings.ReplaceAll(seg, "+", "%2B"))
	for i := 0; i < len(d); i++ {
		if c := d[i]; !isAlnum(c) && !strings.ContainsRune("._-~$+,/!()", rune(c)) && c < 0x80 {
			return false
		}
	}
	return true
}

// writeQuery writes a query (with its leading '?' or ';'), pair by pair,
// split at '&', ';' and '?': the key when the rule knows it, the value when
// the key is safe for f and the value is plain; masked otherwise.
func writeQuery(b *strings.Builder, f family, q string) {
	start := 0
	for i := 0; i <= len(q); i++ {
		if i < len(q) && !strings.ContainsRune("?&;", rune(q[i])) {
			continue
		}
		if i > start {
			writePair(b, f, q[start:i])
		}
		if i < len(q) {
			b.WriteByte(q[i])
		}
		start = i + 1
	}
}

func writePair(b *strings.Builder, f family, pair string) {
	key, value, hasValue := strings.Cut(pair, "=")
	k := unescape(key)
	if !hasValue || !knownKey(k) {
		b.WriteString(Mask)
		if hasValue {
			b.WriteString("=" + Mask)
		}
		return
	}
	b.WriteString(key)
	b.WriteByte('=')
	if f.safeKey(k) && plainValue(unescape(value)) {
		b.WriteString(value)
		return
	}
	b.WriteString(Mask)
}

// plainValue reports whether a safe key's value holds only what such values
// are written with; a value holding '=', '@', quotes or other marks may be
// a credential pasted after it, and is masked.
func plainValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && !strings.ContainsRune("._-:+%,/()~*[] ", rune(c)) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
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
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return string(out)
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
