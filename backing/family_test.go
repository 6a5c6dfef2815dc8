package backing

import (
	"reflect"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// TestFamilies checks that every entry of the table has every part, that
// its example parses into it, and that no spelling belongs to two families.
// A family added without one of its functions fails here.
func TestFamilies(t *testing.T) {
	seen := map[string]string{}
	for _, f := range families {
		v := reflect.ValueOf(*f)
		for i := range v.NumField() {
			fv := v.Field(i)
			if fv.Kind() == reflect.Func && fv.IsNil() {
				t.Errorf("family %s has no %s function", f.name, v.Type().Field(i).Name)
			}
		}
		if f.name == "" || f.example == "" || len(f.schemes) == 0 || f.schemes[0].name != f.name {
			t.Errorf("family %q: name, example and a first scheme spelled as its name are required", f.name)
		}
		for _, s := range f.schemes {
			if other, dup := seen[s.name]; dup {
				t.Errorf("scheme %s belongs to %s and %s", s.name, other, f.name)
			}
			seen[s.name] = f.name
			if f.hier && f.name != "s3" && s.port == 0 && s.variant != "unix" && s.variant != "mongodb+srv" {
				t.Errorf("scheme %s has no default port", s.name)
			}
		}
		u, err := Parse(f.example)
		if err != nil || u.fam != f {
			t.Errorf("family %s: its example does not parse into it: %v", f.name, err)
			continue
		}
		if again, err := Parse(u.Reveal()); err != nil || !again.Equal(u) {
			t.Errorf("family %s: Reveal does not parse back: %v", f.name, err)
		}
	}
}

// TestPlainKeys checks the fast path against redact's safe lists, and that
// credential keys and keys nobody listed are sealed.
func TestPlainKeys(t *testing.T) {
	for k := range plainKeys {
		if !redact.SafeParam(k) && !redact.SafeParam(strings.TrimLeft(k, "_")) {
			t.Errorf("plainKeys holds %s, which no safe list of internal/redact names", k)
		}
	}
	for _, k := range []string{"password", "PASSWD", "api_key", "token", "_auth_pass", "sig", "X-Amz-Signature",
		"authorization", "bearer", "session", "sid", "hmac", "otp", "some_new_option"} {
		if !isSecretParam(k) {
			t.Errorf("isSecretParam(%q) = false, want true", k)
		}
	}
}

// TestPublicParts checks each family's declaration of what prints as it is:
// no public key is a credential by name, publicKey agrees with the list,
// and a family with a database, vhost or bucket declares it.
func TestPublicParts(t *testing.T) {
	for _, f := range families {
		for _, k := range f.public.keys {
			if isSecretParam(k) {
				t.Errorf("family %s: public key %s is a credential by name", f.name, k)
			}
			if !f.publicKey(k) {
				t.Errorf("family %s: publicKey(%s) is false for a listed key", f.name, k)
			}
		}
		if f.publicKey("password") || f.publicKey("not-listed") {
			t.Errorf("family %s: publicKey is true for a key it does not list", f.name)
		}
		u, err := Parse(f.example)
		if err != nil {
			t.Fatal(err)
		}
		if (u.Database() != "") != f.public.database && f.name != "sqlite" {
			t.Errorf("family %s: its example has database %q, and public.database is %v", f.name, u.Database(), f.public.database)
		}
	}
}

// TestSharedSchemes checks that a spelling a family shares belongs to
// another family in the table, so undeclared fields keep reading it as its
// owner does, and that no family shares one of its own spellings.
func TestSharedSchemes(t *testing.T) {
	for _, f := range families {
		for _, s := range f.shared {
			ref, ok := lookup(s.name)
			if !ok || ref.fam == f {
				t.Errorf("family %s shares %s, which is not another family's", f.name, s.name)
			}
			d, ok := lookupIn(s.name, []string{f.name})
			if !ok || d.fam != f {
				t.Errorf("family %s: a declared field does not read %s as its own", f.name, s.name)
			}
		}
	}
}
