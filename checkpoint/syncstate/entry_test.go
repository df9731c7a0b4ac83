package syncstate

import "testing"

func TestNewEntry(t *testing.T) {
	base := NewEntry("42", "42", []Prop{{"a", "1"}, {"b", "2"}})
	tests := []struct {
		name          string
		id            string
		props         []Prop
		sameFP        bool
		sameKeyAsBase bool
	}{
		{"same props in another order", "42", []Prop{{"b", "2"}, {"a", "1"}}, true, true},
		{"a value changed", "42", []Prop{{"a", "1"}, {"b", "3"}}, false, true},
		{"a name changed", "42", []Prop{{"a", "1"}, {"c", "2"}}, false, true},
		{"a property more", "42", []Prop{{"a", "1"}, {"b", "2"}, {"c", ""}}, false, true},
		{"a property less", "42", []Prop{{"a", "1"}}, false, true},
		{"an empty value is not a missing property", "42", []Prop{{"a", "1"}, {"b", ""}}, false, true},
		{"another id, same values", "43", []Prop{{"a", "1"}, {"b", "2"}}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEntry(tt.id, tt.id, tt.props)
			if got := e.FP == base.FP; got != tt.sameFP {
				t.Errorf("same fingerprint: %v, want %v", got, tt.sameFP)
			}
			if got := e.Key == base.Key; got != tt.sameKeyAsBase {
				t.Errorf("same key: %v, want %v", got, tt.sameKeyAsBase)
			}
		})
	}
}

// Length prefixes keep the boundaries between names and values.
func TestNewEntryUnambiguous(t *testing.T) {
	pairs := [][2][]Prop{
		{{{"a", "bc"}}, {{"ab", "c"}}},
		{{{"a", "b"}, {"c", "d"}}, {{"a", "bcd"}}},
		{{{"x", ""}, {"y", ""}}, {{"x", "y"}}},
	}
	for _, p := range pairs {
		if NewEntry("1", "1", p[0]).FP == NewEntry("1", "1", p[1]).FP {
			t.Errorf("%v and %v have the same fingerprint", p[0], p[1])
		}
	}
}

// The key is the hash of the id as given: the caller canonicalizes it.
func TestNewEntryKeyUsesTheGivenID(t *testing.T) {
	if NewEntry("0042", "0042", nil).Key == NewEntry("42", "42", nil).Key {
		t.Error(`"0042" and "42" have the same key: NewEntry must not canonicalize`)
	}
	if NewEntry("42", "0042", nil).Key != NewEntry("42", "42", []Prop{{"a", "1"}}).Key {
		t.Error("the key depends on the values")
	}
}

// The fingerprint hashes the id as sent, not the folded one: two records
// whose ids fold together never share a fingerprint.
func TestNewEntryFingerprintUsesTheWireID(t *testing.T) {
	props := []Prop{{"a", "1"}}
	a, b := NewEntry("42", "0042", props), NewEntry("42", "42", props)
	if a.Key != b.Key {
		t.Error("the key does not come from the canonical id")
	}
	if a.FP == b.FP {
		t.Error(`"0042" and "42" have the same fingerprint`)
	}
}
