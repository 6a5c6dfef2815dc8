package redact

import (
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/internal/redact/redacttest"
)

// Planted builds, from arbitrary parts, URL- and DSN-shaped strings with
// the canary in a credential place, for the fuzz targets of every printer.
// It lives here so that the rule's own fuzz target and the printers' agree.
func planted(scheme, user, host, path, key, value string) []string {
	c := redacttest.Canary + value
	f := lookupFamily(scheme)
	out := []string{
		scheme + "://" + user + ":" + c + "@" + host + "/" + path,
		scheme + "://" + host + "/" + path + "#" + c,
		user + ":" + c + "@tcp(" + host + ")/" + path,
		"host=" + host + " password=" + c,
		"Server=" + host + ";Password=" + c,
		"jdbc:" + scheme + "://" + user + ":" + c + "@" + host + "/" + path,
	}
	if f.path != pathFile {
		out = append(out, scheme+"://"+host+"/db/"+c+"/"+path)
	}
	if f.user == userToken {
		out = append(out, scheme+"://"+c+"@"+host+"/"+path)
	}
	if isIdent(key) && !f.safeKey(key) && !has(commonKeys, key) {
		out = append(out, scheme+"://"+host+"/"+path+"?"+key+"="+c)
	}
	if !strings.ContainsAny(value, ":=@;") {
		out = append(out, c)
	}
	return out
}

func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '_' && s[i] != '-' {
			return false
		}
	}
	return s != ""
}

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
		for _, s := range planted(scheme, user, host, path, key, value) {
			if out := Text(s); redacttest.Leaks(out) {
				t.Fatalf("Text(%q) = %q shows the canary", s, out)
			}
		}
	})
}
