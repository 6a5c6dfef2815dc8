package processtest

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stray is a process a run started that was still running when the run's
// own process had ended.
type stray struct {
	pid  int
	name string // its command name, from /proc/PID/comm
}

// canFindProcesses reports whether this OS lets the kit find the processes
// a run started, whatever their session or process group.
const canFindProcesses = true

// findMarked lists the live processes (zombies excluded) whose environment
// carries markerVar=marker, but for the pid skip. It reads /proc, so it
// finds every process that kept the variable, in any session, process
// group or parent; one that replaced its environment (exec with a clean
// one) is not found.
func findMarked(marker string, skip int) []stray {
	if marker == "" {
		return nil
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	want := []byte(markerVar + "=" + marker + "\x00")
	self := os.Getpid()
	var out []stray
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self || pid == skip {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !(bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...))) {
			continue
		}
		if zombie(pid) {
			continue
		}
		comm, _ := os.ReadFile("/proc/" + e.Name() + "/comm")
		out = append(out, stray{pid: pid, name: strings.TrimSpace(string(comm))})
	}
	return out
}

// zombie reports whether pid has ended (gone, or a zombie waiting for its
// parent).
func zombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X'
}

// killStrays sends SIGKILL to each and waits, bounded, until they have
// ended.
func killStrays(ss []stray) {
	for _, s := range ss {
		_ = syscall.Kill(s.pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, s := range ss {
		for !zombie(s.pid) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond) // polling the end of a process we do not own
		}
	}
}
