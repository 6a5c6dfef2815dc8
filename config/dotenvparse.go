package config

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"
)

// This file reads .env files the way github.com/joho/godotenv v1.5.1 reads
// them (its Parse and UnmarshalBytes), without the regexp package: godotenv's
// package-level regular expressions would put regexp and the Unicode tables
// into every binary that imports config. The one deliberate difference is the
// expansion bound (maxDotenvExpanded). FuzzDotEnv_godotenv in the tests
// compares the two on arbitrary input.

// maxDotenvExpanded bounds the bytes that ${VAR} and $VAR references in one
// file may produce. godotenv expands every reference in full, so lines that
// each reference the previous line twice grow exponentially; a file past the
// bound is refused as a syntax error instead.
const maxDotenvExpanded = 16 << 20

// errDotenvExpansion is returned when a file's references expand past
// maxDotenvExpanded.
var errDotenvExpansion = errors.New("config: .env references expand too far")

// parseDotenv parses the content of one .env file into a fresh map. Any
// refusal is an error that quotes nothing of src.
func parseDotenv(src []byte) (map[string]string, error) {
	out := make(map[string]string)
	p := dotenvParser{vars: out, budget: maxDotenvExpanded}
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	for {
		src = p.statementStart(src)
		if src == nil {
			return out, nil
		}
		key, rest, err := dotenvKey(src)
		if err != nil {
			return nil, err
		}
		value, rest, err := p.value(rest)
		if err != nil {
			return nil, err
		}
		out[key] = value
		src = rest
	}
}

type dotenvParser struct {
	vars   map[string]string
	budget int // bytes expansion may still produce
}

// statementStart skips white space and # comment lines; nil at end of file.
func (p *dotenvParser) statementStart(src []byte) []byte {
	for {
		i := bytes.IndexFunc(src, func(r rune) bool { return !isUnicodeSpace(r) })
		if i < 0 {
			return nil
		}
		src = src[i:]
		if src[0] != '#' {
			return src
		}
		nl := bytes.IndexByte(src, '\n')
		if nl < 0 {
			return nil
		}
		src = src[nl:]
	}
}

// dotenvKey reads an optional "export " and the name up to = or :.
func dotenvKey(src []byte) (string, []byte, error) {
	src = bytes.TrimLeftFunc(src, isDotenvSpace)
	if after, ok := bytes.CutPrefix(src, []byte("export")); ok && bytes.IndexFunc(after, isDotenvSpace) == 0 {
		src = bytes.TrimLeftFunc(after, isDotenvSpace)
	}
	if len(src) == 0 {
		return "", nil, errDotenvSyntax
	}
	// Byte by byte, as godotenv does: a name holds spaces, _, ., and bytes
	// that are letters or digits read as Latin-1. Without = or : before the
	// end of the file the name is empty and the rest is the value.
	key, offset := "", 0
scan:
	for i, c := range src {
		switch {
		case isDotenvSpace(rune(c)):
		case c == '=' || c == ':':
			key, offset = string(src[:i]), i+1
			break scan
		case c == '_' || c == '.' || isLatin1Alnum(c):
		default:
			return "", nil, errDotenvSyntax
		}
	}
	key = strings.TrimRightFunc(key, isUnicodeSpace)
	return key, bytes.TrimLeftFunc(src[offset:], isDotenvSpace), nil
}

// value reads a quoted or unquoted value and returns the rest of the file.
func (p *dotenvParser) value(src []byte) (string, []byte, error) {
	if len(src) == 0 || (src[0] != '"' && src[0] != '\'') {
		return p.unquoted(src)
	}
	quote := src[0]
	for i := 1; i < len(src); i++ {
		if src[i] != quote || src[i-1] == '\\' {
			continue
		}
		isQuote := func(r rune) bool { return r == rune(quote) }
		v := string(bytes.TrimLeftFunc(bytes.TrimRightFunc(src[:i], isQuote), isQuote))
		if quote == '"' {
			var err error
			if v, err = p.expand(dotenvUnescape(v)); err != nil {
				return "", nil, err
			}
		}
		return v, src[i+1:], nil
	}
	return "", nil, errDotenvSyntax
}

// unquoted reads the rest of the line, drops a " #" comment and trims it.
func (p *dotenvParser) unquoted(src []byte) (string, []byte, error) {
	eol := bytes.IndexAny(src, "\n\r")
	if eol < 0 {
		eol = len(src)
		if eol == 0 {
			return "", nil, nil
		}
	}
	// As runes, like godotenv: invalid UTF-8 becomes U+FFFD.
	line := []rune(string(src[:eol]))
	end := len(line)
	for i := end - 1; i > 0; i-- {
		if line[i] == '#' && isDotenvSpace(line[i-1]) {
			end = i
			break
		}
	}
	v, err := p.expand(strings.TrimFunc(string(line[:end]), isDotenvSpace))
	return v, src[eol:], err
}

// dotenvUnescape undoes escapes in a double-quoted value in godotenv's two
// passes: \n and \r become a newline and a carriage return (a backslash
// followed by anything but a newline is one escape, left as it is); then a
// backslash before anything but $ is dropped.
func dotenvUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) || s[i+1] == '\n' {
			b.WriteByte(s[i])
			continue
		}
		_, w := utf8.DecodeRuneInString(s[i+1:])
		switch s[i+1] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteString(s[i : i+1+w])
		}
		i += w
	}
	s = b.String()
	b.Reset()
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) || s[i+1] == '$' {
			b.WriteByte(s[i])
			continue
		}
		_, w := utf8.DecodeRuneInString(s[i+1:])
		b.WriteString(s[i+1 : i+1+w])
		i += w
	}
	return b.String()
}

// expand replaces references the way godotenv's pattern
// (\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}? does: a reference is $, an optional (,
// an optional {, the longest run of A-Z 0-9 _, and an optional }. \$ drops
// the backslash and keeps the rest as written; a reference with a name is
// that name's value in the lines read so far (empty if none); one without
// a name stays as written.
func (p *dotenvParser) expand(s string) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		escaped := s[i] == '\\' && i+1 < len(s) && s[i+1] == '$'
		if s[i] != '$' && !escaped {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		if escaped {
			j++
		}
		if j < len(s) && s[j] == '(' {
			j++
		}
		if j < len(s) && s[j] == '{' {
			j++
		}
		name := j
		for j < len(s) && isDotenvNameByte(s[j]) {
			j++
		}
		nameEnd := j
		if j < len(s) && s[j] == '}' {
			j++
		}
		switch {
		case escaped:
			b.WriteString(s[i+1 : j])
		case nameEnd > name:
			v := p.vars[s[name:nameEnd]]
			if p.budget -= len(v); p.budget < 0 {
				return "", errDotenvExpansion
			}
			b.WriteString(v)
		default:
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String(), nil
}

func isDotenvNameByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isDotenvSpace is godotenv's space: white space but not a line feed.
func isDotenvSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// isUnicodeSpace is unicode.IsSpace, written out so config does not reference
// the unicode tables.
func isUnicodeSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680,
		0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// isLatin1Alnum reports whether c, read as a Latin-1 code point, is a
// letter or a number in Unicode's sense (unicode.IsLetter, unicode.IsNumber).
func isLatin1Alnum(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	case c == 0xAA, c == 0xB5, c == 0xBA, c == 0xB2, c == 0xB3, c == 0xB9:
		return true
	case c >= 0xBC && c <= 0xBE, c >= 0xC0 && c != 0xD7 && c != 0xF7:
		return true
	}
	return false
}
