//go:build !linux

package processtest

import "errors"

// fileEvents observes the files a run writes where the OS reports them:
// not here.
type fileEvents struct{}

func newFileEvents(string, func(int) bool) (*fileEvents, error) {
	return nil, errors.New("this OS reports no file writes by process")
}

func (*fileEvents) finish() ([]string, error) { return nil, nil }

func markedPid(int, string) bool { return false }
