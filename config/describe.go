package config

import (
	"bufio"
	"io"
	"reflect"
	"strings"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// Var documents one variable a config struct reads.
type Var struct {
	// Name is the variable's full name, prefixes included.
	Name string
	// Field is the Go path of the field, such as "DB.Port".
	Field string
	// Type says in words what the variable holds: "integer", "duration",
	// "list of strings", "secret", or the Go type of a field read through
	// UnmarshalText, such as "backing.URL".
	Type string
	// Default is the envDefault value, or "" when HasDefault is false,
	// printed by the rule [Explain] prints values with (see "Printing
	// values" in the package documentation): as it is for a type that
	// cannot hold a credential (numbers, booleans, durations, enums) and
	// for a field tagged public:"true"; with the credential parts of a URL
	// or connection string masked; [Redacted] otherwise, and always for a
	// [Secret].
	Default    string
	HasDefault bool
	// Required is true for the required and notEmpty tag options.
	Required bool
	// Secret is true for fields of type [Secret]; their values are never
	// printed, and NAME_FILE can hold them in a file.
	Secret bool
	// Public is true for a field tagged public:"true": the team says its
	// value is no credential, and every printer shows it as it is.
	Public bool
	// Description is the desc tag.
	Description string

	// The facts below are the variable's contract, for tools: see
	// [Doc.WriteJSONSchema] and the deploy fragments.

	// GoType is the field's Go type, such as "int", "time.Duration",
	// "[]string" or "backing.PostgresURL".
	GoType string
	// Format names what the text means when the type says more than a
	// string: "integer", "number", "boolean", "duration", "url", "port",
	// "log-level", "enum", "ip", "ip-prefix", "address-port", "time",
	// "time-zone", "secret", "list" or "map"; "" for any text.
	Format string
	// Pattern is a regular expression (of the common subset of RE2 and
	// ECMA-262) that every value config can read matches, "" included (an
	// empty value is no value); "" when any text may be read.
	Pattern string
	// Schemes are the URL schemes a field accepts, for a type with a
	// URLSchemes() []string method (backing's URL types); nil for any.
	Schemes []string
	// Values are the values an enumerated type accepts, matched without
	// regard to case, for a type with an EnumValues() []string method.
	Values []string
	// Separator is a list's separator (the envSeparator tag, or ","), ""
	// for a variable that is no list.
	Separator string
	// File is true for the file tag option: the value is the path of a
	// file that holds the value.
	File bool
	// FileVar is NAME_FILE when that variable may hold the path of a file
	// with the value (see [Parse]), "" when the struct reads it itself.
	FileVar string
	// OldNames are earlier names of the variable, still read when it is
	// not set (the envOld tag), with the same prefixes; deprecated.
	OldNames []string
}

// Doc documents every variable of a config struct, in field order. Render it
// with [Doc.WriteText] for --help output, [Doc.WriteMarkdown] for a README,
// or [Doc.WriteDotEnv] for a .env.example file.
type Doc struct {
	Vars []Var
}

// Describe documents the variables that [Parse] would read into v, which is
// a struct or a pointer to one (a nil pointer is fine: only its type is
// used). Of the options, only [WithPrefix], [WithParser] and [WithDefaults] matter. Describe reads no
// environment. It returns an error for what Parse would refuse: a v that is
// no struct, a misspelt tag option or a field type config cannot read.
func Describe(v any, opts ...Option) (Doc, error) {
	t := reflect.TypeOf(v)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return Doc{}, &Error{Problems: []*FieldError{{
			Problem: "Describe needs a struct or a pointer to one, not " + typeName(v),
			Want:    "your config struct, such as Config{} or (*Config)(nil)",
			Err:     ErrStruct,
		}}}
	}
	s := newSettings(opts)
	p := planFor(t, s.prefix).withDefaults(s.defaults)
	if ps := p.problems(s.parsers); ps != nil {
		return Doc{}, &Error{Problems: ps}
	}
	d := Doc{Vars: make([]Var, 0, len(p.leaves))}
	for i := range p.leaves {
		if p.visible(i, s.parsers) {
			d.Vars = append(d.Vars, varOf(&p.leaves[i]))
		}
	}
	return d, nil
}

func varOf(lf *leaf) Var {
	def := lf.def
	switch {
	case lf.secret && lf.hasDef:
		def = Redacted
	case lf.hasDef:
		def = showDefault(lf.typ, def, lf.sep, lf.public)
	}
	v := Var{
		Name:        lf.key,
		Field:       lf.path,
		Type:        lf.kind.words,
		Default:     def,
		HasDefault:  lf.hasDef,
		Required:    lf.required,
		Secret:      lf.secret,
		Public:      lf.public,
		Description: lf.desc,
	}
	contractOf(lf, &v)
	return v
}

// showDefault prints an envDefault by the rule Explain prints values with:
// a list element by element, as Explain shows a list's values.
func showDefault(t reflect.Type, def, sep string, public bool) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if public || def == "" || t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return redact.Show(t, def, public)
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			break
		}
		parts := strings.Split(def, sep)
		for i, p := range parts {
			parts[i] = redact.Show(t.Elem(), p, false)
		}
		return strings.Join(parts, sep)
	}
	return redact.Show(t, def, false)
}

