package backing

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"strings"

	"github.com/twelvekit/twelvekit/config"
)

var mqttFamily = family{
	name: "mqtt",
	schemes: []scheme{
		{name: "mqtt", port: 1883},
		{name: "tcp", port: 1883},
		{name: "mqtts", variant: "mqtts", port: 8883, tls: TLSVerify},
		{name: "ssl", variant: "mqtts", port: 8883, tls: TLSVerify},
		{name: "tcps", variant: "mqtts", port: 8883, tls: TLSVerify},
		{name: "mqtt+ssl", variant: "mqtts", port: 8883, tls: TLSVerify},
		{name: "ws", variant: "ws", port: 80},
		{name: "wss", variant: "wss", port: 443, tls: TLSVerify},
	},
	example:     "mqtt://user:password@host:1883",
	hier:        true,
	userName:    true,
	plus:        true,
	secretParam: isSecretParam,
	finish:      finishMQTT,
	write:       writePathQuery,
	greet:       greetMQTT,
}

// finishMQTT keeps the path of ws and wss URLs, the WebSocket's; over TCP
// paho ignores a path, and so does the broker URL.
func finishMQTT(u *URL, params []Param) error {
	if u.variant != "ws" && u.variant != "wss" {
		u.path = ""
	}
	u.params = params
	return nil
}

// writePathQuery writes the hosts, the path as written and the query.
func writePathQuery(u *URL, b *strings.Builder, hide bool) {
	u.writeHosts(b)
	b.WriteString(escape(u.Path(), pathKeep))
	u.writeQuery(b, hide)
}

// MQTTOptions is what an MQTT client such as eclipse/paho.mqtt.golang needs:
// the broker URL for AddBroker, with its port written out (paho adds none),
// and the credentials for SetUsername and SetPassword.
type MQTTOptions struct {
	Broker   string // tcp://host:1883, ssl://host:8883, ws://host:80/path or wss://host:443/path
	Username string
	Password config.Secret
	TLS      *tls.Config // for SetTLSConfig; nil for tcp and ws
}

// MQTT returns an mqtt URL's broker and credentials, whatever spelling of
// the scheme it was written with (mqtt, tcp, mqtts, ssl, tcps, mqtt+ssl, ws,
// wss). The broker carries no credentials and no query. Other families give
// an error wrapping [ErrFamily].
func (u URL) MQTT() (MQTTOptions, error) {
	if err := u.want("MQTT", "mqtt"); err != nil {
		return MQTTOptions{}, err
	}
	var scheme string
	switch u.variant {
	case "mqtts":
		scheme = "ssl://"
	case "ws", "wss":
		scheme = u.variant + "://"
	default:
		scheme = "tcp://"
	}
	b := scheme + u.hosts[0].urlHost()
	if u.variant == "ws" || u.variant == "wss" {
		b += escape(u.Path(), pathKeep)
	}
	return MQTTOptions{Broker: b, Username: u.User(), Password: u.Password(), TLS: u.TLSConfig()}, nil
}

// greetMQTT sends CONNECT (MQTT 3.1.1, clean session, keep-alive 10 s),
// expects CONNACK and disconnects. Over ws and wss only the connection is
// made; Check does not call it.
func greetMQTT(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	id := "twelvekit-check"
	pkt := []byte{0x10, byte(12 + len(id)), 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10, 0, byte(len(id))}
	pkt = append(pkt, id...)
	if _, err := c.Write(pkt); err != nil {
		return err
	}
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return err
	}
	if b[0] != 0x20 || b[1] != 2 {
		return wrongf("the answer to CONNECT is not a CONNACK")
	}
	_, _ = c.Write([]byte{0xe0, 0})
	return nil
}
