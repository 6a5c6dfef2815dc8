package conformance

import (
	"crypto/tls"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/lib/pq"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/twelvekit/twelvekit/backing"
)

// A reading is what one driver's own parser made of a text, flattened to
// named fields, or the error it gave.
type reading struct {
	fields map[string]string
	err    error
}

func (r reading) String() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	keys := slices.Sorted(maps.Keys(r.fields))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q ", k, r.fields[k])
	}
	return b.String()
}

// diffResult is the outcome of one case.
type diffResult struct {
	agree  bool
	listed bool   // a reader differed, as the case's listed difference allows
	why    string // the difference, when they do not agree
}

// scoped names the readers a listed difference may concern; a difference
// not named here may concern any reader of the case's family.
var scoped = map[string][]string{
	"pq-url-reading": {"lib/pq"}, "pq-socket-host": {"lib/pq"},
	"redis-heroku-h": {"go-redis Options"}, "strict-query": {"lib/pq", "go-redis URL", "go-redis Options"}, "port-list": {"lib/pq"},
}

// readers returns, for a family, the drivers' readings of the original text
// and of backing's driver-ready output. Each pair is compared field by
// field; backing's own expectation of a driver appears nowhere.
type reader struct {
	name string
	orig func(raw string) reading
	out  func(u backing.URL) reading
}

func tlsWords(c *tls.Config) string {
	switch {
	case c == nil:
		return "none"
	case c.InsecureSkipVerify && c.VerifyPeerCertificate != nil:
		return "verify-ca"
	case c.InsecureSkipVerify:
		return "no-verify"
	}
	return "verify:" + c.ServerName
}

func errReading(err error) reading { return reading{err: err} }

// pgxReading flattens pgconn's and pgxpool's configs: every host attempt in
// order with its TLS, user, password, database and runtime parameters, and
// the pool settings.
func pgxReading(dsn string, withPool bool) reading {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return errReading(err)
	}
	f := map[string]string{"user": cfg.User, "password": cfg.Password, "database": cfg.Database}
	var attempts []string
	all := append([]*pgconn.FallbackConfig{{Host: cfg.Host, Port: cfg.Port, TLSConfig: cfg.TLSConfig}}, cfg.Fallbacks...)
	for _, a := range all {
		attempts = append(attempts, fmt.Sprintf("%s:%d/%s", a.Host, a.Port, tlsWords(a.TLSConfig)))
	}
	f["attempts"] = strings.Join(attempts, " ")
	for k, v := range cfg.RuntimeParams {
		if !strings.HasPrefix(k, "pool_") {
			f["runtime."+k] = v
		}
	}
	if withPool {
		pc, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return errReading(err)
		}
		f["pool"] = fmt.Sprint(pc.MaxConns, pc.MinConns, pc.MinIdleConns, pc.MaxConnLifetime, pc.MaxConnIdleTime, pc.HealthCheckPeriod)
	}
	return reading{fields: f}
}

func pqReading(dsn string) reading {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return errReading(err)
	}
	hosts := []string{fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)}
	for _, m := range cfg.Multi {
		hosts = append(hosts, fmt.Sprintf("%s:%d", m.Host, m.Port))
	}
	f := map[string]string{"hosts": strings.Join(hosts, ","), "user": cfg.User, "password": cfg.Password,
		"database": cfg.Database, "sslmode": string(cfg.SSLMode)}
	for k, v := range cfg.Runtime {
		f["runtime."+k] = v
	}
	return reading{fields: f}
}

func postgresOut(u backing.URL, withPool bool) string {
	_, dsn, err := u.SQL()
	if err != nil {
		return ""
	}
	if withPool {
		for _, p := range u.ClientParams() { // applied to the pool, as ClientParams documents
			dsn += " " + p.Key + "='" + strings.ReplaceAll(p.Value, "'", `\'`) + "'"
		}
	}
	return dsn
}

