package logging

import (
	"sync"

	"go.uber.org/zap/zapcore"
)

// fieldPool recycles the field slices of the slog handler and of the
// middleware, which would otherwise be one allocation per event. Reusing
// them is safe because zapcore cores, like zap's own Logger.Info, must not
// keep the slice they are given past Write: callers routinely reuse theirs.
// Each NewSlog and Middleware call has its own pool; none is global.
type fieldPool struct{ p sync.Pool }

// fieldsCap is the capacity of pooled slices; larger ones are not kept.
const fieldsCap = 16

func newFieldPool() *fieldPool {
	fp := &fieldPool{}
	fp.p.New = func() any {
		s := make([]zapcore.Field, 0, fieldsCap)
		return &s
	}
	return fp
}

// get returns an empty slice with room for fieldsCap fields.
func (fp *fieldPool) get() *[]zapcore.Field { return fp.p.Get().(*[]zapcore.Field) }

// put clears fields, so the pool keeps no value alive, and recycles it.
func (fp *fieldPool) put(s *[]zapcore.Field, fields []zapcore.Field) {
	if cap(fields) > fieldsCap {
		return
	}
	clear(fields)
	*s = fields[:0]
	fp.p.Put(s)
}
