package mapping

import (
	"fmt"
	"strings"
)

const wantNumber = "want digits with an optional sign, decimal mark and exponent, such as -1234.5 or 1.5e3"

// coerceNumber checks a cleaned number: an optional sign, digits (grouped
// by the thousands separator, when one is set, in groups of three), at most
// one decimal mark with digits on both sides, an optional exponent. The
// result keeps the text as written ("1.50" stays "1.50"), minus thousands
// separators and with the decimal mark as '.'; it is v itself when nothing
// changes. why is "" on success.
func coerceNumber(v string, st *settings) (out, why string) {
	mark := byte('.')
	if st.decimalComma {
		mark = ','
	}
	sep := st.thousands
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		i++
	}
	grouped, n := false, 0 // n: digits since the start or the last separator
	for i < len(v) {
		if c := v[i]; c >= '0' && c <= '9' {
			n++
			i++
			continue
		}
		if sep == "" || !strings.HasPrefix(v[i:], sep) {
			break
		}
		if n == 0 || n > 3 || (grouped && n != 3) {
			return "", badGroups(sep)
		}
		grouped, n = true, 0
		i += len(sep)
	}
	switch {
	case grouped && n != 3:
		return "", badGroups(sep)
	case n == 0 && i < len(v) && v[i] == mark:
		return "", "is not a number: want a digit before the decimal mark"
	case n == 0:
		return "", "is not a number: " + wantNumber
	}
	intEnd := i
	if i < len(v) && v[i] == mark {
		j := i + 1
		for i = j; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		}
		if i == j {
			return "", "is not a number: want a digit after the decimal mark"
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		j := i
		for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
		}
		if i == j {
			return "", "is not a number: want digits after the exponent's e"
		}
	}
	if i < len(v) {
		return "", unexpected(v, i, st)
	}
	if !grouped && mark == '.' {
		return v, ""
	}
	var b strings.Builder
	b.Grow(len(v))
	if grouped {
		b.WriteString(strings.ReplaceAll(v[:intEnd], sep, ""))
	} else {
		b.WriteString(v[:intEnd])
	}
	if intEnd < len(v) && v[intEnd] == mark {
		b.WriteByte('.')
		intEnd++
	}
	b.WriteString(v[intEnd:])
	return b.String(), ""
}

func badGroups(sep string) string {
	return fmt.Sprintf("is not a number: thousands separators %q must separate groups of three digits, as in 1%s234%s567", sep, sep, sep)
}

// unexpected explains the character at v[i] that ends a number too early,
// with a hint when it looks like a separator the settings do not allow.
func unexpected(v string, i int, st *settings) string {
	c := v[i]
	switch {
	case (c == ',' || c == '.' || c == ' ' || c == '\'') && st.thousands == "":
		return fmt.Sprintf("is not a number: unexpected %q; if it separates thousands or decimals, set thousands_separator or decimal_comma", c)
	case c == '.' && st.decimalComma:
		return "is not a number: unexpected '.'; with decimal_comma the decimal mark is ','"
	case c == ',' || c == '.':
		return fmt.Sprintf("is not a number: unexpected %q; %s", c, wantNumber)
	}
	return "is not a number: " + wantNumber
}
