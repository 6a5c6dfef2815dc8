package conformance

import (
	"net/url"
	"strings"

	"github.com/twelvekit/twelvekit/backing"
)

// tc is one URL and what it means, written by hand (or from net/url's
// escaping of the password), never from backing's own output.
type tc struct {
	name  string
	raw   string
	fam   string   // postgres, mysql, redis, amqp, nats, mqtt
	hosts []string // host:port in order, or a socket path
	user  string
	pass  string
	db    string // database, vhost, redis DB number
	tls   backing.TLSMode
	keep  []string // connection options the driver must receive
	drop  []string // client options the driver must not receive
	token bool     // nats: the user is a token
}

// passwords are the tricky ones first: reserved URL characters, quotes and
// backslashes for the keyword/value DSN, non-ASCII, spaces and the empty one.
var passwords = []string{
	"p@ss", "p:ss", "p/ss", "p?ss", "p#ss", "p%ss", "p ss", "it's\\", "a+b", "=&;", "pä€", "[x]", "%41", "simple",
}

func userinfo(user, pass string) string { return url.UserPassword(user, pass).String() + "@" }

// cases returns the table: every password on every family with a parser,
// then hosts, sockets, TLS modes, options and aliases per family.
func cases() []tc {
	var out []tc
	for i, pw := range passwords {
		ui := userinfo("u", pw)
		n := "password " + strings.Repeat("#", i+1)
		out = append(out,
			tc{name: "postgres " + n, raw: "postgres://" + ui + "db.example.com/app", fam: "postgres", hosts: []string{"db.example.com:5432"}, user: "u", pass: pw, db: "app", tls: backing.TLSPrefer},
			tc{name: "mysql " + n, raw: "mysql://" + ui + "db.example.com/app", fam: "mysql", hosts: []string{"db.example.com:3306"}, user: "u", pass: pw, db: "app", tls: backing.TLSPrefer},
			tc{name: "redis " + n, raw: "redis://" + ui + "cache.example.com/3", fam: "redis", hosts: []string{"cache.example.com:6379"}, user: "u", pass: pw, db: "3"},
			tc{name: "amqp " + n, raw: "amqp://" + ui + "mq.example.com/v", fam: "amqp", hosts: []string{"mq.example.com:5672"}, user: "u", pass: pw, db: "v"},
			tc{name: "nats " + n, raw: "nats://" + ui + "n.example.com", fam: "nats", hosts: []string{"n.example.com:4222"}, user: "u", pass: pw},
			tc{name: "mqtt " + n, raw: "mqtt://" + ui + "broker.example.com", fam: "mqtt", hosts: []string{"broker.example.com:1883"}, user: "u", pass: pw},
		)
	}
	// An unescaped @ in the password, read as net/url reads it (last @).
	for _, f := range []struct{ fam, scheme, host, db, path string }{
		{"postgres", "postgres", "h:5432", "d", "/d"}, {"mysql", "mysql", "h:3306", "d", "/d"}, {"redis", "redis", "h:6379", "0", ""},
		{"amqp", "amqp", "h:5672", "/", ""}, {"nats", "nats", "h:4222", "", ""}, {"mqtt", "mqtt", "h:1883", "", ""},
	} {
		tls := backing.TLSDisable
		if f.fam == "postgres" || f.fam == "mysql" {
			tls = backing.TLSPrefer
		}
		out = append(out, tc{name: f.fam + " unescaped at", raw: f.scheme + "://u:p@ss@w@h" + f.path, fam: f.fam, hosts: []string{f.host}, user: "u", pass: "p@ss@w", db: f.db, tls: tls})
	}
	pg := func(name, raw string, hosts []string, user, pass, db string, tls backing.TLSMode, keep, drop []string) {
		out = append(out, tc{name: "postgres " + name, raw: raw, fam: "postgres", hosts: hosts, user: user, pass: pass, db: db, tls: tls, keep: keep, drop: drop})
	}
	P := backing.TLSPrefer
	pg("postgresql alias", "postgresql://u:p@h/d", []string{"h:5432"}, "u", "p", "d", P, nil, nil)
	pg("pgsql alias", "pgsql://u:p@h/d", []string{"h:5432"}, "u", "p", "d", P, nil, nil)
	pg("pg alias", "pg://u:p@h/d", []string{"h:5432"}, "u", "p", "d", P, nil, nil)
	pg("uppercase scheme", "POSTGRES://u:p@h/d", []string{"h:5432"}, "u", "p", "d", P, nil, nil)
	pg("heroku style", "postgres://usr:a1b2c3@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9f8e7?sslmode=require", []string{"ec2-1-2-3-4.compute-1.amazonaws.com:5432"}, "usr", "a1b2c3", "d9f8e7", backing.TLSRequire, nil, nil)
	pg("ipv6", "postgres://u:p@[::1]:6543/d", []string{"::1:6543"}, "u", "p", "d", P, nil, nil)
	pg("ipv6 default port", "postgres://u:p@[2001:db8::5]/d", []string{"2001:db8::5:5432"}, "u", "p", "d", P, nil, nil)
	pg("two hosts", "postgres://u:p@a,b:5433/d", []string{"a:5432", "b:5433"}, "u", "p", "d", P, nil, nil)
	pg("three hosts", "postgres://u:p@a:1,b:2,c:3/d", []string{"a:1", "b:2", "c:3"}, "u", "p", "d", P, nil, nil)
	pg("socket host", "postgres://u@%2Fvar%2Frun%2Fpostgresql/d", []string{"/var/run/postgresql:5432"}, "u", "", "d", P, nil, nil)
	pg("socket option", "postgres:///d?host=/tmp&user=u", []string{"/tmp:5432"}, "u", "", "d", P, nil, nil)
	pg("socket option port", "postgres:///d?host=/tmp&port=5433", []string{"/tmp:5433"}, "", "", "d", P, nil, nil)
	pg("password option", "postgres://h/d?user=u&password=p%40w", []string{"h:5432"}, "u", "p@w", "d", P, nil, nil)
	pg("dbname option", "postgres://u@h/?dbname=other", []string{"h:5432"}, "u", "", "other", P, nil, nil)
	pg("no database", "postgres://u:p@h", []string{"h:5432"}, "u", "p", "", P, nil, nil)
	pg("encoded database", "postgres://u:p@h/my%20db", []string{"h:5432"}, "u", "p", "my db", P, nil, nil)
	pg("options kept", "postgres://u:p@h/d?application_name=web&search_path=s1", []string{"h:5432"}, "u", "p", "d", P, []string{"application_name", "search_path"}, nil)
	pg("pool options apart", "postgres://u:p@h/d?pool_max_conns=10&pool_min_conns=2&application_name=w", []string{"h:5432"}, "u", "p", "d", P, []string{"application_name"}, []string{"pool_max_conns", "pool_min_conns"})
	pg("pgx client options apart", "postgres://u:p@h/d?statement_cache_capacity=0&default_query_exec_mode=exec", []string{"h:5432"}, "u", "p", "d", P, nil, []string{"statement_cache_capacity", "default_query_exec_mode"})
	for _, m := range []struct {
		q    string
		mode backing.TLSMode
	}{
		{"sslmode=disable", backing.TLSDisable}, {"sslmode=allow", backing.TLSPrefer}, {"sslmode=prefer", backing.TLSPrefer},
		{"sslmode=require", backing.TLSRequire}, {"sslmode=verify-ca", backing.TLSVerifyCA}, {"sslmode=verify-full", backing.TLSVerify},
		{"ssl=true", backing.TLSRequire},
	} {
		pg(m.q, "postgres://u:p@h/d?"+m.q, []string{"h:5432"}, "u", "p", "d", m.mode, nil, nil)
	}
	my := func(name, raw string, hosts []string, user, pass, db string, tls backing.TLSMode, keep, drop []string) {
		out = append(out, tc{name: "mysql " + name, raw: raw, fam: "mysql", hosts: hosts, user: user, pass: pass, db: db, tls: tls, keep: keep, drop: drop})
	}
	my("mariadb alias", "mariadb://u:p@h/d", []string{"h:3306"}, "u", "p", "d", P, nil, nil)
	my("uppercase", "MySQL://u:p@h/d", []string{"h:3306"}, "u", "p", "d", P, nil, nil)
	my("ipv6", "mysql://u:p@[::1]:3307/d", []string{"::1:3307"}, "u", "p", "d", P, nil, nil)
	my("socket", "mysql://u:p@localhost/d?socket=/run/mysqld/mysqld.sock", []string{"/run/mysqld/mysqld.sock"}, "u", "p", "d", P, nil, nil)
	my("no password", "mysql://root@h/d", []string{"h:3306"}, "root", "", "d", P, nil, nil)
	my("empty password", "mysql://root:@h/d", []string{"h:3306"}, "root", "", "d", P, nil, nil)
	my("options kept", "mysql://u:p@h/d?parseTime=true&loc=Europe%2FParis&charset=utf8mb4", []string{"h:3306"}, "u", "p", "d", P, []string{"parseTime", "loc", "charset"}, nil)
	my("pool options apart", "mysql://u:p@h/d?max_open_conns=5&max_idle_conns=2&pool_size=3", []string{"h:3306"}, "u", "p", "d", P, nil, []string{"max_open_conns", "max_idle_conns", "pool_size"})
	for _, m := range []struct {
		q    string
		mode backing.TLSMode
	}{
		{"tls=true", backing.TLSVerify}, {"tls=false", backing.TLSDisable}, {"tls=skip-verify", backing.TLSRequire}, {"tls=preferred", backing.TLSPrefer},
		{"ssl-mode=DISABLED", backing.TLSDisable}, {"ssl-mode=PREFERRED", backing.TLSPrefer}, {"ssl-mode=REQUIRED", backing.TLSRequire},
		{"ssl-mode=VERIFY_IDENTITY", backing.TLSVerify}, {"sslmode=required", backing.TLSRequire}, {"sslaccept=strict", backing.TLSVerify},
		{"sslaccept=accept_invalid_certs", backing.TLSRequire},
	} {
		my(m.q, "mysql://u:p@h/d?"+m.q, []string{"h:3306"}, "u", "p", "d", m.mode, nil, nil)
	}
	rd := func(name, raw string, hosts []string, user, pass, db string, tls backing.TLSMode) {
		out = append(out, tc{name: "redis " + name, raw: raw, fam: "redis", hosts: hosts, user: user, pass: pass, db: db, tls: tls})
	}
	D, V := backing.TLSDisable, backing.TLSVerify
	rd("heroku legacy h user", "redis://h:pw@ec2-1.compute-1.amazonaws.com:17599", []string{"ec2-1.compute-1.amazonaws.com:17599"}, "", "pw", "0", D)
	rd("heroku tls", "rediss://:pw@ec2-1.compute-1.amazonaws.com:17600", []string{"ec2-1.compute-1.amazonaws.com:17600"}, "", "pw", "0", V)
	rd("acl user", "redis://app:pw@h:6379/1", []string{"h:6379"}, "app", "pw", "1", D)
	rd("db option", "redis://h?db=5", []string{"h:6379"}, "", "", "5", D)
	rd("no db", "redis://h", []string{"h:6379"}, "", "", "0", D)
	rd("uppercase rediss", "REDISS://h:6380/2", []string{"h:6380"}, "", "", "2", V)
	rd("ipv6", "redis://[::1]:6380", []string{"::1:6380"}, "", "", "0", D)
	rd("socket", "unix:///tmp/redis.sock?db=4", []string{"/tmp/redis.sock"}, "", "", "4", D)
	rd("socket password", "unix://:pw@/tmp/redis.sock", []string{"/tmp/redis.sock"}, "", "pw", "0", D)
	am := func(name, raw string, hosts []string, user, pass, vhost string, tls backing.TLSMode) {
		out = append(out, tc{name: "amqp " + name, raw: raw, fam: "amqp", hosts: hosts, user: user, pass: pass, db: vhost, tls: tls})
	}
	am("no path", "amqp://u:p@h", []string{"h:5672"}, "u", "p", "/", D)
	am("slash path", "amqp://u:p@h/", []string{"h:5672"}, "u", "p", "/", D)
	am("encoded slash vhost", "amqp://u:p@h/%2F", []string{"h:5672"}, "u", "p", "/", D)
	am("vhost with slash", "amqp://u:p@h/a%2Fb", []string{"h:5672"}, "u", "p", "a/b", D)
	am("amqps default port", "amqps://u:p@h/v", []string{"h:5671"}, "u", "p", "v", V)
	am("user without password", "amqp://bob@h/v", []string{"h:5672"}, "bob", "guest", "v", D) // amqp091's default password
	am("no credentials", "amqp://h/v", []string{"h:5672"}, "guest", "guest", "v", D)
	am("cloudamqp", "amqps://abc:xyz@rat.rmq.cloudamqp.com/abc", []string{"rat.rmq.cloudamqp.com:5671"}, "abc", "xyz", "abc", V)
	am("ipv6", "amqp://u:p@[::1]:5673/v", []string{"::1:5673"}, "u", "p", "v", D)
	mq := func(name, raw string, hosts []string, user, pass string, tls backing.TLSMode) {
		out = append(out, tc{name: "mqtt " + name, raw: raw, fam: "mqtt", hosts: hosts, user: user, pass: pass, tls: tls})
	}
	mq("tcp", "tcp://h", []string{"h:1883"}, "", "", D)
	mq("ssl", "ssl://h", []string{"h:8883"}, "", "", V)
	mq("mqtts", "mqtts://u:p@h", []string{"h:8883"}, "u", "p", V)
	mq("ws", "ws://h/mqtt", []string{"h:80"}, "", "", D)
	mq("wss port", "wss://h:8443/mqtt", []string{"h:8443"}, "", "", V)
	mq("ipv6", "mqtt://[::1]", []string{"::1:1883"}, "", "", D)
	na := func(name, raw string, hosts []string, user, pass string, tls backing.TLSMode, token bool) {
		out = append(out, tc{name: "nats " + name, raw: raw, fam: "nats", hosts: hosts, user: user, pass: pass, tls: tls, token: token})
	}
	na("several hosts", "nats://a,b:4223,c", []string{"a:4222", "b:4223", "c:4222"}, "", "", D, false)
	na("list of urls", "nats://u:p@a:4222,nats://u:p@b:4223", []string{"a:4222", "b:4223"}, "u", "p", D, false)
	na("token", "nats://s3cr3t@a", []string{"a:4222"}, "s3cr3t", "", D, true)
	na("tls", "tls://u:p@a", []string{"a:4222"}, "u", "p", V, false)
	na("ipv6", "nats://[::1]:4333", []string{"::1:4333"}, "", "", D, false)
	return out
}
