package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// readDotenv parses each .env file in order. A missing optional file is
// skipped; any other failure is a problem naming the file, never quoting it.
func (l *loader) readDotenv(files []dotenvFile) []dotenvVars {
	var out []dotenvVars
	for _, f := range files {
		m, err := readDotenvFile(f.path)
		switch {
		case err == nil:
			out = append(out, dotenvVars{path: f.path, vars: m})
		case f.optional && errors.Is(err, fs.ErrNotExist):
		case errors.Is(err, errDotenvSyntax):
			l.add(-1, -1, &FieldError{
				Problem: fmt.Sprintf(".env file %s does not parse", f.path),
				Want:    "one NAME=value per line, values with spaces or # in quotes",
				Err:     ErrFile,
			})
		default:
			l.add(-1, -1, &FieldError{
				Problem: fmt.Sprintf("cannot read .env file %s: %s", f.path, reason(err)),
				Want:    "an existing, readable file, or remove it from WithDotEnv",
				Err:     ErrFile,
			})
		}
	}
	return out
}

// dotenvVars are the variables of one .env file.
type dotenvVars struct {
	path string
	vars map[string]string
}

var errDotenvSyntax = errors.New("syntax")

func readDotenvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("is a directory")}
	}
	src, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	m, err := parseDotenv(src)
	if err != nil {
		// Report only that it failed, never the content.
		return nil, errDotenvSyntax
	}
	return m, nil
}
