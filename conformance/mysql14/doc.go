// Package mysql14 proves that the MySQL DSN of
// github.com/twelvekit/twelvekit/backing is read by the oldest
// go-sql-driver/mysql release services still pin, 1.4.1, as that release
// reads the original value. Its parent module, conformance, proves the
// same against the newest release. The package holds tests only.
package mysql14
