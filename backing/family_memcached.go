package backing

import (
	"bufio"
	"net"
	"strings"
)

var memcachedFamily = family{
	name: "memcached",
	schemes: []scheme{
		{name: "memcached", port: 11211},
		{name: "memcache", port: 11211},
	},
	example:     "memcached://host:11211",
	multi:       true,
	hier:        true,
	userName:    true,
	plus:        true,
	public:      publicParts{},
	secretParam: isSecretParam,
	finish:      finishNoPath,
	write:       writeHostsQuery,
	greet:       greetMemcached,
}

// parseHostList reads a bare host:port,host:port list as memcached, as
// MEMCACHIER_SERVERS holds it.
func parseHostList(raw string, u *URL) error {
	if strings.ContainsAny(raw, "/?#@") {
		return errorf("missing scheme; write scheme://host, such as postgres://db.internal:5432/app (known schemes: " + knownSchemes() + ")")
	}
	*u = URL{fam: &memcachedFamily}
	for h := range strings.SplitSeq(raw, ",") {
		host, err := parseHost(h, 11211, false)
		if err != nil {
			return err
		}
		if host.Unix {
			return errorf("a socket in a host list; write memcached hosts as host:port")
		}
		u.hosts = append(u.hosts, host)
	}
	return nil
}

// greetMemcached sends version, answered VERSION.
func greetMemcached(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	if _, err := c.Write([]byte("version\r\n")); err != nil {
		return err
	}
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if v, ok := strings.CutPrefix(line, "VERSION "); !ok || strings.TrimSpace(v) == "" {
		return wrongf("the answer to version is not memcached's")
	}
	return nil
}
