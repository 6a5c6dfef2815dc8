package backing_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/internal/testkit"
)

func TestMongo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, out, printed string
		hosts             string
		tls               backing.TLSMode
	}{
		{"mongodb://u:p%40ss@h1,h2:27018/app?replicaSet=rs0", "mongodb://u:p%40ss@h1:27017,h2:27018/app?replicaSet=rs0",
			"mongodb://u:[REDACTED]@h1:27017,h2:27018/app?replicaSet=rs0", "h1:27017,h2:27018", backing.TLSDisable},
		{"mongodb+srv://u:sekret@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority", "mongodb+srv://u:sekret@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority",
			"mongodb+srv://u:[REDACTED]@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority", "cluster0.abcde.mongodb.net:0", backing.TLSVerify},
		{"mongodb://AKIA:sekret@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok123&authSource=$external",
			"mongodb://AKIA:sekret@h:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok123&authSource=$external",
			"mongodb://AKIA:[REDACTED]@h:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=[REDACTED]&authSource=[REDACTED]", "h:27017", backing.TLSDisable},
		{"mongodb://h/?tls=true&tlsInsecure=true&tlsCertificateKeyFilePassword=kp123", "mongodb://h:27017/?tls=true&tlsInsecure=true&tlsCertificateKeyFilePassword=kp123",
			"mongodb://h:27017/?tls=true&tlsInsecure=true&tlsCertificateKeyFilePassword=[REDACTED] (certificate not verified)", "h:27017", backing.TLSRequire},
		{"mongodb://h/my+db?appName=a;b=c%3Bd", "mongodb://h:27017/my%20db?appName=a&b=c%3Bd", "", "h:27017", backing.TLSDisable},
		{"mongodb://%2Ftmp%2Fmongodb-27017.sock/db", "mongodb://%2Ftmp%2Fmongodb-27017.sock/db", "", "/tmp/mongodb-27017.sock", backing.TLSDisable},
	}
	for _, tt := range tests {
		var f backing.MongoURL
		if err := f.UnmarshalText([]byte(tt.raw)); err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		out, err := f.Mongo()
		if err != nil || out != tt.out {
			t.Errorf("%s: Mongo() = %q, %v; want %q", tt.raw, out, err, tt.out)
		}
		if tt.printed != "" && f.String() != tt.printed {
			t.Errorf("%s: printed %q, want %q", tt.raw, f.String(), tt.printed)
		}
		for _, secret := range []string{"sekret", "tok123", "kp123", "p@ss"} {
			if strings.Contains(f.String(), secret) || strings.Contains(fmt.Sprintf("%#v %+v", f, f), secret) {
				t.Errorf("%s: printing shows %s: %s", tt.raw, secret, f)
			}
		}
		var hosts []string
		for _, h := range f.Hosts() {
			if h.Unix {
				hosts = append(hosts, h.Name)
			} else {
				hosts = append(hosts, fmt.Sprintf("%s:%d", h.Name, h.Port))
			}
		}
		if strings.Join(hosts, ",") != tt.hosts || f.TLS() != tt.tls {
			t.Errorf("%s: hosts %v tls %v; want %s %v", tt.raw, hosts, f.TLS(), tt.hosts, tt.tls)
		}
		again, err := backing.Parse(f.Reveal())
		if err != nil || !again.Equal(f.URL) {
			t.Errorf("%s: Reveal %q does not read back: %v", tt.raw, f.Reveal(), err)
		}
	}
	for _, bad := range []string{"mongodb://u:p@q@h", "mongodb://u:p:q@h", "mongodb://h?x=1", "mongodb://h/?maxPoolSize=-1",
		"mongodb+srv://h.example.com:27017", "mongodb+srv://a.example.com,b.example.com", "mongodb://h/?authMechanism=SCRAM-SHA-256",
		"mongodb://h/?tls=true&ssl=false", "mongodb://h1,h2/?directConnection=true", "mongodb://h/?srvMaxHosts=1", "mongodb://"} {
		if _, err := backing.Parse(bad); !errors.Is(err, backing.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", bad, err)
		}
	}
	var f backing.MongoURL
	if err := f.UnmarshalText([]byte("redis://h")); !errors.Is(err, backing.ErrFamily) {
		t.Errorf("MongoURL with redis: %v", err)
	}
	if _, err := (backing.URL{}).Mongo(); !errors.Is(err, backing.ErrFamily) {
		t.Errorf("Mongo() of the zero URL: %v", err)
	}
}

