//go:build !linux

package processtest

import "errors"

// procEvents observes a process's descendants where the OS reports forks
// and execs: not here.
type procEvents struct{}

func newProcEvents() (*procEvents, error) {
	return nil, errors.New("this OS reports no process events")
}

func (*procEvents) setRoot(int)                {}
func (*procEvents) descendants() []stray       { return nil }
func (*procEvents) programs() ([]string, bool) { return nil, false }
func (*procEvents) close()                     {}

func (*procEvents) has(int) bool { return false }
