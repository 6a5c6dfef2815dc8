package config

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"strconv"
)

// Redactions printed in place of a [Secret]'s value.
const (
	// Redacted is what every print, log and marshal path shows for a Secret
	// that holds a value.
	Redacted = "[REDACTED]"
	// Unset is what those paths show for a Secret that holds no value, so a
	// log or a config dump still tells a missing secret from a present one.
	Unset = "[UNSET]"
)

// Secret is a string that never shows its value by accident. fmt (every verb,
// %#v and %q included), encoding/json, encoding.TextMarshaler, log/slog (as a
// [slog.LogValuer]) and zap (zap.Any, zap.Stringer and zap.Reflect, through
// String and MarshalText) all print [Redacted], or [Unset] when it holds no
// value. The value is returned only by [Secret.Reveal].
//
// A config field of type Secret is read like a string, so it can be required
// (env:"API_KEY,required") and defaulted (envDefault:"..."), and it can be
// filled from a file through API_KEY_FILE (see the package documentation).
// Errors about a Secret field never quote its value.
//
// The zero value holds no value. An empty string is no value: NewSecret("")
// and an empty variable both give an unset Secret. Secrets are compared with
// [Secret.Equal]; the == operator compares identity, not values. A Secret is
// safe for concurrent use.
//
// The value is held only inside a closure, which reflection cannot open:
// printers that read unexported fields and follow pointers (go-cmp's
// reports, go-spew and testify's diffs with methods disabled, %p) see the
// address of a function, never the value. go-cmp compares Secrets with
// [Secret.Equal], so two configs that differ only in a secret still differ.
type Secret struct {
	h *holder
}

// holder keeps a Secret comparable with == while its value stays out of reach
// of reflection.
type holder struct {
	reveal func() string
}

// NewSecret returns a Secret holding value; an empty value gives an unset
// Secret. Use it in tests and where a secret comes from somewhere other than
// the environment.
func NewSecret(value string) Secret {
	if value == "" {
		return Secret{}
	}
	return Secret{h: &holder{reveal: func() string { return value }}}
}

// Reveal returns the secret's value, or "" when it is unset. It is the only way
// to read the value: call it where the value is handed to the code that needs
// it (a driver, an HTTP header), not earlier.
func (s Secret) Reveal() string {
	if s.h == nil {
		return ""
	}
	return s.h.reveal()
}

// IsSet reports whether the Secret holds a value.
func (s Secret) IsSet() bool { return s.h != nil }

// Equal reports whether s and other hold the same value, in time that does not
// depend on where the values differ. go-cmp uses this method to compare
// configs that contain secrets.
func (s Secret) Equal(other Secret) bool {
	if s.h == nil || other.h == nil {
		return s.h == nil && other.h == nil
	}
	return subtle.ConstantTimeCompare([]byte(s.h.reveal()), []byte(other.h.reveal())) == 1
}

// String returns [Redacted] or [Unset], never the value.
func (s Secret) String() string {
	if s.h == nil {
		return Unset
	}
	return Redacted
}

// GoString returns the same redaction as String, for %#v.
func (s Secret) GoString() string { return s.String() }

// Format writes the redaction for every fmt verb and flag: %v, %+v, %#v, %s
// and %d alike print [Redacted] or [Unset], and %q prints it quoted.
func (s Secret) Format(f fmt.State, verb rune) {
	r := s.String()
	if verb == 'q' {
		r = strconv.Quote(r)
	}
	_, _ = f.Write([]byte(r))
}

// MarshalText returns the redaction, so encoding/json, zap.Reflect and every
// text-based encoder print [Redacted] or [Unset]. A marshalled Secret cannot be
// read back: the value is not in the output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText sets the Secret to text; empty text unsets it. Config loading
// calls it for Secret fields. It never fails.
func (s *Secret) UnmarshalText(text []byte) error {
	*s = NewSecret(string(text))
	return nil
}

// LogValue returns the redaction as a string, so log/slog never reaches the
// value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
