package mysql14

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/twelvekit/twelvekit/backing"
)

// reading is go-sql-driver/mysql 1.4.1's reading of a DSN, flattened.
func reading(dsn string) string {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "error: " + err.Error()
	}
	f := fmt.Sprintf("net=%q addr=%q user=%q password=%q db=%q tls=%q parseTime=%v loc=%s timeout=%v collation=%q",
		cfg.Net, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName, cfg.TLSConfig, cfg.ParseTime, cfg.Loc, cfg.Timeout, cfg.Collation)
	for _, k := range slices.Sorted(maps.Keys(cfg.Params)) {
		f += fmt.Sprintf(" param.%s=%q", k, cfg.Params[k])
	}
	return f
}

// original is 1.4.1's reading of the value itself: a DSN as it is, a
// mysql:// URL written as its DSN field for field from net/url's reading.
func original(raw string) string {
	if !strings.Contains(raw, "://") {
		return reading(raw)
	}
	p, err := url.Parse(raw)
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	if p.User != nil {
		b.WriteString(p.User.Username())
		if pw, ok := p.User.Password(); ok {
			b.WriteString(":" + pw)
		}
		b.WriteByte('@')
	}
	b.WriteString("tcp(" + p.Host + ")/" + strings.TrimPrefix(p.Path, "/"))
	if p.RawQuery != "" {
		b.WriteString("?" + p.RawQuery)
	}
	return reading(b.String())
}

// cases are mysql URLs and go-sql-driver DSNs without the options later
// releases added; "preferred" (1.5 on) only where the value asks for it.
var cases = []string{
	"mysql://root:@127.0.0.1:3306/test", "mysql://u:p@db.example.com/app", "mariadb://u:p@h/d", "MySQL://u:p@h/d",
	"mysql://u:p@db.example.com/app?parseTime=true", "mysql://u:p@h/d?charset=utf8mb4&parseTime=True&loc=Local",
	"mysql://u:p@h:3307/d?tls=true", "mysql://u:p@h/d?tls=false", "mysql://u:p@h/d?tls=skip-verify&timeout=30s&readTimeout=30s",
	"mysql://u:p@[::1]:3306/d", "mysql://u:p@h/d?collation=utf8mb4_unicode_ci", "mysql://u:p@h/d?loc=Europe%2FParis",
	"mysql://u:p@h/d?sql_mode=%27TRADITIONAL%27", "mysql://u:p@h/d?interpolateParams=true&multiStatements=true",
	"mysql://u:p%40q@h:3307/d?tls=true", "mysql://u:p%3Aq@h/d", "mysql://u:p%23q@h/d", "mysql://u:%C3%A4%E2%82%AC@h/d",
	"mysql://u:p@h/d?tls=preferred",
	"user:password@tcp(localhost:5555)/dbname?tls=skip-verify&autocommit=true", "user:password@/dbname",
	"user@unix(/path/to/socket)/dbname?charset=utf8", "u:p@tcp(h)/d", "u:p@tcp(h:3306)/", "root@tcp(127.0.0.1:3306)/test",
	"u:p:q@tcp(h)/d", "u:p@q@tcp(h)/d", "u:p#q@tcp(h)/d", "u:p@tcp(h:3306)/d?timeout=5s&readTimeout=1s&writeTimeout=1s",
	"u:p@tcp(h:3306)/d?tls=preferred",
}

// TestDSN_v141 checks that 1.4.1 reads backing's DSN for each case as it
// reads the original, and that no DSN carries a tls option its value did
// not ask for.
func TestDSN_v141(t *testing.T) {
	for _, raw := range cases {
		u, err := backing.Parse(raw, backing.WithFamily("mysql"))
		if err != nil {
			t.Errorf("%s: Parse: %v", raw, err)
			continue
		}
		_, dsn, err := u.SQL()
		if err != nil {
			t.Errorf("%s: SQL: %v", raw, err)
			continue
		}
		if strings.Contains(dsn, "tls=") != strings.Contains(raw, "tls=") {
			t.Errorf("%s: DSN %q has a tls option the value does not, or leaves one out", raw, u.String())
		}
		o, d := original(raw), reading(dsn)
		if o != d {
			t.Errorf("%s: go-sql-driver/mysql 1.4.1 reads differently:\n\toriginal: %s\n\toutput:   %s", raw, o, d)
		}
		if strings.HasPrefix(o, "error:") && !strings.Contains(raw, "preferred") {
			t.Errorf("%s: 1.4.1 refuses the original: %s", raw, o)
		}
	}
	t.Logf("%d cases read alike by go-sql-driver/mysql 1.4.1", len(cases))
}
