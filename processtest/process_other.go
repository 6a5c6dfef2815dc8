//go:build !unix

package processtest

import "os/exec"

func ownGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

const nobody = -1

// canDropUser reports whether the OS lets a root kit start a process as
// another user: not here.
const canDropUser = false

func asNobody(*exec.Cmd) {}

func giveTo(string) error { return nil }
