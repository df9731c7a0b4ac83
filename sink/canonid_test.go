package sink

import "testing"

func TestCanonicalID(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"leading zeros", "0123", "123"},
		{"plain number", "123", "123"},
		{"all zeros", "000", "0"},
		{"zero", "0", "0"},
		{"spaces around a number", " 42 ", "42"},
		{"spaces around zeros", " 007\t", "7"},
		{"empty", "", ""},
		{"only spaces", "  ", ""},
		{"text in upper case", "EXT-1", "ext-1"},
		{"text keeps its zeros", "00ab", "00ab"},
		{"exponent is not a number", "1e3", "1e3"},
		{"sign is not a number", "-5", "-5"},
		{"inner space is kept", "A B", "a b"},
		{"non-ASCII folded", "ÄBC", "äbc"},
		{"property value with leading zeros", "00042", "42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CanonicalID(tt.in); got != tt.want {
				t.Errorf("CanonicalID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
