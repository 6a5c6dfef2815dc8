package conformance

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/twelvekit/twelvekit/backing"
)

// TestDrivers feeds every case's driver-ready output to the driver's own
// parser and checks hosts, ports, user, password, database, TLS and options.
func TestDrivers(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range cases() {
		if seen[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			u, err := backing.Parse(c.raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if u.Scheme() != c.fam || u.TLS() != c.tls {
				t.Errorf("Parse: scheme %s, TLS %v; want %s, %v", u.Scheme(), u.TLS(), c.fam, c.tls)
			}
			if u.Password().IsSet() && (strings.Contains(u.String(), ":"+c.pass+"@") || !strings.Contains(u.String(), ":[REDACTED]@")) {
				t.Errorf("String() does not redact the password")
			}
			switch c.fam {
			case "postgres":
				checkPgx(t, c, u)
				checkPq(t, c, u)
			case "mysql":
				checkMySQL(t, c, u)
			case "redis":
				checkRedis(t, c, u)
			case "amqp":
				checkAMQP(t, c, u)
			case "nats":
				checkNATS(t, c, u)
			case "mqtt":
				checkMQTT(t, c, u)
			}
		})
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func hostPort(h string, p int) string {
	if strings.HasPrefix(h, "/") {
		return h + ":" + strconv.Itoa(p)
	}
	if strings.Contains(h, ":") {
		return h + ":" + strconv.Itoa(p) // the table writes IPv6 without brackets
	}
	return net.JoinHostPort(h, strconv.Itoa(p))
}

func checkPgx(t *testing.T, c tc, u backing.URL) {
	_, dsn, err := u.SQL()
	if err != nil {
		t.Fatalf("SQL: %v", err)
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgx ParseConfig: %v", err)
	}
	var hosts []string
	var plain, withTLS []*pgconn.FallbackConfig
	all := append([]*pgconn.FallbackConfig{{Host: cfg.Host, Port: cfg.Port, TLSConfig: cfg.TLSConfig}}, cfg.Fallbacks...)
	for _, f := range all {
		if h := hostPort(f.Host, int(f.Port)); len(hosts) == 0 || hosts[len(hosts)-1] != h {
			hosts = append(hosts, h)
		}
		if f.TLSConfig == nil {
			plain = append(plain, f)
		} else {
			withTLS = append(withTLS, f)
		}
	}
	eq(t, "pgx hosts", strings.Join(hosts, ","), strings.Join(c.hosts, ","))
	if c.user != "" {
		eq(t, "pgx user", cfg.User, c.user)
	}
	eq(t, "pgx password", cfg.Password, c.pass)
	eq(t, "pgx database", cfg.Database, c.db)
	if !strings.HasPrefix(c.hosts[0], "/") {
		n := len(c.hosts)
		switch c.tls {
		case backing.TLSDisable:
			eq(t, "pgx TLS attempts", len(withTLS), 0)
		case backing.TLSPrefer:
			eq(t, "pgx TLS attempts", len(withTLS), n)
			eq(t, "pgx plain fallbacks", len(plain), n)
			eq(t, "pgx skips verification", withTLS[0].TLSConfig.InsecureSkipVerify, true)
		case backing.TLSRequire:
			eq(t, "pgx plain fallbacks", len(plain), 0)
			eq(t, "pgx skips verification", withTLS[0].TLSConfig.InsecureSkipVerify, true)
			eq(t, "pgx custom verification", withTLS[0].TLSConfig.VerifyPeerCertificate == nil, true)
		case backing.TLSVerifyCA:
			eq(t, "pgx plain fallbacks", len(plain), 0)
			eq(t, "pgx custom chain verification", withTLS[0].TLSConfig.VerifyPeerCertificate != nil, true)
		case backing.TLSVerify:
			eq(t, "pgx plain fallbacks", len(plain), 0)
			eq(t, "pgx skips verification", withTLS[0].TLSConfig.InsecureSkipVerify, false)
			eq(t, "pgx server name", withTLS[0].TLSConfig.ServerName, strings.Split(c.hosts[0], ":")[0])
		}
	}
	for _, k := range c.keep {
		if _, ok := cfg.RuntimeParams[k]; !ok {
			t.Errorf("pgx runtime params lack %s", k)
		}
	}
	for _, k := range c.drop {
		if _, ok := cfg.RuntimeParams[k]; ok {
			t.Errorf("pgx would send %s to the server", k)
		}
	}
}

func checkPq(t *testing.T, c tc, u backing.URL) {
	_, dsn, _ := u.SQL()
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		t.Fatalf("lib/pq NewConfig: %v", err)
	}
	hosts := []string{hostPort(cfg.Host, int(cfg.Port))}
	for _, m := range cfg.Multi {
		hosts = append(hosts, hostPort(m.Host, int(m.Port)))
	}
	eq(t, "lib/pq hosts", strings.Join(hosts, ","), strings.Join(c.hosts, ","))
	if c.user != "" {
		eq(t, "lib/pq user", cfg.User, c.user)
	}
	eq(t, "lib/pq password", cfg.Password, c.pass)
	eq(t, "lib/pq database", cfg.Database, c.db)
	if !strings.HasPrefix(c.hosts[0], "/") { // lib/pq, like libpq, uses no TLS on sockets
		want := c.tls.String()
		if strings.Contains(c.raw, "sslmode=allow") {
			want = "allow" // passed through as written
		}
		eq(t, "lib/pq sslmode", string(cfg.SSLMode), want)
	}
	for _, k := range c.keep {
		if _, ok := cfg.Runtime[k]; !ok && k != "application_name" {
			t.Errorf("lib/pq runtime params lack %s", k)
		}
	}
	for _, k := range c.drop {
		if _, ok := cfg.Runtime[k]; ok {
			t.Errorf("lib/pq would send %s to the server", k)
		}
	}
}

func checkMySQL(t *testing.T, c tc, u backing.URL) {
	name, dsn, err := u.SQL()
	if err != nil {
		t.Fatalf("SQL: %v", err)
	}
	eq(t, "driver name", name, "mysql")
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("mysql ParseDSN: %v", err)
	}
	if strings.HasPrefix(c.hosts[0], "/") {
		eq(t, "mysql net", cfg.Net, "unix")
		eq(t, "mysql addr", cfg.Addr, c.hosts[0])
	} else {
		eq(t, "mysql net", cfg.Net, "tcp")
		h, p, _ := net.SplitHostPort(cfg.Addr)
		eq(t, "mysql addr", h+":"+p, c.hosts[0])
	}
	eq(t, "mysql user", cfg.User, c.user)
	eq(t, "mysql password", cfg.Passwd, c.pass)
	eq(t, "mysql database", cfg.DBName, c.db)
	switch c.tls {
	case backing.TLSDisable:
		eq(t, "mysql TLS", cfg.TLS == nil, true)
	case backing.TLSPrefer:
		eq(t, "mysql fallback to plain text", cfg.AllowFallbackToPlaintext, true)
		eq(t, "mysql skips verification", cfg.TLS != nil && cfg.TLS.InsecureSkipVerify, true)
	case backing.TLSRequire:
		eq(t, "mysql fallback to plain text", cfg.AllowFallbackToPlaintext, false)
		eq(t, "mysql skips verification", cfg.TLS != nil && cfg.TLS.InsecureSkipVerify, true)
	case backing.TLSVerify:
		eq(t, "mysql fallback to plain text", cfg.AllowFallbackToPlaintext, false)
		eq(t, "mysql verifies", cfg.TLS != nil && !cfg.TLS.InsecureSkipVerify, true)
		eq(t, "mysql server name", cfg.TLS.ServerName, strings.Split(c.hosts[0], ":")[0])
	}
	known := map[string]bool{"parseTime": cfg.ParseTime, "loc": cfg.Loc != nil && cfg.Loc.String() == "Europe/Paris"}
	for _, k := range c.keep {
		if v, isKnown := known[k]; isKnown {
			eq(t, "mysql "+k, v, true)
		} else if _, ok := cfg.Params[k]; !ok && k != "charset" {
			t.Errorf("mysql params lack %s", k)
		}
	}
	for _, k := range c.drop {
		if _, ok := cfg.Params[k]; ok {
			t.Errorf("mysql would SET %s on the server", k)
		}
	}
}

