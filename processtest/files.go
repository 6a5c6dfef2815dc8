package processtest

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sharedTempDirs are the directories every process can write to whatever
// its TMPDIR: files created there while a check runs are scanned for the
// canaries, as a program that hard-codes /tmp writes there.
var sharedTempDirs = []string{"/tmp", "/var/tmp", "/dev/shm"}

// recentFiles lists the regular files under the roots modified at or after
// since, but those under skip. It lists every entry of a root and descends
// into a directory only when its own time is at or after since (an entry
// was created or removed in it): a file rewritten in place deep in an old
// directory is not listed.
func recentFiles(roots []string, since time.Time, skip string) []string {
	var out []string
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range ents {
			path := filepath.Join(dir, e.Name())
			if path == skip || strings.HasPrefix(path, skip+string(filepath.Separator)) {
				continue
			}
			fi, err := e.Info()
			if err != nil || fi.ModTime().Before(since) {
				continue
			}
			switch {
			case fi.Mode().IsRegular():
				out = append(out, path)
			case fi.IsDir() && depth < 8:
				walk(path, depth+1)
			}
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return out
}

// scanFile streams the file at path through the scanner as a stream named
// where.
func (s *scanner) scanFile(where, path string) {
	if !s.active() {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = io.Copy(s.stream(where), f)
}

// scanTree scans every regular file under root, named "the file NAME in
// label".
func (s *scanner) scanTree(root, label string) {
	if !s.active() {
		return
	}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, path)
			s.scanFile("the file "+rel+" in "+label, path)
		}
		return nil
	})
}
