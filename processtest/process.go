package processtest

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/twelvekit/twelvekit/internal/freeport"
)

// Binary is a built program to check, started as a platform starts it.
type Binary struct {
	// Path is the executable's path.
	Path string
	// Args are its arguments for the runs that serve, such as "web" for a
	// binary with several process types.
	Args []string
	// Env is its whole environment: the process gets exactly these
	// variables, plus PORT (always a free port the kit chose, but for the
	// config-error runs that set it), the canaries of the declared
	// secrets, HOME and TMPDIR (fresh empty directories, unless set here)
	// and TWELVEKIT_PROCESSTEST_RUN, a marker unique to the run by which
	// the kit finds the processes it starts. When it names MANAGEMENT_PORT,
	// with any value, each run gets a free port there instead and the
	// probes are asked on it. A nil map is an empty environment. Pass PATH
	// if the binary needs it. The kit does not modify the map.
	Env map[string]string
}

// proc is one run of the binary.
type proc struct {
	label  string // "the serving run", for messages
	cmd    *exec.Cmd
	begin  time.Time
	port   int
	mport  int    // MANAGEMENT_PORT, 0 when not set
	dir    string // the run's directory: work, home and tmp under it
	work   string
	home   string
	tmpdir string
	marker string // the value of markerVar in its environment
	stdout *output
	stderr *output
	pipes  sync.WaitGroup // the readers of stdout and stderr, the process watcher
	rd     []*os.File     // their read ends
	done   chan struct{}  // closed once the process has been waited for
	ended  time.Time
	code   int     // exit code; -1 for a process ended by a signal
	reaped bool    // its group was sent SIGKILL
	strays []stray // processes it started still running after its exit

	mu       sync.Mutex
	started  map[int]string // processes it started, seen while it ran: pid -> name
	events   *procEvents    // nil when the OS gives no process events
	eventErr error          // why there are none
	programs []string       // programs its descendants ran, from the events
	lost     bool           // some process events were lost
	files    *fileEvents    // nil when the OS reports no file writes
	filesErr error          // why not
	written  []string       // files its processes wrote and closed, from the events
}

// markerVar is the variable every run of the kit carries, with a value
// unique to the run, so that the processes it starts, in any session or
// process group, can be found by their environment.
const markerVar = "TWELVEKIT_PROCESSTEST_RUN"

// runDirs creates a run's directory with its working directory, HOME and
// TMPDIR, each fresh and empty.
func runDirs(parent string) (dir, work, home, tmpdir string, err error) {
	dir, err = os.MkdirTemp(parent, "run-")
	if err != nil {
		return
	}
	work, home, tmpdir = filepath.Join(dir, "work"), filepath.Join(dir, "home"), filepath.Join(dir, "tmp")
	for _, d := range []string{work, home, tmpdir} {
		if err = os.Mkdir(d, 0o700); err != nil {
			return
		}
	}
	return
}

// start runs path args in a fresh working directory under parent with
// exactly env, plus HOME and TMPDIR (fresh, unless env sets them) and the
// run's marker. stdout and stderr are read as they arrive. With asUser it
// runs as the unprivileged user [nobody], its directories given to it.
func start(label, path string, args []string, env map[string]string, parent string, port int, stdout, stderr *output, asUser bool) (*proc, error) {
	dir, work, home, tmpdir, err := runDirs(parent)
	if err != nil {
		return nil, err
	}
	if asUser {
		// The run's directories become the user's; the kit's stay
		// traversable only.
		err = errors.Join(os.Chmod(parent, 0o711), os.Chmod(dir, 0o711), giveTo(work), giveTo(home), giveTo(tmpdir))
		if err != nil {
			return nil, err
		}
	}
	p := &proc{label: label, port: port, dir: dir, work: work, home: home, tmpdir: tmpdir, done: make(chan struct{}),
		marker: randomHex(8), stdout: stdout, stderr: stderr}
	e := maps.Clone(env)
	if e == nil {
		e = map[string]string{}
	}
	if _, ok := e["HOME"]; !ok {
		e["HOME"] = home
	}
	if _, ok := e["TMPDIR"]; !ok {
		e["TMPDIR"] = tmpdir
	}
	e[markerVar] = p.marker
	p.cmd = exec.Command(path, args...)
	p.cmd.Dir = work
	p.cmd.Env = []string{}
	for _, k := range slices.Sorted(maps.Keys(e)) {
		p.cmd.Env = append(p.cmd.Env, k+"="+e[k])
	}
	var wr []*os.File
	for range 2 {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(p.rd)
			closeAll(wr)
			return nil, err
		}
		p.rd, wr = append(p.rd, r), append(wr, w)
	}
	p.cmd.Stdout, p.cmd.Stderr = wr[0], wr[1]
	ownGroup(p.cmd)
	if asUser {
		asNobody(p.cmd)
	}
	p.events, p.eventErr = newProcEvents()
	others := map[int]bool{} // pids seen not to be the run's, read by one goroutine
	p.files, p.filesErr = newFileEvents(dir, func(pid int) bool {
		if p.events != nil && p.events.has(pid) {
			return true
		}
		if others[pid] {
			return false
		}
		if markedPid(pid, p.marker) {
			return true
		}
		others[pid] = true
		return false
	})
	p.begin = time.Now()
	err = p.cmd.Start()
	closeAll(wr)
	if err != nil {
		closeAll(p.rd)
		if p.events != nil {
			p.events.close()
		}
		if p.files != nil {
			_, _ = p.files.finish()
		}
		return nil, err
	}
	if p.events != nil {
		p.events.setRoot(p.cmd.Process.Pid)
	}
	for i, o := range []*output{stdout, stderr} {
		r := p.rd[i]
		p.pipes.Go(func() { _, _ = io.Copy(o, r) })
	}
	if canFindProcesses && p.events == nil {
		p.pipes.Go(p.watchProcesses)
	}
	go func() {
		_ = p.cmd.Wait() // the pipes are files: Wait returns at the exit
		p.ended = time.Now()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	return p, nil
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		_ = f.Close()
	}
}

