module github.com/twelvekit/twelvekit/conformance/mysql14

go 1.26.0

replace github.com/twelvekit/twelvekit => ../../

require (
	github.com/go-sql-driver/mysql v1.4.1
	github.com/twelvekit/twelvekit v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

require (
	github.com/caarlos0/env/v11 v11.4.2 // indirect
	google.golang.org/appengine v1.6.8 // indirect
)
