package backing

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

var mongoFamily = family{
	name: "mongodb",
	schemes: []scheme{
		{name: "mongodb", port: 27017},
		{name: "mongodb+srv", variant: "mongodb+srv", tls: TLSVerify},
	},
	example:  "mongodb://user:password@host:27017/database",
	multi:    true,
	hier:     true,
	userName: true,
	plus:     true,
	public: publicParts{database: true, keys: []string{"replicaSet", "appName", "tls", "ssl", "retryWrites", "retryReads", "w",
		"journal", "readPreference", "readConcernLevel", "maxPoolSize", "minPoolSize", "connectTimeoutMS", "socketTimeoutMS",
		"serverSelectionTimeoutMS", "directConnection", "loadBalanced", "compressors", "timeoutMS", "authSource", "authMechanism"}},
	secretParam: mongoSecret,
	finish:      finishMongo,
	write:       writeMongo,
	greet:       greetMongo,
}

// mongoSecret reports whether a MongoDB option is masked in print: the
// credential keys of every family, every auth option (authSource,
// authMechanism, authMechanismProperties, which can hold an AWS session
// token) and every password option.
func mongoSecret(key string) bool {
	k := strings.ToLower(key)
	// authSource and authMechanism name a database and a method; the
	// mechanism's properties can carry an AWS session token.
	return k == "authmechanismproperties" || strings.Contains(k, "password") || isSecretParam(key)
}

// mongoOpt is how the official driver reads an option: 'i' a whole number
// from 0 up, 'b' true or false, 'w' a word from words, 's' any text.
type mongoOpt struct {
	kind  byte
	words []string
}

var mongoOpts = map[string]mongoOpt{
	"appname": {kind: 's'}, "authmechanism": {kind: 'w', words: []string{"scram-sha-1", "scram-sha-256", "mongodb-x509",
		"mongodb-aws", "gssapi", "plain", "mongodb-oidc", "mongodb-cr"}},
	"authmechanismproperties": {kind: 'p'}, "authsource": {kind: 'n'}, "compressors": {kind: 's'},
	"connect": {kind: 'w', words: []string{"automatic", "direct"}}, "directconnection": {kind: 'B'},
	"connecttimeoutms": {kind: 'i'}, "heartbeatintervalms": {kind: 'i'}, "heartbeatfrequencyms": {kind: 'i'},
	"journal": {kind: 'b'}, "loadbalanced": {kind: 'b'}, "localthresholdms": {kind: 'i'}, "maxidletimems": {kind: 'i'},
	"maxpoolsize": {kind: 'i'}, "minpoolsize": {kind: 'i'}, "maxconnecting": {kind: 'i'}, "readconcernlevel": {kind: 's'},
	"readpreference": {kind: 's'}, "readpreferencetags": {kind: 't'}, "maxstaleness": {kind: 'i'},
	"maxstalenessseconds": {kind: 'i'}, "replicaset": {kind: 's'}, "retrywrites": {kind: 'b'}, "retryreads": {kind: 'b'},
	"servermonitoringmode": {kind: 'W', words: []string{"auto", "stream", "poll"}}, "serverselectiontimeoutms": {kind: 'i'},
	"sockettimeoutms": {kind: 'i'}, "srvmaxhosts": {kind: 'i'}, "srvservicename": {kind: 'v'}, "ssl": {kind: 'b'},
	"tls": {kind: 'b'}, "sslclientcertificatekeyfile": {kind: 'f'}, "tlscertificatekeyfile": {kind: 'f'},
	"sslclientcertificatekeypassword": {kind: 's'}, "tlscertificatekeyfilepassword": {kind: 's'},
	"tlscertificatefile": {kind: 'f'}, "tlsprivatekeyfile": {kind: 'f'}, "sslinsecure": {kind: 'b'}, "tlsinsecure": {kind: 'b'},
	"sslcertificateauthorityfile": {kind: 'f'}, "tlscafile": {kind: 'f'}, "timeoutms": {kind: 'i'},
	"tlsdisableocspendpointcheck": {kind: 'b'}, "w": {kind: 'x'}, "wtimeoutms": {kind: 'i'}, "wtimeout": {kind: 'i'},
	"zlibcompressionlevel": {kind: 'z', words: []string{"9"}}, "zstdcompressionlevel": {kind: 'z', words: []string{"22"}},
}

