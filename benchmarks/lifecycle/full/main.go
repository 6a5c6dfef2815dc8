// Command full is the bare program as a twelvekit service is written: its
// config loaded with config.Load (PORT, SHUTDOWN_TIMEOUT, DRAIN_DELAY...), a
// zap JSON logger on stdout, and lifecycle running the server.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
)

func main() {
	os.Exit(run())
}

func run() int {
	cfg, err := config.Load[lifecycle.Config]()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return lifecycle.ExitCode(err)
	}
	// One JSON event per line on stdout, as twelvekit's logging does.
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(os.Stdout), zapcore.InfoLevel))
	defer log.Sync()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") })
	g := lifecycle.New(cfg, lifecycle.WithLogger(log))
	g.HTTP("web", mux)
	return lifecycle.ExitCode(g.Run(context.Background()))
}
