package backing_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
)

// canaries are URLs whose every credential is the word "canary"; no output
// path may show it.
var canaries = []string{
	"postgres://u:canary@db/app?sslpassword=canary",
	"postgres://db/app?user=u&password=canary",
	"mysql://u:canary@db/app?password=canary",
	"redis://:canary@cache:6380/1",
	"rediss://default:canary@cache?client_name=web",
	"amqps://u:canary@mq/vh?token=canary",
	"nats://canary@n1,n2",
	"nats://u:canary@n1:4222, nats://u:canary@n2:4222",
	"tls://canary@n",
	"mqtt://u:canary@broker",
	"wss://u:canary@broker/mqtt",
	"smtp://u:canary@smtp.example.com",
	"https://canary@api.example.com/v1",
	"https://api.example.com/v1?api_key=canary&x=1",
	"https://api.example.com/v1?access_token=canary",
	"s3://AKIA:canary@bucket/prefix?secret_access_key=canary&X-Amz-Signature=canary",
	"memcached://u:canary@mc",
	"sqlite:///tmp/x.db?_auth_pass=canary&_pwd=canary",
	"http://h/?secret=canary&sig=canary",
}

// holder is a config-like struct, as printers meet URLs in practice.
type holder struct {
	Name string
	DB   backing.URL
	Ptr  *backing.URL
	Res  backing.Resource
	AMQP backing.AMQPURL
}

func printers(t *testing.T, v holder) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%p", "%x", "%d", "%T"} {
		out["fmt "+verb+" URL"] = fmt.Sprintf(verb, v.DB)
		out["fmt "+verb+" holder"] = fmt.Sprintf(verb, v)
		out["fmt "+verb+" *holder"] = fmt.Sprintf(verb, &v)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out["json"] = string(j)
	txt, _ := v.DB.MarshalText()
	out["MarshalText"] = string(txt)
	var sb bytes.Buffer
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("m", "db", v.DB, "holder", v, "res", v.Res)
	slog.New(slog.NewTextHandler(&sb, nil)).Info("m", "db", v.DB, "holder", v)
	out["slog"] = sb.String()
	var zb bytes.Buffer
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	log := zap.New(zapcore.NewCore(enc, zapcore.AddSync(&zb), zap.DebugLevel))
	log.Info("m", zap.Any("db", v.DB), zap.Stringer("s", v.DB), zap.Reflect("holder", v), zap.Any("ptr", v.Ptr), zap.Any("res", v.Res))
	_ = log.Sync()
	out["zap"] = zb.String()
	out["String"] = v.DB.String()
	out["Resource"] = v.Res.String()
	other := v
	o, _ := backing.Parse("postgres://x:other@elsewhere/db")
	other.DB, other.Ptr = o, &o
	out["cmp.Diff"] = cmp.Diff(v, other)
	same := v
	out["cmp.Diff equal"] = cmp.Diff(v, same)
	return out
}

// TestRedaction_canary prints URLs holding the canary through every printer.
func TestRedaction_canary(t *testing.T) {
	t.Parallel()
	for _, raw := range canaries {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			u, err := backing.Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !strings.Contains(u.Reveal(), "canary") {
				t.Fatalf("Reveal lost the credential: the test would prove nothing")
			}
			var a backing.AMQPURL
			_ = a.UnmarshalText([]byte("amqp://u:canary@mq/"))
			res := backing.Attached(backing.WithEnvironment(map[string]string{"X_URL": raw}))
			v := holder{Name: "n", DB: u, Ptr: &u, Res: res[0], AMQP: a}
			for name, s := range printers(t, v) {
				if strings.Contains(s, "canary") {
					t.Errorf("%s shows the credential: %s", name, s)
				}
			}
			if !strings.Contains(u.String(), config.Redacted) {
				t.Errorf("String() = %s has no %s", u, config.Redacted)
			}
		})
	}
}

