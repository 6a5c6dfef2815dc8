// Package redacttest is the corpus every printer of twelvekit is tested
// against: values with a canary planted in each place that may hold a
// credential, which no printer may show, and values whose non-credential
// parts (hosts, ports, database names) every printer must keep showing.
// Only tests import it.
package redacttest

import (
	"strings"
)

// Canary is the planted credential. It is letters and digits only, so that
// percent-encoding, quoting and case folding cannot hide it from [Leaks].
const Canary = "Zq7canary9Wx"

// Leaks reports whether out shows the canary, in any case.
func Leaks(out string) bool {
	return strings.Contains(strings.ToLower(out), strings.ToLower(Canary))
}

// Family is a URL scheme with what its URLs show: DB is true when the first
// path segment is a database or vhost name, Role when a user name shows.
type Family struct {
	Scheme   string
	DB, Role bool
}

// Families are the URL schemes of the corpus: every backing family and its
// aliases, and schemes the rule does not know.
var Families = []Family{
	{"postgres", true, true}, {"postgresql", true, true}, {"mysql", true, true},
	{"mariadb", true, true}, {"redis", true, true}, {"rediss", true, true},
	{"amqp", true, true}, {"amqps", true, true}, {"mongodb", true, true},
	{"mongodb+srv", true, true}, {"clickhouse", true, true}, {"nats", false, false},
	{"tls", false, false}, {"mqtt", false, true}, {"mqtts", false, true}, {"ws", false, true},
	{"wss", false, true}, {"memcached", false, true}, {"smtp", false, false},
	{"smtps", false, false}, {"http", false, false}, {"https", false, false},
	{"s3", false, false}, {"sqlserver", false, true}, {"kafka", false, true},
	{"ftp", false, false}, {"foo", false, false}, {"git+ssh", false, false},
}

// credentialKeys are query keys a credential may sit under.
var credentialKeys = []string{
	"password", "sslpassword", "token", "access_token", "api_key", "apikey", "key", "secret",
	"authorization", "bearer", "session", "sid", "hmac", "otp", "sig", "signature",
	"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "code", "client_secret",
	"auth", "pwd", "jwt", "nkey", "private_token", "webhook", "unknown_option",
}

// URLs returns URLs of every family with the canary in each credential
// place: the password, a user that is a token, path segments that are not
// the database, query values not in a safe list, bare query keys,
// fragments, passwords holding '/', '?', '#' and '@'.
func URLs() []string {
	c := Canary
	var out []string
	for _, f := range Families {
		s := f.Scheme + "://"
		db := "/appdb"
		out = append(out,
			s+"app:"+c+"@db.internal:1234"+db,
			s+"app:"+c+"@h1:1,h2:2"+db+"?sslmode=require",
			s+":"+c+"@db.internal"+db,
			s+"app:p/ss?w"+c+"#x@db.internal"+db,
			s+"app:a@b"+c+"@db.internal"+db,
			s+"app:"+c+"@db.internal"+db+"?to=ops@shop.example",
			s+"db.internal"+db+"/"+c,
			s+"db.internal"+db+"/x/"+c+"/y",
			s+"db.internal"+db+"?"+c,
			s+"db.internal"+db+"?x=1&"+c+"=1",
			s+"db.internal"+db+"#"+c,
			s+"db.internal"+db+"?sslmode=require#access_token="+c,
			s+"db.internal"+db+"?sslmode=require&password="+c+"&connect_timeout=5",
			s+"db.internal"+db+"?sslmode=require?password="+c,
			s+"db.internal"+db+"?sslmode=require;password="+c,
			s+"db.internal"+db+"?sslmode=require@"+c,
			s+"db.internal"+db+"?application_name=x%20"+c+"%3Dy",
		)
		if !f.Role {
			out = append(out,
				s+c+"@db.internal"+db,
				s+c+":x-oauth-basic@db.internal"+db,
				s+c+"@n1:4222,n2:4222",
			)
		}
		if !f.DB {
			out = append(out, s+"db.internal/"+c, s+"db.internal:99/"+c+"/send")
		}
		for _, k := range credentialKeys {
			out = append(out, s+"db.internal"+db+"?"+k+"="+c)
		}
	}
	out = append(out,
		"https://hooks.slack.com/services/T0AAAA/B0BBBB/"+c,
		"https://discord.com/api/webhooks/1234567890/"+c,
		"https://discordapp.com/api/webhooks/1/"+c+"/slack",
		"https://api.telegram.org/bot123456:"+c+"/sendMessage",
		"https://api.telegram.org/bot"+c+"/getMe",
		"https://outlook.office.com/webhook/"+c+"/IncomingWebhook/x/y",
		"https://hooks.zapier.com/hooks/catch/123/"+c+"/",
		"https://"+c+"@o1.ingest.sentry.io/123",
		"https://x-access-token:"+c+"@github.com/org/repo.git",
		"https://"+c+":x-oauth-basic@github.com/org/repo",
		"https://gitlab-ci-token:"+c+"@gitlab.com/org/repo.git",
		"https://oauth2:"+c+"@gitlab.example/org/repo",
		"https://api.example.com/v1/reset/"+c,
		"https://example.com/callback#access_token="+c+"&token_type=bearer",
		"https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA/"+c+"&X-Amz-Signature="+c,
		"https://acct.blob.core.windows.net/c/b?sv=2020&sp=r&sig="+c,
		"s3://AKIA"+c+":"+c+"@bucket/prefix?region=eu-west-1",
		"smtp://apikey:"+c+"@smtp.sendgrid.net:587",
		"smtp://"+c+":"+c+"@smtp.postmarkapp.com",
		"nats://u:"+c+"@n1:4222, nats://u:"+c+"@n2:4222",
		"sqlite:///tmp/x.db?_auth_pass="+c+"&_pwd="+c,
		"sqlite:///srv/u:"+c+"@h/db",
		"file:x/u:"+c+"@h/db",
		"sqlite:x/u:"+c+"@h/db?mode=ro",
		"redis://default:"+c+"@cache:6379/0?dial_timeout=3s",
		"rediss://:"+c+"@cache?client_name=web&skip_verify=true",
		"amqp://guest:"+c+"@mq/%2F?heartbeat=10",
		"mongodb+srv://app:"+c+"@cluster0.abcde.mongodb.net/shop?retryWrites=true&w=majority",
		"postgres://app@db/shop?options=-c%20password%3D"+c,
		"postgres://app@db/shop?host=/tmp&password="+c,
		"HTTPS://"+c+"@API.EXAMPLE.COM/X",
	)
	return out
}

