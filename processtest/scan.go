package processtest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// A canary is "tk-canary-" and 24 random lowercase hexadecimal digits. The
// scanner looks for any 12 consecutive digits of the random part (half of
// it) in every encoding it knows, so a value split once, anywhere, still
// shows: one of its two pieces holds 12 digits in a row. Twelve random hex
// digits are 48 bits: a false match in a gigabyte of output has odds of
// about one in a hundred thousand.
const (
	canaryPrefix = "tk-canary-"
	canaryDigits = 24
	canaryWindow = 12
)

// Encodings the scanner names in its findings.
const (
	encPlain    = "in clear"
	encReversed = "reversed"
	encHex      = "hex-encoded"
	encBase64   = "base64-encoded"
	encB64URL   = "base64url-encoded"
)

// pattern is one piece of a canary in one encoding.
type pattern struct {
	text     string
	secret   string // the variable's name
	encoding string
}

// patterns is the lookup table of one view of a stream: every pattern
// grouped by its first two bytes.
type patterns struct {
	head   []uint16    // 1<<16 entries: 1 + the index in byHead of the patterns starting with these two bytes, 0 for none
	byHead [][]pattern // patterns grouped by their first two bytes
	maxLen int
}

func newPatterns() *patterns {
	return &patterns{head: make([]uint16, 1<<16)}
}

func (ps *patterns) add(p pattern) {
	h := uint16(p.text[0])<<8 | uint16(p.text[1])
	if ps.head[h] == 0 {
		ps.byHead = append(ps.byHead, nil)
		ps.head[h] = uint16(len(ps.byHead))
	}
	group := &ps.byHead[ps.head[h]-1]
	for _, q := range *group {
		if q.text == p.text {
			return
		}
	}
	*group = append(*group, p)
	ps.maxLen = max(ps.maxLen, len(p.text))
}

// find calls hit for every pattern that occurs in b starting at from or
// later. Its loop does one table lookup a byte and nothing else unless two
// bytes start a pattern: it runs over every byte a service prints.
func (ps *patterns) find(b []byte, from int, hit func(pattern)) {
	for i := from; i+1 < len(b); i++ {
		if g := ps.head[uint16(b[i])<<8|uint16(b[i+1])]; g != 0 {
			ps.at(b[i:], g-1, hit)
		}
	}
}

// at calls hit for each pattern of group g that b starts with.
func (ps *patterns) at(b []byte, g uint16, hit func(pattern)) {
	for _, p := range ps.byHead[g] {
		if len(b) >= len(p.text) && string(b[:len(p.text)]) == p.text {
			hit(p)
		}
	}
}

// canaryPatterns returns the case-folded patterns (clear, reversed and hex,
// matched in lower case) and the case-sensitive ones (base64, std and URL
// alphabets, at each of the three alignments a value can have inside a
// longer encoded string; padding never matters, as only characters wholly
// made of the canary's random bytes are used).
func canaryPatterns(canary, secret string) (folded, exact []pattern) {
	random := canary[len(canaryPrefix):]
	for i := 0; i+canaryWindow <= len(random); i++ {
		w := random[i : i+canaryWindow]
		folded = append(folded,
			pattern{w, secret, encPlain},
			pattern{reverse(w), secret, encReversed},
			pattern{hex.EncodeToString([]byte(w)), secret, encHex})
	}
	// In base64, 12 characters of the canary are 16 characters.
	const b64Window = canaryWindow * 4 / 3
	for align := range 3 {
		buf := append(make([]byte, align), canary...)
		start := align + len(canaryPrefix) // first random byte
		end := align + len(canary)
		from, to := (8*start+5)/6, (8*end)/6 // characters made of random bytes only
		for _, enc := range []struct {
			e    *base64.Encoding
			name string
		}{{base64.RawStdEncoding, encBase64}, {base64.RawURLEncoding, encB64URL}} {
			core := enc.e.EncodeToString(buf)[from:to]
			for i := 0; i+b64Window <= len(core); i++ {
				exact = append(exact, pattern{core[i : i+b64Window], secret, enc.name})
			}
		}
	}
	return folded, exact
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// scanner looks for the canaries in everything a run shows the world. It
// is shared by every stream of a check; each stream has its own
// [canaryStream] holding the bytes carried over between writes.
type scanner struct {
	canaries map[string]string // canary -> variable name
	folded   *patterns
	exact    *patterns

	mu      sync.Mutex
	found   map[string][]string // variable name -> "where (how)"
	scanned int64
}

func newScanner() *scanner {
	return &scanner{canaries: map[string]string{}, found: map[string][]string{}}
}

// add declares a canary for the variable name.
func (s *scanner) add(canary, name string) {
	s.canaries[canary] = name
	if s.folded == nil {
		s.folded, s.exact = newPatterns(), newPatterns()
	}
	folded, exact := canaryPatterns(canary, name)
	for _, p := range folded {
		s.folded.add(p)
	}
	for _, p := range exact {
		s.exact.add(p)
	}
}

// active reports whether there is anything to look for.
func (s *scanner) active() bool { return s != nil && len(s.canaries) > 0 }

func (s *scanner) record(where string, p pattern) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := fmt.Sprintf("%s (%s)", where, p.encoding)
	if !slices.Contains(s.found[p.secret], w) {
		s.found[p.secret] = append(s.found[p.secret], w)
	}
}

