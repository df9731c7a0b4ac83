package mapping

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isFormatChar reports whether r is an invisible character that exports and
// copy-paste leave in values: zero-width space, non-joiner and joiner, word
// joiner, byte order mark, soft hyphen, Mongolian vowel separator.
func isFormatChar(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e':
		return true
	}
	return false
}

// isInvisible reports whether r is white space (any Unicode space, NBSP
// included) or an invisible format character.
func isInvisible(r rune) bool { return unicode.IsSpace(r) || isFormatChar(r) }

// trimInvisible trims white space and invisible characters from both ends
// of s and keeps everything inside. It does not allocate.
func trimInvisible(s string) string {
	if n := len(s); n > 0 && s[0] > ' ' && s[0] < utf8.RuneSelf && s[n-1] > ' ' && s[n-1] < utf8.RuneSelf {
		return s
	}
	return strings.TrimFunc(s, isInvisible)
}

// cleanToken prepares a value that is not free text (a number, date,
// boolean or option): it trims it like trimInvisible and, inside it, drops
// invisible format characters and turns every Unicode space into ' ', which
// such values cannot mean otherwise. It allocates only when it changes
// something inside the value.
func cleanToken(s string) string {
	s = trimInvisible(s)
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c < ' ' && isASCIISpace(c)) {
			break
		}
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case isFormatChar(r):
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteString(s[i : i+n]) // keeps invalid UTF-8 bytes as they are
		}
		i += n
	}
	return b.String()
}

func isASCIISpace(c byte) bool { return c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' }