// TestRedaction_errors checks that no error of Parse, of the typed fields
// or of Attached holds a credential.
func TestRedaction_errors(t *testing.T) {
	t.Parallel()
	bad := []string{
		"postgres://u:canary@db:0/app", "redis://:canary@h?nope=canary", "amqp://u:canary@h?heartbeat=canary",
		"mysql://u:canary@h/d?tls=canary", "postgres://u:canary@h/d?sslmode=canary", "nats://canary@a,nats://other@b",
		"redis://:canary@h?skip_verify=true", "postgres://u:canary@h/d#canary", "x://u:canary@h",
	}
	for _, raw := range bad {
		_, err := backing.Parse(raw)
		if err == nil {
			t.Errorf("%s: no error", raw)
			continue
		}
		var a backing.AMQPURL
		uerr := a.UnmarshalText([]byte(raw))
		for _, e := range []error{err, uerr} {
			if e != nil && strings.Contains(e.Error(), "canary") {
				t.Errorf("error shows the credential: %v", e)
			}
		}
		for _, r := range backing.Attached(backing.WithEnvironment(map[string]string{"X_URL": raw})) {
			if strings.Contains(r.String(), "canary") || strings.Contains(fmt.Sprintf("%+v %#v", r, r), "canary") {
				t.Errorf("Attached shows the credential: %+v", r)
			}
		}
	}
}

// TestURL_Equal checks the method go-cmp relies on.
func TestURL_Equal(t *testing.T) {
	t.Parallel()
	a, _ := backing.Parse("postgres://u:one@h/d?sslpassword=x")
	b, _ := backing.Parse("postgres://u:one@h/d?sslpassword=x")
	c, _ := backing.Parse("postgres://u:two@h/d?sslpassword=x")
	d, _ := backing.Parse("postgres://u:one@h/d?sslpassword=y")
	if !a.Equal(b) || a.Equal(c) || a.Equal(d) || !(backing.URL{}).Equal(backing.URL{}) || a.Equal(backing.URL{}) {
		t.Errorf("Equal: a=b %v, a=c %v, a=d %v", a.Equal(b), a.Equal(c), a.Equal(d))
	}
	if cmp.Diff(a, b) != "" || cmp.Diff(a, c) == "" {
		t.Errorf("cmp.Diff does not follow Equal")
	}
}

// TestTypedURL checks that a typed field refuses another family in the
// config report, naming the variable and the schemes it wants.
func TestTypedURL(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Broker backing.AMQPURL     `env:"AMQP_URL"`
		DB     backing.SQLURL      `env:"DATABASE_URL"`
		PG     backing.PostgresURL `env:"PG_URL"`
	}
	c, err := config.Load[cfg](config.WithEnvironment(map[string]string{"AMQP_URL": "amqps://u:p@mq/v", "DATABASE_URL": "sqlite::memory:"}))
	if err != nil || c.Broker.Scheme() != "amqp" || c.DB.Scheme() != "sqlite" || !c.PG.IsZero() {
		t.Fatalf("Load: %v, %v", c, err)
	}
	if uri, err := c.Broker.AMQP(); err != nil || uri != "amqps://u:p@mq:5671/v" {
		t.Errorf("AMQP() through the typed field: %s, %v", uri, err)
	}
	_, err = config.Load[cfg](config.WithEnvironment(map[string]string{"AMQP_URL": "redis://:canary@cache", "DATABASE_URL": "nats://n", "PG_URL": "mysql://h/d"}))
	msg := fmt.Sprint(err)
	for _, want := range []string{
		"AMQP_URL: a redis URL; want amqp or amqps",
		"DATABASE_URL: a nats URL; want postgres, mysql or sqlite",
		"PG_URL: a mysql URL; want postgres, postgresql, pgsql or pg",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "canary") {
		t.Errorf("report shows the credential: %s", msg)
	}
	var a backing.AMQPURL
	if err := a.UnmarshalText([]byte("redis://cache")); !errors.Is(err, backing.ErrFamily) {
		t.Errorf("UnmarshalText error %v does not wrap ErrFamily", err)
	}
	if _, err := backing.Parse("redis://cache", backing.WithFamily("amqp")); err == nil || err.Error() != "backing: a redis URL; want amqp or amqps" {
		t.Errorf("WithFamily: %v", err)
	}
	if _, err := backing.Parse("pg://h/d", backing.WithFamily("postgresql"), backing.WithFamily("MySQL")); err != nil {
		t.Errorf("WithFamily by a scheme spelling: %v", err)
	}
	u, _ := backing.Parse("redis://cache")
	if _, err := u.AMQP(); err == nil || err.Error() != "backing: AMQP reads amqp URLs, and this is a redis URL; check which variable the code reads" {
		t.Errorf("AMQP on redis: %v", err)
	}
}

