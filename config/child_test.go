package config_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/testkit"
)

// childEnv selects what the re-executed test binary does instead of running
// the tests; see runChild.
const childEnv = "CONFIG_TEST_CHILD"

// childMemory is the address-space limit of a child (without the race
// detector, whose shadow memory needs far more): a load that reads
// /dev/zero to its end dies against it instead of taking the machine.
const childMemory = 2 << 30 // 1 GiB is too tight for the runtime's own reservations

// runChild loads the process environment into a struct of one secret and
// one file-tagged string (mode "load") or of a file-tagged string whose
// default names /dev/zero (mode "default-zero"), and prints the report.
func runChild(mode string) int {
	if err := limitMemory(childMemory); err != nil {
		fmt.Println("limit memory:", err)
		return 3
	}
	var err error
	switch mode {
	case "default-zero":
		// A default path that names an endless device.
		type cfg struct {
			Seed string `env:"SEED_PATH,file" envDefault:"/dev/zero"`
		}
		_, err = config.Load[cfg]()
	case "dotenv":
		// A .env file named by DOTENV_PATH.
		type cfg struct {
			Host string `env:"HOST"`
		}
		_, err = config.Load[cfg](config.WithDotEnv(os.Getenv("DOTENV_PATH")))
	default:
		type cfg struct {
			Key  config.Secret `env:"API_KEY"`
			Cert string        `env:"CERT_PATH,file"`
		}
		_, err = config.Load[cfg]()
	}
	fmt.Println(err)
	return 0
}

// loadInChild runs a child that loads env, within a timeout, and returns what
// it printed.
func loadInChild(t *testing.T, env ...string) string {
	t.Helper()
	return runInChild(t, "load", env...)
}

// runInChild runs a child in mode with env, within a timeout, and returns
// what it printed.
func runInChild(t *testing.T, mode string, env ...string) string {
	t.Helper()
	cmd := testkit.Self(t, "^$")
	cmd.Env = append(append(cmd.Env, childEnv+"="+mode), env...)
	out, errOut, code := testkit.Run(t, 10*time.Second, cmd)
	if code != 0 {
		t.Fatalf("child exited %d:\n%s", code, lastLines(out+errOut, 10))
	}
	return strings.TrimSpace(out)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
