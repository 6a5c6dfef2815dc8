package backing

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"

	"github.com/twelvekit/twelvekit/config"
)

var natsFamily = family{
	name: "nats",
	schemes: []scheme{
		{name: "nats", port: 4222},
		{name: "tls", variant: "tls", port: 4222, tls: TLSVerify},
	},
	example:     "nats://host:4222",
	multi:       true,
	hier:        true,
	plus:        true,
	secretParam: isSecretParam,
	finish:      finishNATS,
	write:       writeHostsQuery,
	greet:       greetNATS,
}

// finishNATS drops a path, which nats.go ignores.
func finishNATS(u *URL, params []Param) error {
	u.path = ""
	u.params = params
	return nil
}

// finishNoPath is the finish of families whose URLs have no path.
func finishNoPath(u *URL, params []Param) error {
	if u.path != "" && u.path != "/" {
		return errorf("a " + u.fam.name + " URL has no path; remove what follows the host")
	}
	u.path = ""
	u.params = params
	return nil
}

// writeHostsQuery writes the hosts and the query, for families without path.
func writeHostsQuery(u *URL, b *strings.Builder, hide bool) {
	u.writeHosts(b)
	u.writeQuery(b, hide)
}

// natsSpaces removes the spaces around the commas and at the ends of a NATS
// server list, as nats.go does; other text is returned as it is.
func natsSpaces(raw string) string {
	if strings.IndexByte(raw, ' ') < 0 {
		return raw
	}
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 {
		return raw
	}
	if ref, ok := lookup(raw[:colon]); !ok || ref.fam != &natsFamily {
		return raw
	}
	parts := strings.Split(raw, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.Trim(p, " "); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ",")
}

// parseNATSList reads a comma-separated list of NATS servers, each a whole
// URL or host[:port], as nats.go splits Connect's argument.
func parseNATSList(raw string, dst *URL) error {
	var out URL
	var params []Param
	for i, item := range strings.Split(raw, ",") {
		ref := schemeRef{&natsFamily, &natsFamily.schemes[0]}
		rest := item
		if j := strings.Index(item, "://"); j >= 0 {
			r, ok := lookup(item[:j])
			if !ok || r.fam != &natsFamily || !validScheme(item[:j]) {
				return errorf("a server in a NATS list is not a nats:// or tls:// URL")
			}
			ref, rest = r, item[j+3:]
		}
		var u URL
		if err := parseHier(ref, rest, &u); err != nil {
			return err
		}
		params = append(params, u.Params()...)
		if i == 0 {
			out = u
			continue
		}
		if u.hasUser {
			if !out.hasUser {
				out.hasUser, out.hasPass, out.token, out.user, out.sec = u.hasUser, u.hasPass, u.token, u.user, u.sec // user: sealed in sec
			} else if u.User() != out.User() || u.hasPass != out.hasPass || u.token != out.token ||
				u.password() != out.password() || u.creds().token != out.creds().token {
				return errorf("servers in a NATS list have different credentials; give them once, on the first server")
			}
		}
		if u.tls > out.tls {
			out.tls, out.variant = u.tls, u.variant
		}
		out.hosts = append(out.hosts, u.hosts...)
	}
	out.params = params
	out.unseal()
	out.secrets().params = nil
	out.seal()
	*dst = out
	return nil
}

// NATSOptions is what nats.go needs: the server list for nats.Connect (join
// it with ","), and the credentials for nats.UserInfo or nats.Token.
type NATSOptions struct {
	Servers  []string // nats://host:port or tls://host:port, without credentials
	User     string
	Password config.Secret
	Token    config.Secret // a lone userinfo, as nats.go reads it
	TLS      *tls.Config   // nil unless the URL is tls:// (nats.Secure)
}

// NATS returns a nats or tls URL's servers and credentials. Following
// nats.go, a user name without a password is a token. The credentials apply
// to every server. Other families give an error wrapping [ErrFamily].
func (u URL) NATS() (NATSOptions, error) {
	if err := u.want("NATS", "nats"); err != nil {
		return NATSOptions{}, err
	}
	scheme := "nats://"
	if u.tls != TLSDisable {
		scheme = "tls://"
	}
	o := NATSOptions{TLS: u.TLSConfig()}
	for _, h := range u.hosts {
		o.Servers = append(o.Servers, scheme+h.urlHost())
	}
	switch {
	case u.token:
		o.Token = config.NewSecret(u.creds().token)
	case u.hasUser:
		o.User, o.Password = u.User(), u.Password()
	}
	return o, nil
}

// greetNATS reads the server's INFO line.
func greetNATS(_ net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "INFO ") && !strings.HasPrefix(line, "INFO\t") {
		return wrongf("the first line is not a NATS INFO")
	}
	return nil
}
