package grpccheck

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// listenerOwned reports whether a socket listening on TCP port belongs to a
// process of the process group pgid (the one the kit started), reading
// /proc: so that another program that took the port is not taken for the
// binary. known is false when /proc cannot tell (no such files, no
// permission); the caller then trusts the connection.
func listenerOwned(pgid, port int) (owned, known bool) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		listening(f, port, inodes)
	}
	if len(inodes) == 0 {
		return false, false // the table did not show it: cannot tell
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return false, false
	}
	for _, d := range procs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || !inGroup(pid, pgid) {
			continue
		}
		fds, err := os.ReadDir(filepath.Join("/proc", d.Name(), "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join("/proc", d.Name(), "fd", fd.Name()))
			if err == nil && strings.HasPrefix(link, "socket:[") && inodes[strings.TrimSuffix(link[len("socket:["):], "]")] {
				return true, true
			}
		}
	}
	return false, true
}

// listening adds to inodes the inodes of the sockets of file (a
// /proc/net/tcp table) listening on port.
func listening(file string, port int, inodes map[string]bool) {
	f, err := os.Open(file)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if p, err := strconv.ParseUint(hexPort, 16, 16); ok && err == nil && int(p) == port {
			inodes[fields[9]] = true
		}
	}
}

// inGroup reports whether process pid is in process group pgid.
func inGroup(pid, pgid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return false
	}
	f := strings.Fields(s[i+1:])
	return len(f) >= 3 && f[2] == strconv.Itoa(pgid)
}
