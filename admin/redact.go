package admin

import (
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/redact"
)

// shown is the value the config built-in prints for s: masked when it was
// read from a NAME_FILE, is a secret, or was set (not defaulted) in a
// variable whose name says it is a credential, with the password of a URL
// masked otherwise. A default of a plain field is in the program's source
// and in "config -doc" already. config.Explain redacts too; this holds the
// built-in to the same rules whatever Explain does.
func shown(s config.Setting) string {
	v := s.Value
	switch {
	case v == "" || v == config.Unset || v == redact.Mask:
		return v
	case s.Source == config.SourceFile || s.Secret:
		return redact.Mask
	case s.Source != config.SourceDefault && redact.Name(s.Name):
		return redact.Mask
	}
	if m, ok := redact.URL(v); ok {
		return m
	}
	return v
}
