package processtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestScanner_encodings: a canary inside any text, in each encoding the
// scanner knows, at every alignment and cut once anywhere, written in
// chunks of every size, is found; random bytes are not.
func TestScanner_encodings(t *testing.T) {
	t.Parallel()
	canary := canaryPrefix + randomHex(canaryDigits/2)
	encodings := map[string]func(string) string{
		encPlain:    func(s string) string { return s },
		"upper":     strings.ToUpper,
		encReversed: reverse,
		encHex:      func(s string) string { return hex.EncodeToString([]byte(s)) },
		"hex upper": func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) },
		encBase64:   func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"b64 raw":   func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) },
		encB64URL:   func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) },
		"b64 in a query": func(s string) string {
			return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(s)))
		},
		"b64 with JSON-escaped slashes": func(s string) string {
			return strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte(s)), "/", `\/`)
		},
		"every byte percent-escaped": percentEscapeAll,
		"every byte a JSON escape":   jsonEscapeAll,
		// The longest patterns (hex), escaped: a match of the longest
		// length that ends on an escape completed by the last byte
		// written.
		"hex, every byte percent-escaped": func(s string) string { return percentEscapeAll(hex.EncodeToString([]byte(s))) },
		"hex, every byte a JSON escape":   func(s string) string { return jsonEscapeAll(hex.EncodeToString([]byte(s))) },
	}
	for name, enc := range encodings {
		for _, prefix := range []string{"", "k", "id:", "Bearer ", "postgres://app:"} {
			value := prefix + canary + "@db/app"
			text := enc(value)
			for _, cut := range []int{-1, 1, len(text) / 3, len(text) / 2, 2 * len(text) / 3, len(text) - 1} {
				for _, chunk := range []int{1, 7, 1 << 16} {
					if chunk == 1 && cut != -1 && cut != len(text)/2 {
						// A write a byte puts a write boundary at every
						// place already; chunks of 7 meet the other cuts.
						continue
					}
					out := `{"msg":"starting","v":"` + text + `"}` + "\n"
					if cut > 0 {
						out = `{"msg":"a","v":"` + text[:cut] + `"}` + "\n" + `{"msg":"b","v":"` + text[cut:] + `"}` + "\n"
					}
					if !foundInChunks(canary, out, chunk) {
						t.Errorf("%s of %q, cut at %d, in chunks of %d: not found in %q", name, prefix+"{canary}", cut, chunk, out)
					}
				}
			}
		}
	}
	// A MiB of random bytes, alone, in hex and base64 too, hold no canary.
	noise := make([]byte, 1<<20)
	_, _ = rand.Read(noise)
	sc := newScanner()
	sc.add(canary, "API_KEY")
	cs := sc.stream("noise")
	_, _ = cs.Write(noise)
	_, _ = cs.Write([]byte(hex.EncodeToString(noise)))
	_, _ = cs.Write([]byte(base64.StdEncoding.EncodeToString(noise)))
	if f := sc.findings(); len(f) > 0 {
		t.Errorf("random bytes matched: %v", f)
	}
	if got := sc.bytesScanned(); got < 4<<20 {
		t.Errorf("%d bytes scanned, want every one of the 4+ MiB", got)
	}
}

// TestScanner_oneEscape: a single escaped byte anywhere in a hex-encoded
// half canary (the longest patterns), percent- or JSON-escaped, written at once
// or a byte at a time, does not hide it: the decoded search around each
// escape reaches every match the escape is part of, at either end.
func TestScanner_oneEscape(t *testing.T) {
	t.Parallel()
	canary := canaryPrefix + randomHex(canaryDigits/2)
	// The first half of the canary: exactly one window of it is there, so
	// a match at either end of an escape's reach has no other to stand in.
	text := hex.EncodeToString([]byte(canary[:len(canaryPrefix)+canaryWindow]))
	for k := range len(text) {
		for _, esc := range []string{percentEscapeAll(text[k : k+1]), jsonEscapeAll(text[k : k+1])} {
			escaped := text[:k] + esc + text[k+1:]
			for _, chunk := range []int{1, 1 << 16} {
				if !foundInChunks(canary, escaped, chunk) {
					t.Errorf("hex with byte %d escaped as %s, in chunks of %d: not found in %q", k, esc, chunk, escaped)
				}
			}
		}
	}
}

// foundInChunks reports whether a scanner looking for canary finds it in
// out written to one stream in writes of chunk bytes.
func foundInChunks(canary, out string, chunk int) bool {
	sc := newScanner()
	sc.add(canary, "API_KEY")
	cs := sc.stream("stdout")
	for b := []byte(out); len(b) > 0; {
		n := min(chunk, len(b))
		_, _ = cs.Write(b[:n])
		b = b[n:]
	}
	return len(sc.findings()["API_KEY"]) > 0
}

func percentEscapeAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func jsonEscapeAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, `\u%04x`, c)
	}
	return b.String()
}

// TestScanner_names: each secret is reported under its own name, with
// where and how it was seen, never with the canary.
func TestScanner_names(t *testing.T) {
	t.Parallel()
	a, b := canaryPrefix+randomHex(canaryDigits/2), canaryPrefix+randomHex(canaryDigits/2)
	sc := newScanner()
	sc.add(a, "A")
	sc.add(b, "B")
	_, _ = sc.stream("stderr").Write([]byte("x " + hex.EncodeToString([]byte(b)) + " y"))
	f := sc.findings()
	if len(f["A"]) != 0 || !slices.Equal(f["B"], []string{"stderr (hex-encoded)"}) {
		t.Errorf("findings %v, want B hex-encoded on stderr only", f)
	}
	if strings.Contains(fmt.Sprint(f), b[len(canaryPrefix):]) {
		t.Errorf("findings quote the canary: %v", f)
	}
}
