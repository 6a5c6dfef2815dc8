package processtest

import (
	"bytes"
	"context"
	"errors"
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
	// config-error runs that set it) and the canaries of the declared
	// secrets. A nil map is an empty environment. Pass PATH or HOME if the
	// binary needs them. The kit does not modify the map.
	Env map[string]string
}

// capture is a bounded, concurrency-safe buffer for a stream of output.
type capture struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	total int64
}

// captureLimit bounds what is kept of one stream; the rest is counted.
const captureLimit = 16 << 20

func (c *capture) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total += int64(len(b))
	if room := captureLimit - c.buf.Len(); room > 0 {
		c.buf.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}

func (c *capture) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

// proc is one run of the binary.
type proc struct {
	cmd    *exec.Cmd
	begin  time.Time
	port   int
	dir    string
	stdout capture
	stderr capture
	done   chan struct{} // closed once the process has been waited for
	ended  time.Time
	code   int  // exit code; -1 for a process ended by a signal
	reaped bool // its group was sent SIGKILL
}

// start runs path args in a fresh working directory under parent with
// exactly env.
func start(path string, args []string, env map[string]string, parent string, port int) (*proc, error) {
	dir, err := os.MkdirTemp(parent, "run-")
	if err != nil {
		return nil, err
	}
	p := &proc{port: port, dir: dir, done: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Dir = dir
	p.cmd.Env = []string{}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		p.cmd.Env = append(p.cmd.Env, k+"="+env[k])
	}
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = 2 * time.Second // children holding the pipes
	ownGroup(p.cmd)
	p.begin = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = p.cmd.Wait()
		p.ended = time.Now()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	return p, nil
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

// kill sends SIGKILL to the process group, once, and waits for the end,
// bounded. It kills the group even after the process itself exited, so that
// no child it started outlives the check.
func (p *proc) kill() {
	if p.reaped {
		return
	}
	p.reaped = true
	killGroup(p.cmd)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second): // WaitDelay has ended Wait well before
	}
}

// signal sends sig to the process itself, as a platform does.
func (p *proc) signal(sig os.Signal) { _ = p.cmd.Process.Signal(sig) }

// files lists what the run left in its working directory.
func (p *proc) files() []string {
	var names []string
	_ = filepath.WalkDir(p.dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && path != p.dir {
			rel, _ := filepath.Rel(p.dir, path)
			names = append(names, rel)
		}
		return nil
	})
	return names
}

// addr is the loopback address of the run's port.
func (p *proc) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

// freePort asks the system for a free loopback TCP port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

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
