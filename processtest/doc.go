// Package processtest proves that a service binary honours the twelve-factor
// process contract, checked from outside the process as a platform sees it.
// A service's own tests import it, as they import net/http/httptest; the
// command github.com/twelvekit/twelvekit/cmd/twelvecheck runs the same checks
// on any binary from a shell.
//
//	func TestContract(t *testing.T) {
//		bin := buildMyService(t) // go build -o ...
//		processtest.Run(t, processtest.Binary{Path: bin, Args: []string{"web"}},
//			processtest.WithSecret("API_KEY", ""), processtest.WithConfigCommand("config"))
//	}
//
// [Run] reports each check as a subtest of a *testing.T; [Check] returns a
// [Report], with one row per factor, I to XII ([Report.Factors]): the checks
// that show it, their figures, or "not checked" and why where a running
// binary cannot show it. The binary does not have to use twelvekit.
//
// # Invariants, not cases
//
// The checks hold for every byte and every process, not for samples:
//
//   - A secret's canary ("tk-canary-" and 24 random hex digits) is searched
//     in clear, reversed, hex and base64 (standard and URL alphabets, each
//     of the three alignments inside a longer encoded string, padded or
//     not), in any letter case, with white space removed (a value split
//     across lines or wrapped), and again with URL percent-escapes and JSON
//     escapes (\/, \u00XX) decoded; any 12 consecutive digits of it count, so a
//     value cut once anywhere, even into two events, still shows. It is
//     searched over the whole of stdout and stderr of every run, every
//     response body and header, and every file a run wrote, as the bytes
//     arrive: memory is bounded, coverage is not.
//   - Every stdout line is judged as it arrives, however long the stream.
//   - Every run gets a fresh working directory, HOME and TMPDIR, and a
//     marker variable. On Linux, as root, the kit also observes through the
//     kernel every process the run starts (process events connector), every
//     file its processes write on the filesystems of /, /tmp, /var/tmp and
//     /dev/shm (fanotify), and every socket bound to $PORT, however briefly
//     (sock_diag reports of freed sockets). Where that is not possible the
//     check says what it sampled instead, or "not checked".
//
// # The checks
//
// Every check is a [Result] named after one of the Check* constants, with
// its figures; a failed one says what a platform would have seen.
//
//   - port (VII): started with PORT set to a free port, it accepts on it
//     within the start timeout (10 s); the figure is exec -> accepting.
//     The port is drawn below the kernel's ephemeral range and recorded
//     for a few minutes in TMPDIR/twelvekit-ports, so that checks running
//     side by side on one machine never give two processes one port. A
//     process ready on its management port that binds no $PORT (watched
//     for 500 ms more) is a process type serving no traffic, a worker: its
//     port is not checked, and its rolling stop is SIGTERM without load.
//   - probes (IX): polled from exec, readiness (/readyz) answers 200 within
//     the start timeout, and at its first 200 liveness (/livez) answers 200
//     and the load request succeeds: readiness never goes up before the app.
//     When [Binary.Env] names MANAGEMENT_PORT, every run gets a free one and
//     the probes are asked there.
//   - rolling-stop (IX): a steady load (200 requests/s on 8 connections,
//     GET / by default) runs behind a balancer model that polls readiness
//     every interval and removes the instance after fall failures in a row
//     (HAProxy's inter 2s, fall 3 by default; [WithBalancer](time.Second,
//     1) for a tight one). The model sends SIGTERM itself, right after its last passing poll
//     once the warmup (1 s) is over, so the removal takes the longest it
//     can, fall x interval, every time; the drain must last that long. Each
//     load connection is kept alive for 250 ms and then replaced, as a
//     balancer's pool renews its connections, so new connections arrive all
//     through the drain. The load stops when the model removes the instance.
//     It passes when no request failed, readiness failed (watched every
//     10 ms) before the listener closed, the listener did not close before
//     the removal, and the process exited 0 within the grace period (30 s);
//     a process still running then is reported hung, with the time, and
//     killed. Figures: requests sent, failed by kind (refused, reset, eof,
//     timeout, status NNN), time to readiness failing, to the listener
//     closing, to removal and to exit, and rate_per_s.
//   - logs (XI): every line of stdout of the serving runs is one JSON object
//     (or meets [WithLogLine]), no byte follows the last newline, stdout
//     holds at least one event (a service logging only to stderr fails),
//     and no file is left in the working directory or HOME.
//   - secrets (III): each variable declared with [WithSecret] gets a fresh
//     canary, which must not show anywhere (see above), nor in the output
//     of the config command ([WithConfigCommand]). Skipped when no secret
//     is declared.
//   - config-errors (III): with a wrong value (PORT=abc by default,
//     [WithBadConfig], [WithMissingConfig]) the process exits with 78 (or
//     [WithConfigExitCode]) within the start timeout, without binding $PORT
//     (not checked when the wrong variable is PORT itself), and its output
//     names the variable without quoting the value.
//   - second-signal (IX): SIGTERM, then SIGINT 1 s later; the process exits
//     within 5 s of the SIGINT, or is reported hung, with the time, and
//     killed.
//   - processes (VI): no process a run started is still running after the
//     run's own process exited, in any session or process group; each one
//     found is reported with its pid and killed.
//   - dependencies (II): it serves with only the variables given (no PATH
//     unless given; when PATH or SHELL is given, a run without them must
//     become ready) and starts no other program. Running it as a non-root
//     user is not checked.
//   - files (VI): no run writes a file outside its TMPDIR, but for the
//     files of a resource its environment attaches by path
//     (DATABASE_URL=sqlite:///data/app.db and app.db-wal).
//   - release (V): the release field of its log events, and the output of
//     [WithReleaseCommand], name the release its build records (VCS
//     revision or module version, read from the binary with
//     debug/buildinfo) or the one a platform variable such as RELEASE
//     gives; with [WithVariant], two runs with two values of a variable
//     each answer with their own: config is not baked in.
//   - admin (XII): [WithAdminCommand]'s one-off command exits with its code
//     within the start timeout, binds nothing, logs as the serving runs do,
//     and rejects the first wrong value of [WithBadConfig] (not PORT) as
//     the serving process does.
//   - management (VII): with MANAGEMENT_PORT, readiness and liveness
//     answer 200 there, and the level endpoint (/debug/level, or
//     [WithLevelEndpoint], which also declares it served) is found there,
//     not on $PORT.
//   - concurrency (VIII): with the serving run ready, a second instance of
//     the same binary on its own port becomes ready and serves the load
//     request: it holds nothing (a lock, a fixed port) that keeps the
//     platform from running more processes of a type.
//
// # Bounds
//
// Every run is bounded (start timeout, grace period, second-signal limit)
// and then killed with its process group and every process found carrying
// its marker or descending from it: the kit kills only what it started. It
// connects to 127.0.0.1 only, so the service must listen on loopback or
// every interface. [Check] returns after every process and goroutine it
// started has ended. The default checks of examples/hello take about 9 s,
// most of it the balancer model's 6 s.
//
// What the checks cannot prove: a secret encoded twice (base64 of hex),
// cut into three pieces or more, encrypted or hashed; a process that both
// drops the marker variable and was started while the kit could not
// observe process events; files on filesystems other than those watched;
// writes without fanotify outside the working directory and HOME, unless
// they hold a canary in /tmp, /var/tmp or /dev/shm; that acknowledged
// writes survive a restart (it needs the service's own read-back); and the
// factors no check covers (I, IV, X), which the report says.
//
// Not covered: services that read their port from anything but PORT.
package processtest
