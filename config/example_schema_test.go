package config_test

import (
	"fmt"
	"os"
	"time"

	"github.com/twelvekit/twelvekit/config"
)

// A service's contract for tools: what a platform team checks deploys
// against (twelvecheck deploy) and compares across services (twelvecheck
// fleet). The old name DBEUG_TIMEOUT is still read, and marked deprecated.
func ExampleDoc_WriteJSONSchema() {
	type Config struct {
		Timeout time.Duration `env:"DEBUG_TIMEOUT" envOld:"DBEUG_TIMEOUT" envDefault:"5s" desc:"how long a debug request may take"`
	}
	doc, err := config.Describe(Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	doc.Vars[0].FileVar = "" // keep the example short: no DEBUG_TIMEOUT_FILE
	_ = doc.WriteJSONSchema(os.Stdout)
	// Output:
	// {
	//   "$schema": "https://json-schema.org/draft/2020-12/schema",
	//   "type": "object",
	//   "properties": {
	//     "DEBUG_TIMEOUT": {
	//       "type": "string",
	//       "description": "how long a debug request may take",
	//       "default": "5s",
	//       "pattern": "^(?:|[+-]?(?:0|(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+))$",
	//       "x-old-names": [
	//         "DBEUG_TIMEOUT"
	//       ],
	//       "x-type": "duration",
	//       "x-go-type": "time.Duration",
	//       "x-format": "duration"
	//     },
	//     "DBEUG_TIMEOUT": {
	//       "type": "string",
	//       "description": "how long a debug request may take",
	//       "default": "5s",
	//       "pattern": "^(?:|[+-]?(?:0|(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+))$",
	//       "deprecated": true,
	//       "x-renamed-to": "DEBUG_TIMEOUT",
	//       "x-type": "duration",
	//       "x-go-type": "time.Duration",
	//       "x-format": "duration"
	//     }
	//   }
	// }
}

// The environment of a docker-compose service, each variable from the shell
// that runs compose: required ones refused when unset, defaults written in.
func ExampleDoc_WriteCompose() {
	type Config struct {
		Port int           `env:"PORT" envDefault:"8080"`
		DB   string        `env:"DATABASE_URL,required" desc:"the database"`
		Key  config.Secret `env:"API_KEY"`
	}
	doc, err := config.Describe(Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = doc.WriteCompose(os.Stdout)
	// Output:
	// environment:
	//   # integer
	//   "PORT": "${PORT:-8080}"
	//   # the database (string, required)
	//   "DATABASE_URL": "${DATABASE_URL:?set DATABASE_URL}"
	//   # secret
	//   "API_KEY": "${API_KEY:-}"
}
