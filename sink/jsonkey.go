package sink

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fieldIndex returns the index of the name in names that key, escaped when
// esc, selects the way encoding/json selects a struct field: equal after
// unescaping and Unicode simple case folding. It returns -1 if none does.
// names must be ASCII.
func fieldIndex(key []byte, esc bool, names []string) int {
	if !esc {
		for n, name := range names {
			if string(key) == name { // the usual spelling; names differ even folded
				return n
			}
		}
		ascii := true
		for _, c := range key {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if ascii {
			for n, name := range names {
				if equalFoldASCII(key, name) {
					return n
				}
			}
			return -1
		}
	}
	var a, b [64]byte
	folded := b[:0]
	for s := appendUnquoted(a[:0], key); len(s) > 0; {
		rr, n := utf8.DecodeRune(s)
		folded = utf8.AppendRune(folded, foldRune(rr))
		s = s[n:]
	}
	for n, name := range names {
		if equalFoldASCII(folded, name) {
			return n
		}
	}
	return -1
}

// equalFoldASCII reports whether b and s are equal up to the case of
// ASCII letters.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		if lowerASCII(b[i]) != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldRune returns the smallest rune of r's simple case-folding orbit, as
// encoding/json folds key names ("ſ" folds to "S").
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// mapKey is a key looked up in a decoded map[string]T, which encoding/json
// fills with keys unescaped and coerced to valid UTF-8.
type mapKey struct {
	s     string
	valid bool // only a valid UTF-8 key can be found
	fffd  bool // s holds U+FFFD, which a raw key's invalid bytes turn into
}

func newMapKey(s string) mapKey {
	return mapKey{s: s, valid: utf8.ValidString(s), fffd: strings.ContainsRune(s, utf8.RuneError)}
}

// is reports whether the raw key, escaped when esc, decodes to k.
func (k *mapKey) is(raw []byte, esc bool) bool {
	if !k.valid {
		return false
	}
	if !esc {
		if string(raw) == k.s {
			return true
		}
		if !k.fffd {
			return false // decoding raw changes it only by adding U+FFFD
		}
	}
	var a [64]byte
	return string(appendUnquoted(a[:0], raw)) == k.s
}