// mysqlOrig is the only reading of a mysql:// URL go-sql-driver/mysql has:
// its DSN written from net/url's reading of the URL, field for field
// (user:password@tcp(host)/dbname?query), then ParseDSN.
//
// A text without "://" is go-sql-driver's own DSN, read by ParseDSN as it is.
func mysqlOrig(raw string) reading {
	if !strings.Contains(raw, "://") {
		return mysqlReading(raw)
	}
	p, err := url.Parse(raw)
	if err != nil {
		return errReading(err)
	}
	var b strings.Builder
	if p.User != nil {
		b.WriteString(p.User.Username())
		if pw, ok := p.User.Password(); ok {
			b.WriteString(":" + pw)
		}
		b.WriteByte('@')
	}
	b.WriteString("tcp(" + p.Host + ")/" + strings.TrimPrefix(p.Path, "/"))
	if p.RawQuery != "" {
		b.WriteString("?" + p.RawQuery)
	}
	return mysqlReading(b.String())
}

func mysqlReading(dsn string) reading {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return errReading(err)
	}
	f := map[string]string{"net": cfg.Net, "addr": cfg.Addr, "user": cfg.User, "password": cfg.Passwd, "database": cfg.DBName,
		"tls": tlsWords(cfg.TLS), "fallback": fmt.Sprint(cfg.AllowFallbackToPlaintext), "parseTime": fmt.Sprint(cfg.ParseTime),
		"loc": cfg.Loc.String(), "timeout": cfg.Timeout.String(), "collation": cfg.Collation, "formatted": cfg.FormatDSN(),
	}
	for k, v := range cfg.Params {
		f["param."+k] = v
	}
	return reading{fields: f}
}

func redisFields(o *redis.Options) map[string]string {
	return map[string]string{"network": o.Network, "addr": o.Addr, "user": o.Username, "password": o.Password, "db": fmt.Sprint(o.DB),
		"tls": tlsWords(o.TLSConfig), "client_name": o.ClientName, "protocol": fmt.Sprint(o.Protocol),
		"pool":     fmt.Sprint(o.PoolSize, o.MinIdleConns, o.MaxIdleConns, o.MaxActiveConns, o.PoolFIFO, o.PoolTimeout),
		"timeouts": fmt.Sprint(o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.ConnMaxIdleTime, o.ConnMaxLifetime),
		"retries":  fmt.Sprint(o.MaxRetries, o.MinRetryBackoff, o.MaxRetryBackoff),
	}
}

func redisReading(raw string) reading {
	if strings.Contains(raw, "addr=") {
		o, err := redis.ParseClusterURL(raw)
		if err != nil {
			return errReading(err)
		}
		return reading{fields: map[string]string{"addrs": strings.Join(o.Addrs, ","), "user": o.Username, "password": o.Password,
			"tls": tlsWords(o.TLSConfig), "client_name": o.ClientName, "pool": fmt.Sprint(o.PoolSize, o.ReadOnly, o.RouteByLatency, o.MaxRedirects),
			"timeouts": fmt.Sprint(o.DialTimeout, o.ReadTimeout, o.WriteTimeout)}}
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return errReading(err)
	}
	return reading{fields: redisFields(o)}
}

// redisOptionsReading is go-redis's reading of what Redis() returns, the
// fields a caller copies into redis.Options or redis.ClusterOptions.
func redisOptionsReading(u backing.URL) reading {
	o, err := u.Redis()
	if err != nil {
		return errReading(err)
	}
	f := map[string]string{"user": o.Username, "password": o.Password.Reveal(), "tls": tlsWords(o.TLS)}
	if o.Addrs != nil {
		f["addrs"] = strings.Join(o.Addrs, ",")
	} else {
		f["network"], f["addr"], f["db"] = o.Network, o.Addr, fmt.Sprint(o.DB)
	}
	return reading{fields: f}
}

func amqpReading(raw string) reading {
	uri, err := amqp.ParseURI(raw)
	if err != nil {
		return errReading(err)
	}
	return reading{fields: map[string]string{"scheme": uri.Scheme, "host": uri.Host, "port": fmt.Sprint(uri.Port), "user": uri.Username,
		"password": uri.Password, "vhost": uri.Vhost, "heartbeat": fmt.Sprint(uri.Heartbeat), "timeout": fmt.Sprint(uri.ConnectionTimeout),
		"channel_max": fmt.Sprint(uri.ChannelMax), "auth": fmt.Sprint(uri.AuthMechanism), "sni": uri.ServerName,
		"certs": uri.CertFile + "," + uri.KeyFile + "," + uri.CACertFile}}
}

