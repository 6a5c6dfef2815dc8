package backing

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
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
	shared: []scheme{
		{name: "ws", variant: "ws", port: 80},
		{name: "wss", variant: "wss", port: 443, tls: TLSVerify},
	},
	public:      publicParts{keys: []string{"name", "verbose", "pedantic"}},
	example:     "nats://host:4222",
	multi:       true,
	hier:        true,
	plus:        true,
	secretParam: isSecretParam,
	finish:      finishNATS,
	write:       writeNATS,
	greet:       greetNATS,
}

// finishNATS drops a path, which nats.go ignores but over WebSocket.
func finishNATS(u *URL, params []Param) error {
	if u.variant != "ws" && u.variant != "wss" {
		u.path = ""
	}
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

// writeNATS writes the hosts, the WebSocket path and the query.
func writeNATS(u *URL, b *strings.Builder, hide bool) {
	u.writeHosts(b)
	b.WriteString(escape(u.Path(), pathKeep))
	u.writeQuery(b, hide)
}

// nativeNATS reads a server list without scheme, host[:port] items
// separated by commas, as nats.go reads Connect's argument: each item gets
// nats:// and the default port.
func nativeNATS(raw string, u *URL) (bool, error) {
	if strings.Contains(raw, "://") || strings.IndexByte(raw, '#') >= 0 {
		return false, nil
	}
	raw = natsTrim(raw)
	if raw == "" || strings.ContainsAny(raw, " \t") {
		return false, nil
	}
	return true, parseNATSList(raw, u, []string{"nats"})
}

// writeHostsQuery writes the hosts and the query, for families without path.
func writeHostsQuery(u *URL, b *strings.Builder, hide bool) {
	u.writeHosts(b)
	u.writeQuery(b, hide)
}

// natsSpaces removes the spaces around the commas and at the ends of a NATS
// server list, as nats.go does; other text is returned as it is.
func natsSpaces(raw string, fams []string) string {
	if strings.IndexByte(raw, ' ') < 0 {
		return raw
	}
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 {
		return raw
	}
	if ref, ok := lookupIn(raw[:colon], fams); !ok || ref.fam != &natsFamily {
		return raw
	}
	return natsTrim(raw)
}

// natsTrim trims the items of a comma-separated list and drops empty ones.
func natsTrim(raw string) string {
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
// URL or host[:port], as nats.go splits Connect's argument. A list mixes no
// WebSocket and plain servers, which nats.go refuses.
func parseNATSList(raw string, dst *URL, fams []string) error {
	var out URL
	var params []Param
	for i, item := range strings.Split(raw, ",") {
		ref := schemeRef{&natsFamily, &natsFamily.schemes[0]}
		rest := item
		if i > 0 && !strings.Contains(item, "://") && strings.IndexByte(item, '@') >= 0 {
			// nats://tok,en@h1: the ',' of a token split the list, and its
			// first part would be read (and printed) as a host.
			return errorf("a server after the first in a NATS list has credentials but no scheme: percent-encode a ',' in a user name, password or token as %2C, and write a server with credentials as a whole URL (nats://user:password@host)")
		}
		if j := strings.Index(item, "://"); j >= 0 {
			r, ok := lookupIn(item[:j], fams)
			if !ok || r.fam != &natsFamily || !validScheme(item[:j]) {
				return errorf("a server in a NATS list is not a nats://, tls://, ws:// or wss:// URL")
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
		if isWS(u.variant) != isWS(out.variant) {
			return errorf("a NATS list mixes WebSocket (ws, wss) and plain servers, which nats.go refuses; use one kind")
		}
		if u.hasUser {
			if !out.hasUser {
				// The credentials of this server, not the rest of what it
				// sealed (its options' names and values are numbered by its
				// own list, and come back through Params below).
				c := u.creds()
				out.unseal()
				out.hasUser, out.hasPass, out.token, out.user = u.hasUser, u.hasPass, u.token, u.User()
				s := out.secrets()
				s.password, s.token = c.password, c.token
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
	out.unseal()
	out.params = params // every server's, as written
	s := out.secrets()
	s.params, s.keys = nil, nil
	out.seal()
	*dst = out
	return nil
}

func isWS(variant string) bool { return variant == "ws" || variant == "wss" }

// NATSOptions is what nats.go needs: the server list for nats.Connect (join
// it with ","), and the credentials for nats.UserInfo or nats.Token.
type NATSOptions struct {
	Servers  []string // nats://host:port, tls://host:port, ws://host:port/path or wss://..., without credentials
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
	switch {
	case isWS(u.variant) && u.tls != TLSDisable:
		scheme = "wss://"
	case isWS(u.variant):
		scheme = "ws://"
	case u.tls != TLSDisable:
		scheme = "tls://"
	}
	o := NATSOptions{TLS: u.TLSConfig()}
	for _, h := range u.hosts {
		o.Servers = append(o.Servers, scheme+h.urlHost()+escape(u.Path(), pathKeep))
	}
	switch {
	case u.token:
		o.Token = config.NewSecret(u.creds().token)
	case u.hasUser:
		o.User, o.Password = u.User(), u.Password()
	}
	return o, nil
}

// greetNATS reads the server's INFO line, which a NATS server sends in
// plain text before any TLS (over ws and wss, in the first WebSocket frame
// after the upgrade), and parses its JSON object, which names the server
// (server_id).
func greetNATS(c net.Conn, r *bufio.Reader, u URL, h Host) error {
	var line string
	if isWS(u.variant) {
		if err := wsUpgrade(c, r, u, h, ""); err != nil {
			return err
		}
		p, err := wsRead(r)
		if err != nil {
			return err
		}
		line = strings.TrimRight(string(p), "\r\n")
	} else {
		var err error
		if line, err = readLine(r); err != nil {
			return err
		}
	}
	rest, ok := strings.CutPrefix(line, "INFO")
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return wrongf("the first line is not a NATS INFO")
	}
	var info struct {
		ServerID string `json:"server_id"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(rest)), &info); err != nil || info.ServerID == "" {
		return wrongf("the NATS INFO line holds no server_id in JSON")
	}
	return nil
}
