package backing

import (
	"errors"
	"slices"

	"github.com/twelvekit/twelvekit/config"
)

// Errors that callers can test with [errors.Is].
var (
	// ErrInvalid is wrapped by every error of [Parse] and
	// [URL.UnmarshalText] about the text: it is not a backing-service URL
	// this package reads.
	ErrInvalid = errors.New("backing: not a valid backing-service URL")
	// ErrFamily is wrapped when a URL belongs to another family than the one
	// asked for: by the driver-ready methods ([URL.SQL], [URL.Redis]...), by
	// [Parse] with [WithFamily], and by the typed fields ([AMQPURL]...).
	ErrFamily = errors.New("backing: wrong scheme family")
	// ErrUnreachable is wrapped by a [Check] error when no host accepted a
	// connection in time.
	ErrUnreachable = errors.New("backing: service unreachable")
	// ErrWrongService is wrapped by a [Check] error when a host accepted the
	// connection but did not answer as the URL's service does: another
	// program holds the port.
	ErrWrongService = errors.New("backing: another service answered")
)

// parseError is a problem with a URL's text. Its message names what is wrong
// and how to fix it, and never holds the text or its credentials.
type parseError struct{ msg string }

func (e *parseError) Error() string { return "backing: " + e.msg }
func (e *parseError) Unwrap() error { return ErrInvalid }
func errorf(msg string) error       { return &parseError{msg: msg} }

// textErr rewrites an error of Parse for UnmarshalText as a
// *config.FieldError, whose words config loading puts in its report after
// the variable's name: "AMQP_URL: a redis URL; want amqp or amqps". It
// still wraps ErrInvalid or ErrFamily.
func textErr(err error) error {
	var pe *parseError
	var fe *familyError
	switch {
	case errors.As(err, &pe):
		return &config.FieldError{Problem: pe.msg, Err: err}
	case errors.As(err, &fe):
		return &config.FieldError{Problem: article(fe.got) + " " + fe.got + " URL", Want: fe.wantSchemes(), Err: err}
	}
	return err
}

// familyError is a URL of one family where others were wanted. method is
// the driver-ready method that was called, or "" for Parse.
type familyError struct {
	method string
	got    string   // family name, or "unset"
	want   []string // family names
}

// wantSchemes lists the schemes of the wanted families: "amqp or amqps".
func (e *familyError) wantSchemes() string {
	var schemes []string
	for _, w := range e.want {
		if f := familyByName(w); f != nil {
			for _, s := range f.schemes {
				schemes = append(schemes, s.name)
			}
		}
	}
	if len(schemes) > 6 {
		schemes = e.want
	}
	return orList(schemes)
}

func (e *familyError) Error() string {
	if e.method == "" {
		return "backing: " + article(e.got) + " " + e.got + " URL; want " + e.wantSchemes()
	}
	return "backing: " + e.method + " reads " + orList(e.want) + " URLs, and this is " +
		article(e.got) + " " + e.got + " URL; check which variable the code reads"
}
func (e *familyError) Unwrap() error { return ErrFamily }

// want returns a familyError when u is not of one of the families.
func (u URL) want(method string, fams ...string) error {
	name := u.Scheme()
	if slices.Contains(fams, name) {
		return nil
	}
	if name == "" {
		name = "unset"
	}
	return &familyError{method: method, got: name, want: fams}
}
