package check

// Prefilter returns the literal that l's content must hold before its
// regular expression runs, for tests.
func Prefilter(l *Leaf) string {
	if l.kind != kindMatches {
		return ""
	}
	return string(l.literal)
}
