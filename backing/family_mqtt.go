package backing

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
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
	shared: []scheme{
		{name: "tls", variant: "mqtts", port: 8883, tls: TLSVerify},
		{name: "unix", variant: "unix"},
	},
	public:      publicParts{keys: []string{"clientId", "client_id", "keepalive", "clean"}},
	example:     "mqtt://user:password@host:1883",
	hier:        true,
	userName:    true,
	plus:        true,
	secretParam: isSecretParam,
	finish:      finishMQTT,
	write:       writeMQTT,
	greet:       greetMQTT,
}

// finishMQTT keeps the path of ws and wss URLs, the WebSocket's; over TCP
// paho ignores a path, and so does the broker URL. A unix URL (declared
// MQTT fields only) names the socket by its path: unix:///run/mosquitto.sock.
func finishMQTT(u *URL, params []Param) error {
	switch u.variant {
	case "unix":
		if len(u.hosts) > 0 || u.path == "" || u.path == "/" {
			return errorf("an MQTT unix URL names the socket by its absolute path; write it as unix:///run/mosquitto/mosquitto.sock")
		}
		u.hosts = []Host{{Name: u.path, Unix: true}}
		u.path = ""
	case "ws", "wss":
	default:
		u.path = ""
	}
	u.params = params
	return nil
}

// writeMQTT writes the socket path of a unix URL, or the host, the
// WebSocket path and the query.
func writeMQTT(u *URL, b *strings.Builder, hide bool) {
	if u.variant == "unix" {
		b.WriteString(escape(u.hosts[0].Name, pathKeep))
		u.writeQuery(b, hide)
		return
	}
	writePathQuery(u, b, hide)
}

// writePathQuery writes the hosts, the path as written and the query.
func writePathQuery(u *URL, b *strings.Builder, hide bool) {
	u.writeHosts(b)
	b.WriteString(escape(u.Path(), u.pathChars()))
	u.writeQuery(b, hide)
}

// nativeMQTT reads a broker without scheme, host[:port], as paho's
// AddBroker reads it: tcp://host:port, and a leading ':' is 127.0.0.1.
func nativeMQTT(raw string, u *URL) (bool, error) {
	if strings.Contains(raw, "://") || strings.ContainsAny(raw, "#, ") {
		return false, nil
	}
	if raw[0] == ':' {
		raw = "127.0.0.1" + raw
	}
	return true, parseHier(schemeRef{&mqttFamily, &mqttFamily.schemes[1]}, raw, u)
}

// MQTTOptions is what an MQTT client such as eclipse/paho.mqtt.golang needs:
// the broker URL for AddBroker, with its port written out (paho adds none),
// and the credentials for SetUsername and SetPassword.
type MQTTOptions struct {
	Broker   string // tcp://host:1883, ssl://host:8883, ws://host:80/path, wss://host:443/path or unix:///path
	Username string
	Password config.Secret
	TLS      *tls.Config // for SetTLSConfig; nil for tcp and ws
}

// MQTT returns an mqtt URL's broker and credentials, whatever spelling of
// the scheme it was written with (mqtt, tcp, mqtts, ssl, tcps, mqtt+ssl, ws,
// wss, and in a declared MQTT field tls and unix). The broker carries no credentials and no query. Other families give
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
	case "unix":
		return MQTTOptions{Broker: "unix://" + escape(u.hosts[0].Name, pathKeep), Username: u.user, Password: u.Password()}, nil
	default:
		scheme = "tcp://"
	}
	b := scheme + u.hosts[0].urlHost()
	if u.variant == "ws" || u.variant == "wss" {
		b += escape(u.Path(), pathKeep)
	}
	return MQTTOptions{Broker: b, Username: u.User(), Password: u.Password(), TLS: u.TLSConfig()}, nil
}

// greetMQTT sends CONNECT (MQTT 3.1.1, clean session, keep-alive 10 s, no
// credentials), reads the whole CONNACK (a session-present flag and a
// return code MQTT defines, a refusal included) and disconnects. Over ws and
// wss the same exchange goes in WebSocket frames, after an upgrade asking
// for the mqtt subprotocol whose Sec-WebSocket-Accept is checked.
func greetMQTT(c net.Conn, r *bufio.Reader, u URL, h Host) error {
	id := "twelvekit-check"
	pkt := []byte{0x10, byte(12 + len(id)), 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10, 0, byte(len(id))}
	pkt = append(pkt, id...)
	ws := u.variant == "ws" || u.variant == "wss"
	var ack []byte
	if ws {
		if err := wsUpgrade(c, r, u, h, "mqtt"); err != nil {
			return err
		}
		if _, err := c.Write(wsFrame(pkt)); err != nil {
			return err
		}
		var err error
		if ack, err = wsRead(r); err != nil {
			return err
		}
	} else {
		if _, err := c.Write(pkt); err != nil {
			return err
		}
		ack = make([]byte, 4)
		if _, err := io.ReadFull(r, ack); err != nil {
			return err
		}
	}
	if len(ack) != 4 || ack[0] != 0x20 || ack[1] != 2 || ack[2] > 1 || ack[3] > 5 {
		return wrongf("the answer to CONNECT is not a CONNACK")
	}
	if ws {
		_, _ = c.Write(wsFrame([]byte{0xe0, 0}))
	} else {
		_, _ = c.Write([]byte{0xe0, 0})
	}
	return nil
}

// wsUpgrade asks for a WebSocket (with the subprotocol proto, when not "")
// and checks the 101 answer and its Sec-WebSocket-Accept.
func wsUpgrade(c net.Conn, r *bufio.Reader, u URL, h Host, proto string) error {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return err
	}
	key := base64.StdEncoding.EncodeToString(nonce[:])
	path := escape(u.Path(), pathKeep)
	if path == "" {
		path = "/"
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + h.String() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
	if proto != "" {
		req += "Sec-WebSocket-Protocol: " + proto + "\r\n"
	}
	req += "\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return err
	}
	status, err := readLine(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(status, "HTTP/1.1 101") {
		if httpHead(r, status) == nil {
			return wrongf("an HTTP server that does not upgrade to a WebSocket here")
		}
		return wrongf("the answer to a WebSocket upgrade is not HTTP")
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	want := base64.StdEncoding.EncodeToString(sum[:])
	accepted := false
	for range 128 {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ":")
		if strings.EqualFold(k, "Sec-WebSocket-Accept") && strings.TrimSpace(v) == want {
			accepted = true
		}
	}
	if !accepted {
		return wrongf("a WebSocket upgrade without the right Sec-WebSocket-Accept")
	}
	return nil
}

// wsFrame wraps p in one masked binary WebSocket frame, as a client sends.
func wsFrame(p []byte) []byte {
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	f := []byte{0x82, 0x80 | byte(len(p))} // p is under 126 bytes
	f = append(f, mask[:]...)
	for i, b := range p {
		f = append(f, b^mask[i%4])
	}
	return f
}

// wsRead reads one unmasked data frame from the server, of at most 64 KiB.
func wsRead(r *bufio.Reader) ([]byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := int(h[1] & 0x7f)
	if op := h[0] & 0x0f; (op != 1 && op != 2) || h[1]&0x80 != 0 || n == 127 {
		return nil, wrongf("the WebSocket answer is not a data frame of at most 64 KiB")
	}
	if n == 126 {
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return nil, err
		}
		n = int(ext[0])<<8 | int(ext[1])
	}
	p := make([]byte, n)
	_, err := io.ReadFull(r, p)
	return p, err
}
