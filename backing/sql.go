package backing

import (
	"crypto/tls"
	"crypto/x509"
)

// SQL returns what database/sql's sql.Open needs for a postgres, mysql or
// sqlite URL: the conventional driver name and its DSN.
//
//   - postgres: driver "pgx" (github.com/jackc/pgx/v5/stdlib; lib/pq registers
//     "postgres" and reads the same DSN) and a keyword/value DSN with every
//     value quoted: host and port (comma lists for several hosts), user,
//     password, dbname, sslmode (allow included, as written) and the
//     connection options. It is also what pgx.Connect and pgxpool.New take.
//     Host, port and dbname are always written, so PGHOST, PGPORT and
//     PGDATABASE cannot send it to another server; a user, a password or
//     sslmode the URL omits is omitted too, so the driver's defaults apply
//     as they would to the URL (PGUSER, PGPASSWORD, ~/.pgpass, PGSSLMODE;
//     see the package doc).
//   - mysql: driver "mysql" (github.com/go-sql-driver/mysql) and its DSN,
//     user:password@tcp(host:port)/dbname?options, or unix(path) for a
//     socket, which every release from 1.4 on reads. The tls option is
//     written only when the URL names a TLS mode (tls, ssl-mode, ssl...):
//     true, false, skip-verify or preferred (which releases before 1.5 do
//     not know; the URL asked for it). Without one the DSN has none, and
//     the driver's default, no TLS, applies. TLSVerifyCA has no
//     go-sql-driver name and is an error.
//   - sqlite: driver "sqlite" (modernc.org/sqlite; mattn/go-sqlite3 registers
//     "sqlite3" and reads the same DSN) and file:path?options.
//
// [URL.ClientParams] are left out of both server DSNs. Other families give an
// error wrapping [ErrFamily].
func (u URL) SQL() (driverName, dsn string, err error) {
	if err := u.want("SQL", "postgres", "mysql", "sqlite"); err != nil {
		return "", "", err
	}
	switch u.fam {
	case &postgresFamily:
		return "pgx", u.postgresDSN(), nil
	case &mysqlFamily:
		dsn, err := u.mysqlDSN()
		return "mysql", dsn, err
	}
	return "sqlite", u.sqliteDSN(), nil
}

// TLSConfig returns the TLS settings the URL's mode asks for, or nil for
// [TLSDisable]. [TLSVerify] checks the certificate against the system roots
// and the first host's name; [TLSVerifyCA] checks the chain but not the name;
// [TLSRequire] and [TLSPrefer] check nothing (for TLSPrefer, falling back to
// plain text is the caller's job). The minimum version is TLS 1.2. Each call
// returns a new config that the caller may change.
func (u URL) TLSConfig() *tls.Config {
	if u.tls == TLSDisable {
		return nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(u.hosts) > 0 && !u.hosts[0].Unix {
		c.ServerName = u.hosts[0].Name
	}
	switch u.tls {
	case TLSPrefer, TLSRequire:
		c.InsecureSkipVerify = true
	case TLSVerifyCA:
		c.InsecureSkipVerify = true
		c.VerifyPeerCertificate = verifyChain
	}
	return c
}

// verifyChain checks a server's chain against the system roots, for any name.
func verifyChain(rawCerts [][]byte, _ [][]*x509.Certificate) error {
	certs := make([]*x509.Certificate, 0, len(rawCerts))
	for _, raw := range rawCerts {
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			return err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return errorf("the server sent no certificate")
	}
	opts := x509.VerifyOptions{Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(opts)
	return err
}
