package backing

import (
	"bufio"
	"crypto/tls"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twelvekit/twelvekit/config"
)

var redisFamily = family{
	name: "redis",
	schemes: []scheme{
		{name: "redis", port: 6379},
		{name: "rediss", variant: "rediss", port: 6379, tls: TLSVerify},
		{name: "unix", variant: "unix"},
		{name: "redis+unix", variant: "unix"},
		{name: "redis-socket", variant: "unix"},
	},
	example:     "redis://:password@host:6379/0",
	hier:        true,
	userName:    true,
	plus:        true,
	defaultHost: "localhost",
	public:      publicParts{database: true, keys: []string{"db", "protocol", "client_name", "pool_size", "pool_timeout", "pool_fifo", "min_idle_conns", "max_idle_conns", "max_active_conns", "dial_timeout", "read_timeout", "write_timeout", "max_retries", "min_retry_backoff", "max_retry_backoff", "conn_max_idle_time", "conn_max_lifetime", "addr", "read_only", "route_by_latency", "route_randomly", "max_redirects"}},
	secretParam: isSecretParam,
	finish:      finishRedis,
	write:       writeRedis,
	greet:       greetRedis,
}

// redisOpt is how go-redis reads an option: its value's kind and whether
// ParseURL (single) and ParseClusterURL (cluster) know it.
type redisOpt struct {
	kind            byte // 'i' int, 'd' duration, 'b' bool, 's' string, 'a' addr
	single, cluster bool
}

var redisOpts = map[string]redisOpt{
	"protocol": {'i', true, true}, "client_name": {'s', true, true}, "max_retries": {'i', true, true},
	"min_retry_backoff": {'d', true, true}, "max_retry_backoff": {'d', true, true},
	"dial_timeout": {'d', true, true}, "read_timeout": {'d', true, true}, "write_timeout": {'d', true, true},
	"pool_fifo": {'b', true, true}, "pool_size": {'i', true, true}, "pool_timeout": {'d', true, true},
	"min_idle_conns": {'i', true, true}, "max_idle_conns": {'i', true, true}, "max_active_conns": {'i', true, true},
	"max_concurrent_dials": {'i', true, true}, "pipeline_pool_size": {'i', true, true},
	"pipeline_read_buffer_size": {'i', true, true}, "pipeline_write_buffer_size": {'i', true, true},
	"conn_max_idle_time": {'d', true, true}, "conn_max_lifetime": {'d', true, true},
	"conn_max_lifetime_jitter": {'d', true, true},
	"idle_timeout":             {'d', true, false}, "max_conn_age": {'d', true, false}, "skip_verify": {'b', true, false},
	"max_redirects": {'i', false, true}, "read_only": {'b', false, true}, "route_by_latency": {'b', false, true},
	"route_by_latency_tolerance": {'d', false, true}, "route_randomly": {'b', false, true},
	"dialer_retries": {'i', false, true}, "dialer_retry_timeout": {'d', false, true},
	"failing_timeout_seconds": {'i', false, true}, "addr": {'a', false, true},
}

// redisDuration reports whether s reads as go-redis reads a duration: whole
// seconds, or a time.ParseDuration text.
func redisDuration(s string) bool {
	if s == "" || isInt(s) {
		return true
	}
	_, err := time.ParseDuration(s)
	return err == nil
}