// findings returns, per variable name, where its canary was seen.
func (s *scanner) findings() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for k, v := range s.found {
		out[k] = slices.Clone(v)
	}
	return out
}

func (s *scanner) names() []string {
	return slices.Compact(slices.Sorted(maps.Values(s.canaries)))
}

func (s *scanner) bytesScanned() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scanned
}

// stream returns a writer that scans what is written to it as one stream:
// every byte, however it is split into writes, with a rolling window of
// the longest pattern, so memory stays bounded whatever the length. It
// searches the stream with all white space removed, so a value split
// across lines, or wrapped as base64 often is, is still one run of
// characters.
func (s *scanner) stream(where string) *canaryStream {
	return &canaryStream{s: s, where: where}
}

// canaryStream is one scanned stream; see [scanner.stream].
type canaryStream struct {
	s     *scanner
	where string
	mu    sync.Mutex
	// carry and carryLower are the tail of the white-space-free stream
	// (as written, and in ASCII lower case): the bytes a pattern split
	// across writes began with.
	carry, carryLower []byte
	buf, lower        []byte
	dec, decLower     []byte
	escs              []int // where escapes were decoded in dec
}

// Tables for the one pass over each byte written: what it is in lower
// case, and whether it is kept (white space is not).
var lowerOf, keptOf = func() (lower, kept [256]byte) {
	for c := range 256 {
		lower[c], kept[c] = byte(c), 1
		if 'A' <= c && c <= 'Z' {
			lower[c] = byte(c) + 'a' - 'A'
		}
	}
	for _, c := range []byte(" \t\n\r\v\f") {
		kept[c] = 0
	}
	return lower, kept
}()

