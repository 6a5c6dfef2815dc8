//go:build race

package processtest_test

// raceEnabled reports whether the race detector is on. The canary scanner
// runs about 13 times slower under it, so the cheats that pour megabytes
// through it run only without it (test.sh runs this package again without
// -race, as it does every package with a !race test file).
const raceEnabled = true
