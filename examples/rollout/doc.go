// Package rollout holds a rolling-deploy test against a real load balancer:
// HAProxy (from the haproxy package of the distribution, on PATH) in front of
// three instances of examples/hello, replaced one by one under steady load,
// with HAProxy's default health-check timings and with tight ones. It proves
// the drain rule of the lifecycle package with its default configuration
// (DRAIN_DELAY unset): no request fails, and behind tight checks an old
// instance exits within 2.5 s of SIGTERM.
//
// The test installs nothing: it fails, and does not skip, when haproxy is not
// on PATH. It runs on loopback only and stops only what it started.
package rollout