// WriteText writes an aligned table with the columns VARIABLE, TYPE,
// DEFAULT, REQUIRED, SECRET and DESCRIPTION, for a program's --help.
func (d Doc) WriteText(w io.Writer) error {
	rows := make([][6]string, 0, len(d.Vars)+1)
	rows = append(rows, [6]string{"VARIABLE", "TYPE", "DEFAULT", "REQUIRED", "SECRET", "DESCRIPTION"})
	for _, v := range d.Vars {
		def := v.Default
		if v.HasDefault && def == "" {
			def = `""`
		}
		rows = append(rows, [6]string{v.Name, v.Type, oneLine(def), yes(v.Required), yes(v.Secret), oneLine(v.Description)})
	}
	var width [5]int
	for _, r := range rows {
		for c := range width {
			width[c] = max(width[c], len(r[c]))
		}
	}
	bw := bufio.NewWriter(w)
	for _, r := range rows {
		for c := range width {
			bw.WriteString(r[c])
			if r[5] == "" && !hasAfter(r, c) {
				break
			}
			pad := width[c] - len(r[c]) + 2
			for range pad {
				bw.WriteByte(' ')
			}
		}
		bw.WriteString(r[5])
		bw.WriteByte('\n')
	}
	if d.masksDefault() {
		bw.WriteString(PublicHint)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// PublicHint is the note printed under a list of variables or values where
// the rule masked one that is not a [Secret]: how a team shows a value it
// knows is no credential.
const PublicHint = `[REDACTED] marks a value that may be a credential; tag its field public:"true" to show it`

// masksDefault reports whether a default other than a secret's is masked
// whole.
func (d Doc) masksDefault() bool {
	for _, v := range d.Vars {
		if !v.Secret && v.Default == Redacted {
			return true
		}
	}
	return false
}

// hasAfter reports whether a row has a non-empty cell after column c, so
// lines carry no trailing spaces.
func hasAfter(r [6]string, c int) bool {
	for _, s := range r[c+1:] {
		if s != "" {
			return true
		}
	}
	return false
}

// WriteMarkdown writes a Markdown table with one row per variable.
func (d Doc) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("| Variable | Type | Default | Required | Secret | Description |\n")
	bw.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, v := range d.Vars {
		bw.WriteString("| `")
		bw.WriteString(v.Name)
		bw.WriteString("` | ")
		bw.WriteString(mdCell(v.Type))
		bw.WriteString(" | ")
		if v.HasDefault {
			bw.WriteString(mdCode(v.Default))
		}
		bw.WriteString(" | ")
		bw.WriteString(yes(v.Required))
		bw.WriteString(" | ")
		bw.WriteString(yes(v.Secret))
		bw.WriteString(" | ")
		bw.WriteString(mdCell(v.Description))
		bw.WriteString(" |\n")
	}
	return bw.Flush()
}

// WriteDotEnv writes a .env.example file: for each variable a comment with
// its description, type and flags, then NAME=default. Required variables
// without a default, secrets and defaults the rule masks (see [Var]'s
// Default) are left blank (blank keeps the default). Defaults are
// quoted where .env syntax needs it, so github.com/joho/godotenv (and
// [WithDotEnv]) read back exactly the default.
func (d Doc) WriteDotEnv(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i, v := range d.Vars {
		if i > 0 {
			bw.WriteByte('\n')
		}
		bw.WriteString("# ")
		if v.Description != "" {
			bw.WriteString(oneLine(v.Description))
			bw.WriteString(" (")
		}
		bw.WriteString(v.Type)
		if v.Required {
			bw.WriteString(", required")
		}
		if v.Secret {
			bw.WriteString("; or set ")
			bw.WriteString(v.Name)
			bw.WriteString("_FILE to a file holding it")
		}
		hidden := v.HasDefault && !v.Secret && strings.Contains(v.Default, Redacted)
		if hidden {
			bw.WriteString("; its default may be a credential and is not shown: blank keeps it")
		}
		if v.Description != "" {
			bw.WriteString(")")
		}
		bw.WriteByte('\n')
		bw.WriteString(v.Name)
		bw.WriteByte('=')
		if v.HasDefault && !v.Secret && !hidden {
			bw.WriteString(dotenvQuote(v.Default))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;")

func mdCell(s string) string { return mdEscaper.Replace(s) }

func mdCode(s string) string {
	if s == "" {
		return "`\"\"`"
	}
	s = strings.ReplaceAll(oneLine(s), "|", `\|`)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// dotenvQuote returns s as a .env value: bare when that reads back as s,
// single-quoted (no escapes, no expansion) when it can be, double-quoted with
// escapes otherwise.
func dotenvQuote(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, " \t\r\n#'\"`$\\=") {
		return s
	}
	if !strings.ContainsAny(s, "'\r\n\\") {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
