// Package lifecyclebench measures twelvekit's lifecycle package against the
// programs a team would otherwise write: a bare net/http server stopped with
// Shutdown, and the same on github.com/oklog/run.
//
// It is a module of its own because the benchmarks module does not require
// github.com/oklog/run. The commands bare, lifecycle and full are the programs
// bench.sh builds and times across the process boundary with measure; the
// Go benchmark here times one in-process start/serve/stop cycle.
package lifecyclebench
