// Command lifecycle is the bare program rebuilt on twelvekit's lifecycle
// package alone: the same handler on $PORT, with /livez, /readyz and the
// ordered stop. Its settings come from lifecycle.Config, read here by hand so
// that the binary holds nothing but lifecycle and what it needs.
package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/twelvekit/twelvekit/lifecycle"
)

func main() {
	cfg := lifecycle.Config{Port: 8080, ShutdownTimeout: 25 * time.Second, DrainDelay: 5 * time.Second}
	if v, err := strconv.Atoi(os.Getenv("PORT")); err == nil {
		cfg.Port = v
	}
	if v, err := time.ParseDuration(os.Getenv("DRAIN_DELAY")); err == nil {
		cfg.DrainDelay = v
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") })
	g := lifecycle.New(cfg)
	g.HTTP("web", mux)
	os.Exit(lifecycle.ExitCode(g.Run(context.Background())))
}
