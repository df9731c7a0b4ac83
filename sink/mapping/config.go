package mapping

import "time"

// Empty modes, the values of Config.Empty.
const (
	EmptySkip  = "skip"  // an empty value is not sent: the property keeps its value
	EmptyClear = "clear" // an empty value is sent as "", which clears the property
)

// EpochMillis is the pseudo-layout that accepts an integer of milliseconds
// since 1970-01-01T00:00:00Z in DateLayouts and DateTimeLayouts.
const EpochMillis = "epoch_ms"

// defaultDateLayouts and defaultDateTimeLayouts apply when Config leaves
// the lists out. A layout without a UTC offset reads the time in TimeZone.
var (
	defaultDateLayouts     = []string{time.DateOnly, EpochMillis}
	defaultDateTimeLayouts = []string{ISO8601, EpochMillis}
)

// Config says how the columns of an input file become HubSpot properties. It
// is the mapping: key of hubsync's sync configuration. The zero value maps
// every column to the property of the same name with the defaults below.
type Config struct {
	// Columns renames columns (JSONL: keys): column → property. The value
	// "-" drops the column. A column not listed maps to the property of the
	// same name.
	Columns map[string]string `yaml:"columns"`
	// Constants sets property → value on every record. Values are coerced
	// like any input value when the Mapper is built; an empty value clears
	// the property on every record.
	Constants map[string]string `yaml:"constants"`
	// IgnoreUnmapped drops columns that are neither renamed nor a property,
	// instead of refusing to start (CSV) or failing the record (JSONL).
	IgnoreUnmapped bool `yaml:"ignore_unmapped"`
	// Empty says what a value that is empty after trimming means: "skip"
	// (default) does not send it, "clear" sends "" to clear the property.
	// For it to see empty CSV cells, read the file with source.EmptyClear.
	Empty string `yaml:"empty"`
	// ThousandsSeparator is stripped from numbers when it separates groups
	// of three digits ("1,234,567"); empty means a separator is an error.
	// A Unicode space here also matches the other Unicode spaces (NBSP).
	ThousandsSeparator string `yaml:"thousands_separator"`
	// DecimalComma reads "1234,5" as 1234.5; a '.' is then an error unless
	// it is the ThousandsSeparator ("1.234,5").
	DecimalComma bool `yaml:"decimal_comma"`
	// DateLayouts are the Go time layouts tried in order for date
	// properties; EpochMillis ("epoch_ms") accepts epoch milliseconds at
	// exactly midnight UTC. A layout with a time of day contributes only the
	// date as written. Default ["2006-01-02", "epoch_ms"].
	DateLayouts []string `yaml:"date_layouts"`
	// DateTimeLayouts are tried in order for datetime properties; ISO8601
	// ("iso8601") accepts the usual ISO 8601 forms. Default ["iso8601",
	// "epoch_ms"].
	DateTimeLayouts []string `yaml:"datetime_layouts"`
	// TimeZone is the IANA zone of datetimes written without an offset;
	// default "UTC". See Mapper for times that a DST change skips or repeats.
	TimeZone string `yaml:"time_zone"`
	// MatchLabels lets enumerations also accept an option's label, case
	// insensitively; the option's value is sent.
	MatchLabels bool `yaml:"match_labels"`
	// MultiSeparator splits the input of multi-select (checkbox)
	// enumerations; default ";". Values are always sent joined by ";". The
	// JSONL reader joins arrays with ";", so keep the default for JSONL.
	MultiSeparator string `yaml:"multi_separator"`
	// Properties overrides the settings above for one property, by name.
	Properties map[string]PropertyConfig `yaml:"properties"`
}

// PropertyConfig overrides Config's settings for one property. An empty or
// nil field keeps the global setting.
type PropertyConfig struct {
	// Empty overrides Config.Empty: "skip" or "clear".
	Empty string `yaml:"empty"`
	// ThousandsSeparator overrides Config.ThousandsSeparator; "" turns the
	// global separator off for this property.
	ThousandsSeparator *string `yaml:"thousands_separator"`
	// DecimalComma overrides Config.DecimalComma.
	DecimalComma *bool `yaml:"decimal_comma"`
	// DateLayouts overrides Config.DateLayouts.
	DateLayouts []string `yaml:"date_layouts"`
	// DateTimeLayouts overrides Config.DateTimeLayouts.
	DateTimeLayouts []string `yaml:"datetime_layouts"`
	// TimeZone overrides Config.TimeZone.
	TimeZone string `yaml:"time_zone"`
	// MatchLabels overrides Config.MatchLabels.
	MatchLabels *bool `yaml:"match_labels"`
	// MultiSeparator overrides Config.MultiSeparator.
	MultiSeparator string `yaml:"multi_separator"`
}

// Validate checks c without looking at HubSpot's properties: empty modes,
// layouts, time zones, separators and empty names. It returns every problem
// found, joined one per line, each naming the config key ("mapping.time_zone").
// It does not modify c.
func (c *Config) Validate() error {
	_, err := c.compile()
	return err
}
