package sink

import (
	"html"
	"strings"
	"unicode/utf8"
)

// What is left where a server string held the token.
const (
	redacted = "<redacted>"
	withheld = "[withheld: HubSpot's answer echoed the access token]"
)

// minTokenPrefix is the shortest start of the token that is redacted
// wherever it appears: a body cut short (by HubSpot, a proxy or our own
// clipping) may end in most of the token, and six characters are already
// more of it than a message has reason to hold.
const minTokenPrefix = 6

// serverText makes s, a string taken from an answer (a body, a header, a
// Go error quoting what the server sent), safe to store, log and print.
// Every server string passes through it before it is kept, clipped or
// returned, so that a server or proxy echoing the Authorization header
// leaks the token nowhere:
//
//   - terminal control characters are dropped (C0 but tab, DEL, C1, whole
//     escape sequences) and invalid UTF-8 becomes U+FFFD, so that the text
//     cannot drive the user's terminal; line breaks become spaces. This
//     comes first, so that a token split by them is whole again for the
//     next step;
//   - the token, and any start of it of minTokenPrefix or more characters,
//     becomes "<redacted>";
//   - if a decoded copy (JSON \u escapes, HTML entities, percent-encoding,
//     in any mix) still holds such a start, the token was echoed escaped
//     and the whole string is withheld.
//
// So neither the result nor its decoded copy holds minTokenPrefix
// characters of the token's start, whatever s and token are.
//
// Pure and safe for concurrent use; cheap for strings without control
// characters, escapes or the token's first characters.
func serverText(s, token string) string {
	s = stripControls(s)
	if token == "" {
		return s
	}
	s = redactToken(s, token)
	switch {
	case !echoes(s, token):
		return s
	case !echoes(withheld, token):
		return withheld
	}
	// A token that the markers themselves spell: show nothing.
	return ""
}

// echoes reports whether s, or a decoded copy of it, holds the start of
// token.
func echoes(s, token string) bool {
	if tokenAt(s, token) >= 0 {
		return true
	}
	return strings.ContainsAny(s, `\&%`) && tokenAt(unescapeAll(s), token) >= 0
}

// tokenPrefix is the part of token whose presence marks an echo.
func tokenPrefix(token string) string { return token[:min(len(token), minTokenPrefix)] }

// tokenAt returns where s first holds the start of token, or -1.
func tokenAt(s, token string) int { return strings.Index(s, tokenPrefix(token)) }

// redactToken replaces each run of s that matches the token from its
// start, minTokenPrefix characters or more (the whole token if shorter).
func redactToken(s, token string) string {
	i := tokenAt(s, token)
	if i < 0 {
		return s
	}
	var b strings.Builder
	for i >= 0 {
		n := len(tokenPrefix(token))
		for n < len(token) && i+n < len(s) && s[i+n] == token[n] {
			n++
		}
		b.WriteString(s[:i])
		b.WriteString(redacted)
		s = s[i+n:]
		i = tokenAt(s, token)
	}
	b.WriteString(s)
	return b.String()
}

// stripControls drops terminal control characters from s: C0 but tab,
// DEL, C1, and ESC with the sequence it starts; CR, LF, VT and FF become
// spaces. Invalid UTF-8 becomes U+FFFD: a lone byte 0x9b is a CSI to an
// 8-bit terminal.
func stripControls(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b:
			size += ansiEscapeLen(s[i+1:])
		case r == '\n' || r == '\r' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case (r < 0x20 && r != '\t') || (r >= 0x7f && r <= 0x9f):
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// ansiEscapeLen is the length of the rest of an escape sequence whose ESC
// precedes s: a CSI ("[" parameters, intermediates, final byte), a string
// command (OSC "]", DCS "P", SOS "X", PM "^", APC "_") up to its BEL or
// ST, or a single character.
func ansiEscapeLen(s string) int {
	if s == "" {
		return 0
	}
	switch s[0] {
	case '[':
		for i := 1; i < len(s); i++ {
			switch c := s[i]; {
			case c >= 0x40 && c <= 0x7e:
				return i + 1
			case c < 0x20 || c > 0x7e:
				return i // not part of the sequence: keep it for the caller
			}
		}
		return len(s)
	case ']', 'P', 'X', '^', '_':
		for i := 1; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	if s[0] >= 0x20 && s[0] <= 0x7e {
		return 1
	}
	return 0
}

// unescapeAll decodes, a few times over, the JSON \u and backslash
// escapes, HTML entities and percent-encoding of s, leaving what does not
// decode as it is. Its output is for detection only: it is never shown.
func unescapeAll(s string) string {
	for range 4 {
		t := percentDecode(html.UnescapeString(jsonUnescape(s)))
		if t == s {
			break
		}
		s = t
	}
	return s
}

// jsonUnescape decodes the escapes of a JSON string's text that it can.
func jsonUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case 'u':
			if r, ok := readHex(s[i+2:], 4); ok {
				b.WriteRune(rune(r))
				i += 5
				continue
			}
		case '"', '\\', '/':
			b.WriteByte(c)
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// percentDecode decodes each %XX of s.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if v, ok := readHex(s[i+1:], 2); ok {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// readHex reads n hex digits from the start of s.
func readHex(s string, n int) (int, bool) {
	if len(s) < n {
		return 0, false
	}
	v := 0
	for i := range n {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | int(c)
	}
	return v, true
}
