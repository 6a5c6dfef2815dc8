package processtest

import (
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
// keyed by its first two bytes, all of one view at least minLen long.
type patterns struct {
	first  []bool // 1<<16 entries: a pattern starts with these two bytes
	byHead map[uint16][]pattern
	maxLen int
}

func newPatterns() *patterns {
	return &patterns{first: make([]bool, 1<<16), byHead: map[uint16][]pattern{}}
}

func (ps *patterns) add(p pattern) {
	h := uint16(p.text[0])<<8 | uint16(p.text[1])
	for _, q := range ps.byHead[h] {
		if q.text == p.text {
			return
		}
	}
	ps.first[h] = true
	ps.byHead[h] = append(ps.byHead[h], p)
	ps.maxLen = max(ps.maxLen, len(p.text))
}

// find calls hit for every pattern that occurs in b.
func (ps *patterns) find(b []byte, hit func(pattern)) {
	for i := 0; i+1 < len(b); i++ {
		h := uint16(b[i])<<8 | uint16(b[i+1])
		if !ps.first[h] {
			continue
		}
		for _, p := range ps.byHead[h] {
			if len(b)-i >= len(p.text) && string(b[i:i+len(p.text)]) == p.text {
				hit(p)
			}
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
	carry []byte // the tail of the white-space-free stream
	buf   []byte
	lower []byte
	dec   []byte
}

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
	// Enough raw bytes to hold the longest pattern in its longest escaped
	// form (\u00XX: six bytes a byte).
	keep := 6*max(cs.s.folded.maxLen, cs.s.exact.maxLen) - 1
	for len(b) > 0 {
		chunk := b[:min(len(b), 64<<10)]
		b = b[len(chunk):]
		cs.buf = append(cs.buf[:0], cs.carry...)
		for _, c := range chunk {
			switch c {
			case ' ', '\t', '\n', '\r', '\v', '\f':
			default:
				cs.buf = append(cs.buf, c)
			}
		}
		cs.lower = cs.lower[:0]
		for _, c := range cs.buf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			cs.lower = append(cs.lower, c)
		}
		hit := func(p pattern) { cs.s.record(cs.where, p) }
		cs.s.folded.find(cs.lower, hit)
		cs.s.exact.find(cs.buf, hit)
		// The same, with URL percent-escapes and JSON escapes (\/, \u00XX)
		// decoded: base64 in a query string or a PHP-style JSON string.
		if cs.dec = unescape(cs.dec[:0], cs.buf); len(cs.dec) < len(cs.buf) {
			cs.s.exact.find(cs.dec, hit)
			for i, c := range cs.dec {
				if 'A' <= c && c <= 'Z' {
					cs.dec[i] = c + 'a' - 'A'
				}
			}
			cs.s.folded.find(cs.dec, hit)
		}
		cs.carry = append(cs.carry[:0], cs.buf[max(0, len(cs.buf)-keep):]...)
	}
	return n, nil
}

// describe joins findings for a message.
func describe(where []string) string { return strings.Join(where, ", ") }

// unescape appends b to dst with URL percent-escapes (%2B) and JSON
// escapes of ASCII (\/, \u002f) decoded; anything else is copied.
func unescape(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '%' && i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]):
			dst = append(dst, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
		case b[i] == '\\' && i+1 < len(b) && b[i+1] == '/':
			dst = append(dst, '/')
			i++
		case b[i] == '\\' && i+5 < len(b) && b[i+1] == 'u' && b[i+2] == '0' && b[i+3] == '0' && isHex(b[i+4]) && isHex(b[i+5]):
			dst = append(dst, unhex(b[i+4])<<4|unhex(b[i+5]))
			i += 5
		default:
			dst = append(dst, b[i])
		}
	}
	return dst
}

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
