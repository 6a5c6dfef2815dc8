package config

import (
	"errors"
	"strconv"
	"strings"

	"github.com/twelvekit/twelvekit/internal/stop"
)

// Sentinels that a [FieldError] wraps, for callers that branch on the kind of
// problem with errors.Is.
var (
	// ErrMissing: a required variable is not set, or set to the empty string.
	ErrMissing = errors.New("config: required variable missing")
	// ErrInvalid: a variable's value is not of the field's type.
	ErrInvalid = errors.New("config: invalid value")
	// ErrConflict: a variable and its NAME_FILE twin are both set.
	ErrConflict = errors.New("config: variable set twice")
	// ErrFile: a file named by NAME_FILE, the file tag option or WithDotEnv
	// could not be read or parsed, or is not a regular file within the limit
	// of WithFileLimit.
	ErrFile = errors.New("config: file unreadable")
	// ErrStruct: the struct itself cannot be loaded (a misspelt tag option,
	// a field type config cannot read). This is a bug in the program, not in
	// its environment.
	ErrStruct = errors.New("config: struct not loadable")
)

// Error is the report of everything wrong with a configuration. [Load] and
// [Parse] return a *Error holding every problem they found, in field order, so
// an operator fixes them all at once; get it with errors.As:
//
//	var cerr *config.Error
//	if errors.As(err, &cerr) {
//		for _, p := range cerr.Problems { ... }
//	}
//
// Its Error method writes one line per problem. No line ever contains a
// variable's value.
type Error struct {
	Problems []*FieldError
}

// Error returns "config: " and the problem when there is one, or a count and
// one indented line per problem.
func (e *Error) Error() string {
	switch len(e.Problems) {
	case 0:
		return "config: no problems"
	case 1:
		return "config: " + e.Problems[0].Error()
	}
	var b strings.Builder
	b.WriteString("config: ")
	b.WriteString(strconv.Itoa(len(e.Problems)))
	b.WriteString(" problems:")
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.Error())
	}
	return b.String()
}

// ExitCode returns 78, EX_CONFIG of sysexits.h: the exit code a program
// should end with when its configuration is wrong. Packages that map errors to
// exit codes (lifecycle, admin) find it through this method, without
// importing config.
func (e *Error) ExitCode() int { return stop.ExitConfig }

// Unwrap returns each problem, so errors.Is and errors.As see them all.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// FieldError is one problem with one variable, or with one struct when a
// Validate method reports something no single variable explains.
type FieldError struct {
	// Var is the variable's full name, prefixes included, such as
	// "SHOP_DATABASE_URL". It is empty for a problem of a whole struct.
	Var string
	// Field is the Go path of the field or struct, such as "DB.Port".
	Field string
	// Problem says what is wrong, such as "not set" or "not a duration".
	Problem string
	// Want says what a right value looks like and how to fix it, such as
	// "a duration such as 30s, 1m or 1h30m". It may be empty.
	Want string
	// Err is, for errors.Is, ErrMissing, ErrInvalid, ErrConflict, ErrFile or
	// ErrStruct, or it is the error a Validate method returned. For a value
	// that did not parse and a file that could not be read, Err is an error
	// that errors.Is matches to ErrInvalid or ErrFile and that unwraps
	// (errors.Unwrap, errors.As) to the parser's or the file system's own
	// error. That error may quote the value: it is never part of Error().
	Err error
}

// Error returns "VAR: problem; want ...".
func (e *FieldError) Error() string {
	var b strings.Builder
	switch {
	case e.Var != "":
		b.WriteString(e.Var)
		b.WriteString(": ")
	case e.Field != "":
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	if e.Want != "" {
		b.WriteString("; want ")
		b.WriteString(e.Want)
	}
	return b.String()
}

// Unwrap returns Err, so errors.Is(e, ErrInvalid) holds for an invalid value
// and errors.As reaches the parser's own error through it.
func (e *FieldError) Unwrap() error { return e.Err }
