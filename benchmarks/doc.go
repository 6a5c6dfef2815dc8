// Package benchmarks holds side-by-side benchmarks of twelvekit against the
// libraries a team would otherwise glue together by hand. It is a module of
// its own so that those peers never become dependencies of the library. See
// README.md for the figures and the commands that reproduce them.
package benchmarks
