// Package redact holds twelvekit's one rule for printing configuration
// values, shared by every printer: config's Explain and Describe (and the
// help, Markdown and .env.example renderers), backing's URL printers
// (String, fmt, text, JSON, slog, zap) and Attached, admin's config and
// backing built-ins, error messages, and logging's request headers.
//
// # The rule
//
// A value is shown only when what it is says it cannot be a credential.
// Everything else is masked with [Mask], failing closed: a value the rule
// cannot read is hidden, never shown.
//
//   - Its Go type cannot hold one ([SafeType]): bool, the integer, unsigned
//     and float kinds, time.Duration, time.Time, *time.Location, IP
//     addresses and prefixes, and every named type of those kinds, which
//     is how Go spells an enum (log levels, modes). Lists and maps of them.
//   - The team declared it public: a config field tagged public:"true"
//     (Region string `env:"REGION" public:"true"`), a request header named
//     with logging.WithPublicHeaders.
//   - It is a part of a URL or connection string that is known not to carry
//     one ([URL]): the scheme, the hosts and ports, the user name of the
//     schemes whose user is a role (postgres, mysql, redis, amqp...), the
//     database or vhost name of the families that have one, the file of a
//     sqlite URL, the names of the query keys it knows, and the values of the query keys
//     in the family's documented safe list (sslmode, connect_timeout...).
//     A bare host name or IP address ([Host]) is such a part alone.
//
// Anything else is masked, keeping the shape for debugging: the whole
// userinfo of a scheme whose user may be a token (https, s3, smtp, nats,
// unknown schemes), the password, every path segment that is not the
// database or vhost (webhook and bot tokens live there),
// every query value not in the safe list, the fragment, the credential
// values of ADO.NET, JDBC and libpq keyword/value strings (and the whole
// pair of a keyword the rule does not know), and a plain string of any other
// shape as a whole ([Text]).
//
// Request headers follow the same rule ([Header]): a header's value is
// logged only when the header is in a short documented list of headers that
// carry none (Accept, Content-Type, User-Agent...) or the program declared
// it safe (logging.WithPublicHeaders).
//
// There is no list of what is secret: names (GITHUB_PAT, STRIPE_SK), query
// keys and headers nobody listed are masked like the ones everybody knows.
// The lists here are of what is safe, and each is documented where it is
// declared.
package redact

import (
	"net"
	"net/netip"
	"reflect"
	"strings"
	"time"
)

// Mask replaces every value, or part of a value, that the rule hides.
const Mask = "[REDACTED]"

// InsecureNote is the note a backing URL's printed form may end with; [URL]
// keeps it, since it says something about the URL, not in it.
const InsecureNote = " (certificate not verified)"

// Text returns s, a value whose type says nothing about it (a plain string
// field, a default, a type's text form), as the rule lets it print: a URL,
// JDBC URL, MySQL DSN, libpq keyword/value or ADO.NET connection string with
// the parts that may carry a credential masked (see [URL]); a bare host
// ([Host]) or a boolean word (true, false, yes, no, on, off, in any case)
// as it is; anything else replaced by [Mask] as a whole. An empty s stays
// empty.
func Text(s string) string {
	if s == "" || Host(s) || boolWord(s) {
		return s
	}
	if m, ok := URL(s); ok {
		return m
	}
	return Mask
}

func boolWord(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off":
		return true
	}
	return false
}

// Host reports whether s is a bare address that cannot be a credential: an
// IP address, or "localhost" or a lower-case DNS name with at least one dot
// and an alphabetic top-level label (db.internal, cache.eu-west-1.example),
// each optionally followed by a numeric port. Tokens, which mix cases,
// underscores and digits or have no dot, are not.
func Host(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	if _, err := netip.ParseAddrPort(s); err == nil {
		return true
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if !allDigits(s[i+1:]) || i+1 == len(s) || len(s)-i > 6 {
			return false
		}
		s = s[:i]
	}
	if s == "localhost" {
		return true
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return false
		}
	}
	return true
}

// Show returns text, the printed form of a value of type t, as the rule lets
// it print: as it is when public is true or when t cannot hold a credential
// ([SafeType]), through [Text] otherwise. A nil t is a type the caller does
// not know, and gets [Text].
func Show(t reflect.Type, text string, public bool) string {
	if public || (t != nil && SafeType(t)) {
		return text
	}
	return Text(text)
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
	locationType = reflect.TypeFor[time.Location]()
	ipType       = reflect.TypeFor[net.IP]()
	ipNetType    = reflect.TypeFor[net.IPNet]()
	addrType     = reflect.TypeFor[netip.Addr]()
	addrPortType = reflect.TypeFor[netip.AddrPort]()
	prefixType   = reflect.TypeFor[netip.Prefix]()
)

// SafeType reports whether no value of type t can be a credential because
// of what t is: bool, the integer, unsigned, float and complex kinds (named
// ones too: an enum such as a log level or a TLS mode is one of those),
// time.Duration, time.Time, time.Location, net.IP, net.IPNet and netip's
// Addr, AddrPort and Prefix, pointers to those, and slices, arrays and maps
// made only of them. Strings, byte slices, structs and every other type are
// not: their values go through [Text].
func SafeType(t reflect.Type) bool {
	switch t {
	case durationType, timeType, locationType, ipType, ipNetType, addrType, addrPortType, prefixType:
		return true
	}
	switch t.Kind() {
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Pointer:
		return SafeType(t.Elem())
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() != reflect.Uint8 && SafeType(t.Elem())
	case reflect.Map:
		return SafeType(t.Key()) && SafeType(t.Elem())
	}
	return false
}

// safeHeaders are the request headers whose values carry no credential:
// content negotiation, caching validators, client and proxy addresses,
// tracing and request IDs. Cookie, Authorization, every X-*-Token, -Key or
// -Secret header, Referer (its query may hold a token) and every header not
// listed are masked.
var safeHeaders = [...]string{
	"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Accept-Ranges",
	"Cache-Control", "Connection", "Content-Encoding", "Content-Language", "Content-Length",
	"Content-Type", "Dnt", "Expect", "Forwarded", "Host", "If-Match", "If-Modified-Since",
	"If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards", "Origin", "Pragma",
	"Range", "Te", "Traceparent", "Upgrade", "Upgrade-Insecure-Requests", "User-Agent", "Via",
	"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Proto",
	"X-Real-Ip", "X-Request-Id", "X-Correlation-Id", "X-Cloud-Trace-Context",
	"X-Requested-With", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-User",
}

// Header reports whether the value of the request header name (any case)
// may be logged: true only for the headers in a short list known to carry
// no credential: Accept, Accept-Charset, Accept-Encoding, Accept-Language,
// Accept-Ranges, Cache-Control, Connection, Content-Encoding,
// Content-Language, Content-Length, Content-Type, DNT, Expect, Forwarded,
// Host, If-Match, If-Modified-Since, If-None-Match, If-Range,
// If-Unmodified-Since, Max-Forwards, Origin, Pragma, Range, TE, Traceparent,
// Upgrade, Upgrade-Insecure-Requests, User-Agent, Via, X-Forwarded-For,
// X-Forwarded-Host, X-Forwarded-Port, X-Forwarded-Proto, X-Real-IP,
// X-Request-ID, X-Correlation-ID, X-Cloud-Trace-Context, X-Requested-With
// and the Sec-Fetch-* headers. Every other header is masked unless the
// program declares it safe.
func Header(name string) bool {
	for _, h := range safeHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}
