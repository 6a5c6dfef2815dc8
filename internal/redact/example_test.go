package redact_test

import (
	"fmt"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// URL masks the password wherever the last '@' puts it, token-only
// userinfo and credential query values.
func ExampleURL() {
	for _, s := range []string{
		"postgres://app:p/ss?w#rd@db:5432/shop",
		"https://ghp_TOKEN@git.example/org/repo",
		"redis://cache:6379/0?password=hunter2&dial_timeout=3s",
		"app:hunter2@tcp(db:3306)/shop",
		"host=db password=hunter2 dbname=shop",
	} {
		out, _ := redact.URL(s)
		fmt.Println(out)
	}
	// Output:
	// postgres://app:[REDACTED]@db:5432/shop
	// https://[REDACTED]@git.example/org/repo
	// redis://cache:6379/0?password=[REDACTED]&dial_timeout=3s
	// app:[REDACTED]@tcp(db:3306)/shop
	// host=db password=[REDACTED] dbname=shop
}

// Name says which variables hold credentials by their names alone.
func ExampleName() {
	for _, n := range []string{"DB_PASSWORD", "STRIPE_KEY", "apiToken", "DATABASE_URL", "PWD"} {
		fmt.Println(n, redact.Name(n))
	}
	// Output:
	// DB_PASSWORD true
	// STRIPE_KEY true
	// apiToken true
	// DATABASE_URL false
	// PWD false
}
