package backing

import (
	"bufio"
	"net"
	"strings"
)

var smtpFamily = family{
	name: "smtp",
	schemes: []scheme{
		{name: "smtp", port: 587, tls: TLSPrefer},
		{name: "smtps", variant: "smtps", port: 465, tls: TLSVerify},
	},
	example:     "smtp://user:password@host:587",
	hier:        true,
	userName:    true,
	plus:        true,
	secretParam: isSecretParam,
	finish:      finishNoPath,
	write:       writeHostsQuery,
	greet:       greetSMTP,
}

// greetSMTP reads the 220 greeting and says QUIT.
func greetSMTP(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	line, err := readLine(r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "220") {
		return wrongf("the first line is not an SMTP 220 greeting")
	}
	_, _ = c.Write([]byte("QUIT\r\n"))
	return nil
}
