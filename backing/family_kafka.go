package backing

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"time"

	"github.com/twelvekit/twelvekit/config"
)

var kafkaFamily = family{
	name: "kafka",
	schemes: []scheme{
		{name: "kafka", port: 9092},
		{name: "kafka+ssl", variant: "kafka+ssl", port: 9092, tls: TLSVerify},
		{name: "kafka+tls", variant: "kafka+ssl", port: 9092, tls: TLSVerify},
	},
	example:     "kafka://host1:9092,host2:9092",
	multi:       true,
	hier:        true,
	userName:    true,
	plus:        true,
	public:      publicParts{keys: []string{"tls", "sasl_mechanism", "client_id"}},
	secretParam: isSecretParam,
	finish:      finishKafka,
	write:       writeHostsQuery,
	greet:       greetKafka,
}

// kafkaMechanisms are the SASL mechanisms a URL may name, in the spelling
// Kafka gives them.
var kafkaMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// finishKafka reads the options: tls=true or false (over the scheme's
// choice), sasl_mechanism (PLAIN when the URL has credentials and names
// none), and client_id. A path is refused: a broker list has none.
func finishKafka(u *URL, params []Param) error {
	if u.path != "" && u.path != "/" {
		return errorf("a Kafka URL has no path; remove what follows the brokers")
	}
	u.path = ""
	for i, p := range params {
		switch p.Key {
		case "tls", "ssl":
			switch strings.ToLower(p.Value) {
			case "true", "1":
				u.tls, u.variant = TLSVerify, "kafka+ssl"
			case "false", "0":
				u.tls, u.variant = TLSDisable, ""
			default:
				return errorf("tls must be true or false")
			}
		case "sasl_mechanism":
			m := strings.ToUpper(p.Value)
			if !containsString(kafkaMechanisms, m) {
				return errorf("sasl_mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
			}
			params[i].Value = m
			if !u.hasPass {
				return errorf("sasl_mechanism needs a user and a password in the URL; write kafka://user:password@host:9092")
			}
		case "client_id":
		default:
			return errorf("unknown Kafka option; a Kafka URL takes tls, sasl_mechanism and client_id: fix the option's name or remove it")
		}
	}
	u.params = params
	return nil
}

// parseKafkaList reads a comma-separated list of Kafka brokers written as
// whole URLs (Heroku's KAFKA_URL=kafka+ssl://h1:9096,kafka+ssl://h2:9096)
// or, in a field declaring Kafka, bare host[:port] items. The brokers of a
// list share their scheme and credentials.
func parseKafkaList(raw string, dst *URL) error {
	var out URL
	for i, item := range strings.Split(raw, ",") {
		item = strings.TrimSpace(item)
		ref := schemeRef{&kafkaFamily, &kafkaFamily.schemes[0]}
		rest := item
		if j := strings.Index(item, "://"); j >= 0 {
			r, ok := lookup(item[:j])
			if !ok || r.fam != &kafkaFamily || !validScheme(item[:j]) {
				return errorf("a broker in a Kafka list is not a kafka:// or kafka+ssl:// URL")
			}
			ref, rest = r, item[j+3:]
		}
		var u URL
		if err := parseHier(ref, rest, &u); err != nil {
			return err
		}
		if i == 0 {
			out = u
			continue
		}
		if u.variant != out.variant || u.hasUser != out.hasUser || u.user != out.user || u.password() != out.password() ||
			len(u.params) != len(out.params) {
			return errorf("brokers in a Kafka list have different schemes, credentials or options; give them once, on the first broker")
		}
		out.hosts = append(out.hosts, u.hosts...)
	}
	*dst = out
	return nil
}

// nativeKafka reads a bare broker list, host[:port] separated by commas,
// as kgo.SeedBrokers takes it (9092 where no port is given).
func nativeKafka(raw string, u *URL) (bool, error) {
	if strings.Contains(raw, "://") || strings.ContainsAny(raw, "/?#@") {
		return false, nil
	}
	return true, parseKafkaList(raw, u)
}

// KafkaCerts are Heroku Kafka's certificate variables, PEM text as the
// platform sets them: the client certificate and its key, and the
// certificate that signed the brokers'. A config struct can embed it; the
// key is a [config.Secret].
type KafkaCerts struct {
	ClientCert  string        `env:"KAFKA_CLIENT_CERT"`
	ClientKey   config.Secret `env:"KAFKA_CLIENT_CERT_KEY"`
	TrustedCert string        `env:"KAFKA_TRUSTED_CERT"`
}

// KafkaOptions is what a Kafka client such as franz-go needs, option by
// option: kgo.SeedBrokers(Brokers...), kgo.DialTLSConfig(TLS) when TLS is
// not nil, kgo.SASL with the mechanism named by SASL (plain.Auth or
// scram.Auth with User and Password.Reveal()), and kgo.ClientID.
type KafkaOptions struct {
	Brokers  []string    // host:port each, IPv6 in brackets
	TLS      *tls.Config // nil for kafka:// without tls=true
	SASL     string      // "", PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
	User     string
	Password config.Secret
	ClientID string // "" when the URL names none
}

// Kafka returns a kafka or kafka+ssl URL's options for a Kafka client. A
// URL with a user and a password gets SASL (PLAIN unless sasl_mechanism
// names a SCRAM one). certs adds Heroku's certificates to the TLS settings:
// the client certificate and key when both are set, and the trusted
// certificate as the only authority the brokers' chain is checked against,
// without the host name, since Heroku's broker certificates do not name
// the brokers' hosts. Certificates that do not parse are an error naming the
// variable. Other families give an error wrapping [ErrFamily].
func (u URL) Kafka(certs KafkaCerts) (KafkaOptions, error) {
	if err := u.want("Kafka", "kafka"); err != nil {
		return KafkaOptions{}, err
	}
	o := KafkaOptions{TLS: u.TLSConfig()}
	for _, h := range u.hosts {
		o.Brokers = append(o.Brokers, h.String())
	}
	if u.hasPass {
		o.SASL, o.User, o.Password = "PLAIN", u.user, u.Password()
	}
	for _, p := range u.Params() {
		switch p.Key {
		case "sasl_mechanism":
			o.SASL = p.Value
		case "client_id":
			o.ClientID = p.Value
		}
	}
	if o.TLS != nil {
		o.TLS.ServerName = "" // the client names each broker it dials
	}
	if o.TLS == nil {
		if certs.ClientCert != "" || certs.TrustedCert != "" {
			return KafkaOptions{}, errorf("Kafka certificates are set, but the URL asks for no TLS; write kafka+ssl://")
		}
		return o, nil
	}
	if certs.ClientCert != "" || certs.ClientKey.IsSet() {
		pair, err := tls.X509KeyPair([]byte(certs.ClientCert), []byte(certs.ClientKey.Reveal()))
		if err != nil {
			return KafkaOptions{}, errorf("KAFKA_CLIENT_CERT and KAFKA_CLIENT_CERT_KEY are not a PEM certificate and its key; set both from the platform's values")
		}
		o.TLS.Certificates = []tls.Certificate{pair}
	}
	if certs.TrustedCert != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(certs.TrustedCert)) {
			return KafkaOptions{}, errorf("KAFKA_TRUSTED_CERT is not a PEM certificate; set it from the platform's value")
		}
		if u.tls == TLSVerify || u.tls == TLSVerifyCA {
			o.TLS.InsecureSkipVerify = true
			o.TLS.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error { return verifyWith(pool, raw) }
		}
	}
	return o, nil
}

