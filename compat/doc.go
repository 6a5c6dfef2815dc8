// Package compat holds tests only: the differential suite that reads the same
// caarlos0/env-style structs with caarlos0/env v11.4.2 and with twelvekit's
// config package and fails on any difference config's package documentation
// does not list, and the tests of config.Secret against printers the root
// module must not import (go-spew, as testify's diffs use it).
package compat
