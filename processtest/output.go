package processtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// Bounds of what is kept of an output stream. Coverage is never capped:
// every byte is scanned for canaries and every line judged as it arrives;
// only memory is bounded.
const (
	tailLines   = 40      // last lines kept for the reader of a failure
	tailLineMax = 4 << 10 // a kept line is cut to this many bytes
	maxLine     = 4 << 20 // a longer line is judged too long, not held
	maxProblems = 3       // bad lines described one by one
)

// output is one stream of one run (stdout or stderr): it counts bytes and
// lines, judges each line with a rule (stdout), feeds a canary stream,
// watches for needles, and keeps the last lines. It is safe for concurrent
// writes.
type output struct {
	mu      sync.Mutex
	total   int64
	lines   int64
	rule    func([]byte) error // nil: lines are not judged
	bad     int64
	long    int64
	probs   []string
	cur     []byte // the line being written
	curLong bool   // cur was cut: the line is longer than maxLine
	tail    [][]byte
	canary  *canaryStream // nil: not scanned
	finder  *finder       // nil: no needles
	release []string      // distinct values of the release field of its JSON events, at most 5
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.total += int64(len(b))
	if o.canary != nil {
		_, _ = o.canary.Write(b)
	}
	if o.finder != nil {
		o.finder.write(b)
	}
	rest := b
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			o.add(rest)
			break
		}
		o.add(rest[:i])
		o.endLine()
		rest = rest[i+1:]
	}
	return len(b), nil
}

// add appends part of the current line, up to maxLine.
func (o *output) add(b []byte) {
	if o.curLong {
		return
	}
	if len(o.cur)+len(b) > maxLine {
		o.curLong = true
		o.cur = o.cur[:min(len(o.cur), tailLineMax)]
		return
	}
	o.cur = append(o.cur, b...)
}

func (o *output) endLine() {
	o.lines++
	switch {
	case o.curLong:
		o.long++
		o.problem(fmt.Sprintf("line %d is longer than %d MiB: log routers split or drop lines that long", o.lines, maxLine>>20))
	case o.rule != nil:
		if err := o.rule(o.cur); err != nil {
			o.bad++
			o.problem(fmt.Sprintf("line %d is not a log event (%v): a log router would have indexed it as noise", o.lines, err))
		}
	}
	if len(o.release) < 5 && bytes.HasPrefix(o.cur, []byte("{")) && bytes.Contains(o.cur, []byte(`"release"`)) {
		var ev struct {
			Release *string `json:"release"`
		}
		if json.Unmarshal(o.cur, &ev) == nil && ev.Release != nil && !slices.Contains(o.release, *ev.Release) {
			o.release = append(o.release, *ev.Release)
		}
	}
	kept := bytes.Clone(o.cur[:min(len(o.cur), tailLineMax)])
	if len(o.tail) == tailLines {
		copy(o.tail, o.tail[1:])
		o.tail = o.tail[:tailLines-1]
	}
	o.tail = append(o.tail, kept)
	o.cur, o.curLong = o.cur[:0], false
	if cap(o.cur) > 64<<10 {
		o.cur = nil
	}
}

func (o *output) problem(p string) {
	if len(o.probs) < maxProblems {
		o.probs = append(o.probs, p)
	}
}

// outputStats is what an output saw, read after the run.
type outputStats struct {
	total   int64
	lines   int64
	bad     int64
	long    int64
	partial int // bytes after the last newline
	probs   []string
	tail    []string
	release []string
}

func (o *output) stats() outputStats {
	o.mu.Lock()
	defer o.mu.Unlock()
	st := outputStats{total: o.total, lines: o.lines, bad: o.bad, long: o.long, partial: len(o.cur), probs: append([]string(nil), o.probs...),
		release: slices.Clone(o.release)}
	if o.curLong {
		st.partial = maxLine
	}
	for _, l := range o.tail {
		st.tail = append(st.tail, string(l))
	}
	if len(o.cur) > 0 {
		st.tail = append(st.tail, string(o.cur[:min(len(o.cur), tailLineMax)]))
		if len(st.tail) > tailLines {
			st.tail = st.tail[1:]
		}
	}
	return st
}

// finder reports which of its needles occurred in a stream, with a
// rolling window so that a needle split across writes is found.
type finder struct {
	needles []string
	found   []bool
	carry   []byte
}

func newFinder(needles ...string) *finder {
	return &finder{needles: needles, found: make([]bool, len(needles))}
}

func (f *finder) write(b []byte) {
	keep := 0
	for _, n := range f.needles {
		keep = max(keep, len(n)-1)
	}
	buf := append(f.carry, b...)
	for i, n := range f.needles {
		if !f.found[i] && n != "" && bytes.Contains(buf, []byte(n)) {
			f.found[i] = true
		}
	}
	f.carry = append([]byte(nil), buf[max(0, len(buf)-keep):]...)
}

// has reports whether needle i occurred in any of the finders.
func has(i int, fs ...*finder) bool {
	for _, f := range fs {
		if f != nil && f.found[i] {
			return true
		}
	}
	return false
}