func checkRedis(t *testing.T, c tc, u backing.URL) {
	o, err := u.Redis()
	if err != nil {
		t.Fatalf("Redis: %v", err)
	}
	opts := &redis.Options{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password.Reveal(), DB: o.DB, TLSConfig: o.TLS}
	addr := opts.Addr
	if h, p, err := net.SplitHostPort(addr); err == nil {
		addr = h + ":" + p
	}
	eq(t, "redis addr", addr, c.hosts[0])
	eq(t, "redis user", opts.Username, c.user)
	eq(t, "redis password", opts.Password, c.pass)
	eq(t, "redis db", strconv.Itoa(opts.DB), c.db)
	eq(t, "redis TLS", opts.TLSConfig != nil, c.tls != backing.TLSDisable)
	if opts.TLSConfig != nil {
		eq(t, "redis verifies", !opts.TLSConfig.InsecureSkipVerify, c.tls == backing.TLSVerify)
	}
	// go-redis reads the canonical URL the same way, except for Heroku's
	// legacy "h" user, which it would send as an ACL user name.
	if strings.HasPrefix(c.raw, "unix:") || strings.Contains(c.raw, "//h:") {
		return
	}
	ro, err := redis.ParseURL(u.Reveal())
	if err != nil {
		t.Fatalf("go-redis ParseURL(canonical form): %v", err)
	}
	eq(t, "go-redis ParseURL addr", ro.Addr, o.Addr)
	eq(t, "go-redis ParseURL user", ro.Username, o.Username)
	eq(t, "go-redis ParseURL password", ro.Password, o.Password.Reveal())
	eq(t, "go-redis ParseURL db", ro.DB, o.DB)
	eq(t, "go-redis ParseURL TLS", ro.TLSConfig != nil, o.TLS != nil)
}

