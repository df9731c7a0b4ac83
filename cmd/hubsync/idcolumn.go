package main

import (
	"go.uber.org/zap"

	"github.com/hubsync/hubsync/source"
)

// resolveIDColumn settles which column or key holds the ids before the
// checkpoint is bound to the settings: the one --id-column names, or else
// the one the reader takes from the file ("id", or the Record ID or
// hs_object_id of HubSpot's own exports). It reads the file's start and
// leaves the position to the next reader opened on in.
func (pl *plan) resolveIDColumn(in *stoppableInput, log *zap.Logger) error {
	if pl.o.idColumnGiven {
		return nil
	}
	opts := pl.readerOptions(in, source.Position{})
	opts.IDColumn = "" // the reader's own choice
	r, _, err := openReader(in, pl.format, opts)
	if err != nil {
		return err
	}
	pl.o.IDColumn = source.DefaultIDColumn
	if r, ok := r.(interface{ IDColumn() string }); ok {
		pl.o.IDColumn = r.IDColumn()
	}
	if pl.o.IDColumn != source.DefaultIDColumn {
		log.Info("taking the record ids from a HubSpot export column; pass --id-column to choose another",
			zap.String("id_column", pl.o.IDColumn))
	}
	return nil
}
