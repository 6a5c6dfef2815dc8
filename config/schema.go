package config

import (
	"bufio"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strings"
)

// The contract of a variable: what tools outside the program need to know to
// check a deploy against it. contractOf fills the facts of [Var] that
// describe.go's varOf does not.

// urlSchemer is implemented by URL types that accept only some schemes
// (backing's typed URLs): the schemes, lower case.
type urlSchemer interface{ URLSchemes() []string }

// enumerator is implemented by types that accept a fixed set of words,
// matched without regard to case (logging's Level, Format and Keys).
type enumerator interface{ EnumValues() []string }

var (
	urlSchemerType = reflect.TypeFor[urlSchemer]()
	enumType       = reflect.TypeFor[enumerator]()
)

// Regular expressions of the values caarlos0/env's parsers accept, written in
// the common subset of RE2 and ECMA-262 so that any JSON Schema validator
// reads them.
const (
	reInt      = `[+-]?[0-9]+`
	reUint     = `[0-9]+`
	reFloat    = `[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9_]+|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])`
	reBool     = `1|t|T|TRUE|true|True|0|f|F|FALSE|false|False`
	reDuration = `[+-]?(?:0|(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+)`
	// reURLRest is what follows a URL's scheme: no control character, and
	// a % only in an escape.
	reURLRest = `(?:[^%\x00-\x1f\x7f]|%[0-9A-Fa-f]{2})*`
	// rePort is a whole number from 0 to 65535, leading zeros allowed as
	// strconv allows them.
	rePort = `0*(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])`
)

// contract is what a leaf's type says about its values, worked out once
// per plan (see buildPlan) so that Describe stays as cheap as before.
type contract struct {
	goType, format, pattern, sep string
	schemes, values              []string
}

// contractFacts works out the contract of a leaf.
func contractFacts(lf *leaf) contract {
	c := contract{goType: lf.typ.String()}
	t := lf.typ
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Map {
		c.format = "map"
		return c
	}
	list := t.Kind() == reflect.Slice && t != ipType
	if list {
		c.sep = lf.sep
		t = t.Elem()
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	var elem string
	elem, c.format, c.schemes, c.values = elementContract(t, lf.key, list)
	switch {
	case elem == "":
	case list:
		c.pattern = "^(?:|(?:" + elem + ")(?:" + quoteMeta(lf.sep) + "(?:" + elem + "))*)$"
	default:
		c.pattern = "^(?:|" + elem + ")$"
	}
	return c
}

// contractOf fills v's contract facts from the leaf; the slices are v's own.
func contractOf(lf *leaf, v *Var) {
	c := &lf.contract
	v.GoType, v.Format, v.Pattern, v.Separator = c.goType, c.format, c.pattern, c.sep
	v.Schemes, v.Values = slices.Clone(c.schemes), slices.Clone(c.values)
	v.File = lf.fileOpt
	v.FileVar = lf.fileKey
	v.OldNames = slices.Clone(lf.old)
}

// elementContract returns the pattern (without anchors, "" for any text), the
// format, the schemes and the enumerated values of one value of type t.
func elementContract(t reflect.Type, key string, list bool) (pattern, format string, schemes, values []string) {
	pt := reflect.PointerTo(t)
	switch {
	case t == secretType:
		return "", "secret", nil, nil
	case t.Implements(urlSchemerType) || pt.Implements(urlSchemerType):
		schemes = reflect.New(t).Interface().(urlSchemer).URLSchemes()
		alts := make([]string, len(schemes))
		for i, s := range schemes {
			alts[i] = anyCase(quoteMeta(s))
		}
		// The rest: no control character, no % but a valid escape, as
		// net/url reads it.
		return "(?:" + strings.Join(alts, "|") + "):" + reURLRest, "url", schemes, nil
	case t.Implements(enumType) || pt.Implements(enumType):
		values = reflect.New(t).Interface().(enumerator).EnumValues()
		alts := make([]string, len(values))
		for i, s := range values {
			alts[i] = anyCase(quoteMeta(s))
		}
		format = "enum"
		if t.Name() == "Level" {
			format = "log-level"
		}
		// The package's own types trim the text first.
		return "[ \\t\\r\\n]*(?:" + strings.Join(alts, "|") + ")[ \\t\\r\\n]*", format, nil, values
	case t == levelType:
		return "(?:" + anyCase("debug") + "|" + anyCase("info") + "|" + anyCase("warn") + "|" + anyCase("error") + ")(?:[+-][0-9]+)?", "log-level", nil, nil
	case t == durationType:
		return reDuration, "duration", nil, nil
	case t == urlType:
		return "", "url", nil, nil
	case t == locationType:
		return "", "time-zone", nil, nil
	case t == timeType:
		return "", "time", nil, nil
	case t == addrType || t == ipType:
		return "", "ip", nil, nil
	case t == prefixType:
		return "", "ip-prefix", nil, nil
	case t == addrPortType:
		return "", "address-port", nil, nil
	case isText(t):
		return "", "", nil, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return "(?:" + reBool + ")", "boolean", nil, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !list && isPortName(key) && t.Bits() > 16 {
			return rePort, "port", nil, nil
		}
		return reInt, "integer", nil, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !list && isPortName(key) && t.Bits() >= 16 {
			return rePort, "port", nil, nil
		}
		return reUint, "integer", nil, nil
	case reflect.Float32, reflect.Float64:
		return reFloat, "number", nil, nil
	}
	return "", "", nil, nil
}

// isPortName reports whether an integer variable holds a TCP or UDP port:
// PORT, or a name ending in _PORT.
func isPortName(key string) bool {
	return key == "PORT" || strings.HasSuffix(key, "_PORT")
}

// anyCase returns a pattern matching s in any case, letter by letter (ECMA-262
// has no inline case-insensitive flag).
func anyCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
		if lo == up {
			b.WriteRune(r)
			continue
		}
		b.WriteString("[" + lo + up + "]")
	}
	return b.String()
}

