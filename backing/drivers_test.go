package backing_test

import (
	"errors"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
)

func TestURL_SQL(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, driver, dsn string }{
		{"postgres://u:p'q\\@a,b:5433/db?sslmode=verify-full&application_name=web&pool_max_conns=5", "pgx",
			`host='a,b' port='5432,5433' user='u' password='p\'q\\' dbname='db' sslmode=verify-full application_name='web'`},
		{"postgres://%2Fvar%2Frun%2Fpostgresql/db", "pgx", `host='/var/run/postgresql' port='5432' dbname='db'`},
		{"mysql://root:p@ss%2Fw@[::1]/test?parseTime=true&max_open_conns=3&loc=Europe/Paris", "mysql",
			"root:p@ss/w@tcp([::1]:3306)/test?parseTime=true&loc=Europe%2FParis"},
		{"mysql://u@localhost/d?socket=/run/mysqld.sock&tls=false", "mysql", "u@unix(/run/mysqld.sock)/d?tls=false"},
		{"sqlite:///var/db/app.db?_pragma=busy_timeout(5000)", "sqlite", "file:/var/db/app.db?_pragma=busy_timeout(5000)"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			u, err := backing.Parse(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			driver, dsn, err := u.SQL()
			if err != nil || driver != tt.driver || dsn != tt.dsn {
				t.Errorf("SQL() = %q, %q, %v;\nwant %q, %q", driver, dsn, err, tt.driver, tt.dsn)
			}
		})
	}
	r, _ := backing.Parse("redis://h")
	if _, _, err := r.SQL(); !errors.Is(err, backing.ErrFamily) {
		t.Errorf("SQL on redis: %v, want ErrFamily", err)
	}
	if got := r.ClientParams(); got != nil {
		t.Errorf("ClientParams = %v", got)
	}
	pg, _ := backing.Parse("postgres://h/d?pool_max_conns=5&statement_cache_capacity=0&search_path=x")
	if got := pg.ClientParams(); len(got) != 2 || got[0].Key != "pool_max_conns" || got[1].Key != "statement_cache_capacity" {
		t.Errorf("ClientParams = %v", got)
	}
	if got := pg.Params(); len(got) != 1 || got[0] != (backing.Param{Key: "search_path", Value: "x"}) {
		t.Errorf("Params = %v", got)
	}
}

func TestURL_Redis(t *testing.T) {
	t.Parallel()
	u, _ := backing.Parse("redis://h:pw@ec2.example.com:6379/4")
	o, err := u.Redis()
	if err != nil || o.Addr != "ec2.example.com:6379" || o.Username != "" || o.Password.Reveal() != "pw" || o.DB != 4 || o.TLS != nil || o.Network != "tcp" {
		t.Errorf("Redis() = %+v, %v", o, err)
	}
	s, _ := backing.Parse("unix:///tmp/redis.sock?db=2")
	if o, _ := s.Redis(); o.Network != "unix" || o.Addr != "/tmp/redis.sock" || o.DB != 2 {
		t.Errorf("socket Redis() = %+v", o)
	}
	acl, _ := backing.Parse("rediss://app:pw@h:6380")
	if o, _ := acl.Redis(); o.Username != "app" || o.TLS == nil || o.TLS.ServerName != "h" || o.TLS.InsecureSkipVerify {
		t.Errorf("ACL Redis() = %+v", o)
	}
	if _, err := acl.AMQP(); !errors.Is(err, backing.ErrFamily) {
		t.Errorf("AMQP on redis: %v", err)
	}
}

func TestURL_AMQP(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{"amqp://localhost", "amqp://localhost:5672/%2F"},
		{"amqp://bob@h/v", "amqp://bob@h:5672/v"},
		{"amqp://", "amqp://localhost:5672/%2F"},
		{"amqp://:5673", "amqp://localhost:5673/%2F"},
		{"amqp://u@", "amqp://u@localhost:5672/%2F"},
		{"amqp://[fe80::1%25en0]:5672/v", "amqp://[fe80::1%25en0]:5672/v"},
		{"amqps://u:p%2Fq@h/a%2Fb?heartbeat=5", "amqps://u:p%2Fq@h:5671/a%2Fb?heartbeat=5"},
	}
	for _, tt := range tests {
		u, _ := backing.Parse(tt.raw)
		if got, err := u.AMQP(); got != tt.want || err != nil {
			t.Errorf("AMQP(%s) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
}

func TestURL_NATS_MQTT(t *testing.T) {
	t.Parallel()
	n, _ := backing.Parse("tls://tok@a,b:4223")
	o, err := n.NATS()
	if err != nil || len(o.Servers) != 2 || o.Servers[1] != "tls://b:4223" || o.Token.Reveal() != "tok" || o.User != "" || o.TLS == nil {
		t.Errorf("NATS() = %+v, %v", o, err)
	}
	m, _ := backing.Parse("ws://u:p@broker:9001/mqtt")
	mo, err := m.MQTT()
	if err != nil || mo.Broker != "ws://broker:9001/mqtt" || mo.Username != "u" || mo.Password.Reveal() != "p" || mo.TLS != nil {
		t.Errorf("MQTT() = %+v, %v", mo, err)
	}
	s, _ := backing.Parse("mqtts://broker")
	if mo, _ := s.MQTT(); mo.Broker != "ssl://broker:8883" || mo.TLS == nil {
		t.Errorf("MQTT() = %+v", mo)
	}
}
