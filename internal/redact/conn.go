package redact

import "strings"

// mysqlDSN masks go-sql-driver/mysql's form
// [user[:password]@][net[(addr)]]/dbname[?params]: the credentials end at
// the last '@' that is followed by net(addr)/ or by /. The user shows, the
// password is masked, the address and database show, the query follows the
// mysql family's safe list.
func mysqlDSN(s string) (string, bool) {
	at := -1
	for i := strings.LastIndexByte(s, '@'); i >= 0; i = strings.LastIndexByte(s[:i], '@') {
		if addrEnd(s[i+1:]) >= 0 {
			at = i
			break
		}
	}
	if at < 0 {
		return "", false
	}
	f := lookupFamily("mysql")
	var b strings.Builder
	b.Grow(len(s) + len(Mask))
	user, _, hasPass := strings.Cut(s[:at], ":")
	switch {
	case !plainUser(user):
		b.WriteString(Mask)
	case hasPass:
		b.WriteString(user + ":" + Mask)
	default:
		b.WriteString(user)
	}
	b.WriteByte('@')
	t := s[at+1:]
	slash := addrEnd(t)
	netw, addr, paren := strings.Cut(t[:slash], "(")
	b.WriteString(netw)
	if paren {
		addr = strings.TrimSuffix(addr, ")")
		b.WriteByte('(')
		if strings.HasPrefix(netw, "unix") {
			if plainValue(addr) && !strings.ContainsAny(addr, ":@") {
				b.WriteString(addr)
			} else {
				b.WriteString(Mask)
			}
		} else {
			writeHosts(&b, addr)
		}
		b.WriteByte(')')
	}
	writeRest(&b, f, t[slash:])
	return b.String(), true
}

// addrEnd returns the index of the '/' that ends a DSN's net(addr) part at
// the start of t, or -1 when t does not start with one.
func addrEnd(t string) int {
	i := 0
	for i < len(t) && isAlnum(t[i]) {
		i++
	}
	if i < len(t) && t[i] == '(' {
		j := strings.IndexByte(t[i:], ')')
		if j < 0 || i == 0 {
			return -1
		}
		i += j + 1
	}
	if i < len(t) && t[i] == '/' {
		return i
	}
	return -1
}

// pgKeywords are libpq's connection keywords (and pgx's pool ones): a
// keyword/value string is read as one only when each of its keywords is
// here. Those outside the postgres family's safe list (password,
// sslpassword, passfile, sslkey, service...) show masked values.
var pgKeywords = []string{
	"password", "passfile", "sslpassword", "sslkey", "service", "requiressl", "gsslib",
	"gssdelegation", "requirepeer", "sslmode", "connect_timeout", "application_name",
	"user", "dbname", "host", "port",
}