// quoteMeta escapes the regular expression metacharacters of s (config does
// not link package regexp).
func quoteMeta(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$/`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// oldNames reads the envOld tag: earlier names of a variable, separated by
// commas, with the prefix of the struct in front.
func oldNames(prefix, tag string) []string {
	if tag == "" {
		return nil
	}
	var out []string
	for n := range strings.SplitSeq(tag, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, prefix+n)
		}
	}
	return out
}

// effectivelyRequired reports whether v must be set for a load to succeed: a
// required or notEmpty variable without a default.
func (v *Var) effectivelyRequired() bool { return v.Required && !v.HasDefault }

// usableDefault reports whether v's Default can be written into a contract
// or a deploy fragment as the value it is: v has one, and the printing rule
// showed it whole. A default the rule masked (a Secret's, a plain string's
// not declared public, a URL's password) is left out, so the fragment
// leaves the variable empty and the program's own default applies; writing
// the mask would set the variable to the mask.
func (v *Var) usableDefault() bool {
	return v.HasDefault && !v.Secret && !strings.Contains(v.Default, Redacted)
}

// isSecret reports whether v's value must come from a secret store: a
// [Secret] field, or a field not declared public whose name says it is a
// credential (DB_PASSWORD as a plain string).
func (v *Var) isSecret() bool { return v.Secret || (!v.Public && credentialName(v.Name)) }

// joined are the fragments that make a name a credential wherever they
// appear in it, once separators are removed and case is folded:
// DB_PASSWORD, dbPassword, SMTP_PASSWD, STRIPE_SECRET_KEY, GITHUB_TOKEN,
// PAYMENTS_APIKEY, TLS_PRIVATE_KEY, GOOGLE_APPLICATION_CREDENTIALS,
// AWS_SECRET_ACCESS_KEY...
var joined = [...]string{
	"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY",
	"PRIVATEKEY", "CREDENTIAL", "ACCESSKEY", "SIGNINGKEY", "ENCRYPTIONKEY",
	"MASTERKEY", "SESSIONKEY", "AUTHKEY", "CLIENTKEY", "COOKIEKEY", "HMACKEY",
}

// lastWords make a name a credential when they are its last word: DB_PASS,
// DB_PWD, REDIS_AUTH, STRIPE_KEY, PASSWORD_SALT, JWT_SIGNATURE. KEYS is not
// one: LOG_KEYS names a set of field names, and API_KEYS is caught by APIKEY.
var lastWords = [...]string{"PASS", "PWD", "AUTH", "KEY", "SALT", "PEPPER", "SIGNATURE", "SIG", "DSN", "JWT", "NKEY"}

// credentialName reports whether a variable or field name says that its
// value is a credential. It is the contract's hint for deploy checks (a
// credential given as a literal in a manifest), never a printing rule:
// printers fail closed whatever the name (see "Printing values"). Case and separators do not matter (DB_PASSWORD, db-password
// and DBPassword are one name). It is true when the name contains PASSWORD,
// PASSWD, PASSPHRASE, SECRET, TOKEN, APIKEY, PRIVATEKEY, CREDENTIAL,
// ACCESSKEY or another KEY that signs or encrypts (SIGNINGKEY, ENCRYPTIONKEY,
// MASTERKEY, SESSIONKEY, AUTHKEY, CLIENTKEY, COOKIEKEY, HMACKEY), or when its
// last word is PASS, PWD, AUTH, KEY, SALT, PEPPER, SIGNATURE, SIG, DSN, JWT
// or NKEY, except PUBLIC_KEY and the shell's own PWD. Like Spring Boot's
// sanitiser, it errs towards hiding: TOKEN_TTL is hidden too.
func credentialName(name string) bool {
	words := splitName(name)
	if len(words) == 0 {
		return false
	}
	all := strings.Join(words, "")
	for _, j := range joined {
		if strings.Contains(all, j) {
			return true
		}
	}
	last := words[len(words)-1]
	for _, w := range lastWords {
		if last != w {
			continue
		}
		switch {
		case len(words) == 1 && last == "PWD": // the working directory
			return false
		case len(words) > 1 && words[len(words)-2] == "PUBLIC":
			return false
		}
		return true
	}
	return false
}

// splitName cuts a name into upper-case words at every character that is not a
// letter or a digit and where a lower-case letter meets an upper-case one
// (dbPassword -> DB PASSWORD; APIKey -> APIKEY).
func splitName(name string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToUpper(name[start:end]))
		}
		start = -1
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum {
			flush(i)
			continue
		}
		if start >= 0 && 'A' <= c && c <= 'Z' && 'a' <= name[i-1] && name[i-1] <= 'z' {
			flush(i)
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(name))
	return words
}

// JSONSchemaURI is the $schema of [Doc.WriteJSONSchema]'s output.
const JSONSchemaURI = "https://json-schema.org/draft/2020-12/schema"

// WriteJSONSchema writes the contract of the variables as a JSON Schema
// (draft 2020-12) of an environment: an object whose properties are the
// variables, each a string. A tool can check a deploy's environment against
// it before a rollout; [Load] is what decides at start-up, and the schema
// accepts every environment Load accepts as far as the types tell (checks in
// Validate methods are code, which no schema holds).
//
// Each variable's property has:
//
//   - type "string" (every variable is text), description (the desc tag)
//     and default (never a secret's);
//   - pattern: the values config can read, an empty value included (empty
//     is unset), when the type restricts them: integers, ports, booleans,
//     durations, log levels, URL schemes, enumerated values, lists of those;
//   - x-type (the words of [Var.Type]), x-go-type, x-format ([Var.Format]),
//     x-url-schemes, x-enum (matched in any case), x-list-separator;
//   - x-required for a required or notEmpty variable without a default;
//     x-secret for a [Secret] or a credential's name (its value belongs in
//     a secret store); x-file for the file tag option (the value is a path);
//     x-file-variable naming NAME_FILE when that may hold the value.
//
// NAME_FILE twins have properties of their own (x-file-of), and each old
// name of the envOld tag has one with "deprecated": true and x-renamed-to.
// A required variable must be set, not empty, under its name, its NAME_FILE
// or an old name (an allOf of anyOf); setting both NAME and NAME_FILE is
// refused (a not). Other variables of the environment are allowed.
func (d Doc) WriteJSONSchema(w io.Writer) error {
	var props jsonObject
	var all []any
	for i := range d.Vars {
		v := &d.Vars[i]
		props = append(props, jsonMember{v.Name, propertyOf(v, "")})
		if v.FileVar != "" {
			props = append(props, jsonMember{v.FileVar, filePropertyOf(v)})
		}
		for _, old := range v.OldNames {
			props = append(props, jsonMember{old, propertyOf(v, old)})
		}
		if v.FileVar != "" {
			all = append(all, map[string]any{"not": map[string]any{
				"required":   []string{v.Name, v.FileVar},
				"properties": map[string]any{v.Name: nonEmpty, v.FileVar: nonEmpty},
			}})
		}
		if !v.effectivelyRequired() {
			continue
		}
		names := append([]string{v.Name}, v.OldNames...)
		if v.FileVar != "" {
			names = append(names, v.FileVar)
		}
		alts := make([]any, len(names))
		for j, n := range names {
			alts[j] = map[string]any{"required": []string{n}, "properties": map[string]any{n: nonEmpty}}
		}
		all = append(all, map[string]any{"anyOf": alts})
	}
	schema := jsonObject{
		{"$schema", JSONSchemaURI},
		{"type", "object"},
		{"properties", props},
	}
	if len(all) > 0 {
		schema = append(schema, jsonMember{"allOf", all})
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.Write(b)
	bw.WriteByte('\n')
	return bw.Flush()
}

var nonEmpty = map[string]any{"minLength": 1}

// propertyOf is the schema of v's variable, or of its old name old.
func propertyOf(v *Var, old string) jsonObject {
	p := jsonObject{{"type", "string"}}
	if v.Description != "" {
		p = append(p, jsonMember{"description", v.Description})
	}
	if v.usableDefault() {
		p = append(p, jsonMember{"default", v.Default})
	}
	if v.Pattern != "" {
		p = append(p, jsonMember{"pattern", v.Pattern})
	}
	if old != "" {
		p = append(p, jsonMember{"deprecated", true}, jsonMember{"x-renamed-to", v.Name})
	} else if len(v.OldNames) > 0 {
		p = append(p, jsonMember{"x-old-names", v.OldNames})
	}
	p = append(p, jsonMember{"x-type", v.Type}, jsonMember{"x-go-type", v.GoType})
	if v.Format != "" {
		p = append(p, jsonMember{"x-format", v.Format})
	}
	if len(v.Schemes) > 0 {
		p = append(p, jsonMember{"x-url-schemes", v.Schemes})
	}
	if len(v.Values) > 0 {
		p = append(p, jsonMember{"x-enum", v.Values})
	}
	if v.Separator != "" {
		p = append(p, jsonMember{"x-list-separator", v.Separator})
	}
	if v.effectivelyRequired() {
		p = append(p, jsonMember{"x-required", true})
	}
	if v.isSecret() {
		p = append(p, jsonMember{"x-secret", true})
	}
	if v.File {
		p = append(p, jsonMember{"x-file", true})
	}
	if v.FileVar != "" && old == "" {
		p = append(p, jsonMember{"x-file-variable", v.FileVar})
	}
	return p
}

func filePropertyOf(v *Var) jsonObject {
	return jsonObject{
		{"type", "string"},
		{"description", "path of a file holding " + v.Name + "'s value (less one trailing newline)"},
		{"x-type", "file path"},
		{"x-file", true},
		{"x-file-of", v.Name},
	}
}

// jsonObject is a JSON object that keeps its members' order.
type jsonObject []jsonMember

type jsonMember struct {
	key   string
	value any
}

// MarshalJSON writes the members in order.
func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// renames reads the old names of the envOld tag: for a variable that is not
// set (neither NAME nor its NAME_FILE), the first old name set gives its
// value, and the load warns that the old name is in use; an old name set
// beside the new one is ignored, with a warning.
func (l *loader) renames() {
	for i := range l.p.leaves {
		lf := &l.p.leaves[i]
		if len(lf.old) == 0 {
			continue
		}
		set := l.get(lf.key) != "" || (lf.fileKey != "" && l.get(lf.fileKey) != "")
		for _, old := range lf.old {
			v := l.get(old)
			if v == "" {
				continue
			}
			if set {
				l.warnings = append(l.warnings, old+" is a deprecated name of "+lf.key+" and is ignored, as "+lf.key+" is set; unset "+old)
				continue
			}
			l.own()
			l.vars[lf.key] = v
			if l.viaOld == nil {
				l.viaOld = map[string]string{}
			}
			l.viaOld[lf.key] = old
			l.warnings = append(l.warnings, old+" is a deprecated name of "+lf.key+" and was read as "+lf.key+"; rename it to "+lf.key)
			set = true
		}
	}
}
