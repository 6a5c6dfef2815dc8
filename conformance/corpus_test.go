package conformance

import (
	"net/url"
	"strings"
)

// dcase is one text of the differential corpus: its family and, when the
// drivers' readings of the original and of backing's output differ on
// purpose, the name of that difference as the backing package doc lists it
// ("[name]"). Nothing here says what a driver should read: the drivers say.
type dcase struct {
	fam  string
	raw  string
	diff string
}

// corpusPasswords are the passwords every family is tried with: reserved
// URL characters (escaped, as net/url writes them), quotes and backslashes
// for the keyword/value DSN, non-ASCII, spaces, and an escaped escape.
var corpusPasswords = []string{
	"simple", "p@ss", "p:ss", "p/ss", "p?ss", "p#ss", "p%ss", "p ss", "it's\\", "a+b", "=&;", "pä€", "[x]", "%41", "-._~", "'\"`",
}

// corpus returns the cases: every password on every family, then the forms
// of each family as platforms, documentation and the drivers' own tests
// write them, and texts the drivers refuse.
func corpus() []dcase {
	var out []dcase
	add := func(fam, diff string, raws ...string) {
		for _, r := range raws {
			out = append(out, dcase{fam: fam, raw: r, diff: diff})
		}
	}
	for _, pw := range corpusPasswords {
		ui := url.UserPassword("u", pw).String()
		add("postgres", "", "postgres://"+ui+"@db.example.com/app", "postgresql://"+ui+"@db.example.com:5433/app?sslmode=require")
		add("mysql", "mysql-tls", "mysql://"+ui+"@db.example.com/app")
		add("mysql", "", "mysql://"+ui+"@db.example.com/app?tls=skip-verify")
		add("redis", "", "redis://"+ui+"@cache.example.com/3", "rediss://"+ui+"@cache.example.com:6380")
		add("amqp", "", "amqp://"+ui+"@mq.example.com/v", "amqps://"+ui+"@mq.example.com/")
		add("nats", "", "nats://"+ui+"@n.example.com", "tls://"+ui+"@n.example.com:4443")
		add("mqtt", "mqtt-port", "mqtt://"+ui+"@broker.example.com")
		add("mqtt", "", "ssl://"+ui+"@broker.example.com:8883")
	}

	// PostgreSQL: libpq's URI forms (its documentation and pgconn's tests).
	add("postgres", "",
		"postgres://localhost", "postgresql://localhost:5433", "postgresql://localhost/mydb",
		"postgresql://user@localhost", "postgresql://user:secret@localhost", "postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp",
		"postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp",
		"postgres://jack:secret@localhost:5432/mydb?sslmode=prefer", "postgres://jack:secret@localhost:5432/mydb?sslmode=disable",
		"postgres://jack:secret@localhost:5432/mydb?sslmode=allow", "postgres://jack:secret@localhost:5432/mydb?sslmode=require",
		"postgres://jack:secret@localhost:5432/mydb?sslmode=verify-ca", "postgres://jack:secret@localhost:5432/mydb?sslmode=verify-full",

		"postgres://jack:secret@[::1]:5432/mydb",
		"postgres://jack:secret@foo.example.com:5432,bar.example.com:5432/mydb", "postgres://jack:secret@foo,bar,baz/mydb",

		"postgres:///mydb?host=/tmp", "postgres:///mydb?host=/var/run/postgresql&port=5433&user=jack",
		"postgres://jack@:5433/mydb?host=/run/postgresql", "postgres://jack@h/mydb?host=a,b&port=1,2",
		"postgres://h/mydb?user=jack&password=p%40ss%2Fw", "postgres://jack@h/?dbname=other", "postgres://jack@h/x?database=other",
		"postgres://jack:secret@h/a%2Fb", "postgres://jack:secret@h/my%20db", "postgres://jack:secret@h/caf%C3%A9",
		"postgres://jack:secret@h/mydb?application_name=web&search_path=s1,s2", "postgres://jack:secret@h/mydb?options=-c%20statement_timeout%3D5000",
		"postgres://jack:secret@h/mydb?timezone=UTC&datestyle=ISO%2C%20MDY", "postgres://jack:secret@h/mydb?connect_timeout=5",
		"postgres://jack:secret@h/mydb?target_session_attrs=read-write", "postgres://jack:secret@h/mydb?sslmode=require&sslsni=0",
		"postgres://jack:secret@h/mydb?channel_binding=require",
		"postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9f8e7?sslmode=require",
		"postgres://u:p@db.abcdefghijkl.supabase.co:6543/postgres", "postgres://u.proj:p@aws-0-eu-central-1.pooler.supabase.com:5432/postgres",
		"postgresql://neondb_owner:p@ep-x-123.us-east-2.aws.neon.tech/neondb?sslmode=require",
		"postgres://u:p@h/mydb?sslmode=bogus", "postgres://u:p@h:99999/mydb", "postgres://u:p@h:abc/mydb",
		"postgres://u:p@[::1/mydb", "postgres://u:%zz@h/mydb", "postgres://u:p@h/mydb?port=abc",
	)
	add("postgres", "client-params",
		"postgres://jack:secret@h/mydb?pool_max_conns=10", "postgres://jack:secret@h/mydb?pool_max_conns=10&pool_min_conns=2&application_name=w",
		"postgres://jack:secret@h/mydb?pool_max_conn_lifetime=1h&pool_health_check_period=30s",
		"postgres://jack:secret@h/mydb?statement_cache_capacity=0", "postgres://jack:secret@h/mydb?default_query_exec_mode=exec",
	)
	add("postgres", "alias-schemes", "pgsql://u:p@h/d", "pg://u:p@h/d", "POSTGRES://u:p@h/d", "PostgreSQL://u:p@h:6543/d?sslmode=verify-full")
	add("postgres", "unescaped-at", "postgres://u:p@ss@h/d", "postgres://u:p@ss@w@h:5433/d")
	add("postgres", "pq-socket-host", "postgres://%2Fvar%2Frun%2Fpostgresql/mydb", "postgres://jack@%2Ftmp:5433/mydb")
	add("postgres", "pq-url-reading", "postgres://jack:secret@localhost:5432/mydb?ssl=true", "postgres://jack:secret@[2001:db8::1]/mydb?sslmode=disable",
		"postgres://jack:secret@foo:1,bar:2,baz:3/mydb?sslmode=disable", "postgres://jack:secret@a,b:5433/mydb?sslmode=allow",
		"postgres://jack:secret@h/mydb?sslmode=disable&sslmode=require", "postgres://u:p@h/d?sslmode=require&sslmode=disable",
		"postgres://u:p@h/d?user=other&password=q&sslmode=disable", "postgres://u:p@h1:5432,h2/d?sslmode=verify-ca&target_session_attrs=primary")
	add("postgres", "tls-files", "postgres://jack@localhost/mydb?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
		"postgres://jack@localhost/mydb?sslmode=require&sslcert=/nonexistent/c.pem&sslkey=/nonexistent/k.pem")
	add("postgres", "",
		"postgres://u:p@h:/d?sslmode=disable", "postgres://u:p@h/d?application_name=my+app&sslmode=disable",
		"postgres://u:p@h/d?sslmode=verify-full&sslrootcert=system",
		"postgresql://u:p@h/d?sslmode=prefer&connect_timeout=10&keepalives=1",
		"postgres://u:p%2Bq%26r@h/d?sslmode=require",
		"postgres://u:p@h/d?sslmode=disable&search_path=%22my%20schema%22", "postgres://u:p@h/d?sslmode=disable&host=other",
	)
	add("postgres", "",
		"postgres://u:p@h/d?sslmode=disable&connect_timeout=abc", "postgres://u:p@h/d?sslmode=disable&connect_timeout=-1",
		"postgres://u:p@h/d?sslmode=disable&target_session_attrs=bogus", "postgres://u:p@h/d?sslmode=disable&target_session_attrs=prefer-standby",
		"postgres://u:p@h/d?sslmode=disable&channel_binding=maybe", "postgres://u:p@h/d?sslmode=disable&sslcertmode=x",
		"postgres://u:p@h/d?sslmode=disable&pool_max_conns=0", "postgres://u:p@h/d?sslmode=disable&pool_max_conns=abc",
		"postgres://u:p@h/d?sslmode=disable&pool_max_conn_lifetime=forever", "postgres://u:p@h/d?sslmode=disable&default_query_exec_mode=bogus",
		"postgres://u:p@h/d?sslmode=disable&statement_cache_capacity=x",
	)
	add("postgres", "client-params", "postgres://u:p@h/d?sslmode=disable&pool_max_conn_lifetime=1h30m&pool_max_conns=4")
	add("postgres", "port-range", "postgres://u:p@h:0/mydb")
	add("postgres", "strict-query", "postgres://u:p@h/mydb?sslmode", "postgres://u:p@h/mydb?%zz=1")
	add("postgres", "port-list", "postgres://u@h/mydb?host=a,b&port=1,2,3")
	add("postgres", "host-required", "postgresql://", "postgres:///mydb", "postgres://jack@/mydb", "postgres://:5433/mydb")
	add("postgres", "keyword-value", "host=localhost port=5432 dbname=app", "host=/tmp user=jack dbname=app sslmode=disable")
	add("postgres", "ssl-only-true", "postgres://u:p@h/d?ssl=false", "postgres://u:p@h/d?ssl=1")

	// MySQL: go-sql-driver's DSN has no URL form; the URL is read by net/url
	// and written as its DSN field for field (see mysqlOrig).
	add("mysql", "",
		"mysql://root:@127.0.0.1:3306/test?tls=false", "mysql://root@localhost:3306/app?tls=true", "mysql://u:p@[::1]:3307/d?tls=preferred",
		"mysql://u:p@h:3306/d?tls=false&parseTime=true", "mysql://u:p@h:3306/d?tls=false&loc=Local", "mysql://u:p@h:3306/d?tls=false&loc=Europe%2FParis",
		"mysql://u:p@h:3306/d?tls=false&charset=utf8mb4", "mysql://u:p@h:3306/d?tls=false&collation=utf8mb4_unicode_ci",
		"mysql://u:p@h:3306/d?tls=false&timeout=5s&readTimeout=1s&writeTimeout=1s", "mysql://u:p@h:3306/d?tls=false&interpolateParams=true",
		"mysql://u:p@h:3306/d?tls=false&sql_mode=%27TRADITIONAL%27", "mysql://u:p@h:3306/d?tls=false&time_zone=%27%2B00%3A00%27",
		"mysql://u:p@h:3306/d?tls=false&multiStatements=true&clientFoundRows=true", "mysql://u:p@h:3306/d?tls=false&maxAllowedPacket=0",
		"mysql://u:p@h:3306/?tls=false", "mysql://u:p@h:3306?tls=false", "mysql://u:p@h:3306/d?tls=bogus",
		"mysql://u:p@h:3306/d?tls=false&parseTime=maybe", "mysql://u:p@h:3306/d?tls=false&timeout=soon",
	)
	add("mysql", "mysql-tls",
		"mysql://root:@127.0.0.1/test", "mariadb://u:p@h/d", "MySQL://u:p@h/d", "mysql://u:p@db.example.com/app?parseTime=true",
		"mysql://u:p@h/d?charset=utf8mb4,utf8", "mysql://user:pass@localhost/dbname", "mysql2://u:p@h/d", "maria://u:p@h/d",
	)
	add("mysql", "mysql-url-options",
		"mysql://u:p@h/d?ssl-mode=REQUIRED", "mysql://u:p@h/d?ssl-mode=VERIFY_IDENTITY", "mysql://u:p@h/d?sslmode=disabled",
		"mysql://u:p@h/d?sslaccept=strict", "mysql://u:p@h/d?ssl=true", "mysql://u:p@localhost/d?socket=/run/mysqld/mysqld.sock",
	)
	add("mysql", "client-params", "mysql://u:p@h/d?tls=false&max_open_conns=5&max_idle_conns=2", "mysql://u:p@h/d?tls=false&conn_max_lifetime=1h")
	add("mysql", "",
		"mysql://u:p@h/d?tls=false&charset=utf8mb4&parseTime=True&loc=Local", "mysql://u:p@h/d?tls=skip-verify&timeout=30s&readTimeout=30s",
		"mysql://u:p@tcp(h:3306)/d", "mysql://u:p@h/d?tls=custom", "mysql://u:p@h/d?tls=false&autocommit=true&transaction_isolation=%27READ-COMMITTED%27",
		"mysql://u:p%40q@h:3307/d?tls=true", "mysql://u@h/d?tls=false&allowNativePasswords=false",
	)
	add("mysql", "port-range", "mysql://u:p@h:0/d")
	add("mysql", "host-required", "mysql://u:p@/d?tls=false")

	// Redis: go-redis's ParseURL and ParseClusterURL tests, Heroku, Upstash.
	add("redis", "",
		"redis://localhost:123/1", "redis://localhost:123", "redis://localhost/1", "redis://12345", "rediss://localhost:123",
		"redis://:bar@localhost:123", "redis://foo@localhost:123", "redis://foo:bar@localhost:123", "redis://localhost:123/?db=2",
		"redis://localhost:123/0?db=2", "redis://localhost:123/?protocol=3", "redis://localhost:123/?client_name=hi",
		"redis://localhost:123/?pool_size=5&min_idle_conns=1&max_idle_conns=2&max_active_conns=9",
		"redis://localhost:123/?dial_timeout=3&read_timeout=6s&write_timeout=1", "redis://localhost:123/?dial_timeout=0&read_timeout=-1",
		"redis://localhost:123/?max_retries=5&min_retry_backoff=1&max_retry_backoff=2s", "redis://localhost:123/?pool_fifo=true&pool_timeout=7",
		"redis://localhost:123/?conn_max_idle_time=10&conn_max_lifetime=10m", "redis://localhost:123/?idle_timeout=5&max_conn_age=1h",
		"rediss://localhost:123/?skip_verify=true", "rediss://localhost:123/?skip_verify=false", "redis://[::1]:6380", "redis://[::1]",
		"redis://localhost:123/?db=2&pool_size=1", "redis://:6380", "redis://", "redis://u:p@h/0/", "redis://h//2",
		"unix:///tmp/redis.sock", "unix:///tmp/redis.sock?db=4", "unix://:pw@/tmp/redis.sock?db=1", "unix://user:pass@/tmp/redis.sock",
		"rediss://default:p@apn1-x-12345.upstash.io:12345", "redis://default:p@redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345",
		"REDIS://127.0.0.1:6379/2", "redis://localhost:123/?db=1&db=2",
		"redis://localhost:123/?abc=123", "redis://localhost:123/?pool_size=abc", "redis://localhost:123/?dial_timeout=abc",
		"redis://localhost:123/?pool_fifo=maybe", "redis://localhost:123/abc", "redis://localhost:123/1/2", "redis://localhost:123/?skip_verify=true",
		"redis://localhost:123/?read_only=true", "redis://localhost:123/?db=x", "unix://",
	)
	add("redis", "",
		"redis://localhost:123?addr=localhost:1234&addr=localhost:12345", "redis://localhost:123?addr=localhost:1234",
		"rediss://foo:bar@localhost:123?addr=localhost:1234", "redis://foo:bar@localhost:123?addr=[::1]:7000&read_only=true&route_by_latency=true",
		"redis://localhost:123?addr=localhost:1234&max_redirects=3&pool_size=5&dial_timeout=2s",
		"redis://localhost:123?addr=localhost:1234&db=1", "redis://localhost:123?addr=localhost&addr=b:1", "redis://localhost:123?addr=localhost:1234&idle_timeout=5",
	)
	add("redis", "",
		"redis://user:pass@host:6379/0?protocol=3", "rediss://:pass@host:6380/0?ssl_cert_reqs=none", "rediss://u:p@h:25061/defaultdb",
		"unix:///var/run/redis.sock?db=2", "unix:///tmp/redis.sock?password=x", "redis://localhost:6379/0?dial_timeout=5s&read_timeout=3s",
		"redis://localhost:6379?db=1", "redis://h:6379/0?max_retries=-1&pool_size=10&min_idle_conns=3",
	)
	add("redis", "redis-heroku-h", "redis://h:pw@ec2-1.compute-1.amazonaws.com:17599", "rediss://h:pw@ec2-1.compute-1.amazonaws.com:17600")
	add("redis", "alias-schemes", "redis+unix:///tmp/r.sock", "redis-socket:///tmp/r.sock")

	// AMQP: the RabbitMQ URI spec's examples, amqp091-go's tests, CloudAMQP.
	add("amqp", "",
		"amqp://user:pass@host:10000/vhost", "amqp://user%61:%61pass@host:10000/v%2Fhost", "amqp://", "amqp://:@/", "amqp://user@",
		"amqp://user:pass@", "amqp://host", "amqp://:10000", "amqp:///vhost", "amqp://host/", "amqp://host/%2F", "amqp://host/%2Ftest",
		"amqp://[::1]", "amqp://[::1]:5673/v", "amqp://[fe80::1%25en0]:5672/v", "amqps://host", "amqps://u:p@host:5999/v",
		"amqps://abc:xyz@rat.rmq.cloudamqp.com/abc", "amqp://guest:guest@localhost:5672/", "amqp://guest:guest@127.0.0.1/%2F?heartbeat=10",
		"amqp://h/?heartbeat=0", "amqp://h/?heartbeat=65535", "amqp://h/?connection_timeout=3000", "amqp://h/?channel_max=2047",
		"amqp://h/?auth_mechanism=external", "amqp://h/?auth_mechanism=plain&auth_mechanism=amqplain",
		"amqps://h/?certfile=/c.pem&keyfile=/k.pem&cacertfile=/ca.pem&server_name_indication=example.com", "AMQP://u:p@h/v",
		"amqp://h/a%2Fb", "amqp://h/v?frame_max=0", "amqp://h//", "amqp://h/%20",
		"amqp://h/?heartbeat=65536", "amqp://h/?heartbeat=-1", "amqp://h/?heartbeat=abc", "amqp://h/?channel_max=70000",
		"amqp://h/?connection_timeout=abc", "amqp://h:abc",
	)

	add("amqp", "",
		"amqps://user:pass@host/vhost?heartbeat=30&connection_timeout=10000", "amqp://user:pass@host:5672/%2f",
		"amqp://guest:guest@localhost:5672/?heartbeat=60", "amqp://localhost/vhost?heartbeat=10&connection_timeout=30000&frame_max=131072",
		"amqp://user:pass@host:5672/vhost?auth_mechanism=EXTERNAL", "amqps://u:p@b-1234.mq.us-east-1.amazonaws.com:5671",
	)
	add("amqp", "percent-host", "amqp://user%61:%61pass@ho%61st:10000/v%2Fhost")
	add("amqp", "port-range", "amqp://h:99999")

	// NATS: nats.go's server lists and credentials.
	add("nats", "",
		"nats://localhost:4222", "nats://localhost", "nats://127.0.0.1:4222,nats://127.0.0.1:4223", "nats://a:4222, nats://b:4222",
		"nats://a:4222 ,nats://b:4222 , nats://c", "nats://a,b:4223,c", "nats://s3cr3t@a", "nats://derek:pass@localhost:4222",
		"tls://localhost:4443", "tls://u:p@a", "nats://[::1]:4333", "NATS://localhost", "nats://u:p@a:4222,nats://u:p@b:4223",
		"nats://a,tls://b", "nats://tok@a:1,nats://tok@b:2",
	)
	add("nats", "", "nats://[fe80::1%25eth0]:4222", "nats://[::1]:4222,nats://[fe80::2%25en0]:4223", "nats://u:p@[2001:db8::1]")
	add("mqtt", "", "tcp://[fe80::1%25eth0]:1883", "wss://[fe80::1%25eth0]:443/mqtt")
	add("redis", "", "redis://[fe80::1%25eth0]:6379/1", "rediss://:p@[2001:db8::7]:6380")
	add("postgres", "", "postgres://u:p@[fe80::1%25eth0]:5432/d?sslmode=disable")
	add("postgres", "pq-url-reading", "postgres://u:p@[fe80::1%25eth0]/d?sslmode=verify-full")
	add("nats", "", "nats://host:4222/", "nats://host/foo", "nats://demo.nats.io", "nats://u:p@connect.ngs.global", "tls://connect.ngs.global:4222")
	add("nats", "nats-shared-credentials", "nats://u:p@a,b:4223", "nats://a,nats://u:p@b")

	// MQTT: paho's broker schemes.
	add("mqtt", "",
		"tcp://h:1883", "mqtt://u:p@h:1883", "ssl://h:8883", "mqtts://h:8883", "tls-is-nats://h", "tcps://h:8883", "mqtt+ssl://h:8883",
		"ws://h:80/mqtt", "wss://h:443/mqtt", "ws://u:p@h:9001/mqtt", "wss://h:8443/", "tcp://[::1]:1883", "tcp://tk%2Duser:p%40ss@127.0.0.1:1883",
		"MQTT://h:1883", "tcp://broker.hivemq.com:1883", "mqtt://broker:1883/topic", "ssl://u:p@b-x.iot.us-east-1.amazonaws.com:8883",
		"tcp://h:1883?client_id=x",
	)
	add("mqtt", "mqtt-port", "tcp://h", "mqtt://h", "ssl://h", "mqtts://u:p@h", "ws://h/mqtt", "wss://h/mqtt", "tcp://[::1]")
	// Platforms' documented forms: Heroku, Render, Railway, Fly, Supabase,
	// Neon, Azure, DigitalOcean, Aiven, PlanetScale, TiDB, Upstash, Redis
	// Cloud, CloudAMQP, Amazon MQ, Synadia, HiveMQ, EMQX.
	add("postgres", "",
		"postgres://u:p@ec2-54-0-0-1.compute-1.amazonaws.com:5432/d1abc?sslmode=require",
		"postgresql://app:p@dpg-abc123-a.oregon-postgres.render.com/app_db?sslmode=require",
		"postgresql://postgres:p@containers-us-west-1.railway.app:7432/railway?sslmode=disable",
		"postgres://postgres:p@app-db.flycast:5432/app?sslmode=disable",
		"postgresql://postgres.ref:p@aws-0-us-east-1.pooler.supabase.com:6543/postgres?sslmode=require&pgbouncer=true",
		"postgresql://u%40srv:p@srv.postgres.database.azure.com:5432/db?sslmode=verify-full",
		"postgresql://doadmin:p@db-postgresql-nyc1-1-do-user-1-0.b.db.ondigitalocean.com:25060/defaultdb?sslmode=require",
		"postgres://avnadmin:p@pg-1-proj.aivencloud.com:12691/defaultdb?sslmode=require",
		"postgres://u:p@h/d?sslmode=no-verify", "postgres://u:p@h/d?sslmode=require&options=endpoint%3Dep-cool-123",
	)
	add("mysql", "mysql-url-options",
		"mysql://u:p@aws.connect.psdb.cloud/db?sslaccept=strict", "mysql://avnadmin:p@mysql-1-proj.aivencloud.com:12691/defaultdb?ssl-mode=REQUIRED",
		"mysql://u.root:p@gateway01.us-east-1.prod.aws.tidbcloud.com:4000/test?ssl-mode=VERIFY_IDENTITY",
		"mysql://u:p@h/d?ssl=%7B%22rejectUnauthorized%22%3Atrue%7D",
	)
	add("mysql", "mysql-tls", "mysql://root:p@containers-us-west-1.railway.app:6543/railway", "mysql://u:p@h/d?sslcert=/c.pem")
	add("mysql", "", "mysql://u.root:p@gateway01.us-east-1.prod.aws.tidbcloud.com:4000/test?tls=true")
	add("redis", "",
		"rediss://default:p@fly-app.upstash.io:6379", "redis://red-abc123:6379", "rediss://red-abc:p@oregon-redis.render.com:6379",
		"rediss://default:p@db-redis-nyc1-1-do-user-1-0.b.db.ondigitalocean.com:25061", "redis://default:p@redis-1.c1.us-east-1-2.ec2.redns.redis-cloud.com:17001",
		"rediss://:p@h:6379/0?ssl_cert_reqs=required", "rediss://:p@h:6379/0?ssl_cert_reqs=CERT_NONE", "redis+sentinel://h:26379/mymaster",
		"redis://localhost:6379/0?decode_responses=True", "rediss://master.x.abc.use1.cache.amazonaws.com:6379",
	)
	add("amqp", "",
		"amqps://u:p@possum.lmq.cloudamqp.com/u", "amqps://u:p@b-1a2b.mq.us-east-1.amazonaws.com:5671", "amqp://u:p@rabbitmq.railway.internal:5672",
	)
	add("nats", "", "tls://connect.ngs.global", "nats://nats.fly.dev:4222", "nats://token@nats.internal:4222")
	add("mqtt", "",
		"ssl://abc.s1.eu.hivemq.cloud:8883", "wss://abc.s1.eu.hivemq.cloud:8884/mqtt", "mqtt://broker.emqx.io:1883", "mqtts://broker.emqx.io:8883",
		"ws://broker.emqx.io:8083/mqtt", "tcp://test.mosquitto.org:1883", "ssl://a1b2c3-ats.iot.eu-west-1.amazonaws.com:8883",
	)
	out = append(out, driverTestURLs...)
	out = append(out, declaredCases()...)
	out = append(out, mongoCases()...)
	out = append(out, kafkaCases()...)

	return dedupe(out)
}

func dedupe(in []dcase) []dcase {
	seen := map[string]bool{}
	out := in[:0]
	for _, c := range in {
		k := c.fam + " " + c.raw
		if seen[k] || strings.HasPrefix(c.raw, "tls-is-nats") {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}
