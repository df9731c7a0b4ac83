package sink

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"
)

func TestFieldIndex(t *testing.T) {
	names := []string{"status", "objectWriteTraceId"}
	tests := []struct {
		key  string
		esc  bool
		want int
	}{
		{"status", false, 0},
		{"STATUS", false, 0},
		{"objectwritetraceid", false, 1},
		{"statu", false, -1},
		{"statuses", false, -1},
		{"\u017ftatus", false, 0}, // long s folds to S
		{`\u017ftatus`, true, 0},
		{`st\u0061tus`, true, 0},
		{"st\xffatus", false, -1},
		{"", false, -1},
	}
	for _, tt := range tests {
		if got := fieldIndex([]byte(tt.key), tt.esc, names); got != tt.want {
			t.Errorf("fieldIndex(%q, %v) = %d, want %d", tt.key, tt.esc, got, tt.want)
		}
	}
}

// TestFieldIndexFoldsLikeEncodingJSON checks, for every rune up to U+2FFFF
// (beyond it no rune has a case), which one-letter field encoding/json
// fills for a key made of that rune, against fieldIndex.
func TestFieldIndexFoldsLikeEncodingJSON(t *testing.T) {
	var fields []reflect.StructField
	var names []string
	for c := 'a'; c <= 'z'; c++ {
		names = append(names, string(c))
		fields = append(fields, reflect.StructField{Name: "F" + string(c), Type: reflect.TypeFor[string](),
			Tag: reflect.StructTag(`json:"` + string(c) + `"`)})
	}
	typ := reflect.StructOf(fields)
	limit := rune(0x2FFFF)
	if testing.Short() {
		limit = 0x3000
	}
	for r := rune(0); r <= limit; r++ {
		if !utf8.ValidRune(r) || r == '"' || r == '\\' || r < 0x20 {
			continue
		}
		key := string(r)
		v := reflect.New(typ)
		if err := json.Unmarshal([]byte(`{"`+key+`":"x"}`), v.Interface()); err != nil {
			t.Fatalf("unmarshal key %U: %v", r, err)
		}
		want := -1
		for i := range names {
			if v.Elem().Field(i).String() != "" {
				want = i
			}
		}
		if got := fieldIndex([]byte(key), false, names); got != want {
			t.Errorf("fieldIndex(%U) = %d, encoding/json fills %d", r, got, want)
		}
		esc := []byte(strconv.QuoteToASCII(key))
		if got := fieldIndex(esc[1:len(esc)-1], true, names); r >= 0x80 && got != want {
			t.Errorf("fieldIndex(%s) = %d, encoding/json fills %d", esc, got, want)
		}
	}
}

func TestMapKey(t *testing.T) {
	tests := []struct {
		key  string
		raw  string
		esc  bool
		want bool
	}{
		{"ext_id", "ext_id", false, true},
		{"ext_id", "EXT_ID", false, false},
		{"ext_id", `ext\u005fid`, true, true},
		{"a\uFFFDb", "a\xffb", false, true},
		{"a\uFFFDb", `a\ud800b`, true, true},
		{"a\uFFFDb", "a\uFFFDb", false, true},
		{"a\xffb", "a\xffb", false, false}, // encoding/json makes map keys valid UTF-8
		{"", "", false, true},
	}
	for _, tt := range tests {
		k := newMapKey(tt.key)
		if got := k.is([]byte(tt.raw), tt.esc); got != tt.want {
			t.Errorf("newMapKey(%q).is(%q, %v) = %v, want %v", tt.key, tt.raw, tt.esc, got, tt.want)
		}
	}
}
