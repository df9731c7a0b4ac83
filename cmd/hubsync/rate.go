package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// rateFlag is a request budget of the form N/DURATION ("100/10s"); "0" means
// no limit. It implements pflag.Value.
type rateFlag struct {
	N      int
	Window time.Duration
}

func (r *rateFlag) String() string {
	if r.N == 0 {
		return "0"
	}
	return fmt.Sprintf("%d/%s", r.N, formatWindow(r.Window))
}

func (r *rateFlag) Type() string { return "N/DURATION" }

func (r *rateFlag) Set(s string) error {
	v, err := parseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// parseRate parses "N/DURATION" (for example "100/10s", "20/1s", "190/10s").
// "0" turns the limit off.
func parseRate(s string) (rateFlag, error) {
	s = strings.TrimSpace(s)
	if s == "0" || s == "off" {
		return rateFlag{}, nil
	}
	num, dur, ok := strings.Cut(s, "/")
	if !ok {
		return rateFlag{}, fmt.Errorf("rate %q: want N/DURATION, for example 100/10s", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n <= 0 {
		return rateFlag{}, fmt.Errorf("rate %q: %q is not a positive whole number of requests", s, num)
	}
	dur = strings.TrimSpace(dur)
	if dur != "" && (dur[0] < '0' || dur[0] > '9') {
		dur = "1" + dur // "100/s" reads as "100/1s"
	}
	w, err := time.ParseDuration(dur)
	if err != nil || w <= 0 {
		return rateFlag{}, fmt.Errorf("rate %q: %q is not a positive duration such as 10s or 1m", s, dur)
	}
	return rateFlag{N: n, Window: w}, nil
}

// formatWindow prints a window as it would be typed: "10s", "1m", "1h30m".
func formatWindow(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
