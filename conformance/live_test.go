package conformance

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	_ "github.com/lib/pq"
	"github.com/nats-io/nats.go"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/twelvekit/twelvekit/backing"
)

func parse(t *testing.T, raw string) backing.URL {
	t.Helper()
	u, err := backing.Parse(raw)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return u
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// The URLs as a platform would hand them out: percent-encoded passwords
// (ignored by trust auth and open servers), aliases, options.
const (
	pgURL    = "postgresql://root:p%40ss%3Aw%2Fx@127.0.0.1:5432/test?sslmode=disable&application_name=conformance&pool_max_conns=4"
	mysqlURL = "mariadb://root:@127.0.0.1/test?parseTime=true&max_open_conns=4"
	redisURL = "REDIS://127.0.0.1:6379/2"
	amqpURL  = "amqp://guest:guest@127.0.0.1/%2F?heartbeat=10"
	natsURL  = "nats://127.0.0.1:4222"
	mqttURL  = "tcp://tk%2Duser:p%40ss@127.0.0.1"
)

func TestLive_postgresPgx(t *testing.T) {
	needServices(t)
	_, dsn, _ := parse(t, pgURL).SQL()
	conn, err := pgx.Connect(ctx(t), dsn)
	if err != nil {
		t.Fatalf("pgx connect: %v", err)
	}
	defer conn.Close(context.Background())
	var db, app string
	if err := conn.QueryRow(ctx(t), "select current_database(), current_setting('application_name')").Scan(&db, &app); err != nil {
		t.Fatal(err)
	}
	if db != "test" || app != "conformance" {
		t.Errorf("database %q, application_name %q", db, app)
	}
}

func TestLive_postgresPq(t *testing.T) {
	needServices(t)
	_, dsn, _ := parse(t, pgURL).SQL()
	db, err := sql.Open("postgres", dsn) // lib/pq's name; the DSN is the same
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	if err := db.QueryRowContext(ctx(t), "select current_database()").Scan(&name); err != nil {
		t.Fatalf("lib/pq: %v", err)
	}
	if name != "test" {
		t.Errorf("database %q", name)
	}
}

func TestLive_mysql(t *testing.T) {
	needServices(t)
	driver, dsn, err := parse(t, mysqlURL).SQL()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	if err := db.QueryRowContext(ctx(t), "select database()").Scan(&name); err != nil {
		t.Fatalf("go-sql-driver/mysql: %v", err)
	}
	if name != "test" {
		t.Errorf("database %q", name)
	}
}

func TestLive_redis(t *testing.T) {
	needServices(t)
	o, _ := parse(t, redisURL).Redis()
	c := redis.NewClient(&redis.Options{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password.Reveal(), DB: o.DB, TLSConfig: o.TLS})
	defer c.Close()
	key := "twelvekit:conformance:" + time.Now().Format("150405.000000000")
	if err := c.Set(ctx(t), key, "v", time.Minute).Err(); err != nil {
		t.Fatalf("go-redis: %v", err)
	}
	defer c.Del(context.Background(), key)
	other := redis.NewClient(&redis.Options{Addr: o.Addr, DB: 0})
	defer other.Close()
	if n, _ := other.Exists(ctx(t), key).Result(); n != 0 {
		t.Errorf("the key landed in DB 0, want DB 2")
	}
}

func TestLive_amqp(t *testing.T) {
	needServices(t)
	uri, _ := parse(t, amqpURL).AMQP()
	conn, err := amqp.Dial(uri)
	if err != nil {
		t.Fatalf("amqp091: %v", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare("", false, true, true, false, nil); err != nil {
		t.Error(err)
	}
	_ = ch.Close()
	_ = conn.Close()
	// Without credentials none are written, so amqp091-go logs in as its
	// default guest user, as it does with the original URL.
	bare, _ := parse(t, "amqp://127.0.0.1/").AMQP()
	c, err := amqp.Dial(bare)
	if err != nil {
		t.Fatalf("a URL without credentials did not log in as guest: %v", err)
	}
	_ = c.Close()
}

func TestLive_nats(t *testing.T) {
	needServices(t)
	o, _ := parse(t, natsURL+",nats://127.0.0.1:4222").NATS()
	nc, err := nats.Connect(strings.Join(o.Servers, ","), nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatalf("nats.go: %v", err)
	}
	defer nc.Close()
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		t.Error(err)
	}
}

func TestLive_mqtt(t *testing.T) {
	needServices(t)
	o, _ := parse(t, mqttURL).MQTT()
	opts := mqtt.NewClientOptions().AddBroker(o.Broker).SetClientID("twelvekit-conformance").
		SetUsername(o.Username).SetPassword(o.Password.Reveal()).SetConnectTimeout(5 * time.Second).SetAutoReconnect(false)
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("paho connect to %s: %v", o.Broker, tok.Error())
	}
	c.Disconnect(100)
}

// TestLive_check checks each live service (up), a closed port and another
// service on the port (down).
func TestLive_check(t *testing.T) {
	needServices(t)
	live := []string{pgURL, mysqlURL, redisURL, amqpURL, natsURL, mqttURL}
	for _, raw := range live {
		u := parse(t, raw)
		t.Run(u.Scheme(), func(t *testing.T) {
			if err := backing.Check(ctx(t), u, backing.WithTimeout(5*time.Second)); err != nil {
				t.Errorf("up: %v", err)
			}
			closed := closedPort(t)
			down := parse(t, strings.Replace(u.Reveal(), u.Hosts()[0].String(), closed, 1))
			if err := backing.Check(ctx(t), down, backing.WithTimeout(2*time.Second)); !errors.Is(err, backing.ErrUnreachable) {
				t.Errorf("closed port: %v, want ErrUnreachable", err)
			}
			// Another protocol on the port: an HTTP server's answer, or for
			// the protocols where the server speaks first, a Redis-like line.
			other := wrongService(t)
			wrong := parse(t, strings.Replace(u.Reveal(), u.Hosts()[0].String(), other, 1))
			err := backing.Check(ctx(t), wrong, backing.WithTimeout(2*time.Second))
			if !errors.Is(err, backing.ErrWrongService) {
				t.Errorf("wrong service: %v, want ErrWrongService", err)
			}
			if err != nil && strings.Contains(err.Error(), "p@ss") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	// And each real service is told apart from the others on its port.
	swaps := map[string]string{"postgres": mysqlURL, "redis": natsURL, "amqp": redisURL, "mqtt": amqpURL}
	for _, raw := range live {
		u := parse(t, raw)
		other, ok := swaps[u.Scheme()]
		if !ok {
			continue
		}
		o := parse(t, other)
		probe := parse(t, strings.Replace(u.Reveal(), u.Hosts()[0].String(), o.Hosts()[0].String(), 1))
		if err := backing.Check(ctx(t), probe, backing.WithTimeout(3*time.Second)); !errors.Is(err, backing.ErrWrongService) {
			t.Errorf("%s probe on %s's port: %v, want ErrWrongService", u.Scheme(), o.Scheme(), err)
		}
	}
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// wrongService starts a listener that greets with an SSH banner and answers
// anything with an HTTP 400, like a misrouted port would.
func wrongService(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(3 * time.Second))
				_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
				buf := make([]byte, 64)
				if _, err := c.Read(buf); err == nil {
					_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
				}
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

// TestLive_passThrough connects with the forms that reach the driver as
// written: PostgreSQL's sslmode=allow (plain text first), and MySQL over
// its unix socket.
func TestLive_passThrough(t *testing.T) {
	needServices(t)
	_, dsn, _ := parse(t, "postgres://root@127.0.0.1/test?sslmode=allow").SQL()
	conn, err := pgx.Connect(ctx(t), dsn)
	if err != nil {
		t.Fatalf("pgx with sslmode=allow: %v", err)
	}
	_ = conn.Close(context.Background())
	driver, dsn, err := parse(t, "mysql://root@localhost/test?socket=/run/mysqld/mysqld.sock").SQL()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	if err := db.QueryRowContext(ctx(t), "select database()").Scan(&name); err != nil || name != "test" {
		t.Fatalf("go-sql-driver/mysql over the socket: %q, %v", name, err)
	}
}
