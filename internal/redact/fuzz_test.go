package redact

import (
	"testing"

	"github.com/twelvekit/twelvekit/internal/redact/redacttest"
)

// FuzzText plants the canary in URL- and DSN-shaped strings built from the
// fuzzer's parts (redacttest.Planted): Text never shows it. The seeds run
// with every go test.
func FuzzText(f *testing.F) {
	for _, fam := range redacttest.Families {
		f.Add(fam.Scheme, "app", "db.internal:5432", "shop?sslmode=require", "api_key", "")
	}
	f.Add("sqlite", "", "", "tmp/x.db", "_auth_pass", "x")
	f.Add("https", "x@y", "h?k=v@", "a#b", "token", "?#@/")
	f.Add("redis", "", "[::1]:6379", "0", "password", "&sslmode=require")
	f.Add("postgres", "a:b", "h1,h2", "db/x", "sslpassword", " host=db")
	f.Add("jdbc:mysql", "u", "h", "d", "k", ";Server=x")
	f.Fuzz(func(t *testing.T, scheme, user, host, path, key, value string) {
		for _, s := range redacttest.Planted(scheme, user, host, path, key, value, SafeParam) {
			if out := Text(s); redacttest.Leaks(out) {
				t.Fatalf("Text(%q) = %q shows the canary", s, out)
			}
		}
	})
}
