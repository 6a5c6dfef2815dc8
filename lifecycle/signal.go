package lifecycle

import (
	"os"

	"github.com/twelvekit/twelvekit/internal/stop"
)

// notify starts delivering SIGINT and SIGTERM (see stop.Notify), or returns
// the channel of the test seam withSignals.
func (g *Group) notify() (<-chan os.Signal, func()) {
	if g.set.signals != nil {
		return g.set.signals, func() {}
	}
	return stop.Notify()
}
