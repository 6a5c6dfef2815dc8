module github.com/twelvekit/twelvekit/interop/grpc

go 1.26.0

replace (
	github.com/twelvekit/twelvekit => ../..
	github.com/twelvekit/twelvekit/grpcserve => ../../grpcserve
)

require (
	github.com/twelvekit/twelvekit v0.0.0-00010101000000-000000000000
	github.com/twelvekit/twelvekit/grpcserve v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
	go.uber.org/zap v1.28.0
	google.golang.org/grpc v1.85.0
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/oklog/run v1.2.0 // indirect
	go.opentelemetry.io/otel v1.45.0 // indirect
	go.opentelemetry.io/otel/trace v1.45.0 // indirect
	go.uber.org/multierr v1.10.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1 // indirect
)
