package backing_test

import (
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/internal/redact"

	"github.com/twelvekit/twelvekit/backing"
)

// FuzzParse checks that Parse never panics, that no error and no String form
// holds the password, and that parsing the unredacted form gives the same
// URL. The seeds run with every go test.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"postgres://u:p@ss@h1,h2:5433/db?sslmode=require&pool_max_conns=4",
		"postgresql://%2Fvar%2Frun%2Fpostgresql/db", "postgres:///db?host=/tmp&port=5433&password=pw",
		"mysql://root:@127.0.0.1/test?parseTime=true&tls=skip-verify", "mariadb://u:p@h/db?socket=/x.sock",
		"sqlite:///tmp/x.db", "sqlite::memory:", "./x.db", "file:x.db?mode=ro&cache=shared",
		"redis://h:pw@host:6379", "rediss://:pw@[::1]:6380/2", "unix://u:pw@/tmp/r.sock?db=3",
		"amqp://guest:guest@localhost/", "amqps://u@h/v%2Fx?heartbeat=5", "nats://a:4222,b:4223",
		"nats://tok@a,tls://tok@b", "tls://u:p@n:4443", "mqtt://u:p@h", "ssl://h", "wss://h/mqtt",
		"memcached://a,b:11212", "mc1:11211,mc2:11211", "smtp://u:p@smtp.x.org", "smtps://h",
		"https://u:p@api.x.org/v1?k=a+b", "s3://k:s@bucket/prefix?region=eu-west-1",
		"redis://[fe80::1%25eth0]:7000", "https://h/?token=abc&x=1", "postgres://h/d?sslpassword=abc&user=u",
		"https://TOKEN@h/", "amqp://", "amqp://u@:5673", "nats://a, b:4223", "rediss://h?skip_verify=true&dial_timeout=3",
		"redis://h:1?addr=b:2&addr=[::1]:3", "postgres://u@:5433/db?host=/socket", "postgres://u:p@db/ap%40p?application_name=a%40b", "amqp://u:p@mq/v%40h", "wss://b.example.com/mq%40tt", "http://api:8080/users/me%40example.com?login_hint=a%40b.com",
		"mongodb://u:p@db.example.com/app?readPreferenceTags=dc:a%40b", "nats://h1,u:p@h2", "postgres://h/a%2Fb?sslmode=allow", "postgres://u:%zz@h", "x://", "", "::", "[", "a,", "postgres://u:p@[::1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := backing.Parse(raw)
		if err != nil {
			if u.Reveal() != "" {
				t.Fatalf("an error with a non-zero URL")
			}
			if len(raw) >= 12 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error %q quotes the input", err)
			}
			if i := strings.LastIndex(raw, "@"); i > 0 {
				if j := strings.Index(raw[:i], "://"); j >= 0 {
					// (A "password" holding :// is the fuzzer's list of
					// URLs, whose schemes the errors name: nAts://0,000:tls://@0.)
					if _, pw, ok := strings.Cut(raw[j+3:i], ":"); ok && len(pw) >= 6 && !strings.Contains(pw, "://") && strings.Contains(err.Error(), pw) {
						t.Fatalf("error %q holds the password", err)
					}
				}
			}
			return
		}
		// String is the one rule of internal/redact applied to the URL:
		// it shows no more than the rule shows of the unredacted form, and
		// never the password or a token.
		got := strings.TrimSuffix(u.String(), " (certificate not verified)")
		if full := redact.Text(u.Reveal()); len(got) > len(full)+len(redact.Mask)*8 {
			t.Fatalf("String() = %q shows more than the rule shows of %q (%q)", got, u.Reveal(), full)
		}
		// The password's text may also stand in what the rule shows by
		// design: in the user name, escaped or not (the fuzzer found
		// mqtt://0000000:000000@0 and mqtt://@00000:000000@0, whose user
		// prints as %4000000), or after the userinfo (mqtt://:@00000@00000:
		// the password "@00000" is the @ and the host). Look past the user
		// name, and only where the text stands nowhere else in the URL.
		shown := got
		if i, j := strings.Index(got, "://"), strings.Index(got, ":"+redact.Mask+"@"); i >= 0 && j > i {
			shown = got[:i+3] + got[j:]
		}
		rev := u.Reveal()
		elsewhere := rev
		if i := strings.Index(rev, "://"); i >= 0 {
			if j := strings.IndexByte(rev[i+3:], '@'); j >= 0 {
				elsewhere = rev[:i+3] + rev[i+3+j:] // Reveal encodes every @ of the userinfo but its end
			}
		}
		if pw := u.Password().Reveal(); len(pw) >= 6 && strings.Contains(shown, pw) && !strings.Contains(elsewhere, pw) {
			t.Fatalf("String() = %q shows the password", got)
		}
		again, err := backing.Parse(u.Reveal())
		if err != nil {
			t.Fatalf("re-parse of the unredacted form: %v", err)
		}
		if again.Reveal() != u.Reveal() || again.String() != u.String() || again.TLS() != u.TLS() ||
			!again.Password().Equal(u.Password()) || again.User() != u.User() || again.Database() != u.Database() ||
			len(again.Hosts()) != len(u.Hosts()) {
			t.Fatalf("re-parse differs:\n%s\n%s", u.Reveal(), again.Reveal())
		}
		for i, h := range u.Hosts() {
			if again.Hosts()[i] != h {
				t.Fatalf("host %d: %+v, then %+v", i, h, again.Hosts()[i])
			}
		}
	})
}
