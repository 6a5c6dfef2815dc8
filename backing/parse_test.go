package backing_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/twelvekit/twelvekit/backing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw       string
		scheme, reveal  string
		hosts, user, db string
		password        string
		tls             backing.TLSMode
	}{
		{"postgres at in password", "postgres://u:p@ss@h/db", "postgres", "postgres://u:p%40ss@h:5432/db", "h:5432", "u", "db", "p@ss", backing.TLSPrefer},
		{"postgres alias and case", "PostgreSQL://u:p@H:6543/db?sslmode=verify-full", "postgres", "postgres://u:p@H:6543/db?sslmode=verify-full", "H:6543", "u", "db", "p", backing.TLSVerify},
		{"pgsql several hosts", "pgsql://u@a,b:5433,[::1]/db", "postgres", "postgres://u@a:5432,b:5433,[::1]:5432/db", "a:5432,b:5433,[::1]:5432", "u", "db", "", backing.TLSPrefer},
		{"pg socket host", "pg://%2Fvar%2Frun%2Fpostgresql/db", "postgres", "postgres://%2Fvar%2Frun%2Fpostgresql:5432/db", "/var/run/postgresql", "", "db", "", backing.TLSPrefer},
		{"postgres host option", "postgres:///db?host=/tmp&port=5433&user=x&password=y", "postgres", "postgres://x:y@%2Ftmp:5433/db", "/tmp", "x", "db", "y", backing.TLSPrefer},
		{"postgres ssl true", "postgres://h/d?ssl=true", "postgres", "postgres://h:5432/d?sslmode=require", "h:5432", "", "d", "", backing.TLSRequire},
		{"mysql default tls", "mysql://root:@127.0.0.1/test", "mysql", "mysql://root:@127.0.0.1:3306/test", "127.0.0.1:3306", "root", "test", "", backing.TLSPrefer},
		{"mariadb ssl-mode", "MariaDB://u:p@h/d?ssl-mode=VERIFY_IDENTITY&parseTime=true", "mysql", "mysql://u:p@h:3306/d?tls=true&parseTime=true", "h:3306", "u", "d", "p", backing.TLSVerify},
		{"mysql socket", "mysql://u@localhost/d?socket=/run/mysqld/mysqld.sock", "mysql", "mysql://u@%2Frun%2Fmysqld%2Fmysqld.sock/d", "/run/mysqld/mysqld.sock", "u", "d", "", backing.TLSPrefer},
		{"sqlite absolute", "sqlite3:///var/db/app.db", "sqlite", "sqlite:/var/db/app.db", "", "", "/var/db/app.db", "", backing.TLSDisable},
		{"sqlite relative", "sqlite://app.db?_pragma=foreign_keys(1)", "sqlite", "sqlite:app.db?_pragma=foreign_keys(1)", "", "", "app.db", "", backing.TLSDisable},
		{"sqlite memory", "sqlite::memory:", "sqlite", "sqlite::memory:", "", "", ":memory:", "", backing.TLSDisable},
		{"sqlite path", "./data/app.db", "sqlite", "sqlite:./data/app.db", "", "", "./data/app.db", "", backing.TLSDisable},
		{"heroku redis", "redis://h:pw@ec2-1.compute-1.amazonaws.com:6379", "redis", "redis://h:pw@ec2-1.compute-1.amazonaws.com:6379/0", "ec2-1.compute-1.amazonaws.com:6379", "h", "0", "pw", backing.TLSDisable},
		{"rediss db", "REDISS://:pw@h:6380/2", "redis", "rediss://:pw@h:6380/2", "h:6380", "", "2", "pw", backing.TLSVerify},
		{"redis socket", "unix:///tmp/redis.sock?db=3", "redis", "unix:///tmp/redis.sock?db=3", "/tmp/redis.sock", "", "3", "", backing.TLSDisable},
		{"amqp default vhost", "amqp://guest:guest@localhost", "amqp", "amqp://guest:guest@localhost:5672/%2F", "localhost:5672", "guest", "/", "guest", backing.TLSDisable},
		{"amqps vhost", "amqps://u:p@h/my%2Fvhost?heartbeat=10", "amqp", "amqps://u:p@h:5671/my%2Fvhost?heartbeat=10", "h:5671", "u", "my/vhost", "p", backing.TLSVerify},
		{"nats list", "nats://a,b:4223", "nats", "nats://a:4222,b:4223", "a:4222,b:4223", "", "", "", backing.TLSDisable},
		{"nats url list", "nats://u:p@a:1,nats://u:p@b:2", "nats", "nats://u:p@a:1,b:2", "a:1,b:2", "u", "", "p", backing.TLSDisable},
		{"nats tls", "tls://n:4443", "nats", "tls://n:4443", "n:4443", "", "", "", backing.TLSVerify},
		{"mqtt tcp", "tcp://u:p@broker", "mqtt", "mqtt://u:p@broker:1883", "broker:1883", "u", "", "p", backing.TLSDisable},
		{"mqtt ssl", "ssl://broker", "mqtt", "mqtts://broker:8883", "broker:8883", "", "", "", backing.TLSVerify},
		{"mqtt wss", "wss://broker/mqtt", "mqtt", "wss://broker:443/mqtt", "broker:443", "", "", "", backing.TLSVerify},
		{"memcached", "memcache://a,b:11212", "memcached", "memcached://a:11211,b:11212", "a:11211,b:11212", "", "", "", backing.TLSDisable},
		{"memcachier list", "mc1.ec2.memcachier.com:11211,mc2.ec2.memcachier.com:11211", "memcached", "memcached://mc1.ec2.memcachier.com:11211,mc2.ec2.memcachier.com:11211", "mc1.ec2.memcachier.com:11211,mc2.ec2.memcachier.com:11211", "", "", "", backing.TLSDisable},
		{"smtp", "smtp://u:p@smtp.example.com", "smtp", "smtp://u:p@smtp.example.com:587", "smtp.example.com:587", "u", "", "p", backing.TLSPrefer},
		{"smtps", "smtps://smtp.example.com", "smtp", "smtps://smtp.example.com:465", "smtp.example.com:465", "", "", "", backing.TLSVerify},
		{"https", "https://api.example.com/v1?k=a+b", "http", "https://api.example.com:443/v1?k=a%20b", "api.example.com:443", "", "", "", backing.TLSVerify},
		{"s3", "s3://key:secret@bucket/prefix?region=eu-west-1", "s3", "s3://key:secret@bucket/prefix?region=eu-west-1", "", "key", "bucket", "secret", backing.TLSVerify},
		{"ipv6 zone", "redis://[fe80::1%25eth0]:7000", "redis", "redis://[fe80::1%25eth0]:7000/0", "[fe80::1%eth0]:7000", "", "0", "", backing.TLSDisable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := backing.Parse(tt.raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var hosts []string
			for _, h := range u.Hosts() {
				hosts = append(hosts, h.String())
			}
			got := []string{u.Scheme(), u.Reveal(), strings.Join(hosts, ","), u.User(), u.Database(), u.Password().Reveal(), u.TLS().String()}
			want := []string{tt.scheme, tt.reveal, tt.hosts, tt.user, tt.db, tt.password, tt.tls.String()}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("field %d: got %q, want %q", i, got[i], want[i])
				}
			}
			if tt.password != "" && strings.Contains(u.String(), ":"+tt.password+"@") {
				t.Errorf("String() = %q shows the password", u.String())
			}
		})
	}
}

