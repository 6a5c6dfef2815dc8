package redact

import (
	"net/url"
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	t.Parallel()
	secret := []string{
		"DB_PASSWORD", "dbPassword", "DBPassword", "SMTP_PASSWD", "GPG_PASSPHRASE",
		"STRIPE_SECRET_KEY", "CLIENT_SECRET", "GITHUB_TOKEN", "tokenTTL", "PAYMENTS_APIKEY",
		"API_KEY", "apiKey", "APIKey", "TLS_PRIVATE_KEY", "GOOGLE_APPLICATION_CREDENTIALS",
		"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "DB_PASS", "DB_PWD", "REDIS_AUTH",
		"STRIPE_KEY", "StripeKey", "SIGNING_KEYS", "API_KEYS", "PASSWORD_SALT", "JWT_SIGNATURE",
		"SENTRY_DSN", "password", "token", "sslpassword", "secret_access_key", "key",
		"SESSION_KEY", "cookie-secret", "NATS_NKEY", "jwt",
	}
	for _, n := range secret {
		if !Name(n) {
			t.Errorf("Name(%q) = false, want true", n)
		}
	}
	plain := []string{
		"", "PORT", "PWD", "DATABASE_URL", "LOG_LEVEL", "SSH_PUBLIC_KEY", "PUBLIC_KEY",
		"KEYBOARD_LAYOUT", "HOSTNAME", "authSource", "sslkey", "sslmode", "DB_USER",
		"PASSAGE", "MONKEY_PATCH", "__", "LOG_KEYS", "PRIMARY_KEYS",
	}
	for _, n := range plain {
		if Name(n) {
			t.Errorf("Name(%q) = true, want false", n)
		}
	}
}

func TestParam(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"password", "PASSWORD", "sslpassword", "token", "access_token",
		"secret_access_key", "api_key", "key", "auth", "X-Amz-Signature", "X-Amz-Credential",
		"X-Amz-Security-Token", "sig", "pwd", "nkey"} {
		if !Param(k) {
			t.Errorf("Param(%q) = false, want true", k)
		}
	}
	for _, k := range []string{"sslmode", "sslkey", "sslcert", "dial_timeout", "vhost", "authSource", "db", "user"} {
		if Param(k) {
			t.Errorf("Param(%q) = true, want false", k)
		}
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		shaped   bool
	}{
		{"postgres://app:hunter2@db:5432/shop", "postgres://app:[REDACTED]@db:5432/shop", true},
		{"postgres://app@db/shop", "postgres://app@db/shop", true},
		{"postgres://db/shop?sslmode=require", "postgres://db/shop?sslmode=require", true},
		{"redis://:hunter2@cache:6379/0", "redis://:[REDACTED]@cache:6379/0", true},
		{"redis://cache/?password=hunter2&db=1", "redis://cache/?password=[REDACTED]&db=1", true},
		{"postgres://db/x?sslpassword=hunter2", "postgres://db/x?sslpassword=[REDACTED]", true},
		{"nats://host?token=hunter2", "nats://host?token=[REDACTED]", true},
		{"s3://bucket?secret_access_key=hunter2;region=eu", "s3://bucket?secret_access_key=[REDACTED];region=eu", true},
		{"https://hunter2@github.example/org/repo", "https://[REDACTED]@github.example/org/repo", true},
		{"nats://hunter2@host:4222", "nats://[REDACTED]@host:4222", true},
		{"https://hunter2:x-oauth-basic@host/", "https://[REDACTED]@host/", true},
		{"https://admin:hunter2@host/", "https://[REDACTED]@host/", true},
		{"postgres://app:hun/ter2@db/shop", "postgres://app:[REDACTED]@db/shop", true},
		{"postgres://app:/hunter2@db/shop", "postgres://app:[REDACTED]@db/shop", true},
		{"postgres://app:?hunter2@db/shop", "postgres://app:[REDACTED]@db/shop", true},
		{"postgres://app:#hunter2@db/shop", "postgres://app:[REDACTED]@db/shop", true},
		{"postgres://app:1234/hunter2@db/shop", "postgres://app:[REDACTED]@db/shop", true},
		{"postgres://app:hu@nter2@db/shop", "postgres://app:[REDACTED]@db/shop", true},
		{"https://tok/hunter2@host/", "https://[REDACTED]@host/", true},
		{"https://host/path?to=ops@shop.example", "https://host/path?to=ops@shop.example", true},
		{"https://host/x?X-Amz-Signature=hunter2&X-Amz-Date=1", "https://host/x?X-Amz-Signature=[REDACTED]&X-Amz-Date=1", true},
		{"https://host/x?pass%77ord=hunter2", "https://host/x?pass%77ord=[REDACTED]", true},
		{"app:hunter2@tcp(db:3306)/shop?parseTime=true", "app:[REDACTED]@tcp(db:3306)/shop?parseTime=true", true},
		{"app:hun@ter2@unix(/run/mysql.sock)/shop", "app:[REDACTED]@unix(/run/mysql.sock)/shop", true},
		{"app:hunter2@/shop", "app:[REDACTED]@/shop", true},
		{"host=db user=app password=hunter2 dbname=shop", "host=db user=app password=[REDACTED] dbname=shop", true},
		{"host=db password='hun ter\\'2' sslmode=disable", "host=db password=[REDACTED] sslmode=disable", true},
		{"host=db dbname=shop", "host=db dbname=shop", true},
		{"hunter2", "hunter2", false},
		{"", "", false},
		{"://nohost", "://nohost", false},
	}
	for _, tt := range tests {
		got, shaped := URL(tt.in)
		if got != tt.want || shaped != tt.shaped {
			t.Errorf("URL(%q) = %q, %v; want %q, %v", tt.in, got, shaped, tt.want, tt.shaped)
		}
	}
}

