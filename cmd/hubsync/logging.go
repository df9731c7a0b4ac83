package main

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the zap logger for a command: human-readable console
// output when w is a terminal, or writes to one through a progressOutput
// (or format is "console"), JSON lines otherwise.
func newLogger(format, level string, w io.Writer) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	switch format {
	case "auto", "":
		format = "json"
		if isTerminal(w) {
			format = "console"
		}
	case "console", "json":
	default:
		return nil, fmt.Errorf("--log-format %q: want auto, console or json", format)
	}
	var enc zapcore.Encoder
	if format == "console" {
		cfg := zap.NewDevelopmentEncoderConfig()
		cfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05")
		enc = zapcore.NewConsoleEncoder(cfg)
	} else {
		cfg := zap.NewProductionEncoderConfig()
		cfg.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(cfg)
	}
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), lvl)), nil
}

// isTerminal reports whether w is a character device such as a terminal.
// A progressOutput is judged by the stream it writes to: the log of a
// sync writes through one, which shares stderr with the progress bar.
func isTerminal(w io.Writer) bool {
	if po, ok := w.(*progressOutput); ok {
		w = po.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