// mongoServer answers each OP_MSG with reply(requestID), after reading the
// whole request.
func mongoServer(t *testing.T, reply func(reqID uint32) []byte) string {
	t.Helper()
	return testkit.ServeTCP(t, nil, func(c net.Conn) {
		var hdr [16]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		n := binary.LittleEndian.Uint32(hdr[:])
		if n < 16 || n > 1<<16 {
			return
		}
		if _, err := io.ReadFull(c, make([]byte, n-16)); err != nil {
			return
		}
		_, _ = c.Write(reply(binary.LittleEndian.Uint32(hdr[4:])))
	})
}

// helloReply is an OP_MSG answering reqID with {ok: 1.0,
// isWritablePrimary: true, maxWireVersion: 21}, or with the fields given.
func helloReply(reqID uint32, ok float64, wire bool) []byte {
	var doc []byte
	doc = append(doc, 0, 0, 0, 0)
	doc = append(doc, 0x08)
	doc = append(doc, "isWritablePrimary\x00"...)
	doc = append(doc, 1)
	if wire {
		doc = append(doc, 0x10)
		doc = append(doc, "maxWireVersion\x00"...)
		doc = binary.LittleEndian.AppendUint32(doc, 21)
	}
	doc = append(doc, 0x01)
	doc = append(doc, "ok\x00"...)
	doc = binary.LittleEndian.AppendUint64(doc, 0x3ff0000000000000*uint64(ok))
	doc = append(doc, 0)
	binary.LittleEndian.PutUint32(doc, uint32(len(doc)))
	msg := make([]byte, 16)
	binary.LittleEndian.PutUint32(msg[4:], 99)
	binary.LittleEndian.PutUint32(msg[8:], reqID)
	binary.LittleEndian.PutUint32(msg[12:], 2013)
	msg = append(msg, 0, 0, 0, 0, 0)
	msg = append(msg, doc...)
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

func TestCheck_mongo(t *testing.T) {
	check := func(addr string, timeout time.Duration) error {
		u, err := backing.Parse("mongodb://u:hunter2@" + addr + "/app")
		if err != nil {
			t.Fatal(err)
		}
		return backing.Check(context.Background(), u, backing.WithTimeout(timeout))
	}
	if err := check(mongoServer(t, func(id uint32) []byte { return helloReply(id, 1, true) }), 5*time.Second); err != nil {
		t.Errorf("MongoDB: %v", err)
	}
	wrong := []struct {
		name  string
		reply func(uint32) []byte
		named string
	}{
		{"another request id", func(id uint32) []byte { return helloReply(id+1, 1, true) }, "a MongoDB server"},
		{"ok 0", func(id uint32) []byte { return helloReply(id, 0, true) }, "MongoDB"},
		{"no maxWireVersion", func(id uint32) []byte { return helloReply(id, 1, false) }, "MongoDB"},
		{"HTTP", func(uint32) []byte { return []byte("HTTP/1.1 400 Bad Request\r\n\r\n") }, "an HTTP server"},
		{"header then silence", func(id uint32) []byte { return helloReply(id, 1, true)[:20] }, "then silence"},
	}
	for _, w := range wrong {
		err := check(mongoServer(t, w.reply), 500*time.Millisecond)
		if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(fmt.Sprint(err), w.named) || strings.Contains(fmt.Sprint(err), "hunter2") {
			t.Errorf("%s: %v, want ErrWrongService naming %s", w.name, err, w.named)
		}
	}
	err := check(fakeServer(t, 0, natsInfo), 2*time.Second)
	if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(err.Error(), "a NATS server") {
		t.Errorf("NATS on the MongoDB port: %v", err)
	}
}
