//go:build unix

package processtest

import (
	"os"
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

// nobody is the user a run as a non-root user gets: uid and gid 65534,
// "nobody" on most systems.
const nobody = 65534

// canDropUser reports whether the OS lets a root kit start a process as
// another user.
const canDropUser = true

// asNobody makes cmd run as [nobody], with no supplementary groups.
func asNobody(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody, NoSetGroups: true}
}

// giveTo makes path owned by [nobody].
func giveTo(path string) error { return os.Chown(path, nobody, nobody) }
