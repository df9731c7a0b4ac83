package sink

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestSpecialBytes checks that the lowest flag of specialBytes is the first
// '"', '\\' or control character, whatever the bytes around it.
func TestSpecialBytes(t *testing.T) {
	plain := []byte{' ', '!', '#', 'a', '[', ']', 0x7f, 0x80, 0xa2, 0xdc, 0xff}
	fill := []byte{' ', '"', '\\', 0, 0x1f, 0xff, 0x80, 'a'}
	for pos := range 8 {
		for c := range 256 {
			for _, p := range plain {
				for _, f := range fill {
					var w [8]byte
					for i := range w {
						if i < pos {
							w[i] = p
						} else {
							w[i] = f
						}
					}
					w[pos] = byte(c)
					want := -1
					for i, b := range w {
						if b == '"' || b == '\\' || b < 0x20 {
							want = i
							break
						}
					}
					m := specialBytes(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
						uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56)
					got := -1
					for i := range 8 {
						if m&(0x80<<(8*i)) != 0 {
							got = i
							break
						}
					}
					if got != want {
						t.Fatalf("specialBytes(% x): first flag at %d, want %d", w, got, want)
					}
				}
			}
		}
	}
}

// TestAppendUnquoted compares appendUnquoted with encoding/json on every
// pair of interesting escapes and bytes, followed by more of them.
func TestAppendUnquoted(t *testing.T) {
	units := []string{`\u0000`, `\u0041`, `\u00e9`, `\ud7ff`, `\ud800`, `\udbff`, `\udc00`, `\udfff`, `\ue000`, `\ufffd`, `\uFFFF`, `\n`, `\/`, "\xff", "é", "x"}
	for _, a := range units {
		for _, b := range units {
			for _, tail := range []string{"", `\udc00`, `\u0041`, `\\`, "\xe2\x82"} {
				s := a + b + tail
				var want string
				if err := json.Unmarshal([]byte(`"`+s+`"`), &want); err != nil {
					continue // not a valid string: appendUnquoted never sees it
				}
				if got := string(appendUnquoted(nil, []byte(s))); got != want {
					t.Errorf("appendUnquoted(%q) = %q, encoding/json %q", s, got, want)
				}
			}
		}
	}
}

func TestStrRejects(t *testing.T) {
	for c := range 0x20 {
		body := fmt.Sprintf(`"a%cb"`, c)
		r := jsonReader{b: []byte(body)}
		if _, _, _, ok := r.str(); ok || json.Valid([]byte(body)) {
			t.Errorf("str(%q) ok = %v, json.Valid = %v", body, ok, json.Valid([]byte(body)))
		}
	}
}
