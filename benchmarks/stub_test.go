package benchmarks

import (
	_ "github.com/caarlos0/env/v11"
	_ "github.com/go-chi/chi/v5/middleware"
	_ "github.com/kelseyhightower/envconfig"
	_ "github.com/rs/zerolog"
	_ "github.com/sethvargo/go-envconfig"
	_ "github.com/twelvekit/twelvekit/config"
	_ "go.uber.org/zap"
	_ "go.uber.org/zap/exp/zapslog"
)
