package mapping

import "testing"

func TestTrimInvisible(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "hello", "hello"},
		{"ascii spaces", " \t hello world \r\n", "hello world"},
		{"nbsp and bom", "\ufeff\u00a0hello\u00a0", "hello"},
		{"zero-width space both ends", "\u200bhello\u200b", "hello"},
		{"inner invisibles kept", "a\u200bb\u00a0c", "a\u200bb\u00a0c"},
		{"ideographic and narrow nbsp", "\u3000x\u202f", "x"},
		{"only invisibles", "\u200b\ufeff \u00a0", ""},
		{"invalid utf-8 kept", "\xff", "\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trimInvisible(tt.in); got != tt.want {
				t.Errorf("trimInvisible(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanToken(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "1234", "1234"},
		{"surrounding", " \u200b12\u00a0", "12"},
		{"inner zero-width dropped", "12\u200b34", "1234"},
		{"inner nbsp becomes space", "1\u00a0234", "1 234"},
		{"inner narrow nbsp becomes space", "1\u202f234", "1 234"},
		{"inner tab becomes space", "Ada\tLovelace", "Ada Lovelace"},
		{"soft hyphen dropped", "Feed\u00adback", "Feedback"},
		{"invalid utf-8 kept", "a\xffb\u200b", "a\xffb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanToken(tt.in); got != tt.want {
				t.Errorf("cleanToken(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