// parseMongo reads what follows mongodb:// or mongodb+srv:// as the
// official driver's connection-string parser does: the user information
// ends at the first '@' (so an '@', ':' or '/' in a password must be
// percent-encoded), hosts end at the first '/', '?' needs a '/' before it,
// options are separated by '&' or ';' and their names are case-insensitive.
func parseMongo(ref schemeRef, s string, u *URL) error {
	*u = URL{fam: &mongoFamily, variant: ref.s.variant, tls: TLSDisable}
	srv := ref.s.variant == "mongodb+srv"
	if i := strings.IndexByte(s, '@'); i >= 0 {
		ui := s[:i]
		s = s[i+1:]
		user, pass, hasPass := strings.Cut(ui, ":")
		switch {
		case strings.IndexByte(user, '/') >= 0 || strings.IndexByte(pass, '/') >= 0:
			return errorf("an unescaped / in the MongoDB user information; percent-encode it as %2F")
		case strings.IndexByte(pass, ':') >= 0:
			return errorf("an unescaped : in the MongoDB password; percent-encode it as %3A")
		}
		du, ok1 := unescape(user, false)
		dp, ok2 := unescape(pass, false)
		if !ok1 || !ok2 {
			return errorf("bad percent-encoding in the MongoDB user information; write a % as %25")
		}
		u.hasUser, u.user, u.hasPass = true, du, hasPass
		if dp != "" {
			u.secrets().password = dp
		}
	}
	hosts := s
	rest := ""
	if i := strings.IndexAny(s, "/?@"); i >= 0 {
		switch s[i] {
		case '@':
			return errorf("an unescaped @ in the MongoDB user information; percent-encode it as %40")
		case '?':
			return errorf("a MongoDB URL needs a / before the query; write host/?option=value")
		}
		hosts, rest = s[:i], s[i:]
	}
	for h := range strings.SplitSeq(hosts, ",") {
		if h == "" {
			continue
		}
		if strings.IndexByte(h, '+') >= 0 {
			return errorf("a '+' in a MongoDB host; remove it")
		}
		host, err := parseHost(h, 27017, false)
		if err != nil {
			return err
		}
		if srv && (host.Port != 27017 || strings.Contains(h, ":") && !strings.HasPrefix(h, "[")) {
			return errorf("a mongodb+srv URL has no port; the SRV record gives each host its port")
		}
		if host.Unix && !strings.HasSuffix(host.Name, ".sock") {
			return errorf("a MongoDB socket path must end in .sock, such as %2Ftmp%2Fmongodb-27017.sock")
		}
		if host.Unix {
			host.Port = 0
		}
		if srv {
			host.Port = 0
		}
		u.hosts = append(u.hosts, host)
	}
	if len(u.hosts) == 0 {
		return errorf("missing host; write it as " + mongoFamily.example)
	}
	if srv && (len(u.hosts) != 1 || u.hosts[0].Unix || strings.Count(u.hosts[0].Name, ".") < 2) {
		return errorf("a mongodb+srv URL names one host with at least three labels, such as cluster0.abcde.mongodb.net")
	}
	var query string
	if rest != "" {
		rest = rest[1:] // the '/'
		db, q, _ := strings.Cut(rest, "?")
		if err := atAfterHost(db, q, false, "&;"); err != nil {
			return err
		}
		dec, ok := unescape(db, true)
		if !ok {
			return errorf("bad percent-encoding in the MongoDB database name; write a % as %25")
		}
		u.database, query = dec, q
	}
	var params []Param
	for part := range strings.FieldsFuncSeq(query, func(r rune) bool { return r == '&' || r == ';' }) {
		k, v, found := strings.Cut(part, "=")
		if !found || k == "" {
			return errorf("a MongoDB option has no '=' or no name; write options as ?name=value&name=value")
		}
		dk, ok1 := unescape(k, true)
		dv, ok2 := unescape(v, true)
		if !ok1 || !ok2 {
			return errorf("bad percent-encoding in the query; write a % as %25")
		}
		params = append(params, Param{Key: dk, Value: dv})
	}
	if err := finishMongo(u, params); err != nil {
		return err
	}
	u.seal()
	return nil
}

