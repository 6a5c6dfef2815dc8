package logging

import (
	"math/rand/v2"
	"unsafe"
)

// RequestIDHeader is the header Middleware reads a request's ID from and
// sets on the response, in Go's canonical form of X-Request-ID.
const RequestIDHeader = "X-Request-Id"

// validID reports whether an incoming request ID is kept: 1 to 200
// characters, each a letter, a digit or one of - _ . : + / =, which covers
// UUIDs, Heroku's and Envoy's IDs and base64 tokens, and keeps spaces,
// quotes and control characters out of the stream.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 200 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '=':
		default:
			return false
		}
	}
	return true
}

// newID returns a random version 4 UUID, held in q's own array, which
// saves an allocation per request: the array is written once here and never
// again, so the string is immutable, and it lives as long as q.
func (q *request) newID() string { return newUUID(&q.idBuf) }

// newUUID writes a random version 4 UUID into b and returns it as a string
// sharing b's memory: b must never be written again. It uses the runtime's
// ChaCha8 generator, which is seeded by the operating system, cannot be
// predicted and needs no lock: an ID must be unique, not secret.
func newUUID(b *[36]byte) string {
	const hex = "0123456789abcdef"
	var u [16]byte
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		u[i] = byte(hi >> (56 - 8*i))
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hex[c>>4], hex[c&0x0f]
		j += 2
	}
	return unsafe.String(&b[0], len(b))
}