func TestParse_errors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, raw, want string }{
		{"empty", "", "empty; set it"},
		{"unknown scheme", "couchdb://u:hunter2@h/db", "unknown scheme; use one of postgres"},
		{"missing slashes", "redis:6379", "missing // after the redis scheme"},
		{"bad port", "postgres://u:hunter2@h:99999/db", "port is not a number from 1 to 65535"},
		{"port letters", "postgres://u:hunter2@h:54x2/db", "port is not a number"},
		{"missing host", "postgres://u:hunter2@/db", "missing host"},
		{"control character", "postgres://u:hunter2@h/db\n", "control character at byte 25"},
		{"space", "postgres://u:hun ter2@h/db", "contains a space"},
		{"fragment", "postgres://u:hun#ter2@h/db", "has a fragment"},
		{"bad escape", "postgres://u:hunter2%zz@h/db", "bad percent-encoding in the password"},
		{"unbracketed ipv6", "redis://::1:6379", "IPv6 address must be in brackets"},
		{"several redis hosts", "redis://:hunter2@a,b", "several hosts are not supported for redis"},
		{"bad sslmode", "postgres://u:hunter2@h/db?sslmode=maybe", "sslmode must be one of"},
		{"bad redis db", "redis://:hunter2@h/x", "the Redis database is not a number"},
		{"no scheme", "hunter2", "missing scheme"},
		{"slash in a token", "nats://tk-canary/0123456789abcdef@host:4222", "an @ after the host"},
		{"question mark in a token", "mqtt://tok?en=1@broker", "an @ after the host"},
		{"at in a redis path", "redis://cache/0@x", "an @ in a path or in an option the printing rule does not know as %40"},
		{"at after the host, with a userinfo", "amqp://u:sec@ret/rest@mq/", "an @ after the host"},
		{"at in an unknown option", "mqtt://u:p@h?zz=a@b", "an @ after the host"},
		{"comma in a NATS token", "nats://tok,en@h1:4222,nats://h2:4222", "percent-encode a ',' in a user name, password or token as %2C"},
		{"comma in a NATS password", "nats://alice:12,ab@n1,nats://n2", "has credentials but no scheme"},
		{"database in a Redis cluster", "redis://h:1/2?addr=h2:1", "Redis Cluster does not have"},
		{"credentials on a later NATS server", "nats://u:p@n1.example.com,u:p@n2.example.com", "has credentials but no scheme"},
		{"comma in a NATS token, one scheme", "nats://tok,en@n1,n2", "has credentials but no scheme"},
		{"at in a MongoDB option after ;", "mongodb://u:p@ss/?w=1;a=b@db.example.com", "an @ after the host"},
		{"slash in password", "postgres://u:hun/ter2@h/db", "percent-encode a '/' or '?' in a user name, password or token"},
		{"mysql custom tls", "mysql://u:hunter2@h/db?tls=custom", "tls must be true, false"},
		{"s3 no bucket", "s3://", "missing or invalid bucket"},
		{"libpq keyword/value", "host=localhost port=5432 dbname=app", "a libpq keyword/value string"},
		{"libpq keyword/value one", "host=/tmp", "a libpq keyword/value string"},
		{"redis unknown option", "redis://h?foo=1", "unknown Redis option"},
		{"redis bad number", "redis://h?pool_size=x", "takes a number"},
		{"redis skip_verify on plain", "redis://h?skip_verify=true", "WithInsecureSkipVerify"},
		{"amqp heartbeat range", "amqp://h?heartbeat=70000", "heartbeat is not a number"},
		{"query key without =", "postgres://h/d?sslmode", "has no '='"},
		{"postgres ssl=false", "postgres://h/d?ssl=false", "ssl accepts only true"},
		{"postgres raw = in value", "postgres://h/d?options=-c%20a=b", "holds an '='"},
		{"postgres no host", "postgres:///d", "missing host"},
		{"sqlite empty", "sqlite:", "missing file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := backing.Parse(tt.raw)
			if err == nil {
				t.Fatal("Parse: no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "backing: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to contain %q", msg, tt.want)
			}
			if strings.Contains(msg, "hunter2") || strings.Contains(msg, "hun") && strings.Contains(tt.raw, "hun") {
				t.Errorf("error %q quotes the password", msg)
			}
			if len(tt.raw) > 8 && strings.Contains(msg, tt.raw) {
				t.Errorf("error %q quotes the raw URL", msg)
			}
			if !errors.Is(err, backing.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
		})
	}
}

