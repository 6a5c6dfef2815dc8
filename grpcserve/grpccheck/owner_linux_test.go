package grpccheck

import (
	"net"
	"os"
	"syscall"
	"testing"
)

// listenerOwned tells the group that listens on a port from another: the
// kit must not take another program on PORT for the binary.
func TestListenerOwned(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if owned, known := listenerOwned(syscall.Getpgrp(), port); !known || !owned {
		t.Errorf("listenerOwned(own group) = %v, %v; want true, true", owned, known)
	}
	other := os.Getpid() + 1<<20 // no process group has this ID
	if owned, known := listenerOwned(other, port); !known || owned {
		t.Errorf("listenerOwned(another group) = %v, %v; want false, true", owned, known)
	}
}
