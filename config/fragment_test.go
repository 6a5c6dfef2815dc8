package config_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/config"
)

// echoText is a user's type whose UnmarshalText quotes its input in its
// error, as many do.
type echoText string

func (e *echoText) UnmarshalText(b []byte) error {
	if strings.HasPrefix(string(b), "ok") {
		*e = echoText(b)
		return nil
	}
	return fmt.Errorf("echo: %q is not ok", b)
}

// foreign stands for a type the program does not own, read with a parser
// registered by config.WithParser that quotes its input in its error.
type foreign struct{ v string }

func parseForeign(s string) (foreign, error) {
	if strings.HasPrefix(s, "ok") {
		return foreign{s}, nil
	}
	return foreign{}, fmt.Errorf("foreign: cannot parse %s", s)
}

// everyType has one field of every kind config reads.
type everyType struct {
	Addr     netip.Addr       `env:"ADDR"`
	Prefix   netip.Prefix     `env:"PREFIX"`
	AddrPort netip.AddrPort   `env:"ADDR_PORT"`
	Addrs    []netip.Addr     `env:"ADDRS"`
	IP       net.IP           `env:"IP"`
	Level    slog.Level       `env:"LEVEL"`
	Duration time.Duration    `env:"DURATION"`
	Backoff  []time.Duration  `env:"BACKOFF"`
	Int      int              `env:"INT"`
	Int8     int8             `env:"INT8"`
	Uint     uint16           `env:"UINT"`
	Float    float64          `env:"FLOAT"`
	Bool     bool             `env:"BOOL"`
	URL      url.URL          `env:"URL"`
	URLPtr   *url.URL         `env:"URL_PTR"`
	Zone     time.Location    `env:"ZONE"`
	Time     time.Time        `env:"TIME"`
	Map      map[string]int   `env:"MAP"`
	BoolMap  map[int]bool     `env:"BOOL_MAP"`
	Echo     echoText         `env:"ECHO"`
	Echoes   []echoText       `env:"ECHOES"`
	Foreign  foreign          `env:"FOREIGN"`
	Foreigns []foreign        `env:"FOREIGNS"`
	Ints     []int            `env:"INTS" envSeparator:";"`
	Ptr      *int             `env:"PTR"`
	Secret   config.Secret    `env:"SECRET"`
	Custom   map[string]uint8 `env:"CUSTOM" envSeparator:"|" envKeyValSeparator:"="`
}

var everyKey = []string{
	"ADDR", "PREFIX", "ADDR_PORT", "ADDRS", "IP", "LEVEL", "DURATION", "BACKOFF", "INT", "INT8",
	"UINT", "FLOAT", "BOOL", "URL", "URL_PTR", "ZONE", "TIME", "MAP", "BOOL_MAP", "ECHO", "ECHOES",
	"FOREIGN", "FOREIGNS", "INTS", "PTR", "SECRET", "CUSTOM",
}

// canary is planted in every value; no report may show any three letters of
// it in a row.
const canary = "QZJXW"

func showsCanary(msg string) bool {
	for i := 0; i+3 <= len(canary); i++ {
		if strings.Contains(msg, canary[i:i+3]) {
			return true
		}
	}
	return false
}

func loadEvery(env map[string]string) error {
	_, err := config.Load[everyType](config.WithEnvironment(env), config.WithParser(parseForeign, ""))
	return err
}

// TestLoad_noFragment sets each variable to values that make its parser
// quote them (the cases that leaked before), and checks the report: one
// problem per variable, of kind ErrInvalid, saying what was wanted, without a
// letter of the canary; the parser's own error is still reachable with
// errors.Unwrap and errors.As.
func TestLoad_noFragment(t *testing.T) {
	t.Parallel()
	values := []string{
		canary, "+" + canary, canary + ":80", "10.0.0.0/" + canary, "1.2.3." + canary,
		"[::1]:" + canary, "::" + canary, canary + ",1.2.3.4", "1.2.3.4," + canary,
		"a:" + canary, canary + ":1", "%" + canary, "http://[" + canary, "INFO+" + canary,
	}
	for _, v := range values {
		for _, key := range everyKey {
			t.Run(key+"="+v, func(t *testing.T) {
				t.Parallel()
				err := loadEvery(map[string]string{key: v})
				if err == nil {
					return // a value this type accepts
				}
				if showsCanary(err.Error()) {
					t.Fatalf("report shows the value:\n%s", err)
				}
				var cerr *config.Error
				if !errors.As(err, &cerr) || len(cerr.Problems) != 1 {
					t.Fatalf("want one problem, got %v", err)
				}
				p := cerr.Problems[0]
				if p.Var != key || !errors.Is(p, config.ErrInvalid) || p.Want == "" {
					t.Errorf("problem %+v: want Var %s, ErrInvalid and a Want", p, key)
				}
				if cause := errors.Unwrap(p.Err); cause == nil {
					t.Errorf("errors.Unwrap(%v) = nil, want the parser's error", p.Err)
				}
			})
		}
	}
}

