package backing

// sentinel is an error value that can be a constant.
type sentinel string

func (e sentinel) Error() string { return string(e) }

// Errors that callers can test with [errors.Is].
const (
	// ErrInvalid is wrapped by every error of [Parse] and
	// [URL.UnmarshalText]: the text is not a backing-service URL this package
	// reads.
	ErrInvalid = sentinel("backing: not a valid backing-service URL")
	// ErrUnreachable is wrapped by a [Check] error when no host accepted a
	// connection in time.
	ErrUnreachable = sentinel("backing: service unreachable")
	// ErrWrongService is wrapped by a [Check] error when a host accepted the
	// connection but did not answer as the URL's service does: another
	// program holds the port.
	ErrWrongService = sentinel("backing: another service answered")
	// ErrFamily is wrapped by the driver-ready methods ([URL.SQL],
	// [URL.Redis]...) when the URL belongs to another family.
	ErrFamily = sentinel("backing: wrong scheme family for this driver")
)

// parseError is a problem with a URL's text. Its message names what is wrong
// and how to fix it, and never holds the text or its password.
type parseError struct{ msg string }

func (e *parseError) Error() string { return "backing: " + e.msg }
func (e *parseError) Unwrap() error { return ErrInvalid }
func errorf(msg string) error       { return &parseError{msg: msg} }

// textError is a parseError reported through UnmarshalText, without the
// package prefix, since config loading already names the type.
type textError struct{ p *parseError }

func (e *textError) Error() string { return e.p.msg }
func (e *textError) Unwrap() error { return ErrInvalid }
