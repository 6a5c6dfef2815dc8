package backing

// URLSchemes methods: the contract of a URL field (config.Doc.WriteJSONSchema
// reads them to say which schemes a variable takes, and twelvecheck deploy to
// tell a redis URL given where a postgres URL is declared).

// URLSchemes returns every scheme [URL] reads, lower case, canonical
// spellings first within each family.
func (URL) URLSchemes() []string { return schemesOf() }

// URLSchemes returns the schemes of the postgres, mysql and sqlite families.
func (SQLURL) URLSchemes() []string { return schemesOf("postgres", "mysql", "sqlite") }

// URLSchemes returns the schemes of the postgres family.
func (PostgresURL) URLSchemes() []string { return schemesOf("postgres") }

// URLSchemes returns the schemes of the mysql family.
func (MySQLURL) URLSchemes() []string { return schemesOf("mysql") }

// URLSchemes returns the schemes of the redis family.
func (RedisURL) URLSchemes() []string { return schemesOf("redis") }

// URLSchemes returns the schemes of the amqp family.
func (AMQPURL) URLSchemes() []string { return schemesOf("amqp") }

// URLSchemes returns the schemes of the nats family.
func (NATSURL) URLSchemes() []string { return schemesOf("nats") }

// URLSchemes returns the schemes of the mqtt family.
func (MQTTURL) URLSchemes() []string { return schemesOf("mqtt") }

// schemesOf lists the spellings of the named families, or of every family
// when none is named, in the order of the table.
func schemesOf(names ...string) []string {
	var out []string
	for _, f := range families {
		want := len(names) == 0
		for _, n := range names {
			want = want || n == f.name
		}
		if !want {
			continue
		}
		for _, s := range f.schemes {
			out = append(out, s.name)
		}
	}
	return out
}