func checkAMQP(t *testing.T, c tc, u backing.URL) {
	s, err := u.AMQP()
	if err != nil {
		t.Fatalf("AMQP: %v", err)
	}
	uri, err := amqp.ParseURI(s)
	if err != nil {
		t.Fatalf("amqp091 ParseURI: %v", err)
	}
	eq(t, "amqp addr", hostPort(uri.Host, uri.Port), c.hosts[0])
	eq(t, "amqp user", uri.Username, c.user)
	eq(t, "amqp password", uri.Password, c.pass)
	eq(t, "amqp vhost", uri.Vhost, c.db)
	eq(t, "amqp scheme", uri.Scheme == "amqps", c.tls != backing.TLSDisable)
}

func checkNATS(t *testing.T, c tc, u backing.URL) {
	o, err := u.NATS()
	if err != nil {
		t.Fatalf("NATS: %v", err)
	}
	// nats.go reads each server with net/url and adds no default port.
	var hosts []string
	for _, s := range o.Servers {
		p, err := urlParse(s)
		if err != nil {
			t.Fatalf("server %d: %v", len(hosts), err)
		}
		eq(t, "nats server scheme", p.Scheme == "tls", c.tls != backing.TLSDisable)
		hosts = append(hosts, p.Hostname()+":"+p.Port())
	}
	eq(t, "nats servers", strings.Join(hosts, ","), strings.Join(c.hosts, ","))
	if c.token {
		eq(t, "nats token", o.Token.Reveal(), c.user)
		eq(t, "nats user", o.User, "")
	} else {
		eq(t, "nats user", o.User, c.user)
		eq(t, "nats password", o.Password.Reveal(), c.pass)
	}
	eq(t, "nats TLS", o.TLS != nil, c.tls != backing.TLSDisable)
}

func checkMQTT(t *testing.T, c tc, u backing.URL) {
	o, err := u.MQTT()
	if err != nil {
		t.Fatalf("MQTT: %v", err)
	}
	opts := mqtt.NewClientOptions().AddBroker(o.Broker).SetUsername(o.Username).SetPassword(o.Password.Reveal())
	if len(opts.Servers) != 1 {
		t.Fatalf("paho did not read the broker")
	}
	b := opts.Servers[0]
	eq(t, "paho broker", b.Hostname()+":"+b.Port(), c.hosts[0])
	wantScheme := map[string]string{"mqtt": "tcp", "mqtts": "ssl", "ws": "ws", "wss": "wss", "tcp": "tcp", "ssl": "ssl"}[strings.SplitN(c.raw, ":", 2)[0]]
	eq(t, "paho scheme", b.Scheme, wantScheme)
	eq(t, "paho user", opts.Username, c.user)
	eq(t, "paho password", opts.Password, c.pass)
	eq(t, "MQTT TLS", o.TLS != nil, c.tls != backing.TLSDisable)
}

// TestPostgres_hermetic sets hostile PG* variables and a HOME with a
// .pgpass and checks that pgx and lib/pq still read exactly the URL.
func TestPostgres_hermetic(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".pgpass"), []byte("*:*:*:*:stolen\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"PGHOST": "evil.example.com", "PGPORT": "1", "PGPASSWORD": "stolen", "PGDATABASE": "evil",
		"PGSSLMODE": "disable", "PGUSER": "evil", "HOME": home, "PGPASSFILE": filepath.Join(home, ".pgpass"),
	} {
		t.Setenv(k, v)
	}
	n := 0
	for _, c := range cases() {
		if c.fam != "postgres" || c.user == "" {
			continue
		}
		n++
		u, err := backing.Parse(c.raw)
		if err != nil {
			t.Fatal(err)
		}
		checkPgx(t, c, u)
		checkPq(t, c, u)
	}
	if n < 20 {
		t.Errorf("only %d cases checked", n)
	}
}

// TestDrivers_tlsHandshakeConfig checks that the TLS configs handed to
// drivers carry the host name to verify.
func TestDrivers_tlsHandshakeConfig(t *testing.T) {
	u, _ := backing.Parse("rediss://:pw@cache.example.com:6380")
	o, _ := u.Redis()
	if o.TLS.ServerName != "cache.example.com" || o.TLS.MinVersion < tls.VersionTLS12 {
		t.Errorf("TLS config %+v", o.TLS)
	}
	if got := fmt.Sprint(o.Password); got != "[REDACTED]" {
		t.Errorf("password prints %q", got)
	}
	if !slices.Contains([]string{"tcp"}, o.Network) {
		t.Errorf("network %s", o.Network)
	}
}
