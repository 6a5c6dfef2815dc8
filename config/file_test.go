package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

type secrets struct {
	APIKey config.Secret `env:"API_KEY,required"`
	Token  string        `env:"TOKEN"`
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad_nameFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content, want string
	}{
		{"one trailing newline trimmed", "s3cret\n", "s3cret"},
		{"only one newline trimmed", "s3cret\n\n", "s3cret\n"},
		{"CRLF trimmed", "s3cret\r\n", "s3cret"},
		{"no newline", "s3cret", "s3cret"},
		{"inner newlines kept", "line1\nline2\n", "line1\nline2"},
		{"spaces kept", " s3cret ", " s3cret "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "key", tt.content)
			got, err := config.Load[secrets](config.WithEnvironment(map[string]string{
				"API_KEY_FILE": path, "TOKEN_FILE": writeFile(t, "token", "tok\n"),
			}))
			if err != nil {
				t.Fatal(err)
			}
			if got.APIKey.Reveal() != tt.want {
				t.Errorf("APIKey = %q, want %q", got.APIKey.Reveal(), tt.want)
			}
			if got.Token != "tok" {
				t.Errorf("Token = %q, want tok: NAME_FILE applies to every variable, not only secrets", got.Token)
			}
		})
	}
}

func TestLoad_nameFileProblems(t *testing.T) {
	t.Parallel()
	const content = "file-content-never-shown"
	readable := writeFile(t, "key", content)
	unreadable := filepath.Join(t.TempDir(), "missing")
	empty := writeFile(t, "empty", "")

	tests := []struct {
		name    string
		env     map[string]string
		want    []string
		wantErr error
	}{
		{
			name:    "both set",
			env:     map[string]string{"API_KEY": "direct-value", "API_KEY_FILE": readable},
			want:    []string{"API_KEY: set together with API_KEY_FILE; want only one of API_KEY and API_KEY_FILE; unset the other"},
			wantErr: config.ErrConflict,
		},
		{
			name:    "unreadable",
			env:     map[string]string{"API_KEY_FILE": unreadable},
			want:    []string{"API_KEY: cannot read the file that API_KEY_FILE names: no such file or directory; want API_KEY_FILE set to the path of a regular file holding the value of API_KEY, such as /run/secrets/api_key (the path, not the value itself), or unset API_KEY_FILE"},
			wantErr: config.ErrFile,
		},
		{
			name:    "a directory",
			env:     map[string]string{"API_KEY_FILE": filepath.Dir(readable)},
			want:    []string{"API_KEY: cannot read the file that API_KEY_FILE names: not a regular file but a directory; want API_KEY_FILE set to the path of a regular file holding the value of API_KEY, such as /run/secrets/api_key (the path, not the value itself), or unset API_KEY_FILE"},
			wantErr: config.ErrFile,
		},
		{
			name:    "empty file for a required variable",
			env:     map[string]string{"API_KEY_FILE": empty},
			want:    []string{"API_KEY: empty: the file that API_KEY_FILE names is empty; want a secret value; set API_KEY, or API_KEY_FILE to a file holding it"},
			wantErr: config.ErrMissing,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load[secrets](config.WithEnvironment(tt.env))
			if diff := cmp.Diff(tt.want, problems(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("errors.Is(err, %v) = false", tt.wantErr)
			}
			for _, secret := range []string{content, "direct-value"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a secret: %q", err)
				}
			}
		})
	}
}

// TestLoad_nameFileDeclared: a struct that reads CERT_FILE itself (a path)
// keeps it; the convention does not turn it into CERT's content.
func TestLoad_nameFileDeclared(t *testing.T) {
	t.Parallel()
	type tls struct {
		Cert     string `env:"CERT"`
		CertFile string `env:"CERT_FILE"`
	}
	path := writeFile(t, "cert.pem", "PEM")
	got, err := config.Load[tls](config.WithEnvironment(map[string]string{"CERT_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Cert != "" || got.CertFile != path {
		t.Errorf("Load = %+v, want Cert empty and CertFile the path", got)
	}
}

func TestLoad_nameFileWithPrefix(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "pw", "pw-from-file")
	got, err := config.Load[app](config.WithPrefix("SHOP_"), config.WithEnvironment(map[string]string{
		"SHOP_API_KEY": "k", "SHOP_MODE": "m", "SHOP_DB_PORT": "1", "SHOP_CACHE_URL": "u",
		"SHOP_DB_PASSWORD_FILE": path,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got.DB.Password.Reveal() != "pw-from-file" {
		t.Errorf("DB.Password = %q, want the file's content", got.DB.Password.Reveal())
	}
}

// TestLoad_fileTagOption keeps caarlos0/env's own file option working and its
// errors worded like ours.
func TestLoad_fileTagOption(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Cert string `env:"CERT_PATH,file"`
	}
	path := writeFile(t, "c", "PEM DATA")
	got, err := config.Load[cfg](config.WithEnvironment(map[string]string{"CERT_PATH": path}))
	if err != nil || got.Cert != "PEM DATA" {
		t.Fatalf("Load = %q, %v", got.Cert, err)
	}
	missing := filepath.Join(t.TempDir(), "nope")
	_, err = config.Load[cfg](config.WithEnvironment(map[string]string{"CERT_PATH": missing}))
	want := []string{"CERT_PATH: cannot read the file that CERT_PATH names: no such file or directory; want CERT_PATH set to the path of a readable file (the path, not its content)"}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
