package conformance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
)

// TestPostgres_hermetic reads every PostgreSQL DSN of the corpus with pgx
// and lib/pq twice: in a clean environment, then with hostile values of the
// PG* variables for what the DSN pins (host, port, user, password,
// database, sslmode, passfile) and a HOME holding a ~/.pgpass. The readings
// must not change: the machine cannot change what the URL says.
func TestPostgres_hermetic(t *testing.T) {
	clean := t.TempDir()
	t.Setenv("HOME", clean)
	for _, k := range []string{"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGPASSFILE", "PGSERVICE", "PGAPPNAME"} {
		t.Setenv(k, "")
		_ = os.Unsetenv(k)
	}
	type dsnCase struct{ raw, dsn string }
	var dsns []dsnCase
	for _, c := range corpus() {
		if c.fam != "postgres" {
			continue
		}
		u, err := backing.Parse(c.raw)
		if err != nil || u.User() == "" { // without a user, the OS user is the driver's default
			continue
		}
		_, dsn, _ := u.SQL()
		dsns = append(dsns, dsnCase{c.raw, dsn})
	}
	before := make([]string, len(dsns))
	for i, d := range dsns {
		before[i] = pgxReading(d.dsn, true).String() + " | " + pqReading(d.dsn).String()
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".pgpass"), []byte("*:*:*:*:stolen\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"PGHOST": "evil.example.com", "PGPORT": "1", "PGPASSWORD": "stolen", "PGDATABASE": "evil", "PGSSLMODE": "disable",
		"PGUSER": "evil", "HOME": home, "PGPASSFILE": filepath.Join(home, ".pgpass"),
	} {
		t.Setenv(k, v)
	}
	for i, d := range dsns {
		if after := pgxReading(d.dsn, true).String() + " | " + pqReading(d.dsn).String(); after != before[i] {
			t.Errorf("%s: the environment changed the drivers' reading:\n\tclean:   %s\n\thostile: %s", d.raw, before[i], after)
		}
	}
	if len(dsns) < 50 {
		t.Errorf("only %d DSNs checked", len(dsns))
	}
}