// TestParse_lostScheme: a URL that lost its scheme reads as a sqlite path;
// it is refused with the reason, and the error holds no part of it.
func TestParse_lostScheme(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"//app:canary@db/shop", "/srv/app:canary@db/shop", "./app:canary@db:5432/shop",
		"sqlite:///srv/app:canary@db/shop", "file:x/app:canary@db/shop", "sqlite://app:canary@db/shop",
	} {
		u, err := backing.Parse(raw)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", raw, u)
			continue
		}
		if strings.Contains(err.Error(), "canary") || !strings.Contains(err.Error(), "lost its scheme") {
			t.Errorf("Parse(%q): %v", raw, err)
		}
		var s struct {
			DB backing.SQLURL `env:"DATABASE_URL"`
		}
		perr := config.Parse(&s, config.WithEnvironment(map[string]string{"DATABASE_URL": raw}))
		if perr == nil || strings.Contains(perr.Error(), "canary") {
			t.Errorf("config with %q: %v", raw, perr)
		}
	}
	for _, raw := range []string{"sqlite:///tmp/backup@2024.db", "sqlite:///tmp/a:b.db", "./x.db"} {
		if _, err := backing.Parse(raw); err != nil {
			t.Errorf("Parse(%q): %v", raw, err)
		}
	}
}

// TestRedaction_atAfterHost: an @ in the path, or in an option the
// printing rule does not know, makes the host possibly the middle of a
// user name or token whose '/' or '?' was not encoded. Families whose
// paths cannot hold one refuse the URL without quoting it; http and s3,
// whose paths may, parse it and print nothing after the scheme.
func TestRedaction_atAfterHost(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"nats://canary/tail@host:4222", "mqtt://canary?x=tail@b", "amqp://canary/tail@mq/", "postgres://canary/tail@h/db", "redis://canary/tail@cache",
		"nats://tok@canary/tail@host", "amqp://u:sec@canary/tail@mq/", "mongodb://u:sec@canary/tail@mq/"} {
		_, err := backing.Parse(raw)
		if err == nil || !strings.Contains(err.Error(), "an @ after the host") || strings.Contains(err.Error(), "canary") {
			t.Errorf("Parse(%q): %v, want the @-after-host error without the text", raw, err)
		}
	}
	for _, raw := range []string{"https://tk-canary.example/tail@api.example.com/", "s3://canary/tail@bucket/p", "https://social.example/@canary"} {
		u, err := backing.Parse(raw)
		if err != nil {
			t.Errorf("Parse(%q): %v, want it read (an @ may stand in a path)", raw, err)
			continue
		}
		for _, s := range []string{u.String(), fmt.Sprintf("%v|%+v|%s|%q", u, u, u, u)} {
			if strings.Contains(s, "canary") {
				t.Errorf("%q prints as %q", raw, s)
			}
		}
		if got := u.Reveal(); !strings.Contains(got, "canary") {
			t.Errorf("Reveal(%q) = %q, lost what was written", raw, got)
		}
	}
	for _, raw := range []string{"http://localhost:8080/@me", "http://10.0.0.1/@me", "https://api.example.com/users/me@example.com", "http://api:8080/users/me@example.com"} {
		if _, err := backing.Parse(raw); err != nil {
			t.Errorf("Parse(%q): %v, want it read", raw, err)
		}
	}
	// An @ in the value of an option the rule knows is a value's own.
	for _, raw := range []string{"postgres://db.example.com/app?user=app&password=s3cr@t", "mqtt://broker?client_id=sensor@site1",
		"nats://h?name=worker@host1", "kafka://b?client_id=svc@host", "redis://h/0?client_name=a@b"} {
		if _, err := backing.Parse(raw); err != nil {
			t.Errorf("Parse(%q): %v, want it read", raw, err)
		}
	}
}
