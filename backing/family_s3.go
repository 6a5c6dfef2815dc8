package backing

import "strings"

var s3Family = family{
	name:        "s3",
	schemes:     []scheme{{name: "s3", tls: TLSVerify}},
	example:     "s3://bucket/prefix",
	hier:        true,
	atInPath:    true,
	plus:        true,
	public:      publicParts{database: true, keys: []string{"region", "endpoint"}},
	secretParam: isSecretParam,
	finish:      finishS3,
	write:       writeS3,
	greet:       greetHTTP, // Check speaks HTTPS to the regional endpoint
}

// finishS3 reads the bucket, which parseHier read as a host.
func finishS3(u *URL, params []Param) error {
	if len(u.hosts) != 1 || u.hosts[0].Unix || u.hosts[0].Port != 0 || u.hosts[0].Name == "" {
		return errorf("missing or invalid bucket; write it as s3://bucket/prefix")
	}
	u.database = u.hosts[0].Name
	u.hosts = nil
	u.params = params
	return nil
}

func writeS3(u *URL, b *strings.Builder, hide bool) {
	b.WriteString(escape(u.database, hostKeep))
	b.WriteString(escape(u.Path(), u.pathChars()))
	u.writeQuery(b, hide)
}

func s3Endpoint(u URL) string {
	for _, p := range u.Params() {
		if p.Key == "region" && validHostName(p.Value) {
			return "s3." + p.Value + ".amazonaws.com"
		}
	}
	return "s3.amazonaws.com"
}
