package backing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
)

// TestDeclaredFamily checks that a field declaring a family reads the
// schemes it shares with another family and its drivers' forms that are not
// URLs, and hands the driver what the original means.
func TestDeclaredFamily(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fam, raw string
		reveal   string // canonical form
		out      string // driver-ready output
	}{
		{"nats", "ws://u:sekret@h:8080/path", "ws://u:sekret@h:8080/path", "ws://h:8080/path user=u"},
		{"nats", "WSS://h", "wss://h:443", "wss://h:443 tls"},
		{"nats", "h1:4222,h2", "nats://h1:4222,h2:4222", "nats://h1:4222 nats://h2:4222"},
		{"nats", " h1:4222 , h2:4223 ", "nats://h1:4222,h2:4223", "nats://h1:4222 nats://h2:4223"},
		{"nats", "localhost", "nats://localhost:4222", "nats://localhost:4222"},
		{"nats", "tok@n:4222", "nats://tok@n:4222", "nats://n:4222 token"},
		{"mqtt", "tls://u:p@h", "mqtts://u:p@h:8883", "ssl://h:8883 user=u tls"},
		{"mqtt", "unix:///run/mosquitto/m.sock", "unix:///run/mosquitto/m.sock", "unix:///run/mosquitto/m.sock"},
		{"mqtt", "broker:1883", "mqtt://broker:1883", "tcp://broker:1883"},
		{"mqtt", ":1884", "mqtt://127.0.0.1:1884", "tcp://127.0.0.1:1884"},
		{"postgres", "host=h port=5433 dbname=d user=u password='it\\'s x' sslmode=require application_name=a",
			"postgres://u:it's%20x@h:5433/d?sslmode=require&application_name=a",
			"host='h' port='5433' user='u' password='it\\'s x' dbname='d' sslmode=require application_name='a'"},
		{"postgres", "  host = /run/postgresql dbname=d user= ", "postgres://%2Frun%2Fpostgresql:5432/d",
			"host='/run/postgresql' port='5432' dbname='d'"},
		{"postgres", `host=a,b port=1,2 password=p\ q`, "postgres://:p%20q@a:1,b:2/", "host='a,b' port='1,2' password='p q' dbname=''"},
		{"mysql", "user:pw@tcp(host:3306)/db?parseTime=true", "mysql://user:pw@host:3306/db?parseTime=true", "user:pw@tcp(host:3306)/db?parseTime=true"},
		{"mysql", "u:p#x y@unix(/run/mysqld.sock)/db", "mysql://u:p%23x%20y@%2Frun%2Fmysqld.sock/db", "u:p#x y@unix(/run/mysqld.sock)/db"},
		{"mysql", "u@/db", "mysql://u@127.0.0.1:3306/db", "u@tcp(127.0.0.1:3306)/db"},
		{"mysql", "u:p:q@tcp([::1])/db?tls=skip-verify&loc=Local", "mysql://u:p%3Aq@[::1]:3306/db?tls=skip-verify&loc=Local", "u:p:q@tcp([::1]:3306)/db?tls=skip-verify&loc=Local"},
		{"mysql", "mysql://u:p@h/db", "mysql://u:p@h:3306/db", "u:p@tcp(h:3306)/db"},
	}
	for _, tt := range tests {
		u, err := backing.Parse(tt.raw, backing.WithFamily(tt.fam))
		if err != nil {
			t.Errorf("%s %q: %v", tt.fam, tt.raw, err)
			continue
		}
		if u.Scheme() != tt.fam || u.Reveal() != tt.reveal {
			t.Errorf("%s %q: read as %s %q, want %q", tt.fam, tt.raw, u.Scheme(), u.Reveal(), tt.reveal)
		}
		if got := driverOut(t, u); got != tt.out {
			t.Errorf("%s %q: output %q, want %q", tt.fam, tt.raw, got, tt.out)
		}
		again, err := backing.Parse(u.Reveal(), backing.WithFamily(tt.fam))
		if err != nil || !again.Equal(u) {
			t.Errorf("%s %q: Reveal does not read back in a declared field: %v", tt.fam, tt.raw, err)
		}
		if pw := u.Password().Reveal(); len(pw) > 2 && strings.Contains(u.String(), pw) {
			t.Errorf("%s %q: String shows the password: %s", tt.fam, tt.raw, u)
		}
	}
}