// natsServers reads a Connect argument as nats.go does: processUrlString
// splits at commas and trims spaces; parseServerURL adds nats:// to a bare
// host and the default port; the credentials used with a server are its
// URL's userinfo, else the options' (user and password, or a token).
func natsServers(list []string, user, pass, token string) reading {
	var servers []string
	secure := false
	wsList := -1 // nats.go refuses a list that mixes WebSocket and plain servers
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "://") {
			s = "nats://" + s
		}
		p, err := url.Parse(s)
		if err != nil {
			return errReading(err)
		}
		if p.Port() == "" {
			port := "4222"
			switch p.Scheme {
			case "ws":
				port = "80"
			case "wss":
				port = "443"
			}
			p.Host = strings.TrimSuffix(p.Host, ":") + ":" + port
		}
		if p.Scheme == "tls" || p.Scheme == "wss" {
			secure = true
		}
		isWS := 0
		if p.Scheme == "ws" || p.Scheme == "wss" {
			isWS = 1
		}
		if wsList >= 0 && wsList != isWS {
			return errReading(fmt.Errorf("nats: mixing of websocket and non websocket URLs is not allowed"))
		}
		wsList = isWS
		ws := ""
		if p.Scheme == "ws" || p.Scheme == "wss" {
			ws = " websocket" + p.Path // nats.go's WebSocket dials the path
		}
		cred := "user=" + user + " password=" + pass + " token=" + token
		if p.User != nil {
			if pw, ok := p.User.Password(); ok {
				cred = "user=" + p.User.Username() + " password=" + pw + " token="
			} else {
				cred = "user= password= token=" + p.User.Username()
			}
		}
		servers = append(servers, p.Hostname()+":"+p.Port()+ws+" "+cred)
	}
	return reading{fields: map[string]string{"servers": strings.Join(servers, " | "), "secure": fmt.Sprint(secure)}}
}

// pahoReading is what paho makes of a broker: AddBroker's URL, the
// transport its scheme selects, the address it dials, and the credentials
// of the broker URL, else the options'.
func pahoReading(broker, user, pass string) reading {
	opts := mqtt.NewClientOptions().AddBroker(broker).SetUsername(user).SetPassword(pass)
	if len(opts.Servers) != 1 {
		return errReading(fmt.Errorf("paho did not read the broker"))
	}
	b := opts.Servers[0]
	transport := map[string]string{"mqtt": "tcp", "tcp": "tcp", "ssl": "tls", "tls": "tls", "mqtts": "tls", "mqtt+ssl": "tls", "tcps": "tls", "ws": "ws", "wss": "wss", "unix": "unix"}[b.Scheme]
	if transport == "" {
		return errReading(fmt.Errorf("paho has no transport for this scheme"))
	}
	dial := b.Host
	if transport == "unix" && dial == "" { // paho dials the path when the URL has no host
		dial = b.Path
	}
	if transport == "ws" || transport == "wss" {
		d := *b
		d.User = nil
		dial = d.String()
	}
	if _, _, err := net.SplitHostPort(b.Host); err != nil && (transport == "tcp" || transport == "tls") {
		dial += " (no port: the dial fails)"
	}
	if b.User != nil {
		user = b.User.Username()
		if pw, ok := b.User.Password(); ok {
			pass = pw
		}
	}
	return reading{fields: map[string]string{"transport": transport, "dial": dial, "user": user, "password": pass}}
}