// FuzzURL plants a canary as the password of URLs, DSNs and keyword/value
// strings of every shape, including the characters that make net/url misread
// the authority, and checks that no output holds it.
func FuzzURL(f *testing.F) {
	for _, s := range []string{"hunter2", "a/b", "?x", "#y", "a@b", "1234/z", "p%40ss", "x:y", " q"} {
		f.Add("postgres", "app", s, "db:5432", "/shop", "sslmode=require")
	}
	f.Add("https", "", "tok", "host", "/p", "token=tok")
	f.Fuzz(func(t *testing.T, scheme, user, pass, host, path, query string) {
		const canary = "QQcanaryQQ"
		pw := pass + canary
		if !validScheme(scheme) || strings.ContainsAny(user, ":@/?#") || strings.ContainsAny(host, "@") {
			return
		}
		forms := []string{
			scheme + "://" + user + ":" + pw + "@" + host + path + "?" + query,
			scheme + "://" + user + ":" + url.PathEscape(pw) + "@" + host + path,
			scheme + "://" + host + path + "?" + query + "&token=" + url.QueryEscape(pw),
			"https://" + url.PathEscape(pw) + "@" + host + path,
		}
		if !strings.Contains(pw, "?") {
			// With an unescaped '?', net/url and every driver read a
			// query, not a token: see tailOnly.
			forms = append(forms, "https://"+pw+"@"+host+path)
		}
		if !strings.ContainsAny(pw, "&;=") {
			// Unescaped in a query value: '&', ';' and '=' would start
			// another parameter for the driver too.
			forms = append(forms, scheme+"://"+host+path+"?password="+pw+"&"+query)
		}
		if !strings.ContainsAny(pw, " \t\n\v\f\r'\\") && host != "" && !strings.ContainsAny(host, " \t\n\v\f\r'\\=") {
			forms = append(forms, "host="+host+" password="+pw+" dbname=x")
		}
		if !strings.ContainsAny(pw, "?") && !strings.ContainsAny(host, "()/") {
			forms = append(forms, user+":"+pw+"@tcp("+host+")/db")
		}
		for _, in := range forms {
			out, _ := URL(in)
			if strings.Contains(out, canary) {
				t.Fatalf("URL(%q) = %q: the password shows", in, out)
			}
		}
	})
}
