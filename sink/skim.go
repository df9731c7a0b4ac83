package sink

import "bytes"

// skim moves past the object at r.i, a result's echo of the properties it
// wrote, without reading its grammar: its end is the first closing brace
// preceded by an even number of unescaped quotes, found with whole-slice
// searches that the standard library runs in vector instructions. When
// the object may hold a nested object or array, an escape ends at a brace,
// or the quotes would have to be counted again more than skimBudget times,
// skim reads it as skip does.
//
// Nothing hubsync decides depends on the echo, and it is most of a 200
// body: HubSpot returns every property written, and reading its grammar
// cost more than a third of the CPU of a sync. For valid JSON skim ends
// where skip ends (FuzzDecodeResponse checks it); a syntax error inside an
// echo that skim accepts goes unreported. A body cut short is still
// caught: it has no closing brace after the echo, or fails at its own end.
func (r *jsonReader) skim(depth int) bool {
	if r.exact || depth >= maxDepth {
		return r.skip(depth)
	}
	obj := r.b[r.i:] // obj[0] is '{'
	budget := skimBudget
	for from := 1; budget > 0; budget-- {
		end := bytes.IndexByte(obj[from:], '}')
		if end < 0 {
			break
		}
		end += from
		in := obj[1:end]
		n, ok := delimiters(in)
		if !ok || nestsOutsideStrings(in, &budget) {
			break
		}
		if n%2 == 0 {
			r.i += end + 1
			return true
		}
		from = end + 1 // the brace is inside a string
	}
	return r.skip(depth)
}

// skimBudget bounds how often skim counts the quotes of an echo, once
// more for each brace or bracket inside its strings, so that values full
// of them cost a reading in full rather than time growing with the square
// of their length.
const skimBudget = 8

// skimValue moves past the value at r.i, a member of a result that
// hubsync does not read (createdAt, url, …): a string is skimmed to its
// closing quote, the first not escaped by a backslash, without checking
// what it holds; anything else is read as skip reads it.
func (r *jsonReader) skimValue(depth int) bool {
	if r.exact || r.peek() != '"' {
		return r.skip(depth)
	}
	for i := r.i + 1; ; {
		j := bytes.IndexByte(r.b[i:], '"')
		if j < 0 {
			return r.skip(depth) // cut short: let skip report it
		}
		i += j
		k := i
		for k > r.i+1 && r.b[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			r.i = i + 1
			return true
		}
		i++
	}
}

// delimiters counts the quotes in s that start or end a string: those not
// escaped by a backslash. ok is false when s ends in a backslash, which
// would escape what follows.
func delimiters(s []byte) (n int, ok bool) {
	n = bytes.Count(s, []byte{'"'})
	i := bytes.IndexByte(s, '\\')
	for i >= 0 {
		j := i + 1
		for j < len(s) && s[j] == '\\' {
			j++
		}
		if j == len(s) {
			return 0, false
		}
		if (j-i)%2 == 1 && s[j] == '"' {
			n--
		}
		k := bytes.IndexByte(s[j:], '\\')
		if k < 0 {
			break
		}
		i = j + k
	}
	return n, true
}

// nestsOutsideStrings reports whether s, the inside of an object, may hold
// an object or array: whether a '{' or '[' follows an even number of
// delimiting quotes. Each one found spends one of *budget; once it is
// spent, it says s may.
func nestsOutsideStrings(s []byte, budget *int) bool {
	for _, c := range []byte{'{', '['} {
		for k := 0; ; {
			i := bytes.IndexByte(s[k:], c)
			if i < 0 {
				break
			}
			k += i
			if *budget--; *budget <= 0 {
				return true
			}
			if n, ok := delimiters(s[:k]); !ok || n%2 == 0 {
				return true
			}
			k++
		}
	}
	return false
}
