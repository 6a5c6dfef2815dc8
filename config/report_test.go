package config_test

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

type sourced struct {
	Token    string `env:"ONE_SHOT_TOKEN,unset"`
	Mode     string `env:"MODE" envDefault:"fast" public:"true"`
	Cert     string `env:"CERT"`
	Local    string `env:"LOCAL" public:"true"`
	Nothing  string `env:"NOTHING"`
	Bad      int    `env:"BAD"`
	Fallback int    `env:"FALLBACK" envDefault:"3"`
}

type row struct{ Name, Value, Source, From string }

func rows(settings []config.Setting) []row {
	var out []row
	for _, s := range settings {
		out = append(out, row{s.Name, s.Value, string(s.Source), s.From})
	}
	return out
}

// TestExplain_report: with WithReport, Explain shows where each value of the
// load came from, although the load's unset option removed a variable from
// the process environment, the file named by NAME_FILE is gone and the .env
// file changed. Not parallel: it sets process variables.
func TestExplain_report(t *testing.T) {
	cert := writeFile(t, "cert", "PEM\n")
	dotenv := writeFile(t, "dev.env", "LOCAL=from-dotenv\n")
	t.Setenv("ONE_SHOT_TOKEN", "tok-canary")
	t.Setenv("CERT_FILE", cert)
	t.Setenv("BAD", "x")
	var rep config.Report
	opts := []config.Option{config.WithDotEnv(dotenv), config.WithReport(&rep)}
	cfg, err := config.Load[sourced](opts...)
	if err == nil {
		t.Fatal("BAD=x loaded without error")
	}
	if _, set := os.LookupEnv("ONE_SHOT_TOKEN"); set {
		t.Fatal("the unset option left ONE_SHOT_TOKEN set: the test proves nothing")
	}
	if err := os.Remove(cert); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dotenv, []byte("LOCAL=changed\nNOTHING=now-set\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	settings, err := config.Explain(&cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{"ONE_SHOT_TOKEN", "[REDACTED]", "environment", ""},
		{"MODE", "fast", "default", ""},
		{"CERT", "[REDACTED]", "file", cert},
		{"LOCAL", "from-dotenv", ".env", dotenv},
		{"NOTHING", "", "unset", ""},
		{"BAD", "0", "environment", ""},
		{"FALLBACK", "3", "default", ""},
	}
	if diff := cmp.Diff(want, rows(settings)); diff != "" {
		t.Errorf("Explain with the report (-want +got):\n%s", diff)
	}

	// Without the report Explain can only look again, and sees what the
	// load changed: this is what the report is for.
	again, err := config.Explain(&cfg, config.WithDotEnv(dotenv))
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(again)[0]; got.Source != "unset" {
		t.Errorf("without a report ONE_SHOT_TOKEN is %+v; the unset option should have hidden it", got)
	}
}

// TestExplain_reportSeveralTypes: one Report keeps the loads of several
// types apart, as admin's parts (the app, lifecycle's and logging's configs)
// share one.
func TestExplain_reportSeveralTypes(t *testing.T) {
	t.Parallel()
	type a struct {
		X string `env:"X"`
	}
	type b struct {
		X string `env:"X" envDefault:"d"`
	}
	var rep config.Report
	env := map[string]string{"X": "from-env"}
	ca, _ := config.Load[a](config.WithEnvironment(env), config.WithReport(&rep))
	cb, _ := config.Load[b](config.WithEnvironment(nil), config.WithReport(&rep))
	sa, _ := config.Explain(&ca, config.WithReport(&rep))
	sb, _ := config.Explain(&cb, config.WithReport(&rep))
	if sa[0].Source != config.SourceEnv || sb[0].Source != config.SourceDefault {
		t.Errorf("sources %s and %s, want environment and default", sa[0].Source, sb[0].Source)
	}
}

// credentials holds credentials in plain strings, the way a service ported
// from another loader does.
type credentials struct {
	DBPassword  string   `env:"DB_PASSWORD"`
	APIToken    string   `env:"API_TOKEN"`
	StripeKey   string   `env:"STRIPE_SECRET_KEY"`
	PrivateKey  string   `env:"TLS_PRIVATE_KEY"`
	AWSKey      string   `env:"AWS_SECRET_ACCESS_KEY"`
	Plain       string   `env:"PLAIN" public:"true"`
	Mounted     string   `env:"MOUNTED"`
	Database    string   `env:"DATABASE_URL"`
	Cache       string   `env:"CACHE_URL"`
	Queue       string   `env:"QUEUE_URL"`
	Broker      string   `env:"BROKER_URL"`
	Endpoints   []string `env:"ENDPOINTS"`
	Parsed      url.URL  `env:"PARSED_URL"`
	Signed      string   `env:"SIGNED_URL"`
	PublicKey   string   `env:"PUBLIC_KEY" public:"true"`
	Hosts       []string `env:"HOSTS" public:"true"`
	Ptr         *url.URL `env:"PTR_URL"`
	Description string   `env:"DESCRIPTION"`
	Nested      struct {
		Password string `env:"PASSWORD"`
	} `envPrefix:"SMTP_"`
}

