//go:build !unix

package testkit

import "os/exec"

func ownGroup(*exec.Cmd) {}

// killGroup kills the process itself: without process groups, what it
// started may outlive it.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
