package mapping

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hubsync/hubsync/sink"
)

// Closest returns the property whose name or label is nearest to s, or ""
// when none is near enough. Names are compared case-insensitively with
// everything but letters and digits removed ("Phone Number" matches the
// label "Phone number" of phone); a name that contains the other, or is
// contained in it, counts as one edit when the shorter has four or more
// characters ("Email Address" → email).
func Closest(s string, props []sink.Property) string {
	n := normalize(s)
	if n == "" {
		return ""
	}
	best, bestD := "", max(2, len([]rune(n))/3)+1
	for i := range props {
		d := min(distance(n, normalize(props[i].Name)), distance(n, normalize(props[i].Label)))
		if d < bestD {
			best, bestD = props[i].Name, d
		}
	}
	return best
}

func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", s)
}

// normalize lower-cases s and keeps only its letters and digits.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func distance(a, b string) int {
	if a == "" || b == "" {
		return max(len(a), len(b)) + 1
	}
	if a == b {
		return 0
	}
	short, long := a, b
	if len(short) > len(long) {
		short, long = long, short
	}
	if len([]rune(short)) >= 4 && strings.Contains(long, short) {
		return 1
	}
	return EditDistance(a, b)
}

// EditDistance is the Levenshtein distance between a and b, in runes: the
// fewest insertions, deletions and substitutions that turn one into the
// other. It serves every "did you mean" of hubsync.
func EditDistance(sa, sb string) int {
	a, b := []rune(sa), []rune(sb)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// hints maps each property's normalized name and label to its name, so that
// Apply can suggest a property for an unknown JSONL key without computing
// edit distances per record.
func hints(props []sink.Property) map[string]string {
	h := make(map[string]string, 2*len(props))
	for i := range props {
		for _, k := range []string{normalize(props[i].Name), normalize(props[i].Label)} {
			if _, ok := h[k]; !ok && k != "" {
				h[k] = props[i].Name
			}
		}
	}
	return h
}
