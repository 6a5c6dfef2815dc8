package conformance

import "net/url"

// declaredCases are the values a field declaring its family reads that are
// not that family's own URLs: schemes shared with another family (ws and
// wss in NATS, tls and unix in MQTT) and the drivers' forms that are not
// URLs (libpq keyword/value strings, go-sql-driver DSNs, bare NATS and MQTT
// hosts), with texts the drivers refuse among them.
func declaredCases() []dcase {
	var out []dcase
	add := func(fam, diff string, raws ...string) {
		for _, r := range raws {
			out = append(out, dcase{fam: fam, raw: r, diff: diff})
		}
	}
	for _, pw := range corpusPasswords {
		ui := url.UserPassword("u", pw).String()
		add("nats", "", "ws://"+ui+"@n.example.com:8080", "wss://"+ui+"@n.example.com/ws")
		add("mqtt", "", "tls://"+ui+"@broker.example.com:8883")
		if pw != "p ss" && pw != "p/ss" { // go-sql-driver takes the password as written, up to the last '@'
			add("mysql", "", "u:"+pw+"@tcp(db.example.com:3306)/app?parseTime=true")
		}
	}
	for _, pw := range []string{"simple", "p@ss", "p:ss", "p/ss", "p#ss", "p%ss", "a+b", "=&;", "pä€"} {
		add("postgres", "", "host=db.example.com port=5432 dbname=app user=u password="+pw+" sslmode=require")
	}

	// NATS: nats.go's WebSocket schemes and server lists without scheme.
	add("nats", "",
		"ws://localhost:8080", "ws://localhost", "wss://localhost", "ws://h:9222/nats", "WS://h:80", "wss://tok@h:443",
		"ws://a:8080,ws://b:8081", "wss://a, wss://b", "ws://u:p@a,ws://u:p@b:81", "ws://[::1]:8080",
		"localhost:4222", "localhost", "127.0.0.1:4222", "h1:4222,h2:4223", "h1,h2,h3:4333", " h1:4222 , h2:4222 ",
		"u:p@h:4222", "tok@h", "[::1]:4222", "[::1]", "nats.internal:4222",
		"ws://a,nats://b", "nats://a,wss://b", "h1:abc",
	)
	// MQTT: paho's tls and unix transports, and brokers without scheme.
	add("mqtt", "",
		"tls://h:8883", "tls://u:p@h:8883", "TLS://h:8883", "tls://[::1]:8883",
		"unix:///run/mosquitto/mosquitto.sock", "unix:///tmp/mqtt.sock", "unix://u:p@/tmp/mqtt.sock",
		"h:1883", "broker.example.com:1883", ":1883", "u:p@h:1883", "[::1]:1883", "127.0.0.1:1884",
		"h:abc",
	)
	add("mqtt", "mqtt-port", "tls://h", "h", "broker.example.com")
	add("mqtt", "", "broker:1883/ignored", "10.0.0.5:1883")
	add("nats", "", "h:4222/", "nats.example.com:4222", "10.0.0.1:4222,10.0.0.2:4222")
	add("nats", "nats-shared-credentials", "u:p@h1,h2")

	// PostgreSQL: libpq keyword/value strings, as its documentation and
	// pgconn's tests write them.
	add("postgres", "",
		"host=localhost port=5432 dbname=mydb connect_timeout=10", "host=h dbname=d user=jack password=secret",
		"host=h dbname=d sslmode=disable", "host=h dbname=d sslmode=verify-full", "host=h dbname=d sslmode=allow",
		"user=jack password=secret host=localhost port=5432 dbname=mydb sslmode=disable",
		"host = h  dbname = d  user = jack", "  host=h dbname=d  ", "host=h\tdbname=d",
		"host=h dbname=d password='it\\'s a secret'", "host=h dbname=d password='a\\\\b'", "host=h dbname=d password=a\\ b",
		"host=h dbname=d password=''", "host=h dbname=d user=", "host=h dbname=d application_name='my app'",
		"host=h dbname=d application_name=myapp search_path=s1", "host=h dbname=d options='-c statement_timeout=5000'",
		"host=h dbname=d target_session_attrs=read-write", "host=h1,h2 port=5432,5433 dbname=d", "host=h1,h2 dbname=d",
		"host=/tmp dbname=d", "host=/var/run/postgresql port=5433 dbname=d user=jack", "host=::1 dbname=d",
		"host=h port=5433 dbname=d sslmode=verify-full sslrootcert=system", "host=h dbname=d dbname=e", "host=h dbname=d connect_timeout=5",
		"host=h dbname='my db'", "host=h dbname=d user=jack sslmode=prefer",
		"host=h dbname='d", "host=h dbname=d sslmode=bogus", "host=h port=abc dbname=d", "host=h dbname=d connect_timeout=x",
		"host=h dbname=d target_session_attrs=bogus", "host=h dbname=d port=1,2,3",
	)
	add("postgres", "host-required", "dbname=d", "user=jack dbname=d password=secret")
	add("postgres", "", "host=db dbname=app service=foo", "postgres://db/app?service=foo", "host=db dbname=app keepalives=1")
	add("postgres", "client-params", "host=h dbname=d pool_max_conns=10")

	// MySQL: go-sql-driver's own DSNs, as its README and tests write them.
	add("mysql", "",
		"user:password@tcp(localhost:5555)/dbname?tls=skip-verify&autocommit=true", "user:password@/dbname",
		"user:password@tcp([de:ad:be:ef::ca:fe]:80)/dbname?timeout=90s&collation=utf8mb4_unicode_ci",
		"user@unix(/path/to/socket)/dbname?charset=utf8", "user:password@tcp(localhost:5555)/dbname?charset=utf8&tls=true",
		"user:password@tcp(127.0.0.1:3306)/dbname?parseTime=true&loc=Local", "root@tcp(127.0.0.1:3306)/test",
		"u:p@tcp(h)/d", "u:p@tcp(h:3307)/d?parseTime=True&charset=utf8mb4", "u:p@tcp(h:3306)/", "u:p@tcp(h:3306)/d?tls=false",
		"u:p@tcp(h:3306)/d?tls=preferred", "u:p@tcp(h:3306)/d?loc=Europe%2FParis", "u:p@tcp(h:3306)/d?timeout=5s&readTimeout=1s&writeTimeout=1s",
		"u:p@tcp(h:3306)/d?sql_mode=TRADITIONAL", "u:p@tcp(h:3306)/d?interpolateParams=true&multiStatements=true",
		"u:p:q@tcp(h)/d", "u:p@q@tcp(h)/d", "u:p#q@tcp(h)/d", "@tcp(h:3306)/d", "tcp(h:3306)/d", "u@tcp(h)/d?tls=true",
		"u:p@unix(/run/mysqld/mysqld.sock)/d?parseTime=true",
		"u:p@tcp(h:3306/d", "u:p@tcp(h:3306)/d?parseTime=maybe", "u:p@tcp(h:3306)/d?timeout=soon", "u:p@tcp(h:3306)/d?tls=custom",
		"u:p@tcp(h:3306)",
	)
	add("mysql", "mysql-dsn-host", "/dbname", "u@unix()/d", "u:p@cloudsql(project:region:instance)/d", "u:p@tcp6([::1]:3306)/d")
	add("mysql", "port-range", "u:p@tcp(h:99999)/d")
	add("nats", "port-range", "h1:99999")
	add("mysql", "client-params", "u:p@tcp(h:3306)/d?max_open_conns=5")
	add("mysql", "", "u:p@tcp(h:3306)/d?maxAllowedPacket=abc", "u:p@tcp(h:3306)/d?maxAllowedPacket=4194304",
		"u:p@tcp(h:3306)/d?tls=true&serverPubKey=x", "u:p@tcp(h:3306)/d?compress=maybe", "u:p@tcp(h:3306)/d?timeTruncate=1s",
		"mysql://u:p@h/d?maxAllowedPacket=abc")
	return out
}
