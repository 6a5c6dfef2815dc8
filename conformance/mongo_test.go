package conformance

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/mongo/address"
	"go.mongodb.org/mongo-driver/x/mongo/driver/connstring"
	"go.mongodb.org/mongo-driver/x/mongo/driver/dns"

	"github.com/twelvekit/twelvekit/backing"
)

// No DNS reaches this machine: mongodb+srv names resolve through a fake
// resolver, two targets under the name's domain and no TXT record, so the
// driver's own SRV rules (one host, no port, the targets' domain) apply.
func init() {
	dns.DefaultResolver = &dns.Resolver{
		LookupSRV: func(service, proto, name string) (string, []*net.SRV, error) {
			return "", []*net.SRV{{Target: "a." + name + ".", Port: 27017}, {Target: "b." + name + ".", Port: 27018}}, nil
		},
		LookupTXT: func(string) ([]string, error) { return nil, nil },
	}
}

// mongoReading is the official driver's reading of a connection string, as
// options.Client().ApplyURI makes it: ParseAndValidate, flattened.
func mongoReading(raw string) reading {
	cs, err := connstring.ParseAndValidate(raw)
	if err != nil {
		return errReading(err)
	}
	sorted := func(m map[string]string) string {
		var b []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			b = append(b, k+":"+m[k])
		}
		return strings.Join(b, ",")
	}
	var unknown []string
	for _, k := range slices.Sorted(maps.Keys(cs.UnknownOptions)) {
		unknown = append(unknown, k+"="+strings.Join(cs.UnknownOptions[k], "|"))
	}
	var tags []string
	for _, t := range cs.ReadPreferenceTagSets {
		tags = append(tags, sorted(t))
	}
	keyPass := ""
	if cs.SSLClientCertificateKeyPassword != nil {
		keyPass = cs.SSLClientCertificateKeyPassword()
	}
	// The addresses the driver dials: its own canonical form of each host
	// (lower case, default port 27017), and the network.
	var hosts []string
	for _, h := range cs.Hosts {
		a := address.Address(h)
		hosts = append(hosts, a.Network()+":"+a.Canonicalize().String())
	}
	f := map[string]string{
		"scheme": cs.Scheme, "hosts": strings.Join(hosts, ","), "user": fmt.Sprint(cs.Username, cs.UsernameSet),
		"password": fmt.Sprint(cs.Password, cs.PasswordSet), "database": cs.Database, "authSource": cs.AuthSource,
		"authMechanism": cs.AuthMechanism, "authProps": sorted(cs.AuthMechanismProperties), "appName": cs.AppName,
		"tls":     fmt.Sprint(cs.SSL, cs.SSLSet, cs.SSLInsecure, cs.SSLCaFile, cs.SSLClientCertificateKeyFile, keyPass, cs.SSLDisableOCSPEndpointCheck),
		"replica": cs.ReplicaSet, "readPref": cs.ReadPreference + " " + strings.Join(tags, "/") + " " + cs.ReadConcernLevel,
		"pool":     fmt.Sprint(cs.MaxPoolSize, cs.MinPoolSize, cs.MaxConnecting, cs.MaxConnIdleTime),
		"timeouts": fmt.Sprint(cs.ConnectTimeout, cs.SocketTimeout, cs.ServerSelectionTimeout, cs.HeartbeatInterval, cs.Timeout, cs.WTimeout),
		"write":    fmt.Sprint(cs.WString, cs.WNumber, cs.WNumberSet, cs.J, cs.JSet, cs.RetryWrites, cs.RetryWritesSet, cs.RetryReads),
		"topology": fmt.Sprint(cs.DirectConnection, cs.DirectConnectionSet, cs.LoadBalanced, cs.Connect, cs.SRVMaxHosts, cs.SRVServiceName),
		"compress": fmt.Sprint(cs.Compressors, cs.ZlibLevel, cs.ZstdLevel), "unknown": strings.Join(unknown, "&"),
	}
	return reading{fields: f}
}

func mongoOut(u backing.URL) reading {
	s, err := u.Mongo()
	if err != nil {
		return errReading(err)
	}
	r := mongoReading(s)
	if r.err == nil && (u.TLS() != backing.TLSDisable) != strings.HasPrefix(r.fields["tls"], "true") {
		r.fields["tls mode"] = "mismatch: " + u.TLS().String()
	}
	return r
}

