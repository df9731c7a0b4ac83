package main

import (
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/hubsync/hubsync/source"
)

// readingOptions parses --delimiter and --encoding. They are about CSV:
// JSON Lines is UTF-8 by definition and has no delimiter.
func readingOptions(o syncOptions, format source.Format) (byte, source.Encoding, error) {
	sep, err := source.ParseDelimiter(o.Delimiter)
	if err != nil {
		return 0, 0, fmt.Errorf("--delimiter: %w", err)
	}
	enc, err := source.ParseEncoding(o.Encoding)
	if err != nil {
		return 0, 0, fmt.Errorf("--encoding: %w", err)
	}
	if format == source.JSONL {
		switch {
		case sep != 0:
			return 0, 0, errors.New("--delimiter is for CSV files: JSON Lines has none")
		case enc != source.UTF8:
			return 0, 0, errors.New("--encoding is for CSV files: JSON Lines is always UTF-8")
		}
	}
	return sep, enc, nil
}

// addReadingSettings adds the delimiter and encoding to the settings a
// checkpoint binds to, when they are not the defaults: checkpoints written
// before they existed still match a run with the defaults.
func addReadingSettings(s map[string]string, o syncOptions) {
	if sep, err := source.ParseDelimiter(o.Delimiter); err == nil && sep != 0 {
		s["delimiter"] = source.DelimiterName(sep)
	}
	if enc, err := source.ParseEncoding(o.Encoding); err == nil && enc != source.UTF8 {
		s["encoding"] = enc.String()
	}
}

// inspectInput opens a reader on the start of the file before the
// checkpoint is bound to the settings, and settles what it reads the file
// with: the column or key of the ids (the one --id-column names, or else
// the one the reader takes: "id", or the Record ID or hs_object_id of
// HubSpot's own exports) and, for CSV, the delimiter it detected. It logs
// what it took from the file rather than from the settings. The next
// reader opened on in seeks where it starts.
func (pl *plan) inspectInput(in *stoppableInput, log *zap.Logger) error {
	if pl.format != source.CSV && pl.o.idColumnGiven {
		return nil
	}
	opts := pl.readerOptions(in, source.Position{})
	if !pl.o.idColumnGiven {
		opts.IDColumn = "" // the reader's own choice
	}
	r, _, err := openReader(in, pl.format, opts)
	if err != nil {
		return err
	}
	if r, ok := r.(interface{ IDColumn() string }); ok && !pl.o.idColumnGiven {
		pl.o.IDColumn = r.IDColumn()
		if pl.o.IDColumn != source.DefaultIDColumn {
			log.Info("taking the record ids from a HubSpot export column; pass --id-column to choose another",
				zap.String("id_column", pl.o.IDColumn))
		}
	}
	if c, ok := r.(*source.CSVReader); ok {
		if pl.delimiter == 0 && c.Delimiter() != ',' {
			log.Info("detected the CSV delimiter from the header row; pass --delimiter to choose another",
				zap.String("delimiter", source.DelimiterName(c.Delimiter())))
		}
		if c.Encoding() != pl.encoding {
			log.Info("reading the file in the encoding it declares (a byte order mark, or the columns of a dead-letter file)",
				zap.Stringer("encoding", c.Encoding()), zap.Stringer("encoding_given", pl.encoding))
		}
		pl.delimiter = c.Delimiter()
	}
	return nil
}
