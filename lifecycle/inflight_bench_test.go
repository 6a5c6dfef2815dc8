package lifecycle

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkInFlight measures what keeping the requests in flight (for the
// stop's grace and for naming what is stuck) adds to a request, beside the
// same handler without it, with requests on every core.
func BenchmarkInFlight(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", h},
		{"tracked", newInFlight().track(h)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				w := httptest.NewRecorder()
				for pb.Next() {
					c.h.ServeHTTP(w, r)
				}
			})
		})
	}
}
