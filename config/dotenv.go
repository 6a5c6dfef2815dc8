package config

import (
	"errors"
	"fmt"
	"io/fs"
)

// readDotenv parses each .env file in order. A missing optional file is
// skipped; any other failure is a problem naming the file, never quoting it.
func (l *loader) readDotenv(files []dotenvFile) []dotenvVars {
	var out []dotenvVars
	for _, f := range files {
		m, err := readDotenvFile(f.path, l.s.fileLimit)
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
				Want:    dotenvWant(err, l.s.fileLimit),
				Err:     ErrFile,
			})
		}
	}
	return out
}

// dotenvWant says how to mend a .env file that could not be read.
func dotenvWant(err error, limit int64) string {
	if errors.Is(err, errTooLarge) {
		return "a file of at most " + byteSize(limit) + " (see config.WithFileLimit), or remove it from WithDotEnv"
	}
	return "an existing, readable regular file, or remove it from WithDotEnv"
}

// dotenvVars are the variables of one .env file.
type dotenvVars struct {
	path string
	vars map[string]string
}

var errDotenvSyntax = errors.New("syntax")

// readDotenvFile reads and parses the .env file at path, bounded as a
// NAME_FILE is (see readValueFile): a regular file of at most limit bytes,
// never blocking on a named pipe or device, given up when a read blocks.
func readDotenvFile(path string, limit int64) (map[string]string, error) {
	if limit <= 0 {
		limit = DefaultFileLimit
	}
	src, err := readValueFile(path, limit)
	if err != nil {
		return nil, err
	}
	m, err := parseDotenv([]byte(src))
	if err != nil {
		// Report only that it failed, never the content.
		return nil, errDotenvSyntax
	}
	return m, nil
}