func TestURL_redaction(t *testing.T) {
	t.Parallel()
	u, err := backing.Parse("postgres://alice:s3cr%21t@db:5432/app")
	if err != nil {
		t.Fatal(err)
	}
	want := "postgres://alice:[REDACTED]@db:5432/app"
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		if got := fmt.Sprintf(format, u); got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
	if got := fmt.Sprintf("%q", u); got != `"`+want+`"` {
		t.Errorf("%%q: got %s", got)
	}
	if b, _ := u.MarshalText(); string(b) != want {
		t.Errorf("MarshalText: %s", b)
	}
	if got := u.LogValue().String(); got != want {
		t.Errorf("LogValue: %s", got)
	}
	if got := u.Reveal(); got != "postgres://alice:s3cr!t@db:5432/app" {
		t.Errorf("Reveal: %s", got)
	}
	tok, _ := backing.Parse("nats://s3cret-token@n:4222")
	if strings.Contains(tok.String(), "s3cret") {
		t.Errorf("a NATS token shows: %s", tok)
	}
}

func TestParse_insecureSkipVerify(t *testing.T) {
	t.Parallel()
	u, err := backing.Parse("rediss://:pw@h:6380", backing.WithInsecureSkipVerify())
	if err != nil {
		t.Fatal(err)
	}
	if u.TLS() != backing.TLSRequire || !u.TLSConfig().InsecureSkipVerify {
		t.Errorf("TLS %v, InsecureSkipVerify %v; want require and true", u.TLS(), u.TLSConfig().InsecureSkipVerify)
	}
	if !strings.HasSuffix(u.String(), "(certificate not verified)") {
		t.Errorf("String() = %q does not say the certificate is not verified", u)
	}
	plain, _ := backing.Parse("rediss://:pw@h:6380")
	if plain.TLS() != backing.TLSVerify || plain.TLSConfig().InsecureSkipVerify || plain.TLSConfig().ServerName != "h" {
		t.Errorf("without the option: %v %+v", plain.TLS(), plain.TLSConfig())
	}
	// go-redis's own skip_verify is honoured, and shows in String.
	q, err := backing.Parse("rediss://:pw@h:6380?skip_verify=true")
	if err != nil || q.TLS() != backing.TLSRequire || !q.TLSConfig().InsecureSkipVerify || !strings.HasSuffix(q.String(), "(certificate not verified)") {
		t.Errorf("skip_verify=true: %v, %v, %q", err, q.TLS(), q)
	}
	// Anywhere else it is refused, pointing at the option.
	for _, raw := range []string{"redis://h?skip_verify=true", "amqps://h?skip_verify=true", "rediss://h?ssl_cert_reqs=none"} {
		if _, err := backing.Parse(raw); err == nil {
			t.Errorf("%s: no error", raw)
		} else if strings.Contains(raw, "skip_verify") && !strings.Contains(err.Error(), "WithInsecureSkipVerify") {
			t.Errorf("%s: %v does not point at WithInsecureSkipVerify", raw, err)
		}
	}
}

