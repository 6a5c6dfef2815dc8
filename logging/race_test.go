//go:build race

package logging_test

// raceEnabled reports whether the race detector is on; it allocates, so
// allocation tests skip themselves.
const raceEnabled = true
