package processtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// fileEvents observes every file written and closed on the filesystems of
// /, /tmp, /var/tmp, /dev/shm and the run's directory, through fanotify,
// and keeps the paths the run's processes wrote: a file written anywhere
// the process can write is seen, not only in the directories the kit
// made. It needs CAP_SYS_ADMIN (root) and Linux 4.20 or later; other
// filesystems (a volume mounted elsewhere) are not watched.
type fileEvents struct {
	f      *os.File
	isRun  func(pid int) bool
	done   chan struct{}
	mu     sync.Mutex
	lost   bool // the kernel's queue overflowed
	paths  []string
	sentry string
	seen   chan struct{} // closed when the sentinel's event is read
}

// fanotify constants.
const (
	fanClassNotif      = 0x0
	fanCloexec         = 0x1
	fanNonblock        = 0x2
	fanMarkAdd         = 0x1
	fanMarkFilesystem  = 0x100
	fanCloseWrite      = 0x8
	fanQueueOverflow   = 0x4000
	fanEventHeaderSize = 24
)

// newFileEvents starts watching; isRun tells a pid of the run's processes.
func newFileEvents(runDir string, isRun func(int) bool) (*fileEvents, error) {
	fd, _, e := syscall.Syscall(syscall.SYS_FANOTIFY_INIT, fanClassNotif|fanCloexec|fanNonblock, syscall.O_RDONLY|syscall.O_LARGEFILE|syscall.O_CLOEXEC, 0)
	if e != 0 {
		return nil, fmt.Errorf("no fanotify: %w", e)
	}
	marked := 0
	var lastErr error
	for _, path := range append([]string{"/", runDir}, sharedTempDirs...) {
		p, err := syscall.BytePtrFromString(path)
		if err != nil {
			continue
		}
		_, _, e := syscall.Syscall6(syscall.SYS_FANOTIFY_MARK, fd, fanMarkAdd|fanMarkFilesystem, fanCloseWrite, uintptr(0xffffff9c) /* AT_FDCWD */, uintptr(unsafe.Pointer(p)), 0)
		if e == 0 {
			marked++
		} else {
			lastErr = e
		}
	}
	if marked == 0 {
		_ = syscall.Close(int(fd))
		return nil, fmt.Errorf("cannot watch the filesystems: %w", lastErr)
	}
	fe := &fileEvents{f: os.NewFile(fd, "fanotify"), isRun: isRun, done: make(chan struct{}), seen: make(chan struct{}),
		sentry: filepath.Join(runDir, "sentinel-"+randomHex(4))}
	go fe.read()
	return fe, nil
}

func (fe *fileEvents) read() {
	defer close(fe.done)
	buf := make([]byte, 64<<10)
	self := os.Getpid()
	for {
		n, err := fe.f.Read(buf)
		if err != nil {
			if errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN) {
				continue
			}
			return
		}
		b := buf[:n]
		for len(b) >= fanEventHeaderSize {
			l := int(binary.NativeEndian.Uint32(b[0:4]))
			if l < fanEventHeaderSize || l > len(b) {
				break
			}
			mask := binary.NativeEndian.Uint64(b[8:16])
			efd := int(int32(binary.NativeEndian.Uint32(b[16:20])))
			pid := int(int32(binary.NativeEndian.Uint32(b[20:24])))
			if mask&fanQueueOverflow != 0 {
				fe.mu.Lock()
				fe.lost = true
				fe.mu.Unlock()
			}
			if efd >= 0 {
				if pid == self || fe.isRun(pid) {
					path, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(efd))
					if err == nil {
						fe.record(pid == self, strings.TrimSuffix(path, " (deleted)"))
					}
				}
				_ = syscall.Close(efd)
			}
			b = b[l:]
		}
	}
}

func (fe *fileEvents) record(self bool, path string) {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if self {
		if path == fe.sentry {
			select {
			case <-fe.seen:
			default:
				close(fe.seen)
			}
		}
		return
	}
	if !slices.Contains(fe.paths, path) {
		fe.paths = append(fe.paths, path)
	}
}

// finish writes a sentinel file, waits (bounded) for its event, which
// follows every earlier one, stops watching and returns the paths written
// by the run's processes.
func (fe *fileEvents) finish() ([]string, error) {
	var err error
	if werr := os.WriteFile(fe.sentry, nil, 0o600); werr != nil {
		err = werr
	} else {
		select {
		case <-fe.seen:
		case <-time.After(2 * time.Second):
			err = errors.New("the kernel did not report the kit's sentinel file within 2s")
		}
		_ = os.Remove(fe.sentry)
	}
	_ = fe.f.Close()
	<-fe.done
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if fe.lost && err == nil {
		err = errors.New("the kernel's queue of file events overflowed")
	}
	return slices.Clone(fe.paths), err
}

// markedPid reports whether pid's environment carries the run's marker.
func markedPid(pid int, marker string) bool {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	want := []byte(markerVar + "=" + marker + "\x00")
	return err == nil && (bytes.HasPrefix(env, want) || bytes.Contains(env, append([]byte{0}, want...)))
}
