package lifecycle

import (
	"os"
	"os/signal"
	"syscall"
)

// notify starts delivering SIGINT and SIGTERM and returns the channel and the
// function that stops the delivery (signal.Stop). After it, a late signal is
// no longer delivered to the channel, which is never closed, so nothing can
// panic.
func (g *Group) notify() (<-chan os.Signal, func()) {
	if g.set.signals != nil {
		return g.set.signals, func() {}
	}
	c := make(chan os.Signal, 4)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c, func() { signal.Stop(c) }
}