func driverOut(t *testing.T, u backing.URL) string {
	t.Helper()
	switch u.Scheme() {
	case "nats":
		o, err := u.NATS()
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Join(o.Servers, " ")
		if o.User != "" {
			s += " user=" + o.User
		}
		if o.Token.Reveal() != "" {
			s += " token"
		}
		if o.TLS != nil {
			s += " tls"
		}
		return s
	case "mqtt":
		o, err := u.MQTT()
		if err != nil {
			t.Fatal(err)
		}
		s := o.Broker
		if o.Username != "" {
			s += " user=" + o.Username
		}
		if o.TLS != nil {
			s += " tls"
		}
		return s
	}
	_, dsn, err := u.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// TestDeclaredFamily_undeclared checks that fields declaring no family keep
// reading each shared scheme as its owner does, and refuse the forms that
// are not URLs as before; and that declared fields refuse what their
// drivers refuse, with errors that show no credential.
func TestDeclaredFamily_undeclared(t *testing.T) {
	t.Parallel()
	owners := map[string]string{"ws://h": "mqtt", "tls://h": "nats", "unix:///tmp/r.sock": "redis", "h:4222": "memcached"}
	for raw, fam := range owners {
		u, err := backing.Parse(raw)
		if err != nil || u.Scheme() != fam {
			t.Errorf("undeclared %q: %s, %v; want %s", raw, u.Scheme(), err, fam)
		}
	}
	for raw, field := range map[string]string{"host=h dbname=d": "PostgresURL", "u:pw@tcp(h:3306)/db": "MySQLURL"} {
		if _, err := backing.Parse(raw); !errors.Is(err, backing.ErrInvalid) || !strings.Contains(err.Error(), field) {
			t.Errorf("undeclared %q: %v, want ErrInvalid naming %s", raw, err, field)
		}
	}
	bad := []struct{ fam, raw string }{
		{"nats", "ws://a,nats://b"},             // nats.go refuses mixing
		{"mqtt", "unix://relative.sock"},        // a socket by its absolute path
		{"postgres", "host=h password='sekrit"}, // unterminated quote
		{"postgres", "dbname=d password=sekrit"},
		{"postgres", "host=h pass word=sekrit"},
		{"mysql", "u:sekrit@tcp(h:3306/db"},
		{"mysql", "u:sekrit@cloudsql(h)/db"},
		{"mysql", "u:sekrit@tcp(h:99999)/db"},
		{"mysql", "u:sekrit@tcp(h)/db?tls=custom"},
		{"mysql", "u:sekrit@tcp(h)/db?strict=true"}, // go-sql-driver panics on it
		{"mysql", "mysql://u:sekrit@h/db?strict=true"},
		{"postgres", "host=h dbname=d service=prod password=sekrit"},
		{"redis", "ws://h"},
		{"amqp", "h:5672"},
	}
	for _, b := range bad {
		_, err := backing.Parse(b.raw, backing.WithFamily(b.fam))
		if err == nil {
			t.Errorf("%s %q: accepted", b.fam, b.raw)
			continue
		}
		if strings.Contains(err.Error(), "sekrit") {
			t.Errorf("%s %q: error shows the password: %v", b.fam, b.raw, err)
		}
	}
	var f backing.NATSURL
	if err := f.UnmarshalText([]byte("wss://n.example.com/nats")); err != nil || f.Hosts()[0].Port != 443 {
		t.Errorf("NATSURL wss: %v %v", f, err)
	}
	var m backing.MQTTURL
	if err := m.UnmarshalText([]byte("tls://b.example.com")); err != nil || m.TLS() != backing.TLSVerify {
		t.Errorf("MQTTURL tls: %v %v", m, err)
	}
	var s backing.SQLURL
	if err := s.UnmarshalText([]byte("./app.db")); err != nil || s.Scheme() != "sqlite" {
		t.Errorf("SQLURL ./app.db: %v %v", s, err)
	}
	if err := s.UnmarshalText([]byte("u@tcp(db:3306)/shop")); err != nil || s.Scheme() != "mysql" {
		t.Errorf("SQLURL mysql DSN: %v %v", s, err)
	}
	if err := s.UnmarshalText([]byte("host=db dbname=shop")); err != nil || s.Scheme() != "postgres" {
		t.Errorf("SQLURL keyword/value: %v %v", s, err)
	}
}

// TestAttached_newFamilies checks that the environment's MongoDB and Kafka
// URLs are listed, redacted, with Heroku's KAFKA_URL among them.
func TestAttached_newFamilies(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"MONGODB_URL":        "mongodb+srv://app:sekret@cluster0.abcde.mongodb.net/shop?retryWrites=true",
		"KAFKA_URL":          "kafka+ssl://ec2-1.compute-1.amazonaws.com:9096,kafka+ssl://ec2-2.compute-1.amazonaws.com:9096",
		"KAFKA_CLIENT_CERT":  "-----BEGIN CERTIFICATE-----",
		"ORDERS_MONGO_URL":   "mongodb://u:sekret@h/?maxPoolSize=-1",
		"KAFKA_TRUSTED_CERT": "-----BEGIN CERTIFICATE-----",
		"MONGODB_URI":        "mongodb://u:sekret@m1,m2/app",
		"REDIRECT_URI":       "https://app.example.com/callback",
	}
	got := backing.Attached(backing.WithEnvironment(env))
	var lines []string
	for _, r := range got {
		lines = append(lines, r.String())
	}
	want := []string{
		"KAFKA_URL=kafka+ssl://ec2-1.compute-1.amazonaws.com:9096,ec2-2.compute-1.amazonaws.com:9096",
		"MONGODB_URI=mongodb://u:[REDACTED]@m1:27017,m2:27017/app",
		"MONGODB_URL=mongodb+srv://app:[REDACTED]@cluster0.abcde.mongodb.net/shop?retryWrites=true",
		"backing: ORDERS_MONGO_URL: MongoDB option maxPoolSize is not a whole number from 0 up; fix it",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Attached:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