// watchProcesses samples, every 100 ms while the process runs, the
// processes it started (see [findMarked]), for the dependencies check.
func (p *proc) watchProcesses() {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		p.saw(findMarked(p.marker, p.cmd.Process.Pid))
		select {
		case <-p.done:
			return
		case <-tick.C:
		}
	}
}

func (p *proc) saw(ss []stray) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range ss {
		if p.started == nil {
			p.started = map[int]string{}
		}
		p.started[s.pid] = s.name
	}
}

// children returns the names of the programs it was seen to start: all
// of them, observed, when the OS gives process events; else those running
// at a sample or at its exit.
func (p *proc) children() []string {
	if p.events != nil {
		return slices.Compact(slices.Sorted(slices.Values(p.programs)))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Compact(slices.Sorted(maps.Values(p.started)))
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits until the process has ended or d has passed or ctx is done,
// and reports whether it ended.
func (p *proc) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return p.exited()
}

// kill sends SIGKILL to the process group, once, waits for the end, then
// finds every process the run started that is still running, in any
// session, records it as a stray and kills it; last it waits, bounded, for
// the output pipes to close. It kills the group even after the process
// itself exited, so that no child it started outlives the check.
func (p *proc) kill() {
	if p.reaped {
		return
	}
	p.reaped = true
	if !p.exited() {
		_ = p.cmd.Process.Kill()
		<-p.done // SIGKILL cannot be ignored
	}
	p.strays = findMarked(p.marker, p.cmd.Process.Pid)
	if p.events != nil {
		for _, d := range p.events.descendants() {
			if !slices.ContainsFunc(p.strays, func(s stray) bool { return s.pid == d.pid }) {
				p.strays = append(p.strays, d)
			}
		}
	}
	p.saw(p.strays)
	killGroup(p.cmd)
	killStrays(p.strays)
	if p.files != nil {
		p.written, p.filesErr = p.files.finish()
	}
	if p.events != nil {
		p.events.close()
		p.programs, p.lost = p.events.programs()
	}
	drained := make(chan struct{})
	go func() { p.pipes.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(2 * time.Second): // a holder the kit could not find
		closeAll(p.rd)
		<-drained
	}
}

// signal sends sig to the process itself, as a platform does.
func (p *proc) signal(sig os.Signal) { _ = p.cmd.Process.Signal(sig) }

// files lists the regular files under root, as paths relative to it.
func files(root string) []string {
	var names []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && path != root && !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			names = append(names, rel)
		}
		return nil
	})
	return names
}

// probes is the base URL of the probes: the management port when the run
// has one, else $PORT.
func (p *proc) probes() string {
	if p.mport != 0 {
		return "http://127.0.0.1:" + strconv.Itoa(p.mport)
	}
	return "http://" + p.addr()
}

// addr is the loopback address of the run's port.
func (p *proc) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

// freePort returns a free TCP port below the ephemeral range (see
// internal/freeport): no connection of the kit's load takes it before the
// run binds it.
func freePort() (int, error) { return freeport.Port() }

// accepting reports whether a TCP connection to addr is accepted.
func accepting(addr string) (bool, error) {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false, err
	}
	_ = c.Close()
	return true, nil
}

// refused reports whether err is a refused connection: nothing listens.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && !op.Timeout()
}