// TestLoad_noFragmentCause: a program that wants the parser's own error,
// which does quote the value, gets it with errors.As.
func TestLoad_noFragmentCause(t *testing.T) {
	t.Parallel()
	err := loadEvery(map[string]string{"INT": canary})
	var ne *strconv.NumError
	if !errors.As(err, &ne) || ne.Num != canary {
		t.Fatalf("errors.As(%v, *strconv.NumError) = %v, want the cause quoting the value", err, ne)
	}
	want := "config: INT: not an integer; want a whole number such as 42"
	if err.Error() != want {
		t.Errorf("report:\n got %s\nwant %s", err, want)
	}
	err = loadEvery(map[string]string{"ADDR": canary})
	want = "config: ADDR: not a valid IP address; want an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1"
	if err == nil || err.Error() != want {
		t.Errorf("report:\n got %v\nwant %s", err, want)
	}
	var cerr *config.Error
	if errors.As(err, &cerr) && !strings.Contains(errors.Unwrap(cerr.Problems[0].Err).Error(), canary) {
		t.Errorf("the cause %q does not quote the value: the test proves nothing", errors.Unwrap(cerr.Problems[0].Err))
	}
}

// FuzzLoad_noFragment plants the canary inside fuzzed text in every variable
// at once: never a panic, every problem ErrInvalid naming its variable, and
// no three letters of the canary in the report.
func FuzzLoad_noFragment(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""}, {"+", ""}, {"1.2.3.", ""}, {"10.0.0.0/", ""}, {"[::1]:", ""}, {"", ":80"},
		{"INFO+", ""}, {"a:", ",b:2"}, {"1,", ",3"}, {"http://[", ""}, {"%", ""}, {"1e", ""},
		{"", "s"}, {"ok", ""}, {"2026-01-02T15:04:05", ""}, {"Europe/", ""}, {"0x", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		v := before + canary + after
		env := make(map[string]string, len(everyKey))
		for _, k := range everyKey {
			env[k] = v
		}
		err := loadEvery(env)
		if err == nil {
			return
		}
		if showsCanary(err.Error()) {
			t.Fatalf("report shows the value %q:\n%s", v, err)
		}
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			t.Fatalf("error %T is not a *config.Error", err)
		}
		for _, p := range cerr.Problems {
			if p.Var == "" || !errors.Is(p, config.ErrInvalid) {
				t.Errorf("problem %q: want a variable and ErrInvalid", p)
			}
		}
	})
}

// wordedText is a type whose UnmarshalText chooses its own words, without
// the value, by returning a *config.FieldError.
type wordedText string

func (w *wordedText) UnmarshalText(b []byte) error {
	if string(b) != "ok" {
		return &config.FieldError{Problem: "unknown scheme", Want: "a URL starting with postgres:// or redis://", Err: errors.New("scheme " + string(b))}
	}
	*w = "ok"
	return nil
}

// TestLoad_ownWords: a *FieldError from UnmarshalText gives the report its
// Problem and Want, and nothing else of it.
func TestLoad_ownWords(t *testing.T) {
	t.Parallel()
	type cfg struct {
		DB wordedText `env:"DB"`
	}
	_, err := config.Load[cfg](config.WithEnvironment(map[string]string{"DB": canary}))
	want := "config: DB: unknown scheme; want a URL starting with postgres:// or redis://"
	if err == nil || err.Error() != want {
		t.Errorf("report:\n got %v\nwant %s", err, want)
	}
	if !errors.Is(err, config.ErrInvalid) {
		t.Error("not ErrInvalid")
	}
}
