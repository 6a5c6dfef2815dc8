package admin

import (
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/redact"
)

// shown is the value the config built-in prints for s. config.Explain has
// printed it by twelvekit's one rule (internal/redact): a value shows only
// when its type or a public:"true" tag says it is no credential, URLs and
// connection strings keep their scheme, hosts, ports and database, the rest
// is masked. This masks again, whatever Explain does, what is never shown:
// a value read from a file and a secret.
func shown(s config.Setting) string {
	v := s.Value
	switch {
	case v == "" || v == config.Unset || v == redact.Mask:
		return v
	case s.Source == config.SourceFile || s.Secret:
		return redact.Mask
	}
	return v
}