// verifyWith checks a chain against the authorities of pool, for any name.
func verifyWith(pool *x509.CertPool, raw [][]byte) error {
	if len(raw) == 0 {
		return errorf("the broker sent no certificate")
	}
	certs := make([]*x509.Certificate, 0, len(raw))
	for _, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return err
		}
		certs = append(certs, c)
	}
	opts := x509.VerifyOptions{Roots: pool, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(opts)
	return err
}

// greetKafka sends an ApiVersions request (version 0, which every broker
// answers, before any SASL) and parses the whole response: its size, our
// correlation id, an error code, and the list of API key ranges, which must
// hold ApiVersions itself.
func greetKafka(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	const client = "twelvekit-check"
	corr := uint32(time.Now().UnixNano()&0x7fffffff) | 1
	req := make([]byte, 4, 4+10+len(client))
	req = binary.BigEndian.AppendUint16(req, 18) // ApiVersions
	req = binary.BigEndian.AppendUint16(req, 0)
	req = binary.BigEndian.AppendUint32(req, corr)
	req = binary.BigEndian.AppendUint16(req, uint16(len(client)))
	req = append(req, client...)
	binary.BigEndian.PutUint32(req, uint32(len(req)-4))
	if _, err := c.Write(req); err != nil {
		return err
	}
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	n := int(binary.BigEndian.Uint32(hdr[:]))
	if n < 10 || n > 1<<16 {
		return wrongf("the answer to ApiVersions is not a Kafka response")
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return err
	}
	count := int(binary.BigEndian.Uint32(p[6:]))
	if binary.BigEndian.Uint32(p) != corr || count < 1 || 10+6*count != n {
		return wrongf("the answer to ApiVersions is not a Kafka response to it")
	}
	if code := binary.BigEndian.Uint16(p[4:]); code != 0 && code != 35 { // 35: UNSUPPORTED_VERSION, still Kafka
		return wrongf("a Kafka ApiVersions response with an unknown error code")
	}
	for i := range count {
		if binary.BigEndian.Uint16(p[10+6*i:]) == 18 {
			return nil
		}
	}
	return wrongf("a Kafka ApiVersions response that does not list ApiVersions")
}