// readers per family: the original and the output, through the same parser.
var readers = map[string][]reader{
	"postgres": {
		{"pgx+pgxpool", func(raw string) reading { return pgxReading(raw, true) }, func(u backing.URL) reading { return pgxReading(postgresOut(u, true), true) }},
		{"pgx", func(raw string) reading { return pgxReading(raw, false) }, func(u backing.URL) reading { return pgxReading(postgresOut(u, false), false) }},
		{"lib/pq", pqReading, func(u backing.URL) reading { return pqReading(postgresOut(u, false)) }},
	},
	"mysql": {
		{"go-sql-driver/mysql", mysqlOrig, func(u backing.URL) reading {
			_, dsn, err := u.SQL()
			if err != nil {
				return errReading(err)
			}
			return mysqlReading(dsn)
		}},
	},
	"redis": {
		{"go-redis URL", redisReading, func(u backing.URL) reading { return redisReading(u.Reveal()) }},
		{"go-redis Options", func(raw string) reading {
			r := redisReading(raw)
			if r.err == nil {
				for _, k := range []string{"client_name", "protocol", "pool", "timeouts", "retries"} {
					// [redis-options-struct]: not carried by Redis(); the
					// "go-redis URL" reader checks them through Reveal.
					delete(r.fields, k)
				}
			}
			return r
		}, redisOptionsReading},
	},
	"amqp": {
		{"amqp091-go", amqpReading, func(u backing.URL) reading {
			s, err := u.AMQP()
			if err != nil {
				return errReading(err)
			}
			return amqpReading(s)
		}},
	},
	"nats": {
		{"nats.go", func(raw string) reading { return natsServers(strings.Split(raw, ","), "", "", "") }, func(u backing.URL) reading {
			o, err := u.NATS()
			if err != nil {
				return errReading(err)
			}
			r := natsServers(o.Servers, o.User, o.Password.Reveal(), o.Token.Reveal())
			if r.err == nil && (o.TLS != nil) != (r.fields["secure"] == "true") {
				r.fields["tls config"] = "mismatch"
			}
			return r
		}},
	},
	"mqtt": {
		{"paho", func(raw string) reading { return pahoReading(raw, "", "") }, func(u backing.URL) reading {
			o, err := u.MQTT()
			if err != nil {
				return errReading(err)
			}
			r := pahoReading(o.Broker, o.Username, o.Password.Reveal())
			if r.err == nil && (o.TLS != nil) != (r.fields["transport"] == "tls" || r.fields["transport"] == "wss") {
				r.fields["tls config"] = "mismatch"
			}
			return r
		}},
	},
}

func init() {
	readers["mongodb"] = []reader{{"mongo-driver connstring", mongoReading, mongoOut}}
}

// compare runs one case through every reader of its family; a reader may
// differ only where the case's listed difference allows it.
func compare(c dcase) diffResult {
	// Each text is read as a field declaring its family reads it
	// (backing.PostgresURL, NATSURL...): the declared family decides.
	u, perr := backing.Parse(c.raw, backing.WithFamily(c.fam))
	if perr != nil {
		// Parse refuses what the strictest driver of the family refuses
		// (pgxpool's option checks, for lib/pq users too): a listed
		// difference for the drivers that would fail only at connect time.
		refused := 0
		for _, r := range readers[c.fam] {
			if r.orig(c.raw).err != nil {
				refused++
			}
		}
		switch {
		case refused == len(readers[c.fam]):
			return diffResult{agree: true}
		case refused > 0:
			return diffResult{listed: true, why: "strictest-driver"}
		}
	}
	listed := false
	pgxAgreed := false
	for _, r := range readers[c.fam] {
		res := compareOne(c, r, u, perr)
		if res.agree {
			pgxAgreed = pgxAgreed || r.name == "pgx+pgxpool"
			continue
		}
		if r.name == "lib/pq" && pgxAgreed && perr == nil {
			// lib/pq's URL parser is not libpq's; backing follows pgx. The
			// DSN must still mean the same to lib/pq as to pgx.
			if why := samePostgresDSN(u); why != "" {
				return diffResult{why: why}
			}
			return diffResult{listed: true, why: "pq-url-reading"}
		}
		if c.diff != "" && (scoped[c.diff] == nil || slices.Contains(scoped[c.diff], r.name)) {
			listed = true
			continue
		}
		return res
	}
	return diffResult{agree: !listed, listed: listed}
}

func compareOne(c dcase, r reader, u backing.URL, perr error) diffResult {
	{
		o := r.orig(c.raw)
		switch {
		case perr != nil && o.err != nil:
			return diffResult{agree: true} // both refuse
		case perr != nil:
			return diffResult{why: r.name + " reads it, Parse refuses: " + perr.Error()}
		case o.err != nil:
			return diffResult{why: r.name + " refuses the original (" + o.err.Error() + "), Parse accepts"}
		}
		if u.Scheme() != c.fam {
			return diffResult{why: "Parse read family " + u.Scheme()}
		}
		out := r.out(u)
		if out.err != nil {
			return diffResult{why: r.name + " refuses the output: " + out.err.Error()}
		}
		if o.String() != out.String() {
			return diffResult{why: r.name + " reads differently:\n\toriginal: " + o.String() + "\n\toutput:   " + out.String()}
		}
	}
	return diffResult{agree: true}
}