// finishMongo checks the options as the official driver does when it
// parses and validates a connection string, and reads the TLS mode.
func finishMongo(u *URL, params []Param) error {
	srv := u.variant == "mongodb+srv"
	tls := -1 // tls and ssl, when both given, must agree
	tlsFiles, insecure := false, false
	var mech, authSource string
	authSourceSet, props, hasProps := false, "", false
	w0, j := false, false
	direct, lb, replica, srvMax := false, false, false, false
	certFile, keyFile, certKeyFile, ocsp := false, false, false, false
	for _, p := range params {
		k := strings.ToLower(p.Key)
		o, known := mongoOpts[k]
		if !known {
			continue // the driver keeps unknown options aside
		}
		bad := func() error {
			return errorf("MongoDB option " + p.Key + " has a value the official driver refuses; see its documentation")
		}
		switch o.kind {
		case 'i':
			if n, err := strconv.Atoi(p.Value); err != nil || n < 0 {
				return errorf("MongoDB option " + p.Key + " is not a whole number from 0 up; fix it")
			}
		case 'b', 'B':
			v := p.Value
			if o.kind == 'B' {
				v = strings.ToLower(v)
			}
			if v != "true" && v != "false" {
				return errorf("MongoDB option " + p.Key + " must be true or false (in lower case)")
			}
		case 'w':
			if !containsFold(o.words, p.Value) {
				return bad()
			}
		case 'W':
			if !containsString(o.words, p.Value) {
				return bad()
			}
		case 'z':
			n, err := strconv.Atoi(p.Value)
			top, _ := strconv.Atoi(o.words[0])
			if err != nil || n < -1 || n > top {
				return errorf("MongoDB option " + p.Key + " is not a compression level from -1 to " + o.words[0])
			}
		case 'x':
			if n, err := strconv.Atoi(p.Value); err == nil && n < 0 {
				return errorf("MongoDB option w is a negative number; write 0 or more, or majority")
			}
		case 'v':
			if len(p.Value) < 1 || len(p.Value) > 62 {
				return errorf("MongoDB option srvServiceName must be 1 to 62 characters")
			}
		case 'n':
			authSourceSet = true
			authSource = p.Value
		case 'p':
			hasProps = true
			props = p.Value
			for pair := range strings.SplitSeq(p.Value, ",") {
				if k, _, ok := strings.Cut(pair, ":"); !ok || k == "" {
					return errorf("MongoDB option authMechanismProperties is not a list of NAME:value pairs separated by commas")
				}
			}
		case 't':
			if p.Value != "" {
				for item := range strings.SplitSeq(p.Value, ",") {
					if strings.Count(item, ":") != 1 {
						return errorf("MongoDB option readPreferenceTags is not a list of name:value pairs")
					}
				}
			}
		}
		switch k {
		case "authmechanism":
			mech = strings.ToLower(p.Value)
		case "ssl", "tls":
			v := 0
			if p.Value == "true" {
				v = 1
			}
			if tls >= 0 && tls != v {
				return errorf("MongoDB options tls and ssl disagree; give one")
			}
			tls = v
		case "tlsinsecure", "sslinsecure":
			insecure = p.Value == "true"
		case "tlscafile", "sslcertificateauthorityfile":
			tlsFiles = true
		case "tlscertificatekeyfile", "sslclientcertificatekeyfile":
			tlsFiles, certKeyFile = true, true
		case "tlscertificatefile":
			tlsFiles, certFile = true, true
		case "tlsprivatekeyfile":
			tlsFiles, keyFile = true, true
		case "tlsdisableocspendpointcheck":
			tlsFiles, ocsp = true, true
		case "w":
			w0 = p.Value == "0"
		case "journal":
			j = p.Value == "true"
		case "directconnection":
			direct = strings.EqualFold(p.Value, "true")
		case "connect":
			direct = direct || strings.EqualFold(p.Value, "direct")
		case "loadbalanced":
			lb = p.Value == "true"
		case "replicaset":
			replica = p.Value != ""
		case "srvmaxhosts", "srvservicename":
			if !srv {
				return errorf("MongoDB option " + p.Key + " applies only to mongodb+srv URLs; remove it")
			}
			srvMax = srvMax || (k == "srvmaxhosts" && p.Value != "0")
		}
	}
	if authSourceSet && authSource == "" {
		return errorf("MongoDB option authSource is empty; name the database, or remove it")
	}
	user, pw := u.user, u.pending.password
	switch mech {
	case "scram-sha-1", "scram-sha-256", "plain", "mongodb-cr":
		if user == "" || pw == "" || (hasProps && mech != "gssapi") {
			return errorf("MongoDB authMechanism " + strings.ToUpper(mech) + " needs a user and a password, and takes no authMechanismProperties")
		}
	case "mongodb-x509", "mongodb-oidc":
		if pw != "" || (hasProps && mech == "mongodb-x509") {
			return errorf("MongoDB authMechanism " + strings.ToUpper(mech) + " takes no password")
		}
	case "mongodb-aws":
		if (user == "") != (pw == "") {
			return errorf("MongoDB authMechanism MONGODB-AWS needs both a user and a password, or neither")
		}
		for pair := range strings.SplitSeq(props, ",") {
			if k, _, _ := strings.Cut(pair, ":"); hasProps && k != "AWS_SESSION_TOKEN" {
				return errorf("MongoDB authMechanism MONGODB-AWS takes only the AWS_SESSION_TOKEN property")
			}
		}
		if hasProps && user == "" {
			return errorf("MongoDB authMechanism MONGODB-AWS: a session token needs a user and a password")
		}
	case "gssapi":
		if user == "" {
			return errorf("MongoDB authMechanism GSSAPI needs a user")
		}
		for pair := range strings.SplitSeq(props, ",") {
			switch k, _, _ := strings.Cut(pair, ":"); k {
			case "SERVICE_NAME", "CANONICALIZE_HOST_NAME", "SERVICE_REALM", "SERVICE_HOST", "":
			default:
				return errorf("MongoDB authMechanism GSSAPI takes only the SERVICE_NAME, CANONICALIZE_HOST_NAME, SERVICE_REALM and SERVICE_HOST properties")
			}
		}
	case "":
		if u.hasUser && user == "" {
			return errorf("a MongoDB URL with user information but no user name; add the user or remove the @")
		}
	}
	switch mech {
	case "mongodb-x509", "mongodb-aws", "mongodb-oidc", "gssapi":
		if authSourceSet && authSource != "$external" {
			return errorf("MongoDB authMechanism " + strings.ToUpper(mech) + " authenticates against $external; remove authSource")
		}
	}
	if w0 && j {
		return errorf("MongoDB options w=0 and journal=true contradict each other; drop one")
	}
	if direct && (len(u.hosts) > 1 || srv || lb) {
		return errorf("a MongoDB direct connection names exactly one host, and no mongodb+srv or loadBalanced; fix the URL")
	}
	if lb && (len(u.hosts) > 1 || replica) {
		return errorf("MongoDB loadBalanced=true takes one host and no replicaSet; fix the URL")
	}
	if srvMax && replica {
		return errorf("MongoDB srvMaxHosts cannot go with replicaSet; drop one")
	}
	switch {
	case tls == 0:
		u.tls = TLSDisable
	case tls == 1 || tlsFiles || srv:
		u.tls = TLSVerify
	}
	if u.tls != TLSDisable {
		if certKeyFile && (certFile || keyFile) || certFile != keyFile && !certKeyFile {
			return errorf("MongoDB TLS files: give tlsCertificateKeyFile alone, or tlsCertificateFile with tlsPrivateKeyFile")
		}
		if insecure && ocsp {
			return errorf("MongoDB options tlsInsecure and tlsDisableOCSPEndpointCheck cannot go together; drop one")
		}
		if insecure {
			u.tls, u.insecure = TLSRequire, true
		}
	}
	u.params = params
	return nil
}

