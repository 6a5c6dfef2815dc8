package conformance

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/twelvekit/twelvekit/backing"
)

// kafkaSettings are the franz-go options a value means.
type kafkaSettings struct {
	seeds    []string
	tls      *tls.Config
	mech     string
	user, pw string
	clientID string
}

// franzReading hands the settings to franz-go's kgo.NewClient, which
// refuses what it cannot use (a seed whose port does not parse...), and
// reads back what the client holds: its seeds, with kgo's default port
// where a seed has none, whether it dials TLS, the SASL mechanism and what
// it sends first (PLAIN: the user and password; SCRAM: the user), and the
// client id.
func franzReading(s kafkaSettings) reading {
	opts := []kgo.Opt{kgo.SeedBrokers(s.seeds...)}
	if s.tls != nil {
		opts = append(opts, kgo.DialTLSConfig(s.tls))
	}
	switch s.mech {
	case "PLAIN":
		opts = append(opts, kgo.SASL(plain.Auth{User: s.user, Pass: s.pw}.AsMechanism()))
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(scram.Auth{User: s.user, Pass: s.pw}.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(scram.Auth{User: s.user, Pass: s.pw}.AsSha512Mechanism()))
	}
	if s.clientID != "" {
		opts = append(opts, kgo.ClientID(s.clientID))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return errReading(err)
	}
	defer cl.Close()
	f := map[string]string{"tls": fmt.Sprint(cl.OptValue(kgo.DialTLSConfig) != nil && cl.OptValue(kgo.DialTLSConfig).(*tls.Config) != nil)}
	var seeds []string
	for _, seed := range cl.OptValue(kgo.SeedBrokers).([]string) {
		seeds = append(seeds, withKafkaPort(seed))
	}
	f["seeds"] = strings.Join(seeds, ",")
	if ms, ok := cl.OptValue(kgo.SASL).([]sasl.Mechanism); ok && len(ms) > 0 {
		_, first, err := ms[0].Authenticate(context.Background(), "broker")
		if err != nil {
			return errReading(err)
		}
		msg := string(first)
		if strings.HasPrefix(ms[0].Name(), "SCRAM") { // n,,n=user,r=nonce: the nonce is random
			msg, _, _ = strings.Cut(msg, ",r=")
		}
		f["sasl"] = ms[0].Name() + " " + strconv.Quote(msg)
	}
	if id, ok := cl.OptValue(kgo.ClientID).(string); ok {
		f["client_id"] = id
	}
	return reading{fields: f}
}

// withKafkaPort adds the default port 9092 to a seed without one, as
// kgo.SeedBrokers documents, and writes every seed as host:port.
func withKafkaPort(seed string) string {
	if h, p, err := net.SplitHostPort(seed); err == nil {
		return net.JoinHostPort(h, p)
	}
	return net.JoinHostPort(strings.Trim(seed, "[]"), "9092")
}

// kafkaOrig is the conventional reading of a Kafka value, as platform
// documentation tells a franz-go user to apply it: a bare list is the
// seeds; a list of kafka:// or kafka+ssl:// URLs (Heroku's KAFKA_URL) is its
// hosts with the scheme stripped, TLS for kafka+ssl or tls=true, SASL from
// the user information (sasl_mechanism, PLAIN by default).
func kafkaOrig(raw string) reading {
	var s kafkaSettings
	for _, item := range strings.Split(raw, ",") {
		item = strings.TrimSpace(item)
		if !strings.Contains(item, "://") {
			s.seeds = append(s.seeds, item)
			continue
		}
		p, err := url.Parse(item)
		if err != nil {
			return errReading(err)
		}
		switch strings.ToLower(p.Scheme) {
		case "kafka":
		case "kafka+ssl", "kafka+tls":
			s.tls = &tls.Config{}
		default:
			return errReading(fmt.Errorf("not a kafka scheme"))
		}
		if p.Path != "" && p.Path != "/" {
			return errReading(fmt.Errorf("a broker URL with a path"))
		}
		for k, vs := range p.Query() {
			v := vs[len(vs)-1]
			switch k {
			case "tls":
				if v == "true" {
					s.tls = &tls.Config{}
				} else if v == "false" {
					s.tls = nil
				} else {
					return errReading(fmt.Errorf("tls is not a boolean"))
				}
			case "sasl_mechanism":
				s.mech = strings.ToUpper(v)
			case "client_id":
				s.clientID = v
			default:
				return errReading(fmt.Errorf("unknown option"))
			}
		}
		if pw, ok := p.User.Password(); ok {
			s.user, s.pw = p.User.Username(), pw
			if s.mech == "" {
				s.mech = "PLAIN"
			}
		}
		s.seeds = append(s.seeds, p.Host)
	}
	return franzReading(s)
}

func kafkaOut(u backing.URL) reading {
	o, err := u.Kafka(backing.KafkaCerts{})
	if err != nil {
		return errReading(err)
	}
	return franzReading(kafkaSettings{seeds: o.Brokers, tls: o.TLS, mech: o.SASL, user: o.User, pw: o.Password.Reveal(), clientID: o.ClientID})
}

func kafkaCases() []dcase {
	var out []dcase
	add := func(diff string, raws ...string) {
		for _, r := range raws {
			out = append(out, dcase{fam: "kafka", raw: r, diff: diff})
		}
	}
	for _, pw := range corpusPasswords {
		ui := url.UserPassword("key", pw).String()
		add("", "kafka+ssl://"+ui+"@pkc-abc12.us-east-1.aws.confluent.cloud:9092", "kafka://"+ui+"@b:9092?sasl_mechanism=SCRAM-SHA-512")
	}
	add("",
		"kafka+ssl://ec2-1-2-3-4.compute-1.amazonaws.com:9096,kafka+ssl://ec2-5-6-7-8.compute-1.amazonaws.com:9096,kafka+ssl://ec2-9-9-9-9.compute-1.amazonaws.com:9096",
		"kafka://localhost:9092", "kafka://localhost", "kafka://h1:9092,h2:9093", "kafka://h1,h2", "kafka://[::1]:9092", "kafka://[::1]",
		"kafka://h:9092?tls=true", "kafka+ssl://h:9093?tls=false", "kafka+tls://h:9093", "KAFKA://h:9092", "kafka://h:9092?client_id=orders",
		"kafka://u:p@h:9092", "kafka://u:p@h:9092?sasl_mechanism=scram-sha-256", "kafka://u:p@h1:9092,kafka://u:p@h2:9092",
		"localhost:9092", "h1:9092,h2:9092,h3:9092", "h1,h2", "b-1.msk.us-east-1.amazonaws.com:9094,b-2.msk.us-east-1.amazonaws.com:9094",
		"[::1]:9092", " h1:9092 , h2:9092 ",
		"kafka://h:9092/topic", "kafka://h:9092?acks=all", "kafka://h:9092?tls=maybe", "kafka://h:abc", "h:abc",
	)
	add("port-range", "kafka://h:99999")
	return out
}

func init() {
	readers["kafka"] = []reader{{"franz-go", kafkaOrig, kafkaOut}}
}
