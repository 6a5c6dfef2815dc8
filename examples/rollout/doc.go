// Package rollout holds rolling-deploy tests against real load balancers, in
// front of three instances of examples/hello replaced one by one under
// steady load, with hello's default configuration (DRAIN_DELAY unset). They
// prove the drain rule of the lifecycle package from outside:
//
//   - HAProxy (the distribution's haproxy package) with its default
//     health-check timings and with tight ones, the old instance left in its
//     config: no request fails, and behind tight checks an old instance
//     exits within 2.5 s of SIGTERM;
//   - Caddy (the distribution's caddy package, its admin API on loopback)
//     with the old instance removed from its config at SIGTERM (with and
//     without active health checks), removed half a second before it, and
//     left in its config with 1 s health checks: no request fails, every
//     drain ends on "traffic stopped" and every old instance exits within
//     3 s of SIGTERM. The instances are waited for as a deploy script
//     does, by polling /readyz, so every old instance has also seen a
//     startup poller come and go.
//
// The tests install nothing: they fail, and do not skip, when haproxy or
// caddy is not on PATH (./test.sh installs them when apt-get can). They run
// on loopback only and stop only what they started.
package rollout