// mongoCases are connection strings as MongoDB's documentation, Atlas,
// the driver's own tests and platforms write them, and texts it refuses.
func mongoCases() []dcase {
	var out []dcase
	add := func(diff string, raws ...string) {
		for _, r := range raws {
			out = append(out, dcase{fam: "mongodb", raw: r, diff: diff})
		}
	}
	for _, pw := range []string{"simple", "p%40ss", "p%3Ass", "p%2Fss", "p%25ss", "a+b", "%3D%26%3B", "p%C3%A4", "-._~", "p%20ss", "p!$'()*,"} {
		add("", "mongodb://u:"+pw+"@db.example.com/app", "mongodb+srv://u:"+pw+"@cluster0.abcde.mongodb.net/app?retryWrites=true&w=majority")
	}
	add("",
		"mongodb://localhost", "mongodb://localhost:27017", "mongodb://localhost/", "mongodb://localhost/test", "mongodb://127.0.0.1:27018/admin",
		"mongodb://h1:27017,h2:27018,h3/db?replicaSet=rs0", "mongodb://h1,h2/?replicaSet=rs0&readPreference=secondaryPreferred",
		"mongodb://[::1]:27017", "mongodb://[::1]", "mongodb://u@h", "mongodb://u:@h", "mongodb://u:p@h/?authSource=admin",
		"mongodb://u:p@h/db?authSource=other&authMechanism=SCRAM-SHA-256", "mongodb://u:p@h/?authMechanism=SCRAM-SHA-1",
		"mongodb://CN%3Dclient@h/?authMechanism=MONGODB-X509&tls=true", "mongodb://h/?authMechanism=MONGODB-X509&tls=true",
		"mongodb://AKIA:secret@h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok",
		"mongodb://h/?authMechanism=MONGODB-AWS", "mongodb://user%40REALM@h/?authMechanism=GSSAPI&authMechanismProperties=SERVICE_NAME:other",
		"mongodb://u:p@h/?authMechanism=PLAIN", "mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:x",
		"mongodb://h/?tls=true", "mongodb://h/?ssl=true", "mongodb://h/?tls=false", "mongodb://h/?tls=true&tlsInsecure=true",
		"mongodb://h/?tlsCAFile=/etc/ca.pem", "mongodb://h/?tlsCertificateKeyFile=/etc/c.pem&tlsCertificateKeyFilePassword=kp",
		"mongodb://h/?tls=true&ssl=true", "mongodb://h/?appName=my%20app", "mongodb://h/?appname=x&APPNAME=y",
		"mongodb://h/?maxPoolSize=50&minPoolSize=5&maxIdleTimeMS=60000&maxConnecting=3",
		"mongodb://h/?connectTimeoutMS=5000&socketTimeoutMS=30000&serverSelectionTimeoutMS=1000&heartbeatFrequencyMS=10000",
		"mongodb://h/?w=majority&journal=true&wtimeoutMS=500", "mongodb://h/?w=2", "mongodb://h/?w=0", "mongodb://h/?retryWrites=false&retryReads=false",
		"mongodb://h/?readPreference=nearest&readPreferenceTags=dc:ny,rack:1&readPreferenceTags=dc:sf&readPreferenceTags=",
		"mongodb://h/?maxStalenessSeconds=120&readPreference=secondary", "mongodb://h/?readConcernLevel=majority",
		"mongodb://h/?directConnection=true", "mongodb://h/?connect=direct", "mongodb://h/?loadBalanced=true",
		"mongodb://h/?compressors=zstd,zlib,snappy&zlibCompressionLevel=6", "mongodb://h/?zstdCompressionLevel=-1",
		"mongodb://h/?serverMonitoringMode=poll", "mongodb://h/?timeoutMS=2000", "mongodb://h/?foo=bar&Baz=1",
		"mongodb://h/db;x?a=1", "mongodb://h/?a=1;b=2", "mongodb://h/my%20db", "mongodb://h/my+db", "mongodb://h/d%2Fe",
		"mongodb://%2Ftmp%2Fmongodb-27017.sock", "mongodb://%2Ftmp%2Fmongodb-27017.sock/db", "mongodb://h1,,h2", "mongodb://H1:27017",
		"mongodb+srv://cluster0.abcde.mongodb.net", "mongodb+srv://u:p@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0",
		"mongodb+srv://cluster0.abcde.mongodb.net/db?tls=false", "mongodb+srv://c.example.com/?srvMaxHosts=2&srvServiceName=customname",
		"mongodb+srv://u:p@c.example.com/?authSource=admin&replicaSet=atlas-x-shard-0",
		// refused by the driver
		"mongodb://", "mongodb://u:p@", "mongodb://h?x=1", "mongodb://u:p@q@h", "mongodb://u:p:q@h", "mongodb://u/x:p@h", "mongodb://h:0",
		"mongodb://h:70000", "mongodb://h:abc", "mongodb://h/?x", "mongodb://h/?=1", "mongodb://h/?maxPoolSize=-1", "mongodb://h/?maxPoolSize=x",
		"mongodb://h/?tls=yes", "mongodb://h/?tls=TRUE", "mongodb://h/?tls=true&ssl=false", "mongodb://h/?authMechanism=BOGUS",
		"mongodb://h/?authMechanism=SCRAM-SHA-256", "mongodb://u@h/?authMechanism=SCRAM-SHA-256", "mongodb://u:p@h/?authMechanism=MONGODB-X509",
		"mongodb://u@h/?authMechanism=MONGODB-AWS", "mongodb://:p@h", "mongodb://h/?authSource=", "mongodb://h/?w=-1",
		"mongodb://h/?w=0&journal=true", "mongodb://h1,h2/?directConnection=true", "mongodb://h1,h2/?loadBalanced=true",
		"mongodb://h/?loadBalanced=true&replicaSet=rs", "mongodb://h/?srvMaxHosts=1", "mongodb://h/?connect=bogus",
		"mongodb://h/?zlibCompressionLevel=10", "mongodb://h/?serverMonitoringMode=Poll", "mongodb://h/?authMechanismProperties=bad",
		"mongodb://h/?readPreferenceTags=dc", "mongodb://h/?directConnection=maybe",
		"mongodb+srv://h1.example.com,h2.example.com", "mongodb+srv://c.example.com:27017", "mongodb+srv://c.example.com/?directConnection=true",
		"mongodb+srv://c.example.com/?srvMaxHosts=1&replicaSet=rs", "mongodb+srv://c.example.com/?srvServiceName=",
		"mongodb://h/?tlsInsecure=true&tlsDisableOCSPEndpointCheck=true", "mongodb://h/?tlsCertificateFile=/c.pem",
	)
	add("alias-schemes", "MONGODB://h", "MongoDB+SRV://c.example.com")
	return out
}