// Strings returns connection strings and pasted secrets of other shapes
// with the canary in each credential place: MySQL DSNs, libpq
// keyword/value, ADO.NET and Azure strings, JDBC URLs, bare tokens, PEM
// blocks, URLs that lost their scheme.
func Strings() []string {
	c := Canary
	return []string{
		"app:" + c + "@tcp(db:3306)/shop",
		"app:" + c + "@/shop",
		"app:p@ss:" + c + "@tcp(db)/shop?parseTime=true",
		"app:" + c + "@unix(/run/mysqld/mysqld.sock)/shop",
		"app@tcp(db:3306)/shop?parseTime=true&" + c + "=1",
		"app@tcp(db:3306)/shop?password=" + c,
		"host=db password=" + c,
		"host=db password='a " + c + " b' dbname=shop",
		"host=db sslpassword=" + c + " dbname=shop",
		"host=db user=app password=" + c + " sslmode=require",
		"password = " + c + " host=db",
		"host=db dbname=shop password=it\\'s" + c,
		"host=db dbname=shop password='" + c + "'",
		"Server=db;Database=shop;User Id=app;Password=" + c + ";",
		"Data Source=db;Initial Catalog=shop;Pwd=" + c,
		"Server=db;Password=\"a;" + c + "\";Database=shop",
		"Server=db;Password='" + c + "';Database=shop",
		"server=tcp:db.database.windows.net,1433;database=shop;user id=app;password=" + c + ";encrypt=true",
		"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + c + ";EndpointSuffix=core.windows.net",
		"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=" + c,
		"BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2020&sig=" + c,
		"Server=db;Database=shop;Unknown Key=" + c,
		"Server=db;" + c + "=x",
		"jdbc:postgresql://db:5432/shop?user=app&password=" + c,
		"jdbc:mysql://app:" + c + "@db/shop",
		"jdbc:sqlserver://db:1433;databaseName=shop;user=app;password=" + c,
		"jdbc:sqlserver://db:1433;databaseName=shop;password=" + c + ";encrypt=true",
		"jdbc:oracle:thin:app/" + c + "@//db:1521/svc",
		"jdbc:oracle:thin:@db:1521:" + c,
		"jdbc:h2:mem:test;PASSWORD=" + c,
		"JDBC:postgresql://db/shop?password=" + c,
		c,
		"ghp_" + c,
		"github_pat_11AAAA_" + c,
		"sk_live_" + c,
		"xoxb-1234-5678-" + c,
		"AKIA" + c,
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0." + c,
		c + "==",
		c + "=",
		"Bearer " + c,
		"Basic " + c,
		"-----BEGIN PRIVATE KEY-----\nMIIE" + c + "\n-----END PRIVATE KEY-----\n",
		"-----BEGIN OPENSSH PRIVATE KEY-----\n" + c + "\n-----END OPENSSH PRIVATE KEY-----",
		"app:" + c,
		c + "@db.internal",
		"//app:" + c + "@db/shop",
		"x/app:" + c + "@db/shop",
		"/srv/app:" + c + "@db/shop",
		"db.internal:5432:shop:app:" + c,
		"key=" + c,
		"a;" + c,
		"a " + c + " b",
		"{\"password\":\"" + c + "\"}",
		"password: " + c,
		"user=app&password=" + c,
		"?password=" + c,
		"://app:" + c + "@db",
		"1:" + c,
		"\"" + c + "\"",
		"sqlite:" + c + "@x",
		"mailto:" + c + "@example.com",
		"urn:token:" + c,
	}
}