// isInt reports whether s is a decimal integer strconv.Atoi reads, without
// the allocation of its error for text that is not.
func isInt(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" || len(s) > 18 {
		_, err := strconv.Atoi(s)
		return err == nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func finishRedis(u *URL, params []Param) error {
	db := ""
	if u.variant == "unix" {
		if u.path == "" || u.path == "/" {
			return errorf("missing socket path; write unix:///path/to/redis.sock")
		}
		u.hosts = []Host{{Name: u.path, Unix: true}}
	} else {
		var segs []string
		for s := range strings.SplitSeq(u.path, "/") {
			if s != "" {
				segs = append(segs, s)
			}
		}
		if len(segs) > 1 {
			return errorf("a Redis URL path holds only the database number; write it as /0")
		}
		if len(segs) == 1 {
			db = segs[0]
		}
	}
	cluster := slices.ContainsFunc(params, func(p Param) bool { return p.Key == "addr" })
	if cluster && u.variant == "unix" {
		return errorf("a Redis Cluster URL (addr=) cannot be a unix socket; write redis://host:port?addr=host2:port")
	}
	kept := params[:0] // filtered in place: each is written at or before where it is read
	for _, p := range params {
		o, ok := redisOpts[p.Key]
		switch {
		case p.Key == "db":
			if cluster {
				return errorf("a Redis Cluster URL (addr=) has no database; remove db")
			}
			db = p.Value
			continue
		case !ok:
			return errorf("unknown Redis option; go-redis reads only its own options (pool_size, dial_timeout, client_name, addr...): fix the option's name or remove it")
		case cluster && !o.cluster:
			return errorf("an option go-redis does not read for a Redis Cluster URL (addr=); remove it")
		case !cluster && !o.single:
			return errorf("an option go-redis reads only for a Redis Cluster URL, which has addr= options; remove it or add the cluster nodes")
		}
		switch o.kind {
		case 'i':
			if p.Value != "" && !isInt(p.Value) {
				return errorf("a Redis option that takes a number is not one; write a whole number such as 10")
			}
		case 'd':
			if !redisDuration(p.Value) {
				return errorf("a Redis timeout option is not a duration; write seconds (5) or a duration (500ms, 2s)")
			}
		case 'b':
			b, ok := parseBool(p.Value)
			if !ok {
				return errorf("a Redis option that takes a boolean is not one; write true, false, 1 or 0")
			}
			if p.Key == "skip_verify" {
				if u.variant != "rediss" {
					return errorf("skip_verify applies only to rediss:// URLs; to skip certificate checks in code, use backing.WithInsecureSkipVerify")
				}
				if b {
					u.tls, u.insecure = TLSRequire, true
				} else {
					u.tls, u.insecure = TLSVerify, false
				}
			}
		case 'a':
			if p.Value == "" {
				return errorf("an empty addr option; write addr=host:port")
			}
			h, err := parseHost(p.Value, 0, false)
			if err != nil || h.Port == 0 || h.Unix {
				return errorf("an addr option is not host:port; write addr=host:6379")
			}
			u.hosts = append(u.hosts, h)
		}
		kept = append(kept, p)
	}
	if len(kept) > 0 {
		u.params = kept
	}
	if db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return errorf("the Redis database is not a number from 0 up; write it as /0 or ?db=0")
		}
		if n != 0 && cluster {
			// go-redis's cluster client ignores it: Redis Cluster has
			// database 0 only.
			return errorf("a Redis Cluster URL (addr=) names a database other than 0, which Redis Cluster does not have; remove the /N or ?db=N")
		}
		u.redisDB = n
	}
	u.database = strconv.Itoa(u.redisDB)
	if len(u.hosts) > 0 && u.hosts[0].Unix {
		u.variant = "unix"
		u.hosts = u.hosts[:1]
		u.hosts[0].Port = 0
	}
	u.path = ""
	return nil
}

func writeRedis(u *URL, b *strings.Builder, hide bool) {
	if u.variant == "unix" {
		b.WriteString(escape(u.hosts[0].Name, pathKeep))
		u.writeQuery(b, hide, Param{Key: "db", Value: strconv.Itoa(u.redisDB)})
		return
	}
	b.WriteString(u.hosts[0].urlHost())
	if u.isCluster() {
		u.writeQuery(b, hide)
		return
	}
	b.WriteByte('/')
	b.WriteString(strconv.Itoa(u.redisDB))
	u.writeQuery(b, hide)
}

func (u URL) isCluster() bool {
	return slices.ContainsFunc(u.Params(), func(p Param) bool { return p.Key == "addr" })
}

// RedisOptions is what a Redis client such as go-redis needs, field by field
// (redis.Options and redis.ClusterOptions have the same names). Password is
// a [config.Secret]: pass Password.Reveal() to the client.
type RedisOptions struct {
	Network  string   // "tcp" or "unix"
	Addr     string   // host:port, or the socket path
	Addrs    []string // every host:port, for a Redis Cluster URL (addr= options); nil otherwise
	Username string   // "" for Heroku's legacy "h" user, see [URL.Redis]
	Password config.Secret
	DB       int
	TLS      *tls.Config // nil for redis://, verified for rediss:// unless skip_verify=true
}

// Redis returns a redis, rediss or unix URL's options for a Redis client.
// The legacy user "h" of Heroku Redis URLs (redis://h:password@host) is
// dropped, since Redis 6 would read it as an ACL user that does not exist;
// the password then authenticates the default user. Heroku's rediss:// URLs
// need [WithInsecureSkipVerify] at Parse (or skip_verify=true in the URL)
// for their self-signed certificates. Query options (pool_size,
// dial_timeout...) are not carried: [URL.Reveal] is a URL that go-redis's
// ParseURL (or ParseClusterURL) reads as it reads the original, options
// included. Other families give an error wrapping [ErrFamily].
func (u URL) Redis() (RedisOptions, error) {
	if err := u.want("Redis", "redis"); err != nil {
		return RedisOptions{}, err
	}
	o := RedisOptions{Network: "tcp", Addr: u.hosts[0].String(), Username: u.user, Password: u.Password(), DB: u.redisDB, TLS: u.TLSConfig()}
	if u.hosts[0].Unix {
		o.Network = "unix"
	}
	if u.isCluster() {
		for _, h := range u.hosts {
			o.Addrs = append(o.Addrs, h.String())
		}
	}
	if o.Username == "h" && u.hasPass {
		o.Username = ""
	}
	return o, nil
}

// greetRedis sends PING as a RESP array and reads one reply line: +PONG, or
// an error of Redis's own kinds (NOAUTH when a password is needed, DENIED
// in protected mode, LOADING...).
func greetRedis(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if line == "+PONG" {
		return nil
	}
	if kind, _, ok := strings.Cut(line, " "); ok {
		switch kind {
		case "-NOAUTH", "-ERR", "-WRONGPASS", "-DENIED", "-LOADING", "-MASTERDOWN", "-BUSY", "-NOPERM", "-MISCONF":
			return nil
		}
	}
	return wrongf("the answer to PING is not Redis's")
}