func (cs *canaryStream) Write(b []byte) (int, error) {
	n := len(b)
	if !cs.s.active() {
		return n, nil
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.s.mu.Lock()
	cs.s.scanned += int64(len(b))
	cs.s.mu.Unlock()
	hit := func(p pattern) { cs.s.record(cs.where, p) }
	for len(b) > 0 {
		chunk := b[:min(len(b), 64<<10)]
		b = b[len(chunk):]
		cs.scan(chunk, hit)
	}
	return n, nil
}

// scan looks for the patterns in the carry followed by chunk, white space
// removed: in the bytes as written, in ASCII lower case, and the same again
// with URL percent-escapes and JSON escapes (\/, \u00XX) decoded (base64
// in a query string, or in a PHP-style JSON string). Only the matches that
// reach into chunk are looked for: the others were found by the write
// before.
func (cs *canaryStream) scan(chunk []byte, hit func(pattern)) {
	folded, exact := cs.s.folded, cs.s.exact
	maxLen := max(folded.maxLen, exact.maxLen)
	old := len(cs.carry)
	cs.buf = append(append(cs.buf[:0], cs.carry...), make([]byte, len(chunk))...)
	cs.lower = append(append(cs.lower[:0], cs.carryLower...), make([]byte, len(chunk))...)
	buf, lower, n := cs.buf, cs.lower, old
	for _, c := range chunk {
		buf[n], lower[n] = c, lowerOf[c]
		n += int(keptOf[c])
	}
	cs.buf, cs.lower = buf[:n], lower[:n]
	from := max(0, old-maxLen+1) // the first place a match reaching into chunk may start
	folded.find(cs.lower, from, hit)
	exact.find(cs.buf, from, hit)
	cs.scanDecoded(old, maxLen, hit)
	// Enough bytes to hold the longest pattern in its longest escaped
	// form (\u00XX: six bytes a byte).
	keep := max(0, len(cs.buf)-(6*maxLen-1))
	cs.carry = append(cs.carry[:0], cs.buf[keep:]...)
	cs.carryLower = append(cs.carryLower[:0], cs.lower[keep:]...)
}

// scanDecoded decodes the escapes of cs.buf and looks for the patterns
// around each escape it decoded (a match no escape is part of was found in
// cs.buf itself), reaching into the new bytes: old is the length of the
// carry at the start of cs.buf.
func (cs *canaryStream) scanDecoded(old, maxLen int, hit func(pattern)) {
	buf := cs.buf
	if bytes.IndexByte(buf, '%') < 0 && bytes.IndexByte(buf, '\\') < 0 {
		return
	}
	// An escape holding a new byte starts at most 5 bytes before them
	// (\u00XX is 6 bytes long); what is decoded from there on is new.
	newFrom := max(0, old-5)
	dec, escs, newDec := cs.dec[:0], cs.escs[:0], -1
	pct, bs := -1, -1 // the next '%' and '\\' at or after i, once looked for
	for i := 0; i < len(buf); {
		pct = nextByte(buf, i, pct, '%')
		bs = nextByte(buf, i, bs, '\\')
		j := min(pct, bs) // the next escape, if it is one
		if newDec < 0 && j >= newFrom {
			k := max(i, newFrom)
			dec = append(dec, buf[i:k]...)
			newDec, i = len(dec), k
		}
		dec = append(dec, buf[i:j]...)
		if j == len(buf) {
			break
		}
		c, size := unescapeAt(buf[j:])
		if size == 0 {
			c, size = buf[j], 1
		} else {
			escs = append(escs, len(dec))
		}
		dec = append(dec, c)
		i = j + size
	}
	if newDec < 0 {
		newDec = len(dec)
	}
	cs.dec, cs.escs = dec, escs
	// Every match an escape at p is part of lies in dec[p-maxLen+1 :
	// p+maxLen]; a new one also starts at newDec-maxLen+1 or later.
	// Overlapping windows are searched as one.
	start := max(0, newDec-maxLen+1)
	lo, hi := 0, 0
	for _, p := range escs {
		wlo, whi := max(start, p-maxLen+1), min(len(dec), p+maxLen)
		if wlo >= whi {
			continue
		}
		if wlo > hi {
			cs.findDecoded(dec[lo:hi], hit)
			lo = wlo
		}
		hi = whi
	}
	cs.findDecoded(dec[lo:hi], hit)
}

// findDecoded looks for the patterns in w, a window of decoded bytes.
func (cs *canaryStream) findDecoded(w []byte, hit func(pattern)) {
	if len(w) < 2 {
		return
	}
	cs.decLower = cs.decLower[:0]
	for _, c := range w {
		cs.decLower = append(cs.decLower, lowerOf[c])
	}
	cs.s.exact.find(w, 0, hit)
	cs.s.folded.find(cs.decLower, 0, hit)
}

// nextByte returns the index of the first c in b at or after i, or len(b)
// when there is none; next is the answer of the call before, still right
// while it is not behind i.
func nextByte(b []byte, i, next int, c byte) int {
	if next >= i {
		return next
	}
	if k := bytes.IndexByte(b[i:], c); k >= 0 {
		return i + k
	}
	return len(b)
}

// unescapeAt decodes the escape b starts with: a URL percent-escape
// (%2B) or a JSON escape of ASCII (\/, \u002f). It returns the byte and
// the escape's length, or a length of 0 when b starts with none.
func unescapeAt(b []byte) (byte, int) {
	switch {
	case b[0] == '%' && len(b) > 2 && isHex(b[1]) && isHex(b[2]):
		return unhex(b[1])<<4 | unhex(b[2]), 3
	case b[0] == '\\' && len(b) > 1 && b[1] == '/':
		return '/', 2
	case b[0] == '\\' && len(b) > 5 && b[1] == 'u' && b[2] == '0' && b[3] == '0' && isHex(b[4]) && isHex(b[5]):
		return unhex(b[4])<<4 | unhex(b[5]), 6
	}
	return 0, 0
}

// describe joins findings for a message.
func describe(where []string) string { return strings.Join(where, ", ") }

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
