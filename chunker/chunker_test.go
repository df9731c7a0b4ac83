package chunker

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// run feeds keys (one character each) through a Chunker and returns the
// batches as strings, in the order they were sealed.
func run(t *testing.T, size int, keys string) []string {
	t.Helper()
	c, err := New[string, string](size)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range strings.Split(keys, "") {
		if b := c.Add(k, k); b != nil {
			got = append(got, strings.Join(b, ""))
		}
	}
	if b := c.Flush(); b != nil {
		got = append(got, strings.Join(b, ""))
	}
	return got
}

func TestChunker(t *testing.T) {
	tests := []struct {
		name string
		size int
		keys string
		want []string
	}{
		{"exact batches", 3, "abcdef", []string{"abc", "def"}},
		{"remainder flushed", 3, "abcde", []string{"abc", "de"}},
		{"size one", 1, "aab", []string{"a", "a", "b"}},
		{"repeat seals open batch", 4, "abac", []string{"ab", "ac"}},
		{"repeat right away", 3, "aaa", []string{"a", "a", "a"}},
		{"repeat after seal is fine", 2, "abab", []string{"ab", "ab"}},
		{"repeat then fill", 3, "abbcd", []string{"ab", "bcd"}},
		{"empty input", 5, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.size, tt.keys)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChunkerInvariants checks, over many inputs, that every batch is within
// size, holds no key twice, and that batches concatenated give back the input.
func TestChunkerInvariants(t *testing.T) {
	inputs := []string{"abcabcabc", "aaaaabbbbbcccc", "abcdefghijklmnopqrstuvwxyz", "aabbccddeeffgg", "abacabadabacaba"}
	for _, in := range inputs {
		for size := 1; size <= 7; size++ {
			got := run(t, size, in)
			if joined := strings.Join(got, ""); joined != in {
				t.Errorf("size %d, input %q: batches %q lose or reorder items", size, in, got)
			}
			for _, b := range got {
				if len(b) > size {
					t.Errorf("size %d, input %q: batch %q too large", size, in, b)
				}
				seen := map[rune]bool{}
				for _, r := range b {
					if seen[r] {
						t.Errorf("size %d, input %q: batch %q repeats %q", size, in, b, r)
					}
					seen[r] = true
				}
			}
		}
	}
}

func TestNewRejectsBadSize(t *testing.T) {
	for _, size := range []int{-1, 0, 101} {
		if _, err := New[int, string](size); err == nil {
			t.Errorf("New(%d) = nil error, want an error", size)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	c, _ := New[int, string](100)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = strings.Repeat("k", i%7) + string(rune('a'+i%26))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Add(i, keys[i%len(keys)])
	}
}
