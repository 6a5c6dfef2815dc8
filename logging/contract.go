package logging

// EnumValues methods: the words each setting accepts, for the contract that
// config.Doc.WriteJSONSchema exports (matched in any case).

// EnumValues returns the level names LOG_LEVEL accepts.
func (Level) EnumValues() []string { return []string{"debug", "info", "warn", "warning", "error"} }

// EnumValues returns the formats LOG_FORMAT accepts.
func (Format) EnumValues() []string { return []string{"json", "console"} }

// EnumValues returns the key sets LOG_KEYS accepts.
func (Keys) EnumValues() []string { return []string{"zap", "gcp"} }
