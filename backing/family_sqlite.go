package backing

import (
	"bufio"
	"net"
	"strings"
)

var sqliteFamily = family{
	name: "sqlite",
	schemes: []scheme{
		{name: "sqlite"}, {name: "sqlite3"}, {name: "file"}, {name: "sq"},
	},
	example:     "sqlite:///absolute/path.db",
	plus:        true,
	atInPath:    true, // a file name may hold an @
	public:      publicParts{database: true, keys: []string{"mode", "cache", "_busy_timeout", "_journal_mode", "_foreign_keys", "immutable"}},
	secretParam: isSecretParam,
	finish:      func(*URL, []Param) error { return nil }, // parseSQLite reads it all
	write:       writeSQLite,
	// Check looks for the file and dials nothing; greet is never called.
	greet: func(net.Conn, *bufio.Reader, URL, Host) error { return nil },
}

func parseSQLite(rest string, u *URL) error {
	var query string
	rest = strings.TrimPrefix(rest, "//")
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query = rest[:i], rest[i+1:]
	}
	path, ok := unescape(rest, false)
	if !ok {
		return errorf("bad percent-encoding in the file name; write a % as %25")
	}
	if path == "" {
		return errorf("missing file; write it as sqlite:///absolute/path.db, sqlite://relative.db or sqlite::memory:")
	}
	if lostScheme(path) {
		return errorf("the file name has the shape of a URL (scheme:// or user:password@host) that lost its scheme (//user:password@host/db); " +
			"write the URL with its scheme, such as postgres://user:password@host/db, or name a file without a ':' before an '@'")
	}
	params, err := parseQuery(query, true, false)
	if err != nil {
		return err
	}
	*u = URL{fam: &sqliteFamily, path: path, database: path, params: params}
	u.seal()
	return nil
}

// lostScheme reports whether a path holds "://" or has a segment shaped
// like a URL's user:password@host: a ':' and then an '@'. Such a value is a URL whose
// scheme was lost (//u:pw@h/db, /srv/u:pw@h/db), which sqlite would read as
// a file name and every printer would show; it is refused instead.
func lostScheme(path string) bool {
	if strings.Contains(path, "://") {
		return true // a URL inside the path: scheme://...
	}
	for seg := range strings.SplitSeq(path, "/") {
		if c := strings.IndexByte(seg, ':'); c >= 0 && strings.IndexByte(seg[c:], '@') > 0 {
			return true
		}
	}
	return false
}

func writeSQLite(u *URL, b *strings.Builder, hide bool) {
	if strings.HasPrefix(u.database, "//") {
		b.WriteString("//") // else sqlite:// would eat the path's own //
	}
	b.WriteString(escape(u.database, u.pathChars()))
	u.writeQuery(b, hide)
}

// sqliteDSN is file:path?options, as modernc.org/sqlite and mattn/go-sqlite3
// read it.
func (u URL) sqliteDSN() string {
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(escape(u.database, u.pathChars()))
	sep := byte('?')
	for _, p := range u.Params() {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(escape(p.Key, u.queryChars()))
		b.WriteByte('=')
		b.WriteString(escape(p.Value, u.queryChars()))
	}
	return b.String()
}
