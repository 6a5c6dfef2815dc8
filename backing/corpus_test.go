package backing_test

import (
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/internal/redact"
	"github.com/twelvekit/twelvekit/internal/redact/redacttest"
)

// checkPrinters parses raw and prints it through every printer: none shows
// the canary, and neither does a parse error or Attached.
func checkPrinters(t *testing.T, raw string) bool {
	t.Helper()
	res := backing.Attached(backing.WithEnvironment(map[string]string{"X_URL": raw, "MEMCACHIER_SERVERS": raw}))
	for _, r := range res {
		if redacttest.Leaks(r.String()) || r.Err != nil && redacttest.Leaks(r.Err.Error()) {
			t.Errorf("Attached(%q) = %v shows the canary", raw, r)
		}
	}
	u, err := backing.Parse(raw)
	if err != nil {
		if redacttest.Leaks(err.Error()) {
			t.Errorf("Parse(%q): error %q shows the canary", raw, err)
		}
		return false
	}
	var a backing.AMQPURL
	_ = a.UnmarshalText([]byte("amqp://u:" + redacttest.Canary + "@mq/"))
	var r backing.Resource
	if len(res) > 0 {
		r = res[0]
	}
	// fmt's %p is a bad verb for a URL: fmt prints its fields without
	// calling a method. Credentials, the path, a user that may be a token,
	// masked option values and the option names the rule masks are sealed
	// away from it; the database name, which every printer shows, is not.
	inFields := redacttest.Leaks(u.Database())
	for name, s := range printers(t, holder{Name: "n", DB: u, Ptr: &u, Res: r, AMQP: a}) {
		if inFields && strings.Contains(name, "%p") {
			continue
		}
		if redacttest.Leaks(s) {
			t.Errorf("%s of %q shows the canary: %s", name, raw, s)
		}
	}
	return true
}

// TestRedaction_corpus prints every value of the corpus that parses
// through every printer of a URL.
func TestRedaction_corpus(t *testing.T) {
	t.Parallel()
	parsed := 0
	for _, raw := range redacttest.Values() {
		if checkPrinters(t, raw) {
			parsed++
		}
	}
	if parsed < 200 {
		t.Errorf("only %d corpus values parse: the test proves little", parsed)
	}
}

// TestRedaction_shown: the printers keep hosts, ports, database and vhost
// names, role user names and safe options visible.
func TestRedaction_shown(t *testing.T) {
	t.Parallel()
	n := 0
	for _, s := range redacttest.ShownValues() {
		u, err := backing.Parse(s.In)
		if err != nil {
			continue
		}
		n++
		got := u.String()
		for _, w := range s.Want {
			if !strings.Contains(got, w) {
				t.Errorf("Parse(%q).String() = %q, want it to show %q", s.In, got, w)
			}
		}
	}
	if n < 12 {
		t.Errorf("only %d shown values parse", n)
	}
}

// FuzzPrinters plants the canary in URL- and DSN-shaped strings built from
// the fuzzer's parts and checks every printer of backing. The seeds run
// with every go test.
func FuzzPrinters(f *testing.F) {
	for _, fam := range redacttest.Families {
		f.Add(fam.Scheme, "app", "db.internal:5432", "shop?sslmode=require", "api_key", "")
	}
	f.Add("sqlite", "", "", "tmp/x.db", "_auth_pass", "x")
	f.Add("https", "x@y", "h?k=v@", "a#b", "token", "?#@/")
	f.Add("redis", "", "[::1]:6379", "0", "password", "&sslmode=require")
	f.Add("nats", "a", "n1:4222,n2", "", "token", "")
	f.Fuzz(func(t *testing.T, scheme, user, host, path, key, value string) {
		for _, raw := range redacttest.Planted(scheme, user, host, path, key, value, redact.SafeParam) {
			checkPrinters(t, raw)
		}
	})
}
