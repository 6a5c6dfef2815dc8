package config_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/joho/godotenv"
	"github.com/twelvekit/twelvekit/config"
)

type documented struct {
	Port     int           `env:"PORT" envDefault:"8080" desc:"port to listen on"`
	Timeout  time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s" desc:"how long a stop may take"`
	APIKey   config.Secret `env:"API_KEY,required" desc:"key for the payments API"`
	Token    config.Secret `env:"TOKEN" envDefault:"dev-token"`
	Hosts    []string      `env:"HOSTS" envDefault:"a,b" public:"true"`
	Greeting string        `env:"GREETING" envDefault:"hello, world # not a comment" desc:"said | shown" public:"true"`
	DB       db            `envPrefix:"DB_"`
}

func TestDescribe_vars(t *testing.T) {
	t.Parallel()
	d, err := config.Describe((*documented)(nil), config.WithPrefix("APP_"))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.Var{
		{Name: "APP_PORT", Field: "Port", Type: "integer", Default: "8080", HasDefault: true, Description: "port to listen on"},
		{Name: "APP_SHUTDOWN_TIMEOUT", Field: "Timeout", Type: "duration", Default: "25s", HasDefault: true, Description: "how long a stop may take"},
		{Name: "APP_API_KEY", Field: "APIKey", Type: "secret", Required: true, Secret: true, Description: "key for the payments API"},
		{Name: "APP_TOKEN", Field: "Token", Type: "secret", Default: "[REDACTED]", HasDefault: true, Secret: true},
		{Name: "APP_HOSTS", Field: "Hosts", Type: "list of strings", Default: "a,b", HasDefault: true, Public: true},
		{Name: "APP_GREETING", Field: "Greeting", Type: "string", Default: "hello, world # not a comment", HasDefault: true, Public: true, Description: "said | shown"},
		{Name: "APP_DB_HOST", Field: "DB.Host", Type: "string", Default: "localhost", HasDefault: true},
		{Name: "APP_DB_PORT", Field: "DB.Port", Type: "integer", Required: true},
		{Name: "APP_DB_PASSWORD", Field: "DB.Password", Type: "secret", Secret: true},
	}
	// The contract's facts are checked in schema_test.go.
	contract := cmpopts.IgnoreFields(config.Var{}, "GoType", "Format", "Pattern", "Schemes", "Values", "Separator", "File", "FileVar", "OldNames")
	if diff := cmp.Diff(want, d.Vars, contract); diff != "" {
		t.Errorf("Vars (-want +got):\n%s", diff)
	}
	for _, v := range []any{documented{}, &documented{}} {
		if _, err := config.Describe(v); err != nil {
			t.Errorf("Describe(%T): %v", v, err)
		}
	}
	for _, v := range []any{nil, 3, "x", new(int)} {
		if _, err := config.Describe(v); !errors.Is(err, config.ErrStruct) {
			t.Errorf("Describe(%T) = %v, want ErrStruct", v, err)
		}
	}
}

func TestDoc_WriteText(t *testing.T) {
	t.Parallel()
	d, err := config.Describe(db{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"VARIABLE  TYPE     DEFAULT    REQUIRED  SECRET  DESCRIPTION\n" +
		"HOST      string   localhost\n" +
		"PORT      integer             yes\n" +
		"PASSWORD  secret                        yes\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("WriteText (-want +got):\n%s", diff)
	}
}

func TestDoc_WriteMarkdown(t *testing.T) {
	t.Parallel()
	d, err := config.Describe(documented{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2+9 {
		t.Fatalf("got %d lines, want a header, a rule and 9 rows:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{
		"| Variable | Type | Default | Required | Secret | Description |",
		"| `API_KEY` | secret |  | yes | yes | key for the payments API |",
		"| `TOKEN` | secret | `[REDACTED]` |  | yes |  |",
		"| `GREETING` | string | `hello, world # not a comment` |  |  | said \\| shown |",
		"| `DB_PORT` | integer |  | yes |  |  |",
	} {
		if !strings.Contains(buf.String(), want+"\n") {
			t.Errorf("Markdown lacks the line %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "dev-token") {
		t.Error("Markdown shows a secret's default")
	}
}

func TestDoc_WriteDotEnv(t *testing.T) {
	t.Parallel()
	d, err := config.Describe(documented{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := d.WriteDotEnv(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"# port to listen on (integer)\nPORT=8080\n",
		"# key for the payments API (secret, required; or set API_KEY_FILE to a file holding it)\nAPI_KEY=\n",
		"# secret; or set TOKEN_FILE to a file holding it\nTOKEN=\n",
		"# integer, required\nDB_PORT=\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf(".env.example lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "dev-token") {
		t.Error(".env.example shows a secret's default")
	}
	// What it writes is what a .env reader reads back: the defaults.
	parsed, err := godotenv.Unmarshal(out)
	if err != nil {
		t.Fatalf("godotenv cannot read the .env.example: %v\n%s", err, out)
	}
	want := map[string]string{
		"PORT": "8080", "SHUTDOWN_TIMEOUT": "25s", "API_KEY": "", "TOKEN": "", "HOSTS": "a,b",
		"GREETING": "hello, world # not a comment", "DB_HOST": "localhost", "DB_PORT": "", "DB_PASSWORD": "",
	}
	if diff := cmp.Diff(want, parsed); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestDoc_WriteDotEnv_quoting(t *testing.T) {
	t.Parallel()
	for _, def := range []string{"plain", "with space", "it's", `quote "double"`, "dollar $HOME", `back\slash`, "multi\nline", "a=b", "#hash", "tab\there", "x'y\"z$w\\v"} {
		d := config.Doc{Vars: []config.Var{{Name: "V", Type: "string", Default: def, HasDefault: true}}}
		var buf bytes.Buffer
		if err := d.WriteDotEnv(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := godotenv.Unmarshal(buf.String())
		if err != nil || got["V"] != def {
			t.Errorf("default %q written as %q reads back as %q (%v)", def, buf.String(), got["V"], err)
		}
	}
}

// Embedded is exported so that embedding it makes an exported field, the
// way services embed lifecycle.Config and logging.Config.
type Embedded struct {
	Port  int    `env:"PORT" envDefault:"8080"`
	Level string `env:"LEVEL" envDefault:"info"`
}

type embedding struct {
	Embedded
	Other Embedded `envPrefix:"ADMIN_"`
	Name  string   `env:"NAME"`
}

func TestDescribe_embedded(t *testing.T) {
	t.Parallel()
	d, err := config.Describe(embedding{}, config.WithPrefix("APP_"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range d.Vars {
		got = append(got, v.Name+" "+v.Field)
	}
	want := []string{"APP_PORT Embedded.Port", "APP_LEVEL Embedded.Level", "APP_ADMIN_PORT Other.Port", "APP_ADMIN_LEVEL Other.Level", "APP_NAME Name"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	cfg, err := config.Load[embedding](config.WithPrefix("APP_"), config.WithEnvironment(map[string]string{"APP_PORT": "1", "APP_ADMIN_PORT": "2"}))
	if err != nil || cfg.Port != 1 || cfg.Other.Port != 2 || cfg.Level != "info" {
		t.Errorf("Load = %+v, %v", cfg, err)
	}
}
