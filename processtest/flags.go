package processtest

import (
	"errors"
	"flag"
	"strings"
)

// Flags registers on fs the flags of the checks a run cannot find by
// itself, for a command such as twelvecheck, and returns a function that,
// once fs is parsed, gives their options; a malformed value makes [Check]
// return an error naming the flag:
//
//	-release-cmd ARGS   WithReleaseCommand, such as "version"
//	-variant NAME=PATH  WithVariant, such as GREETING=/
//	-admin ARGS         WithAdminCommand, such as "migrate"
//	-admin-exit CODE    the exit code -admin must give (0)
//	-level-path PATH    WithLevelEndpoint
func Flags(fs *flag.FlagSet) func() []Option {
	release := fs.String("release-cmd", "", "space-separated arguments that print the binary's release, such as version; compared with its build information (V)")
	variant := fs.String("variant", "", "NAME=PATH: a variable whose value GET PATH answers; two runs with two values must each answer their own (V)")
	admin := fs.String("admin", "", "space-separated arguments of a one-off admin command, such as migrate: same config, its exit code, binds nothing (XII)")
	adminExit := fs.Int("admin-exit", 0, "exit code the -admin command must give")
	level := fs.String("level-path", "", "path of the log level endpoint the binary serves on MANAGEMENT_PORT (looked for at /debug/level when not given)")
	return func() []Option {
		var opts []Option
		if *level != "" {
			opts = append(opts, WithLevelEndpoint(*level))
		}
		if *release != "" {
			opts = append(opts, WithReleaseCommand(strings.Fields(*release)...))
		}
		if *variant != "" {
			name, path, ok := strings.Cut(*variant, "=")
			if !ok || name == "" || !strings.HasPrefix(path, "/") {
				return append(opts, optionFunc(func(s *settings) {
					s.err = errors.New("processtest: -variant takes NAME=PATH, such as GREETING=/")
				}))
			}
			opts = append(opts, WithVariant(name, path))
		}
		if *admin != "" {
			opts = append(opts, WithAdminCommand(*adminExit, strings.Fields(*admin)...))
		}
		return opts
	}
}