// keywordValue masks a libpq keyword/value string such as
// "host=db user=app password='it\'s'": pairs keyword = value separated by
// spaces, a value either bare or single-quoted with \' and \\ escapes. It
// is read when at least one keyword is libpq's; a pair with a keyword libpq
// does not have is masked whole.
func keywordValue(s string) (string, bool) {
	f := lookupFamily("postgres")
	var b strings.Builder
	b.Grow(len(s) + len(Mask))
	i, last, pairs := 0, 0, 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		k := i
		for i < len(s) && s[i] != '=' && !isSpace(s[i]) {
			i++
		}
		key := s[k:i]
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if key == "" || i == len(s) || s[i] != '=' {
			return "", false
		}
		known := has(pgKeywords, key) || has(pgKeys, key)
		i++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		v := i
		quoted := i < len(s) && s[i] == '\''
		if quoted {
			i++
			for i < len(s) && s[i] != '\'' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				i++
			}
			if i < len(s) {
				i++ // closing quote
			}
		} else {
			for i < len(s) && !isSpace(s[i]) {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				i++
			}
		}
		val := s[v:i]
		if quoted {
			val = strings.TrimSuffix(strings.TrimPrefix(val, "'"), "'")
		}
		switch {
		case !known:
			// a keyword libpq does not have may be a pasted token: the
			// whole pair goes
			b.WriteString(s[last:k])
			b.WriteString(Mask)
			last = i
		case !f.safeKey(key) || !plainValue(val):
			b.WriteString(s[last:v])
			b.WriteString(Mask)
			last = i
		}
		if known {
			pairs++
		}
	}
	b.WriteString(s[last:])
	return b.String(), pairs > 0
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// adoSafe are the ADO.NET (and Azure connection string) keywords whose
// values show, compared without case and spaces.
var adoSafe = []string{
	"server", "datasource", "address", "addr", "networkaddress", "host", "port", "database",
	"initialcatalog", "userid", "uid", "user", "username", "encrypt", "trustservercertificate",
	"connectiontimeout", "connecttimeout", "commandtimeout", "timeout", "multipleactiveresultsets",
	"applicationname", "app", "pooling", "minpoolsize", "maxpoolsize", "integratedsecurity",
	"trustedconnection", "persistsecurityinfo", "sslmode", "applicationintent",
	"multisubnetfailover", "hostnameincertificate", "failoverpartner", "packetsize",
	"authentication", "defaultendpointsprotocol", "endpointsuffix", "endpoint",
	"sharedaccesskeyname", "entitypath", "blobendpoint", "queueendpoint", "tableendpoint",
	"fileendpoint", "accountname", "provider", "protocol", "charset", "loadbalancehosts",
	"targetsessionattributes", "keepalive", "workstationid", "language", "currentlanguage",
}

// adoSecret are the ADO.NET and Azure keywords known to carry a credential:
// their names show, their values never.
var adoSecret = []string{
	"password", "pwd", "accountkey", "sharedaccesskey", "sharedaccesssignature",
	"clientsecret", "token", "accesstoken", "secret", "key", "apikey", "sslpassword",
	"columnencryptionkeystoreauthentication", "certificatepassword", "passphrase",
}

// adoNet masks an ADO.NET-style connection string, Key=Value pairs split at
// ';', a value optionally quoted with " or ' (a doubled quote inside). It is
// read when at least one keyword is one the rule knows; a pair with another
// keyword is masked whole.
func adoNet(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s) + len(Mask))
	i, pairs := 0, 0
	for i < len(s) {
		start := i
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			if strings.TrimSpace(s[i:]) == "" {
				b.WriteString(s[i:])
				break
			}
			return "", false
		}
		key := s[i : i+eq]
		if strings.ContainsRune(key, ';') {
			// an empty pair (;;) or a keyword without a value
			j := strings.IndexByte(key, ';')
			if strings.TrimSpace(key[:j]) != "" {
				return "", false
			}
			b.WriteString(s[i : i+j+1])
			i += j + 1
			continue
		}
		norm := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(key), " ", ""))
		safe := has(adoSafe, norm)
		known := safe || has(adoSecret, norm)
		i += eq + 1
		v := i
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			q := s[i]
			i++
			for i < len(s) {
				if s[i] == q {
					if i+1 < len(s) && s[i+1] == q {
						i += 2
						continue
					}
					break
				}
				i++
			}
			if i == len(s) {
				return "", false // an unclosed quote: not read
			}
			i++
		}
		for i < len(s) && s[i] != ';' {
			i++
		}
		val := strings.TrimSpace(s[v:i])
		switch {
		case !known:
			// a keyword the rule does not know may be a pasted token: the
			// whole pair goes
			b.WriteString(Mask)
		case safe && plainValue(val):
			b.WriteString(s[start:i])
		default:
			b.WriteString(s[start:v])
			b.WriteString(Mask)
		}
		if i < len(s) {
			b.WriteByte(';')
			i++
		}
		if known {
			pairs++
		}
	}
	return b.String(), pairs > 0
}
