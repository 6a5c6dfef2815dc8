module github.com/twelvekit/twelvekit/examples/rollout

go 1.26.0

replace github.com/twelvekit/twelvekit => ../..

require go.uber.org/goleak v1.3.0

require github.com/twelvekit/twelvekit v0.0.0-00010101000000-000000000000
