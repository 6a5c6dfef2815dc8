package conformance

import (
	"strings"
	"testing"

	"github.com/davecgh/go-spew/spew"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
)

// TestRedaction_spew prints URLs and the driver-ready option structs with
// go-spew, methods disabled, as testify's failure output does: reflection
// walks every field and follows pointers, and must not meet a credential.
func TestRedaction_spew(t *testing.T) {
	cfg := spew.ConfigState{DisableMethods: true, DisablePointerAddresses: true, Indent: " "}
	for _, raw := range []string{
		"postgres://u:canary@db/app?sslpassword=canary",
		// an option name the rule does not know may be a pasted token
		"postgres://db/app?canary=on", "postgres://db/app?pool_canary=1&application_name=x",
		"redis://:canary@cache/1", "amqp://u:canary@mq/", "nats://canary@n", "tls://u:canary@n",
		"mqtt://u:canary@b", "https://canary@api.example.com/", "s3://k:canary@b/p?X-Amz-Signature=canary",
		"mongodb://u:canary@m/?authMechanismProperties=AWS_SESSION_TOKEN:canary&tlsCertificateKeyFilePassword=canary",
		"mongodb+srv://u:canary@c.example.com/", "kafka+ssl://u:canary@k1:9096,kafka+ssl://u:canary@k2:9096",
		// forms a declared field reads
		"host=db dbname=app password=canary", "u:canary@tcp(db:3306)/app", "ws://u:canary@n", "tls://u:canary@b",
	} {
		var fam []backing.Option
		switch {
		case strings.HasPrefix(raw, "host="):
			fam = append(fam, backing.WithFamily("postgres"))
		case strings.Contains(raw, "@tcp("):
			fam = append(fam, backing.WithFamily("mysql"))
		case strings.HasPrefix(raw, "ws:"):
			fam = append(fam, backing.WithFamily("nats"))
		case strings.HasPrefix(raw, "tls://u"):
			fam = append(fam, backing.WithFamily("mqtt"))
		}
		u, err := backing.Parse(raw, fam...)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		out := cfg.Sdump(u, &u, backing.Attached(backing.WithEnvironment(map[string]string{"X_URL": raw})), u.Password())
		// The driver-ready option structs hold config.Secret values.
		if o, err := u.Redis(); err == nil {
			out += cfg.Sdump(o.Password, o.Username, o.Addr)
		}
		if o, err := u.NATS(); err == nil {
			out += cfg.Sdump(o.Password, o.Token, o.Servers)
		}
		if o, err := u.MQTT(); err == nil {
			out += cfg.Sdump(o.Password, o.Broker)
		}
		if o, err := u.Kafka(backing.KafkaCerts{}); err == nil {
			out += cfg.Sdump(o.Password, o.User, o.Brokers, o.SASL)
		}
		out += cfg.Sdump(backing.KafkaCerts{ClientKey: config.NewSecret("canary")})
		if strings.Contains(out, "canary") {
			t.Errorf("go-spew shows the credential of %s:\n%s", u, out)
		}
	}
}
