package source

import (
	"fmt"
	"io"
	"strings"
)

// ParseDelimiter reads a --delimiter value: ",", ";", a tab ("\t", "tab"
// or the character itself), or "auto" (or "") for 0, which makes NewCSV
// pick the delimiter from the header row.
func ParseDelimiter(s string) (byte, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return 0, nil
	case ",", "comma":
		return ',', nil
	case ";", "semicolon":
		return ';', nil
	case "\t", `\t`, "tab":
		return '\t', nil
	}
	return 0, fmt.Errorf("delimiter %q: want \",\", \";\", tab or auto", s)
}

// DelimiterName is how messages and logs show a delimiter.
func DelimiterName(sep byte) string {
	if sep == '\t' {
		return "tab"
	}
	return string(sep)
}

// candidates are the delimiters auto-detection chooses from, the default
// first: it wins ties.
var candidates = [...]byte{',', ';', '\t'}

// detectDelimiter reads the header row from where in is and returns the
// candidate it holds most often outside quotes, ',' on a tie (a header of
// one column has none). Excel writes ';' where the decimal mark is a comma
// and a tab for "Unicode text"; HubSpot's exports follow the account's
// locale. Only the header row is looked at: it has no free text in which
// a stray ';' could outnumber the real delimiter, as a notes cell could.
// It reads at most max bytes and leaves in anywhere: the caller seeks.
func detectDelimiter(in *input, max int) (byte, error) {
	var count [len(candidates)]int
	quoted := false
	for read := 0; read <= max; {
		frag, err := in.fragment()
		if err != nil && err != io.EOF {
			return 0, err
		}
		read += len(frag)
		for _, c := range frag {
			switch {
			case c == '"':
				quoted = !quoted // "" inside quotes toggles twice: no change
			case c == '\n' && !quoted:
				return mostFrequent(count), nil
			case !quoted:
				for i, d := range candidates {
					if c == d {
						count[i]++
					}
				}
			}
		}
		if err == io.EOF {
			break
		}
	}
	return mostFrequent(count), nil
}

func mostFrequent(count [len(candidates)]int) byte {
	best := 0
	for i := range count {
		if count[i] > count[best] {
			best = i
		}
	}
	return candidates[best]
}
