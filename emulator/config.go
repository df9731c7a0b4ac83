package emulator

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Config configures a Server. The zero value of every field but Token is usable.
type Config struct {
	Token string // bearer token accepted; required
	// ScopelessToken, if set, authenticates but lacks the write scope: batch
	// updates answer 403 MISSING_SCOPES (docs/hubspot-api.md §5).
	ScopelessToken string
	Rate           int           // at most Rate requests admitted in any rolling Window; 0 = off
	Window         time.Duration // rolling window; 0 = 10s
	Daily          int           // requests admitted per UTC day; 0 = off
	// SeedIDs: records 1..SeedIDs exist in every object type. They use no
	// memory until written.
	SeedIDs int64
	// UniqueFormat is the seeded value of each object type's unique-value
	// property (the first with hasUniqueValue) for record n; it must contain
	// exactly one integer verb such as %d. Default "EXT-%d".
	UniqueFormat string
	Schema       *Schema // nil = DefaultSchema()
	ResultOrder  Order   // order of results[]; default Shuffle
	// NoTraceEcho drops objectWriteTraceId from results; whether HubSpot
	// echoes it on update is [U] (docs/hubspot-api.md §13, question 4).
	NoTraceEcho bool
	// RetryAfter adds Retry-After (whole seconds) to 429s; HubSpot does not
	// document it for CRM endpoints ([U], docs/hubspot-api.md §8), so it is off by default.
	RetryAfter bool
	// AcceptAll answers every well-formed batch 200, echoing the inputs,
	// without validating values, resolving ids or storing anything: a
	// cheap peer for benchmarks of the client, not a faithful HubSpot.
	AcceptAll bool
	Faults    Faults
	// PortalID is the account id GET /account-info/v3/details answers
	// (docs/hubspot-api.md §15); 0 = a random one, new each start,
	// above the int32 range (see randomPortalID).
	PortalID int64
	Seed     int64            // seeds result shuffling and fault draws
	Now      func() time.Time // nil = time.Now
	// Log receives one Debug line per request and Info lines on start and
	// close; nil = no logging. The token is never logged.
	Log *zap.Logger
}

// Faults makes a batch update misbehave with the given probabilities. At most
// one fault hits a request (one draw, so the probabilities must sum to ≤ 1).
// Faults are drawn after authentication and rate limiting, before the body is
// read.
type Faults struct {
	// P500…P423 answer that status without applying the batch. 502, 503 and
	// 504 come with an HTML body, as a proxy in front of HubSpot would send
	// ([U]); 500 and 423 with a JSON error body.
	P500, P502, P503, P504, P423 float64
	// PDrop closes the connection without an answer; the batch is applied or
	// not, 50/50 (seeded).
	PDrop float64
	// PSlow applies the batch, then waits SlowDelay before answering (or until
	// the client gives up or the server closes).
	PSlow     float64
	SlowDelay time.Duration
	// PTruncate applies the batch and answers 200 with the Content-Length of
	// the full body but only half of it, so the client reads an unexpected EOF.
	PTruncate float64
}

func (f Faults) validate() error {
	sum := 0.0
	for _, p := range []float64{f.P500, f.P502, f.P503, f.P504, f.P423, f.PDrop, f.PSlow, f.PTruncate} {
		if p < 0 || p > 1 || p != p {
			return fmt.Errorf("fault probability %v: want a number in [0,1]", p)
		}
		sum += p
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("fault probabilities sum to %v: want at most 1", sum)
	}
	if f.PSlow > 0 && f.SlowDelay <= 0 {
		return errors.New("slow fault needs a positive SlowDelay")
	}
	return nil
}

// Order is the order of results[] in a batch response. HubSpot's is not the
// input order (docs/hubspot-api.md §4), so clients must match results by id.
type Order int

// The result orders.
const (
	Shuffle    Order = iota // seeded shuffle (default)
	Reverse                 // reversed input order
	InputOrder              // input order
)

func (o Order) String() string {
	switch o {
	case Shuffle:
		return "shuffle"
	case Reverse:
		return "reverse"
	case InputOrder:
		return "input"
	}
	return "Order(" + strconv.Itoa(int(o)) + ")"
}

// ParseOrder turns "shuffle", "reverse" or "input" into an Order.
func ParseOrder(s string) (Order, error) {
	for _, o := range []Order{Shuffle, Reverse, InputOrder} {
		if strings.EqualFold(s, o.String()) {
			return o, nil
		}
	}
	return 0, fmt.Errorf("parse result order %q: want shuffle, reverse or input", s)
}

// Stats are counters since the server was created.
type Stats struct {
	Requests      int         // all requests
	BatchRequests int         // batch/update requests, any outcome
	ByStatus      map[int]int // batch/update response statuses; 0 = connection dropped
	// MaxInWindow is the largest number of batch requests admitted (not
	// answered 429) in any rolling window of Config.Window (10s if unset).
	MaxInWindow    int
	RecordsApplied int // batch inputs applied
	// AccountRequests counts GET /account-info/v3/details requests, any
	// outcome: a run asks for its portal id at most once.
	AccountRequests int
}

// uniqueFormat is a parsed Config.UniqueFormat: prefix, one integer verb,
// suffix; used to map a seeded unique value back to its record without a map.
type uniqueFormat struct {
	format, prefix, suffix string
}

var intVerb = regexp.MustCompile(`%[-+ 0#]*[0-9]*d`)

func parseUniqueFormat(f string) (uniqueFormat, error) {
	locs := intVerb.FindAllStringIndex(f, -1)
	if len(locs) != 1 {
		return uniqueFormat{}, fmt.Errorf("unique format %q: want exactly one integer verb such as %%d", f)
	}
	u := uniqueFormat{format: f, prefix: f[:locs[0][0]], suffix: f[locs[0][1]:]}
	if strings.Contains(u.prefix, "%") || strings.Contains(u.suffix, "%") {
		return uniqueFormat{}, fmt.Errorf("unique format %q: only one %% verb allowed", f)
	}
	return u, nil
}

func (u uniqueFormat) value(n int64) string { return fmt.Sprintf(u.format, n) }

// record returns n when v is exactly the seeded value of record n.
func (u uniqueFormat) record(v string) (int64, bool) {
	digits, ok := strings.CutPrefix(v, u.prefix)
	if !ok {
		return 0, false
	}
	if digits, ok = strings.CutSuffix(digits, u.suffix); !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(digits), 10, 64)
	if err != nil || u.value(n) != v {
		return 0, false
	}
	return n, true
}
