// Package benchmarks holds side-by-side benchmarks of twelvekit against the
// libraries and the hand-written code a team would otherwise use. It is a
// module of its own so that those peers never become dependencies of the
// library.
//
// run.sh regenerates every table of README.md and the summary of the root
// README from BenchmarkPaired (every micro-benchmark target, twelvekit and
// its fair peer in interleaved turns timed by the thread's CPU clock; see
// paired in cputime_test.go), BenchmarkScaling (the curves),
// BenchmarkAdminTask and BenchmarkLifecycleProcess (whole processes, static
// builds on both sides) and the sizes of stripped static builds. The
// programs under admin/ are the whole-process subjects: admin/task on
// twelvekit's admin package, admin/service the same service glued by hand
// from caarlos0/env, zap, oklog/run and net/http, and admin/linked and
// admin/bare for orientation.
package benchmarks
