package backing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/testkit"
)

func TestKafka(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, brokers, sasl, printed string
		tls                         bool
	}{
		{"kafka+ssl://ec2-1.compute-1.amazonaws.com:9096,kafka+ssl://ec2-2.compute-1.amazonaws.com:9096",
			"ec2-1.compute-1.amazonaws.com:9096 ec2-2.compute-1.amazonaws.com:9096", "", "kafka+ssl://ec2-1.compute-1.amazonaws.com:9096,ec2-2.compute-1.amazonaws.com:9096", true},
		{"kafka://h1,h2:9093", "h1:9092 h2:9093", "", "kafka://h1:9092,h2:9093", false},
		{"h1:9092,h2:9092", "h1:9092 h2:9092", "", "kafka://h1:9092,h2:9092", false},
		{"kafka://key:sekret@pkc-1.confluent.cloud:9092?tls=true", "pkc-1.confluent.cloud:9092", "PLAIN user=key", "kafka+ssl://key:[REDACTED]@pkc-1.confluent.cloud:9092?tls=true", true},
		{"kafka+ssl://u:sekret@[::1]:9094?sasl_mechanism=scram-sha-512&client_id=app", "[::1]:9094", "SCRAM-SHA-512 user=u",
			"kafka+ssl://u:[REDACTED]@[::1]:9094?sasl_mechanism=SCRAM-SHA-512&client_id=app", true},
	}
	for _, tt := range tests {
		var f backing.KafkaURL
		if err := f.UnmarshalText([]byte(tt.raw)); err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		o, err := f.Kafka(backing.KafkaCerts{})
		if err != nil {
			t.Errorf("%s: Kafka: %v", tt.raw, err)
			continue
		}
		sasl := o.SASL
		if o.User != "" {
			sasl += " user=" + o.User
		}
		if strings.Join(o.Brokers, " ") != tt.brokers || sasl != tt.sasl || (o.TLS != nil) != tt.tls || f.String() != tt.printed {
			t.Errorf("%s: brokers %v, sasl %q, tls %v, printed %q", tt.raw, o.Brokers, sasl, o.TLS != nil, f.String())
		}
		if o.TLS != nil && o.TLS.ServerName != "" {
			t.Errorf("%s: TLS names one broker for all: %q", tt.raw, o.TLS.ServerName)
		}
		if o.SASL != "" && o.Password.Reveal() != "sekret" {
			t.Errorf("%s: password not carried", tt.raw)
		}
		again, err := backing.Parse(f.Reveal(), backing.WithFamily("kafka"))
		if err != nil || !again.Equal(f.URL) {
			t.Errorf("%s: Reveal %q does not read back: %v", tt.raw, f.Reveal(), err)
		}
	}
	for _, bad := range []string{"kafka://h/topic", "kafka://h?acks=all", "kafka://h?sasl_mechanism=GSSAPI", "kafka://h?sasl_mechanism=PLAIN",
		"kafka+ssl://a,kafka://b", "kafka://u:p@a,kafka://b", "kafka://h:0", "kafka://"} {
		if _, err := backing.Parse(bad); !errors.Is(err, backing.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", bad, err)
		}
	}
	if u, err := backing.Parse("h1:9092,h2:9092"); err != nil || u.Scheme() != "memcached" {
		t.Errorf("an undeclared bare list is memcached's, as before: %v %v", u.Scheme(), err)
	}
}

// selfSigned returns a PEM certificate and key.
func selfSigned(t *testing.T, cn string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

// TestKafka_herokuCerts checks Heroku's certificate variables: the client
// pair is presented, and the brokers' chain is checked against the trusted
// certificate only, for any host name.
func TestKafka_herokuCerts(t *testing.T) {
	ca, caKey := selfSigned(t, "heroku-kafka-ca")
	client, clientKey := selfSigned(t, "client")
	u, err := backing.Parse("kafka+ssl://ec2-1.compute-1.amazonaws.com:9096")
	if err != nil {
		t.Fatal(err)
	}
	o, err := u.Kafka(backing.KafkaCerts{ClientCert: client, ClientKey: config.NewSecret(clientKey), TrustedCert: ca})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.TLS.Certificates) != 1 || o.TLS.VerifyPeerCertificate == nil {
		t.Fatalf("TLS: %d client certificates, verifier %v", len(o.TLS.Certificates), o.TLS.VerifyPeerCertificate != nil)
	}
	pair, err := tls.X509KeyPair([]byte(ca), []byte(caKey))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.TLS.VerifyPeerCertificate([][]byte{pair.Certificate[0]}, nil); err != nil {
		t.Errorf("the trusted certificate's own chain: %v", err)
	}
	other, otherKey := selfSigned(t, "someone-else")
	op, _ := tls.X509KeyPair([]byte(other), []byte(otherKey))
	if err := o.TLS.VerifyPeerCertificate([][]byte{op.Certificate[0]}, nil); err == nil {
		t.Errorf("a chain the trusted certificate did not sign was accepted")
	}
	for _, bad := range []backing.KafkaCerts{{TrustedCert: "not pem"}, {ClientCert: client}, {ClientCert: client, ClientKey: config.NewSecret("garbage-sekret")}} {
		_, err := u.Kafka(bad)
		if err == nil || strings.Contains(err.Error(), "sekret") || !strings.Contains(err.Error(), "KAFKA_") {
			t.Errorf("bad certificates: %v", err)
		}
	}
	plain, _ := backing.Parse("kafka://h:9092")
	if _, err := plain.Kafka(backing.KafkaCerts{TrustedCert: ca}); err == nil {
		t.Errorf("certificates on a plain-text URL: no error")
	}
}

