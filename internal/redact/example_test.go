package redact_test

import (
	"fmt"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// Text shows the parts of a value that cannot carry a credential and masks
// the rest; a value of no shape the rule reads is masked whole.
func ExampleText() {
	for _, s := range []string{
		"postgres://app:p/ss?w#rd@db:5432/shop?sslmode=require",
		"https://ghp_TOKEN@git.example/org/repo",
		"https://hooks.slack.com/services/T0/B0/XXXX",
		"redis://cache:6379/0?password=hunter2&dial_timeout=3s",
		"app:hunter2@tcp(db:3306)/shop?parseTime=true",
		"host=db password=hunter2 dbname=shop",
		"Server=tcp:db,1433;Database=shop;User ID=app;Password=hunter2",
		"jdbc:postgresql://db/shop?user=app&password=hunter2",
		"sk_live_hunter2",
	} {
		fmt.Println(redact.Text(s))
	}
	// Output:
	// postgres://app:[REDACTED]@db:5432/shop?sslmode=require
	// https://[REDACTED]@git.example/[REDACTED]/[REDACTED]
	// https://hooks.slack.com/[REDACTED]/[REDACTED]/[REDACTED]/[REDACTED]
	// redis://cache:6379/0?password=[REDACTED]&dial_timeout=3s
	// app:[REDACTED]@tcp(db:3306)/shop?parseTime=true
	// host=db password=[REDACTED] dbname=shop
	// Server=tcp:db,1433;Database=shop;User ID=app;Password=[REDACTED]
	// jdbc:postgresql://db/shop?user=app&password=[REDACTED]
	// [REDACTED]
}