// Values returns every corpus value: [URLs] and [Strings].
func Values() []string { return append(URLs(), Strings()...) }

// Names are variable names a team might give a credential, most of which
// no list of credential words knows.
var Names = []string{
	"GITHUB_PAT", "STRIPE_SK", "DEEP_INNER_PAT", "SLACK_WEBHOOK", "DISCORD_HOOK",
	"TELEGRAM_BOT", "SENTRY", "MAILGUN", "OPENAI", "TWILIO_AUTH", "PAT", "SK", "CRED",
	"DB_PW", "ADMIN_PIN", "OTP_SEED", "LICENSE", "ENCRYPTION", "SIGNER", "COOKIE",
	"VAULT", "NPM_RC", "DOCKER_CONFIG_JSON", "KUBECONFIG_DATA", "HMAC", "SALT", "NONCE",
	"MOCK_AUTH_VALUE", "X", "Conn", "upstream", "API", "BEARER", "SESSION",
}

// Headers are request headers that carry credentials.
var Headers = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key",
	"X-Auth-Token", "X-Csrf-Token", "X-Xsrf-Token", "X-Vault-Token", "X-Amz-Security-Token",
	"X-Client-Secret", "X-Api-Token", "Private-Token", "X-Gitlab-Token", "X-Hub-Signature",
	"X-Hub-Signature-256", "X-Slack-Signature", "Stripe-Signature", "X-Shopify-Hmac-Sha256",
	"X-Goog-Api-Key", "X-Functions-Key", "Ocp-Apim-Subscription-Key", "X-Access-Token",
	"X-Session-Id", "X-Refresh-Token", "X-Id-Token", "X-Jwt-Assertion", "X-Amz-Date",
	"X-Consul-Token", "X-Nomad-Token", "X-Honeycomb-Team", "Dd-Api-Key", "X-Sentry-Auth",
	"X-Twilio-Signature", "X-Webhook-Secret", "Sec-Websocket-Key", "X-Forwarded-Access-Token",
	"X-Forwarded-Authorization", "X-Ms-Token-Aad-Id-Token", "X-Goog-Iap-Jwt-Assertion",
	"Referer", "X-Original-Url", "X-Custom",
}

// Shown is a value with the parts every printer must still show.
type Shown struct {
	In   string
	Want []string
}