func containsFold(list []string, s string) bool {
	for _, w := range list {
		if strings.EqualFold(w, s) {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, w := range list {
		if w == s {
			return true
		}
	}
	return false
}

// writeMongo writes the hosts (without ports for mongodb+srv), the
// database and the options, as they were given. The printed form goes
// through the common query printer; the revealed one escapes ';' and '+',
// which the official driver reads as a separator and a space.
func writeMongo(u *URL, b *strings.Builder, hide bool) {
	u.writeMongoHosts(b)
	b.WriteByte('/')
	b.WriteString(escape(u.database, ""))
	if hide {
		u.writeQuery(b, hide)
		return
	}
	for i, p := range u.Params() {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(escape(p.Key, ""))
		b.WriteByte('=')
		b.WriteString(escape(p.Value, mongoKeep))
	}
}

func (u *URL) writeMongoHosts(b *strings.Builder) {
	if u.variant == "mongodb+srv" {
		b.WriteString(u.hosts[0].Name)
		return
	}
	u.writeHosts(b)
}

// mongoKeep are the characters left as they are in a MongoDB option value:
// the official driver splits options at '&' and ';' and reads '+' as a
// space, and Parse refuses a bare '@' after an option it does not know.
const mongoKeep = "!$'()*,:/"

// Mongo returns a mongodb or mongodb+srv URL as the official driver's
// options.Client().ApplyURI reads it, credentials included: the scheme, the
// user information percent-encoded, every host with its port (none for
// mongodb+srv, whose SRV record gives them), the database and every option
// in order, as written. Other families give an error wrapping [ErrFamily].
func (u URL) Mongo() (string, error) {
	if err := u.want("Mongo", "mongodb"); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(96)
	if u.variant == "mongodb+srv" {
		b.WriteString("mongodb+srv://")
	} else {
		b.WriteString("mongodb://")
	}
	u.writeUserinfo(&b, false)
	writeMongo(&u, &b, false)
	return b.String(), nil
}

// mongoHosts returns the hosts Check tries: a mongodb+srv URL's from its
// SRV record (_mongodb._tcp.name, or the srvServiceName option's service),
// bounded by ctx; the others' as written.
func mongoHosts(ctx context.Context, u URL) ([]Host, error) {
	if u.variant != "mongodb+srv" {
		return u.hosts, nil
	}
	service := "mongodb"
	for _, p := range u.Params() {
		if strings.EqualFold(p.Key, "srvServiceName") {
			service = p.Value
		}
	}
	var r net.Resolver
	_, addrs, err := r.LookupSRV(ctx, service, "tcp", u.hosts[0].Name)
	if err != nil {
		return nil, err
	}
	hosts := make([]Host, 0, len(addrs))
	for _, a := range addrs {
		hosts = append(hosts, Host{Name: strings.TrimSuffix(a.Target, "."), Port: int(a.Port)})
	}
	return hosts, nil
}

// greetMongo sends hello in an OP_MSG ({hello: 1, $db: "admin"}), which a
// MongoDB server (3.6 and later) answers before authentication, and parses
// the whole reply: the header answering our request, the OP_MSG flags and
// body section, and a BSON document holding ok: 1 and the server's
// maxWireVersion.
func greetMongo(c net.Conn, r *bufio.Reader, _ URL, _ Host) error {
	doc := bsonDoc(func(b []byte) []byte {
		b = append(b, 0x10)
		b = append(b, "hello\x00"...)
		b = binary.LittleEndian.AppendUint32(b, 1)
		b = append(b, 0x02)
		b = append(b, "$db\x00"...)
		b = binary.LittleEndian.AppendUint32(b, 6)
		return append(b, "admin\x00"...)
	})
	reqID := uint32(time.Now().UnixNano()&0x7fffffff) | 1
	msg := make([]byte, 16, 16+5+len(doc))
	binary.LittleEndian.PutUint32(msg[4:], reqID)
	binary.LittleEndian.PutUint32(msg[12:], 2013)
	msg = append(msg, 0, 0, 0, 0, 0) // flag bits, section kind 0
	msg = append(msg, doc...)
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	if _, err := c.Write(msg); err != nil {
		return err
	}
	var hdr [16]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	n := int(binary.LittleEndian.Uint32(hdr[:]))
	if n < 16+5+5 || n > 1<<20 || binary.LittleEndian.Uint32(hdr[8:]) != reqID || binary.LittleEndian.Uint32(hdr[12:]) != 2013 {
		return wrongf("the answer to hello is not a MongoDB OP_MSG reply to it")
	}
	body := make([]byte, n-16)
	if _, err := io.ReadFull(r, body); err != nil {
		return err
	}
	if body[4] != 0 {
		return wrongf("a MongoDB reply without a body section")
	}
	fields, ok := bsonFields(body[5:])
	if !ok {
		return wrongf("a MongoDB reply whose body is not a BSON document")
	}
	if fields["ok"] != "1" || fields["maxWireVersion"] == "" {
		return wrongf("a MongoDB reply to hello without ok: 1 and maxWireVersion")
	}
	return nil
}

// bsonDoc wraps the elements fill appends in a BSON document.
func bsonDoc(fill func([]byte) []byte) []byte {
	b := fill(make([]byte, 4, 64))
	b = append(b, 0)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return b
}

// bsonFields parses a BSON document, every element checked against its
// type's size, and returns its top-level numbers ("1" for ok: 1.0) and
// strings; ok is false when the document is malformed.
func bsonFields(b []byte) (map[string]string, bool) {
	if len(b) < 5 {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 5 || n > len(b) || b[n-1] != 0 {
		return nil, false
	}
	out := map[string]string{}
	p := b[4 : n-1]
	for len(p) > 0 {
		t := p[0]
		end := -1
		for i := 1; i < len(p); i++ {
			if p[i] == 0 {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, false
		}
		name := string(p[1:end])
		p = p[end+1:]
		size := 0
		switch t {
		case 0x01, 0x09, 0x11, 0x12: // double, datetime, timestamp, int64
			size = 8
		case 0x02, 0x0D, 0x0E: // string, code, symbol
			if len(p) < 4 {
				return nil, false
			}
			size = 4 + int(binary.LittleEndian.Uint32(p))
		case 0x03, 0x04: // document, array
			if len(p) < 4 {
				return nil, false
			}
			size = int(binary.LittleEndian.Uint32(p))
		case 0x05: // binary
			if len(p) < 4 {
				return nil, false
			}
			size = 5 + int(binary.LittleEndian.Uint32(p))
		case 0x07: // object id
			size = 12
		case 0x08: // bool
			size = 1
		case 0x0A, 0x06, 0x7F, 0xFF: // null, undefined, max and min key
		case 0x10: // int32
			size = 4
		case 0x13: // decimal128
			size = 16
		default:
			return nil, false
		}
		if size < 0 || size > len(p) {
			return nil, false
		}
		v := p[:size]
		switch t {
		case 0x01:
			f := math.Float64frombits(binary.LittleEndian.Uint64(v))
			out[name] = strconv.FormatFloat(f, 'g', -1, 64)
		case 0x10:
			out[name] = strconv.Itoa(int(int32(binary.LittleEndian.Uint32(v))))
		case 0x12:
			out[name] = strconv.FormatInt(int64(binary.LittleEndian.Uint64(v)), 10)
		case 0x02:
			if size >= 5 {
				out[name] = string(v[4 : size-1])
			}
		}
		p = p[size:]
	}
	return out, true
}
