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
	plus:        true,
	secretParam: isSecretParam,
	finish:      func(u *URL, params []Param) error { u.params = params; return nil },
	write:       writePathQuery,
	greet:       greetHTTP,
}

// greetHTTP sends HEAD / and expects any HTTP status line.
func greetHTTP(c net.Conn, r *bufio.Reader, _ URL, h Host) error {
	req := "HEAD / HTTP/1.1\r\nHost: " + h.String() + "\r\nConnection: close\r\nUser-Agent: twelvekit-backing-check\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return err
	}
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "HTTP/1.") {
		return wrongf("the answer is not an HTTP status line")
	}
	return nil
}
