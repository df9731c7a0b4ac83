package mapping

import "testing"

func TestCoerceNumber(t *testing.T) {
	comma := Config{ThousandsSeparator: ","}
	space := Config{ThousandsSeparator: " "}
	euro := Config{ThousandsSeparator: ".", DecimalComma: true}
	tests := []struct {
		name string
		cfg  Config
		in   string
		want string // value sent, or the error code
	}{
		{"integer", Config{}, "42", "42"},
		{"negative decimal", Config{}, "-12.5", "-12.5"},
		{"plus sign", Config{}, "+7", "+7"},
		{"trailing zero kept", Config{}, "1.50", "1.50"},
		{"leading zeros kept", Config{}, "007", "007"},
		{"exponent", Config{}, "1.5e3", "1.5e3"},
		{"exponent with sign", Config{}, "2E-4", "2E-4"},
		{"surrounding invisibles", Config{}, "\u200b 12 \u00a0", "12"},
		{"no digit before point", Config{}, ".5", CodeInvalidNumber},
		{"no digit after point", Config{}, "1.", CodeInvalidNumber},
		{"two points", Config{}, "1.2.3", CodeInvalidNumber},
		{"exponent without digits", Config{}, "1e", CodeInvalidNumber},
		{"letters", Config{}, "12abc", CodeInvalidNumber},
		{"sign only", Config{}, "-", CodeInvalidNumber},
		{"hex", Config{}, "0x1F", CodeInvalidNumber},
		{"infinity", Config{}, "Inf", CodeInvalidNumber},
		{"separator not configured", Config{}, "1,234", CodeInvalidNumber},
		{"thousands", comma, "1,234", "1234"},
		{"thousands twice with decimals", comma, "-1,234,567.25", "-1234567.25"},
		{"thousands not required", comma, "1234567", "1234567"},
		{"group of two", comma, "12,34", CodeInvalidNumber},
		{"first group of four", comma, "1234,567", CodeInvalidNumber},
		{"leading separator", comma, ",123", CodeInvalidNumber},
		{"trailing separator", comma, "123,", CodeInvalidNumber},
		{"separator in fraction", comma, "1.234,5", CodeInvalidNumber},
		{"space separator", space, "1 234 567", "1234567"},
		{"nbsp matches a space separator", space, "1\u00a0234", "1234"},
		{"decimal comma", euro, "1.234,5", "1234.5"},
		{"decimal comma plain", euro, "1234,5", "1234.5"},
		{"decimal comma exponent", euro, "1,5e3", "1.5e3"},
		{"decimal comma refuses point", Config{DecimalComma: true}, "1.5", CodeInvalidNumber},
		{"override turns separator off", Config{ThousandsSeparator: ",", Properties: map[string]PropertyConfig{
			"message_count": {ThousandsSeparator: ptr("")}}}, "1,234", CodeInvalidNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, send, code, why := targetOf(t, tt.cfg, "message_count").coerce(tt.in)
			if got := outcome(out, send, code); got != tt.want {
				t.Errorf("coerce(%q) = %q (%s), want %q", tt.in, got, why, tt.want)
			}
		})
	}
}