// TestDifferential feeds every case's original text and backing's output
// to the same driver parsers and compares their readings. A case agrees
// when the readings match, or when both refuse the text, or when the
// difference is one the backing package doc lists under "Deliberate
// differences" (the case names it). It logs the count and agreement per
// family and fails below 98% or on any unexplained difference.
func TestDifferential(t *testing.T) {
	home := t.TempDir() // no ~/.pgpass, no service file, no PG* variables
	t.Setenv("HOME", home)
	t.Setenv("PGPASSFILE", filepath.Join(home, "none"))
	for _, k := range []string{"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGSERVICE", "PGSERVICEFILE", "PGAPPNAME", "PGCONNECT_TIMEOUT"} {
		t.Setenv(k, "")
		_ = os.Unsetenv(k)
	}
	doc := packageDoc(t)
	type tally struct{ n, agree, listed int }
	per := map[string]*tally{}
	total, agreed := 0, 0
	for _, c := range corpus() {
		tl := per[c.fam]
		if tl == nil {
			tl = &tally{}
			per[c.fam] = tl
		}
		tl.n++
		total++
		res := compare(c)
		switch {
		case res.agree:
			tl.agree++
			agreed++
		case res.listed && (res.why == "strictest-driver" || res.why == "pq-url-reading") && strings.Contains(doc, "["+res.why+"]"):
			tl.agree++
			tl.listed++
			agreed++
		case res.listed && res.why == "" && strings.Contains(doc, "["+c.diff+"]"):
			tl.agree++
			tl.listed++
			agreed++
		case res.listed:
			t.Errorf("%s: difference %q is not listed in the backing package doc", c.raw, c.diff)
		default:
			t.Errorf("%s: %s", c.raw, res.why)
		}
	}
	fams := slices.Sorted(maps.Keys(per))
	for _, f := range fams {
		tl := per[f]
		line := fmt.Sprintf("%-9s %3d cases, %3d agree (%5.1f%%), %d of them by a listed difference", f, tl.n, tl.agree, 100*float64(tl.agree)/float64(tl.n), tl.listed)
		t.Log(line)
		fmt.Println("conformance: " + line) // shown without -v, for CI logs
	}
	pct := 100 * float64(agreed) / float64(total)
	t.Logf("all       %3d cases, %3d agree (%5.1f%%)", total, agreed, pct)
	fmt.Printf("conformance: differential suite: %d cases, %.1f%% agreement with the drivers' own readings\n", total, pct)
	if pct < 98 {
		t.Errorf("agreement %.1f%% is below 98%%", pct)
	}
}

// packageDoc returns the backing package's doc.go text.
func packageDoc(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join("..", "backing", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// samePostgresDSN checks that pgx and lib/pq read backing's DSN alike: the
// same hosts and ports, user, password and database. It returns the
// difference, or "".
func samePostgresDSN(u backing.URL) string {
	dsn := postgresOut(u, false)
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return "pgx refuses the DSN: " + err.Error()
	}
	pc, err := pq.NewConfig(dsn)
	if err != nil {
		return "lib/pq refuses the DSN: " + err.Error()
	}
	hosts := func(h string, p uint16, more []string) string {
		return strings.Join(append([]string{fmt.Sprintf("%s:%d", h, p)}, more...), ",")
	}
	var gx, pq []string
	seen := map[string]bool{}
	for _, f := range cfg.Fallbacks {
		if k := fmt.Sprintf("%s:%d", f.Host, f.Port); !seen[k] && k != fmt.Sprintf("%s:%d", cfg.Host, cfg.Port) {
			seen[k] = true
			gx = append(gx, k)
		}
	}
	for _, m := range pc.Multi {
		pq = append(pq, fmt.Sprintf("%s:%d", m.Host, m.Port))
	}
	a := hosts(cfg.Host, cfg.Port, gx) + " " + cfg.User + " " + cfg.Password + " " + cfg.Database
	b := hosts(pc.Host, pc.Port, pq) + " " + pc.User + " " + pc.Password + " " + pc.Database
	if a != b {
		return "pgx and lib/pq read the DSN differently: " + a + " | " + b
	}
	return ""
}
