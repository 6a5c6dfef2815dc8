package backing

import (
	"bufio"
	"net"
	"strings"
)

var httpFamily = family{
	name: "http",
	schemes: []scheme{
		{name: "http", port: 80},
		{name: "https", variant: "https", port: 443, tls: TLSVerify},
	},
	example:     "https://host/path",
	hier:        true,
	atInPath:    true,
	plus:        true,
	public:      publicParts{},
	secretParam: isSecretParam,
	finish:      func(u *URL, params []Param) error { u.params = params; return nil },
	write:       writePathQuery,
	greet:       greetHTTP,
}

// greetHTTP sends HEAD / and reads the status line (HTTP/1.x and a
// three-digit code, any code) and the header lines up to the blank line.
func greetHTTP(c net.Conn, r *bufio.Reader, _ URL, h Host) error {
	req := "HEAD / HTTP/1.1\r\nHost: " + h.String() + "\r\nConnection: close\r\nUser-Agent: twelvekit-backing-check\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return err
	}
	line, err := readLine(r)
	if err != nil {
		return err
	}
	return httpHead(r, line)
}

// httpHead checks an HTTP status line and reads the headers that follow.
func httpHead(r *bufio.Reader, status string) error {
	v, rest, _ := strings.Cut(status, " ")
	if (v != "HTTP/1.1" && v != "HTTP/1.0") || len(rest) < 3 || !isDigits(rest[:3]) || (len(rest) > 3 && rest[3] != ' ') {
		return wrongf("the answer is not an HTTP status line")
	}
	for range 128 {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if line == "" {
			return nil
		}
		if k, _, ok := strings.Cut(line, ":"); !ok || k == "" || strings.ContainsAny(k, " \t") {
			return wrongf("an HTTP status line followed by a line that is not a header")
		}
	}
	return wrongf("an HTTP answer with more than 128 header lines")
}
