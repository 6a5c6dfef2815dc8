package conformance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
)

// TestPostgres_environment reads every PostgreSQL DSN of the corpus with
// pgx and lib/pq in a clean environment and then under hostile values of
// the PG* variables and a HOME holding a ~/.pgpass.
//
//   - What the DSN pins, the server's address (PGHOST, PGPORT, PGDATABASE),
//     the machine cannot change: both drivers read the DSN the same way in
//     both environments.
//   - What the URL leaves out (a password, sslmode) the DSN leaves out too,
//     so the driver's own defaults (PGPASSWORD, ~/.pgpass, PGSSLMODE) apply
//     to it exactly as they apply to the original URL: pgx reads the DSN
//     under the hostile environment as it reads the original there.
func TestPostgres_environment(t *testing.T) {
	clean := t.TempDir()
	t.Setenv("HOME", clean)
	for _, k := range []string{"PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGPASSFILE", "PGSERVICE", "PGAPPNAME"} {
		t.Setenv(k, "")
		_ = os.Unsetenv(k)
	}
	type dsnCase struct{ raw, dsn string }
	var dsns []dsnCase
	for _, c := range corpus() {
		if c.fam != "postgres" || c.diff != "" {
			continue
		}
		u, err := backing.Parse(c.raw)
		if err != nil || u.User() == "" { // without a user, the OS user is the driver's default
			continue
		}
		_, dsn, _ := u.SQL()
		dsns = append(dsns, dsnCase{c.raw, dsn})
	}
	if len(dsns) < 50 {
		t.Fatalf("only %d DSNs to check", len(dsns))
	}
	reading := func(s string) string { return pgxReading(s, true).String() + " | " + pqReading(s).String() }
	before := make([]string, len(dsns))
	for i, d := range dsns {
		before[i] = reading(d.dsn)
	}
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".pgpass"), []byte("*:*:*:*:stolen\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("pinned", func(t *testing.T) {
		for k, v := range map[string]string{"PGHOST": "evil.example.com", "PGPORT": "1", "PGDATABASE": "evil"} {
			t.Setenv(k, v)
		}
		for i, d := range dsns {
			if after := reading(d.dsn); after != before[i] {
				t.Errorf("%s: the environment changed the server the drivers read:\n\tclean:   %s\n\thostile: %s", d.raw, before[i], after)
			}
		}
	})
	t.Run("driver defaults", func(t *testing.T) {
		for k, v := range map[string]string{"PGPASSWORD": "stolen", "PGSSLMODE": "disable", "HOME": home,
			"PGPASSFILE": filepath.Join(home, ".pgpass")} {
			t.Setenv(k, v)
		}
		compared := 0
		for _, d := range dsns {
			orig := pgxReading(d.raw, true)
			if orig.err != nil {
				continue
			}
			compared++
			if got, want := pgxReading(d.dsn, true).String(), orig.String(); got != want {
				t.Errorf("%s: under PGPASSWORD, PGSSLMODE and ~/.pgpass pgx reads the DSN unlike the URL:\n\turl: %s\n\tdsn: %s", d.raw, want, got)
			}
		}
		if compared < 50 {
			t.Errorf("only %d URLs compared", compared)
		}
	})
}
