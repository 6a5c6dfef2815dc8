package backing

import (
	"bufio"
	"net"
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
	public:      publicParts{},
	secretParam: isSecretParam,
	finish:      finishNoPath,
	write:       writeHostsQuery,
	greet:       greetSMTP,
}

// greetSMTP reads the 220 greeting, says EHLO (then HELO, for a server
// that refuses EHLO) and expects 250, which tells SMTP from an FTP server
// that greets with 220 too, then says QUIT. A 554 greeting, a server that
// refuses this client, is SMTP too.
func greetSMTP(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	code, err := smtpReply(r)
	if err != nil {
		return err
	}
	switch code {
	case "554":
		return nil
	case "220":
	default:
		return wrongf("the first line is not an SMTP 220 greeting")
	}
	for _, hello := range []string{"EHLO", "HELO"} {
		if _, err := c.Write([]byte(hello + " twelvekit-check.invalid\r\n")); err != nil {
			return err
		}
		code, err := smtpReply(r)
		if err != nil {
			return err
		}
		if code == "250" {
			_, _ = c.Write([]byte("QUIT\r\n"))
			return nil
		}
	}
	return wrongf("the server greets with 220 but does not answer EHLO or HELO with 250, as an SMTP server does")
}

// smtpReply reads one reply, with its continuation lines (250-...), and
// returns its code.
func smtpReply(r *bufio.Reader) (string, error) {
	for range 64 {
		line, err := readLine(r)
		if err != nil {
			return "", err
		}
		if len(line) < 3 || !isDigits(line[:3]) || (len(line) > 3 && line[3] != ' ' && line[3] != '-') {
			return "", wrongf("a line that is not an SMTP reply")
		}
		if len(line) == 3 || line[3] == ' ' {
			return line[:3], nil
		}
	}
	return "", wrongf("an SMTP reply of more than 64 lines")
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
