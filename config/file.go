package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
)

// errTooLarge is the reason a file named by NAME_FILE, the file tag option
// or WithDotEnv is refused when it is larger than the limit; errBlocked when
// reading it did not end within readWait.
var (
	errTooLarge = errors.New("too large")
	errBlocked  = errors.New("reading it blocked")
)

// fileProblem says why the file named by the variable name could not be
// read. It never quotes the variable's value: what was set where a path
// belongs may be the secret itself, pasted by mistake.
func fileProblem(name string, err error) string {
	return "cannot read the file that " + name + " names: " + reason(err)
}

// pathWant says what kind of path the variable name wants: the path of
// what, never the value itself.
func pathWant(name, what string) string {
	if base, ok := strings.CutSuffix(name, "_FILE"); ok {
		return name + " set to the path of " + what + ", such as /run/secrets/" +
			strings.ToLower(base) + " (the path, not the value itself)"
	}
	return name + " set to the path of " + what + " (the path, not its content)"
}

// readWait bounds how long reading one file at start may take: a regular
// file that blocks a read (a /proc file such as /proc/kmsg, a FUSE mount
// whose server does not answer) is given up then.
const readWait = 2 * time.Second

// readValueFile returns the content of the file at path when it is a regular
// file (after symbolic links) of at most limit bytes. It never blocks on a
// named pipe or a device: the kind of file is checked with a stat before the
// open, the open does not wait for a pipe's writer, and the kind is checked
// again on the opened file, which is then read through a limit of limit+1
// bytes so that a file that grows is still caught, and given up when the
// read takes longer than readWait. The error never holds any of the file's
// content.
func readValueFile(path string, limit int64) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if err := checkKind(st, limit); err != nil {
		return "", err
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err = f.Stat()
	if err != nil {
		return "", err
	}
	if err := checkKind(st, limit); err != nil {
		return "", err
	}
	b, err := readBounded(f, st.Size(), limit, readWait)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// deadlineReader is a file whose reads can be given a deadline: an
// *os.File, which honours it when the file is pollable.
type deadlineReader interface {
	io.Reader
	SetReadDeadline(t time.Time) error
}

// readBounded reads f whole, through a limit of limit+1 bytes, and gives up
// after wait: through the read deadline when f is pollable (a pipe, a /proc
// file that supports poll), and by no longer waiting for the read otherwise
// (its goroutine ends when the read does; the file is closed by the caller).
func readBounded(f deadlineReader, size, limit int64, wait time.Duration) ([]byte, error) {
	_ = f.SetReadDeadline(time.Now().Add(wait)) // ErrNoDeadline for a file that is not pollable
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		buf := bytes.NewBuffer(make([]byte, 0, min(max(size, 0), limit)+1))
		_, err := buf.ReadFrom(io.LimitReader(f, limit+1))
		done <- result{buf.Bytes(), err}
	}()
	t := time.NewTimer(wait + wait/10)
	defer t.Stop()
	var r result
	select {
	case r = <-done:
	case <-t.C:
		return nil, fmt.Errorf("%w for more than %s (a /proc file or an unresponsive mount?)", errBlocked, wait)
	}
	switch {
	case errors.Is(r.err, os.ErrDeadlineExceeded):
		return nil, fmt.Errorf("%w for more than %s (a /proc file or an unresponsive mount?)", errBlocked, wait)
	case r.err != nil:
		return nil, r.err
	case int64(len(r.b)) > limit:
		return nil, fmt.Errorf("%w: larger than the limit of %s", errTooLarge, byteSize(limit))
	}
	return r.b, nil
}

// checkKind refuses anything but a regular file of at most limit bytes.
func checkKind(st fs.FileInfo, limit int64) error {
	m := st.Mode()
	if !m.IsRegular() {
		return fmt.Errorf("not a regular file but %s", kindOf(m))
	}
	if st.Size() > limit {
		return fmt.Errorf("%w: %s, larger than the limit of %s", errTooLarge, byteSize(st.Size()), byteSize(limit))
	}
	return nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// byteSize writes n bytes as people read it: 512 bytes, 1 KiB, 1.5 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + "KMGTP"[exp:exp+1] + "iB"
}
