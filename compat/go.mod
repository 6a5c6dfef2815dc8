module github.com/twelvekit/twelvekit/compat

go 1.26.0

replace github.com/twelvekit/twelvekit => ../

require (
	github.com/caarlos0/env/v11 v11.4.2
	github.com/davecgh/go-spew v1.1.1
	github.com/google/go-cmp v0.7.0
	github.com/stretchr/testify v1.12.1
	github.com/twelvekit/twelvekit v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

require (
	github.com/joho/godotenv v1.5.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
