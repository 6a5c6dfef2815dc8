//go:build unix

package processtest

import (
	"os/exec"
	"syscall"
)

// ownGroup makes the process the leader of a new process group, so that a
// kill reaches the children it started and nothing else.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup sends SIGKILL to the process group the kit started.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
