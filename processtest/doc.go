// Package processtest proves that a service binary honours the twelve-factor
// process contract, checked from outside the process as a platform sees it.
// A service's own tests import it, as they import net/http/httptest; the
// command github.com/twelvekit/twelvekit/cmd/twelvecheck runs the same checks
// on any binary from a shell.
//
//	func TestContract(t *testing.T) {
//		bin := buildMyService(t) // go build -o ...
//		processtest.Run(t, processtest.Binary{Path: bin, Args: []string{"web"}},
//			processtest.WithSecret("API_KEY"), processtest.WithConfigCommand("config"))
//	}
//
// [Run] reports each check as a subtest of a *testing.T; [Check] returns a
// [Report]. The binary does not have to use twelvekit.
//
// # The checks
//
// Every check is a [Result] named after one of the Check* constants, with
// its figures; a failed one says what a platform would have seen.
//
//   - port: started with PORT set to a free port, it accepts on it within
//     the start timeout (10 s); the figure is exec -> accepting.
//   - probes: polled from exec, readiness (/readyz) answers 200 within the
//     start timeout, and at its first 200 liveness (/livez) answers 200 and
//     the load request succeeds: readiness never goes up before the app.
//   - rolling-stop: a steady load (200 requests/s on 8 kept-alive
//     connections, GET / by default) runs behind a balancer model that polls
//     readiness every interval and removes the instance after fall failures
//     in a row (HAProxy's inter 2s, fall 3 by default; [WithTightBalancer]
//     for 1 s, 1), its polls phased so that one falls just before SIGTERM:
//     the removal takes the longest it can, fall x interval, so the drain
//     must last at least that long. After the warmup (1 s) the process gets
//     SIGTERM; the load stops sending when the model removes the instance,
//     as a balancer does.
//     It passes when no request failed, readiness failed (watched every
//     10 ms) before the listener closed, and the process exited 0 within the
//     grace period (30 s); a process still running then is reported hung,
//     with the time, and killed. Figures: requests sent, failed by kind
//     (refused, reset, eof, timeout, status NNN), time to readiness failing,
//     to the listener closing, to removal and to exit, and rate_per_s, the
//     rate the load reached before SIGTERM.
//   - logs: every line of stdout is one JSON object (or meets
//     [WithLogLine]) and no byte follows the last newline; nothing is written
//     in the working directory, a fresh empty one for each run.
//   - secrets: each variable declared with [WithSecret] gets a fresh canary;
//     the canary must not appear on stdout or stderr of any run, in any
//     response of the checked paths (probes and load, headers included), or
//     in the output of the config command ([WithConfigCommand]). Skipped
//     when no secret is declared.
//   - config-errors: with a wrong value (PORT=abc by default,
//     [WithBadConfig], [WithMissingConfig]) the process exits with 78 (or
//     [WithConfigExitCode]) within the start timeout, without accepting on
//     $PORT (not checked when the wrong variable is PORT itself), and its
//     output names the variable without quoting the value.
//   - second-signal: SIGTERM, then SIGINT 1 s later; the process exits
//     within 5 s of the SIGINT, or is reported hung, with the time, and
//     killed.
//
// # Bounds
//
// Every run is bounded (start timeout, grace period, second-signal limit)
// and then killed with its process group: the kit kills only what it
// started. It connects to 127.0.0.1 only, so the service must listen on
// loopback or every interface. [Check] returns after every process and
// goroutine it started has ended. The default checks of examples/hello take
// about 9 s, most of it the balancer model's 6 s.
//
// Not covered: probes served on a separate management port, and services
// that read their port from anything but PORT.
package processtest