func TestParse_deterministic(t *testing.T) {
	t.Parallel()
	raw := "postgres://u:p@a,b,c/db?z=1&a=2&m=3&pool_max_conns=4&b=5&a=6"
	first, _ := backing.Parse(raw)
	for range 50 {
		u, _ := backing.Parse(raw)
		_, d1, _ := u.SQL()
		_, d2, _ := first.SQL()
		if u.Reveal() != first.Reveal() || d1 != d2 {
			t.Fatalf("output changed between runs")
		}
	}
	if got := first.Reveal(); got != "postgres://u:p@a:5432,b:5432,c:5432/db?z=1&a=2&m=3&b=5&a=6&pool_max_conns=4" {
		t.Errorf("Reveal = %s", got)
	}
}

// TestParse_natsListOptions: a NATS list keeps every server's options, in
// order, names included, whichever server carries the credentials; the
// names the printing rule masks stay masked in print.
func TestParse_natsListOptions(t *testing.T) {
	t.Parallel()
	u, err := backing.Parse("nats://h1?name=n&zzone=a,nats://user:pw@h2?zztwo=b&zzthree=c")
	if err != nil {
		t.Fatal(err)
	}
	want := []backing.Param{{Key: "name", Value: "n"}, {Key: "zzone", Value: "a"}, {Key: "zztwo", Value: "b"}, {Key: "zzthree", Value: "c"}}
	if diff := cmp.Diff(want, u.Params()); diff != "" {
		t.Errorf("Params() (-want +got):\n%s", diff)
	}
	if got, want := u.Reveal(), "nats://user:pw@h1:4222,h2:4222?name=n&zzone=a&zztwo=b&zzthree=c"; got != want {
		t.Errorf("Reveal() = %q, want %q", got, want)
	}
	if s := u.String(); !strings.Contains(s, "name=n") || strings.Contains(s, "zz") || strings.Contains(s, "pw") {
		t.Errorf("String() = %q: want name=n shown, the unknown names and the password masked", s)
	}
}