// ShownValues returns values whose hosts, ports, database and vhost names,
// user names of role schemes and safe query values must stay visible.
func ShownValues() []Shown {
	out := []Shown{
		{"postgres://app:pw@db.internal:5433/shop?sslmode=verify-full&connect_timeout=7",
			[]string{"postgres://", "app", "db.internal", ":5433", "/shop", "sslmode=verify-full", "connect_timeout=7"}},
		{"postgres://app@h1:5432,h2:5433/shop?target_session_attrs=read-write",
			[]string{"h1:5432", "h2:5433", "/shop", "target_session_attrs=read-write"}},
		{"mysql://app:pw@db.internal:3307/orders?parseTime=true&loc=UTC",
			[]string{"db.internal", ":3307", "/orders", "parseTime=true", "loc=UTC"}},
		{"redis://default:pw@cache.internal:6380/3?dial_timeout=3s&pool_size=10",
			[]string{"cache.internal", ":6380", "/3", "dial_timeout=3s", "pool_size=10"}},
		{"rediss://cache.internal:6380/0?skip_verify=true", []string{"rediss://", "cache.internal", "skip_verify=true"}},
		{"amqp://guest:pw@mq.internal:5673/orders?heartbeat=10", []string{"mq.internal", ":5673", "/orders", "heartbeat=10"}},
		{"amqps://u:pw@mq/%2F", []string{"amqps://", "mq", "/%2F"}},
		{"mongodb://app:pw@m1:27017,m2:27018/shop?replicaSet=rs0&authSource=admin",
			[]string{"m1:27017", "m2:27018", "/shop", "replicaSet=rs0", "authSource=admin"}},
		{"nats://n1.internal:4222,n2.internal:4223", []string{"n1.internal:4222", "n2.internal:4223"}},
		{"mqtt://broker.internal:1884", []string{"broker.internal", ":1884"}},
		{"memcached://mc1:11211,mc2:11212", []string{"mc1:11211", "mc2:11212"}},
		{"smtp://u:pw@smtp.example.com:2525", []string{"smtp://", "smtp.example.com", ":2525"}},
		{"https://api.example.com:8443/v1", []string{"https://", "api.example.com", ":8443"}},
		{"s3://my-bucket/prefix?region=eu-west-1", []string{"s3://", "my-bucket", "region=eu-west-1"}},
		{"sqlite:///var/lib/app/data.db?mode=ro", []string{"/var/lib/app/data.db", "mode=ro"}},
		{"sqlite:data.db", []string{"data.db"}},
		{"app:pw@tcp(db.internal:3306)/shop?parseTime=true", []string{"app", "db.internal:3306", "/shop", "parseTime=true"}},
		{"host=db.internal port=5433 dbname=shop user=app password=pw sslmode=require",
			[]string{"host=db.internal", "port=5433", "dbname=shop", "user=app", "sslmode=require"}},
		{"Server=tcp:db.internal,1433;Database=shop;User ID=app;Password=pw;Encrypt=true",
			[]string{"Server=tcp:db.internal,1433", "Database=shop", "User ID=app", "Encrypt=true"}},
		{"jdbc:postgresql://db.internal:5432/shop?sslmode=require&password=pw",
			[]string{"jdbc:postgresql://db.internal:5432/shop", "sslmode=require"}},
		{"jdbc:sqlserver://db.internal:1433;databaseName=shop;password=pw",
			[]string{"db.internal:1433", "databaseName=shop"}},
		{"postgres://[::1]:5432/shop", []string{"[::1]:5432", "/shop"}},
	}
	return out
}

// Planted builds, from arbitrary parts (a fuzzer's), URL- and DSN-shaped
// strings with the canary in a credential place: a password, a fragment, a
// path segment after the database, a lone userinfo of a scheme whose user
// may be a token, the value of a query key outside every safe list, the
// password of a MySQL DSN and of libpq, ADO.NET and JDBC strings, a bare
// pasted value. safeKey reports whether a key is in a safe list
// (redact.SafeParam); the fuzz targets of every printer share this.
func Planted(scheme, user, host, path, key, value string, safeKey func(string) bool) []string {
	c := Canary + value
	out := []string{
		scheme + "://" + user + ":" + c + "@" + host + "/" + path,
		scheme + "://" + host + "/" + path + "#" + c,
		user + ":" + c + "@tcp(" + host + ")/" + path,
		"host=" + host + " password=" + c,
		"Server=" + host + ";Password=" + c,
		"jdbc:" + scheme + "://" + user + ":" + c + "@" + host + "/" + path,
	}
	if !fileScheme(scheme) {
		out = append(out, scheme+"://"+host+"/db/"+c+"/"+path)
	}
	if tokenUser(scheme) && !strings.ContainsAny(value, "/?#") {
		// (a '/', '?' or '#' in a lone userinfo makes it a host for the
		// parsers that read the authority as net/url does)
		out = append(out, scheme+"://"+c+"@"+host+"/"+path)
	}
	if ident(key) && !safeKey(key) {
		out = append(out, scheme+"://"+host+"/"+path+"?"+key+"="+c)
	}
	if !strings.ContainsAny(value, ":=@;,") {
		// (a ',' makes a list of host names of it, read as memcached's)
		out = append(out, c)
	}
	return out
}

// fileScheme reports whether a scheme's path names a file, which shows.
func fileScheme(s string) bool {
	switch strings.ToLower(s) {
	case "sqlite", "sqlite3", "file", "sq", "unix", "redis+unix", "redis-socket":
		return true
	}
	return false
}

// tokenUser reports whether a lone userinfo of the scheme is masked: it is
// for every scheme but those whose user is a role name.
func tokenUser(s string) bool {
	switch strings.ToLower(s) {
	case "postgres", "postgresql", "pgsql", "pg", "pgx", "cockroach", "cockroachdb", "redshift",
		"mysql", "mariadb", "maria", "mysql2", "tidb", "sqlserver", "mssql", "azuresql",
		"redis", "rediss", "valkey", "valkeys", "redis+sentinel", "rediss+sentinel",
		"unix", "redis+unix", "redis-socket", "amqp", "amqps", "mongodb", "mongodb+srv",
		"clickhouse", "kafka", "kafka+ssl", "kafka+tls", "kafkas", "memcached", "memcache",
		"mqtt", "mqtts", "tcp", "ssl", "tcps", "mqtt+ssl", "ws", "wss":
		return false
	}
	return true
}

func ident(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}