// kafkaServer answers an ApiVersions request with reply(correlationID).
func kafkaServer(t *testing.T, reply func(corr uint32) []byte) string {
	t.Helper()
	return testkit.ServeTCP(t, nil, func(c net.Conn) { answerKafka(c, reply) })
}

// answerKafka reads one size-prefixed Kafka request from c and writes
// reply(its correlation ID).
func answerKafka(c net.Conn, reply func(corr uint32) []byte) {
	var size [4]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		return
	}
	req := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c, req); err != nil || len(req) < 8 {
		return
	}
	_, _ = c.Write(reply(binary.BigEndian.Uint32(req[4:])))
}

func apiVersions(corr uint32, code uint16, keys ...uint16) []byte {
	b := make([]byte, 4)
	b = binary.BigEndian.AppendUint32(b, corr)
	b = binary.BigEndian.AppendUint16(b, code)
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		b = binary.BigEndian.AppendUint16(b, k)
		b = binary.BigEndian.AppendUint16(b, 0)
		b = binary.BigEndian.AppendUint16(b, 3)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func TestCheck_kafka(t *testing.T) {
	check := func(addr string, timeout time.Duration) error {
		u, err := backing.Parse("kafka://u:hunter2@" + addr)
		if err != nil {
			t.Fatal(err)
		}
		return backing.Check(context.Background(), u, backing.WithTimeout(timeout))
	}
	if err := check(kafkaServer(t, func(c uint32) []byte { return apiVersions(c, 0, 0, 1, 3, 18) }), 5*time.Second); err != nil {
		t.Errorf("Kafka: %v", err)
	}
	wrong := []struct {
		name  string
		reply func(uint32) []byte
		named string
	}{
		{"another correlation id", func(c uint32) []byte { return apiVersions(c+1, 0, 18) }, "binary"},
		{"no ApiVersions listed", func(c uint32) []byte { return apiVersions(c, 0, 0, 1) }, "does not list ApiVersions"},
		{"HTTP", func(uint32) []byte { return []byte("HTTP/1.1 400 Bad Request\r\n\r\n") }, "an HTTP server"},
		{"size then silence", func(c uint32) []byte { return apiVersions(c, 0, 18)[:8] }, "then silence"},
	}
	for _, w := range wrong {
		err := check(kafkaServer(t, w.reply), 500*time.Millisecond)
		if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(fmt.Sprint(err), w.named) || strings.Contains(fmt.Sprint(err), "hunter2") {
			t.Errorf("%s: %v, want ErrWrongService naming %s", w.name, err, w.named)
		}
	}
	err := check(fakeServer(t, 0, sshBanner), 2*time.Second)
	if !errors.Is(err, backing.ErrWrongService) || !strings.Contains(err.Error(), "an SSH server") {
		t.Errorf("SSH on the Kafka port: %v", err)
	}
}

// TestCheck_kafkaClientCert checks a broker that requires a client
// certificate, as Heroku Kafka does: Check succeeds with the TLS settings
// of URL.Kafka passed by WithTLSConfig, and fails without them.
func TestCheck_kafkaClientCert(t *testing.T) {
	serverCert, serverKey := selfSigned(t, "broker")
	clientCert, clientKey := selfSigned(t, "client")
	pair, err := tls.X509KeyPair([]byte(serverCert), []byte(serverKey))
	if err != nil {
		t.Fatal(err)
	}
	clients := x509.NewCertPool()
	clients.AppendCertsFromPEM([]byte(clientCert))
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients})
	if err != nil {
		t.Fatal(err)
	}
	testkit.ServeTCP(t, ln, func(c net.Conn) {
		answerKafka(c, func(corr uint32) []byte { return apiVersions(corr, 0, 18) })
	})
	u, err := backing.Parse("kafka+ssl://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	o, err := u.Kafka(backing.KafkaCerts{ClientCert: clientCert, ClientKey: config.NewSecret(clientKey), TrustedCert: serverCert})
	if err != nil {
		t.Fatal(err)
	}
	if err := backing.Check(context.Background(), u, backing.WithTimeout(5*time.Second), backing.WithTLSConfig(o.TLS)); err != nil {
		t.Errorf("with the client certificate: %v", err)
	}
	if o.TLS.ServerName != "" {
		t.Errorf("Check changed the config it was given")
	}
	if err := backing.Check(context.Background(), u, backing.WithTimeout(5*time.Second)); !errors.Is(err, backing.ErrUnreachable) {
		t.Errorf("without it: %v, want ErrUnreachable (TLS handshake)", err)
	}
}
