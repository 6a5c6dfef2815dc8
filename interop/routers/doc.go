// Package routers holds the tests that meet logging.Middleware with the
// routers and the tracer a service brings: chi's route patterns and
// gorilla/mux's path templates through logging.WithRoute, and the
// OpenTelemetry SDK's spans through logging.WithTraceFrom. It is a module
// of its own so that the library's module never requires them; the tests
// are the documented recipes, run against the real packages.
package routers