// TestExplain_redaction plants a canary in each kind of credential Explain
// must hide: a value read through NAME_FILE, plain strings whatever their
// names, and URL-shaped values whose passwords start with the
// characters that end a URL's authority for net/url (/, ? and #).
func TestExplain_redaction(t *testing.T) {
	t.Parallel()
	mounted := writeFile(t, "mounted", "file-canary\n")
	env := map[string]string{
		"DB_PASSWORD":           "pw-canary",
		"API_TOKEN":             "tok-canary",
		"STRIPE_SECRET_KEY":     "sk-canary",
		"TLS_PRIVATE_KEY":       "pem-canary",
		"AWS_SECRET_ACCESS_KEY": "aws-canary",
		"PLAIN":                 "visible",
		"MOUNTED_FILE":          mounted,
		"DATABASE_URL":          "postgres://app:/slash-canary@db:5432/shop",
		"CACHE_URL":             "redis://:?query-canary@cache:6379/0",
		"QUEUE_URL":             "amqp://guest:#hash-canary@mq:5672/",
		"BROKER_URL":            "nats://tok-canary@nats:4222",
		"ENDPOINTS":             "https://a.example,postgres://u:@at-canary@db/x",
		"PARSED_URL":            "mysql://root:pct%2Fcanary@db:3306/app",
		"SIGNED_URL":            "https://bucket.example/x?X-Amz-Signature=sig-canary&x=1",
		"PUBLIC_KEY":            "ssh-ed25519 AAAA-visible",
		"HOSTS":                 "a,b",
		"PTR_URL":               "postgres://u:ptr-canary@db/x",
		"DESCRIPTION":           "not://a@url-shaped but has an at",
		"SMTP_PASSWORD":         "smtp-canary",
	}
	var rep config.Report
	opts := []config.Option{config.WithEnvironment(env), config.WithReport(&rep)}
	cfg, err := config.Load[credentials](opts...)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mounted != "file-canary" || cfg.DBPassword != "pw-canary" {
		t.Fatalf("loaded %+v: the test proves nothing", cfg)
	}
	settings, err := config.Explain(&cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]config.Setting{}
	for _, s := range settings {
		byName[s.Name] = s
		if strings.Contains(s.Value, "canary") {
			t.Errorf("%s = %q shows a credential", s.Name, s.Value)
		}
	}
	for _, name := range []string{"PLAIN", "PUBLIC_KEY", "HOSTS"} {
		if s := byName[name]; s.Value != env[name] || s.Redacted {
			t.Errorf("%s = %q (redacted %v), want %q shown", name, s.Value, s.Redacted, env[name])
		}
	}
	for _, name := range []string{"DB_PASSWORD", "API_TOKEN", "MOUNTED", "SMTP_PASSWORD", "DATABASE_URL", "CACHE_URL"} {
		if s := byName[name]; !s.Redacted {
			t.Errorf("%s = %q is not marked redacted", name, s.Value)
		}
	}
	if got, want := byName["DATABASE_URL"].Value, "postgres://app:[REDACTED]@db:5432/shop"; got != want {
		t.Errorf("DATABASE_URL = %q, want %q", got, want)
	}
}

// FuzzExplain_url puts a password holding the canary (and whatever the
// fuzzer adds, '/', '?', '#' and '@' among it) into URLs of several schemes
// held in plain strings and lists: Explain never shows the canary.
func FuzzExplain_url(f *testing.F) {
	for _, seed := range []string{"", "/", "?", "#", "@", ":", "/?#@", "%2F", "a b", "[", "]"} {
		f.Add(seed, seed)
	}
	type urls struct {
		Database string   `env:"DATABASE_URL"`
		Cache    string   `env:"CACHE"`
		Peers    []string `env:"PEERS"`
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		if strings.ContainsAny(before+after, ",\x00") {
			t.Skip("a list separator or NUL splits or ends the value")
		}
		pw := before + "QZJXW" + after
		env := map[string]string{
			"DATABASE_URL": "postgres://app:" + pw + "@db:5432/shop",
			"CACHE":        "redis://:" + pw + "@cache:6379/0",
			"PEERS":        "amqp://guest:" + pw + "@mq/,https://example.com/x",
		}
		var rep config.Report
		opts := []config.Option{config.WithEnvironment(env), config.WithReport(&rep)}
		cfg, err := config.Load[urls](opts...)
		if err != nil {
			t.Fatal(err)
		}
		settings, err := config.Explain(&cfg, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range settings {
			if showsCanary(s.Value) {
				t.Errorf("%s = %q shows the password %q", s.Name, s.Value, pw)
			}
		}
	})
}
