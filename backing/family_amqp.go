package backing

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"strings"
)

var amqpFamily = family{
	name: "amqp",
	schemes: []scheme{
		{name: "amqp", port: 5672},
		{name: "amqps", variant: "amqps", port: 5671, tls: TLSVerify},
	},
	example:     "amqp://user:password@host:5672/vhost",
	hier:        true,
	userName:    true,
	plus:        true,
	defaultHost: "localhost",
	public:      publicParts{database: true, keys: []string{"heartbeat", "connection_timeout", "channel_max", "auth_mechanism", "server_name_indication"}},
	secretParam: isSecretParam,
	finish:      finishAMQP,
	write:       writeAMQP,
	greet:       greetAMQP,
}

func finishAMQP(u *URL, params []Param) error {
	for _, p := range params {
		switch p.Key {
		case "heartbeat":
			if !parseUint(p.Value, 16) {
				return errorf("heartbeat is not a number of seconds from 0 to 65535; fix it (amqp091-go refuses it)")
			}
		case "channel_max":
			if !parseUint(p.Value, 16) {
				return errorf("channel_max is not a number from 0 to 65535; fix it (amqp091-go refuses it)")
			}
		case "connection_timeout":
			if _, err := strconv.ParseInt(p.Value, 10, 0); err != nil {
				return errorf("connection_timeout is not a whole number of milliseconds; fix it (amqp091-go refuses it)")
			}
		case "skip_verify", "verify", "insecure":
			return errorf("amqp091-go has no URL option to skip certificate checks; remove it and use backing.WithInsecureSkipVerify with URL.TLSConfig")
		}
	}
	u.params = params
	// amqp091-go's reading: an empty path, or "/", is the default vhost "/".
	u.database = "/"
	if len(u.path) > 1 {
		u.database = u.path[1:]
	}
	u.path = ""
	return nil
}

func writeAMQP(u *URL, b *strings.Builder, hide bool) {
	b.WriteString(u.hosts[0].urlHost())
	b.WriteByte('/')
	b.WriteString(escape(u.database, ""))
	u.writeQuery(b, hide)
}

// AMQP returns an amqp or amqps URL as amqp091-go's Dial and ParseURI read
// it: port and vhost written out (the vhost percent-encoded, so "/" is
// /%2F), an IPv6 zone escaped, and the credentials exactly as the URL gives
// them. A URL without credentials gets none, so amqp091-go logs in as its
// default guest user; a user without a password gets none either, so
// amqp091-go's default password, guest, applies. Query options follow in
// order. Dial an amqps URL with amqp.DialTLS and [URL.TLSConfig]. Other
// families give an error wrapping [ErrFamily].
func (u URL) AMQP() (string, error) {
	if err := u.want("AMQP", "amqp"); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(64)
	if u.variant == "amqps" {
		b.WriteString("amqps://")
	} else {
		b.WriteString("amqp://")
	}
	u.writeUserinfo(&b, false)
	writeAMQP(&u, &b, false)
	return b.String(), nil
}

// greetAMQP sends the AMQP 0-9-1 protocol header and reads the whole
// answer: a method frame (type 1, channel 0, its size, the payload and the
// frame-end octet 0xCE) holding Connection.Start for version 0-9, or the
// header of the AMQP version the server speaks instead.
func greetAMQP(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	if _, err := c.Write([]byte("AMQP\x00\x00\x09\x01")); err != nil {
		return err
	}
	var h [7]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return err
	}
	if string(h[:4]) == "AMQP" {
		var last [1]byte
		if _, err := io.ReadFull(r, last[:]); err != nil {
			return err
		}
		if h[4] <= 3 { // protocol id 0 (AMQP), 2 (TLS) or 3 (SASL), then a version
			return nil
		}
		return wrongf("the answer to the AMQP header is not an AMQP protocol header")
	}
	size := int(binary.BigEndian.Uint32(h[3:]))
	if h[0] != 1 || h[1] != 0 || h[2] != 0 || size < 8 || size > 1<<17 {
		return wrongf("the answer to the AMQP header is not a method frame")
	}
	p := make([]byte, size+1)
	if _, err := io.ReadFull(r, p); err != nil {
		return err
	}
	// class 10 (connection), method 10 (start), version 0-9, frame end
	if p[0] != 0 || p[1] != 10 || p[2] != 0 || p[3] != 10 || p[4] != 0 || p[5] != 9 || p[size] != 0xce {
		return wrongf("the answer to the AMQP header is not Connection.Start")
	}
	return nil
}
