module github.com/twelvekit/twelvekit/cmd/twelvecheck

go 1.26.0

replace github.com/twelvekit/twelvekit => ../..

replace github.com/twelvekit/twelvekit/grpcserve => ../../grpcserve

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/joho/godotenv v1.5.1
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	github.com/twelvekit/twelvekit v0.0.0-00010101000000-000000000000
	github.com/twelvekit/twelvekit/grpcserve v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.4
)

require (
	github.com/caarlos0/env/v11 v11.4.2 // indirect
	github.com/oklog/run v1.2.0 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
	go.uber.org/multierr v1.10.0 // indirect
	go.uber.org/zap v1.28.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1 // indirect
	google.golang.org/grpc v1.85.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
