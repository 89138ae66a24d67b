package patterns

// extraValidators holds validators for provider families beyond AWS (checksums
// and structure checks). Kept apart from validators.go so the catalogue can
// grow without touching the core registry.
func extraValidators() []Validator {
	return nil
}
