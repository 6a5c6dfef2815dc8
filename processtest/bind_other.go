//go:build !linux

package processtest

import (
	"errors"
	"time"
)

// bindWatch observes a port's binds where the OS reports them: not here.
type bindWatch struct{ port uint16 }

func newBindWatch(int) (*bindWatch, error) {
	return nil, errors.New("this OS does not report sockets as they are freed")
}

func (*bindWatch) settle(time.Duration) (bool, error) { return false, nil }

func (*bindWatch) reset() {}

func (*bindWatch) close() {}
