package admin

// backingCommand returns the backing built-in, or nil until the backing
// package exists.
func (r *run) backingCommand() *command { return nil }
