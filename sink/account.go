package sink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// AccountDetails is what GET /account-info/v3/details says about the
// account (portal) the token belongs to (docs/hubspot-api.md §15).
type AccountDetails struct {
	// PortalID is the account's "Hub ID", always positive. HubSpot's spec
	// types it int32; it is read as int64 so that a larger id still works.
	PortalID int64
	// The rest is for people to read: open strings, never branched on
	// (HubSpot lists no fixed set of hosting locations).
	AccountType         string // STANDARD, SANDBOX, DEVELOPER_TEST, APP_DEVELOPER, …
	TimeZone            string // e.g. US/Eastern: the daily quota resets at its midnight
	DataHostingLocation string // e.g. na1, eu1
	UIDomain            string // e.g. app.hubspot.com
}

// ErrNoPortalID marks a 200 account-details answer without a usable
// portalId: absent, null, quoted, fractional, not positive or beyond
// int64. The portal id names a sync state, so it is never guessed as 0.
var ErrNoPortalID = errors.New("no usable portalId")

// AccountDetails fetches the details of the token's account, once; it does
// not retry. It blocks until the answer is read or ctx ends. Safe for
// concurrent use.
//
// Errors are returned as Properties returns them, so Classify tells the
// caller whether to retry: an *APIError (wrapped) on any status but 200, a
// 403 with a hint on the scope; an unreadable 200 wraps
// ErrUnreadableResponse (retryable). A 200 of well-formed JSON without a
// usable portalId wraps ErrNoPortalID and is ClassFatal: HubSpot would
// answer the same again.
func (c *Client) AccountDetails(ctx context.Context) (AccountDetails, error) {
	if err := ctx.Err(); err != nil {
		return AccountDetails{}, c.accountFailure(ctx, kindCallerDone, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.accountURL(), nil)
	if err != nil {
		return AccountDetails{}, fmt.Errorf("get account details: %w", err)
	}
	c.setHeaders(req)

	resp, err := c.http.Do(req)
	if err != nil {
		return AccountDetails{}, c.accountFailure(ctx, kindTransport, err)
	}
	defer drainClose(resp.Body)

	ok := resp.StatusCode == http.StatusOK
	limit := bodyLimitBase // an error: a few fields and a message
	if ok {
		limit = maxAccountBody
	}
	buf := c.getBuffer()
	defer c.putBuffer(buf)
	var readErr error
	buf.b, readErr = readLimited(buf.b[:0], resp.Body, limit)
	if !ok {
		apiErr := parseAPIError(resp.StatusCode, resp.Header, buf.b, c.token, c.now())
		if resp.StatusCode == http.StatusForbidden {
			return AccountDetails{}, fmt.Errorf("get account details: %w (%s)", apiErr, accountScopeHint)
		}
		return AccountDetails{}, fmt.Errorf("get account details: %w", apiErr)
	}
	if readErr != nil {
		return AccountDetails{}, c.accountFailure(ctx, kindUnreadable, fmt.Errorf("read 200 response: %w: %w", ErrUnreadableResponse, readErr))
	}
	d, err := decodeAccountDetails(buf.b)
	if errors.Is(err, ErrNoPortalID) {
		// Well-formed JSON of another shape: asking again would not
		// change it, so it is not marked retryable.
		return AccountDetails{}, c.scrubbed(fmt.Errorf("get account details: 200 response: %w", err))
	}
	if err != nil {
		return AccountDetails{}, c.accountFailure(ctx, kindUnreadable, fmt.Errorf("decode 200 response: %w: %w", ErrUnreadableResponse, err))
	}
	d.AccountType = c.serverText(d.AccountType)
	d.TimeZone = c.serverText(d.TimeZone)
	d.DataHostingLocation = c.serverText(d.DataHostingLocation)
	d.UIDomain = c.serverText(d.UIDomain)
	return d, nil
}

// accountScopeHint says what a 403 means here. HubSpot lists only the
// "oauth" scope for the route; which scope a private-app token needs is
// unverified (docs/hubspot-api.md §15).
const accountScopeHint = `the account-details route lists only the "oauth" scope; ` +
	`which scope a private-app token needs for it is unverified`

// maxAccountBody caps how much of an account-details answer is read: nine
// short fields, a few hundred bytes; 64 KiB leaves ample room for fields
// HubSpot may add.
const maxAccountBody = 64 << 10

// accountURL is base/account-info/v3/details, the base taken from the batch
// endpoint base/crm/v3/objects/{escaped type}/batch/update as propertiesURL
// takes it.
func (c *Client) accountURL() string {
	base := c.endpoint[:strings.LastIndex(c.endpoint, "/crm/v3/objects/")]
	return base + "/account-info/v3/details"
}

// accountFailure marks err like UpdateBatch's failures, so that Classify
// treats every call alike.
func (c *Client) accountFailure(ctx context.Context, kind sendKind, err error) error {
	if ctx.Err() != nil {
		kind = kindCallerDone
	}
	return &sendError{kind, c.scrubbed(fmt.Errorf("get account details: %w", err))}
}

// accountBody is the shape of an account-details answer. The strings are
// lenient (a missing or oddly typed one is empty); portalId is checked
// strictly by parsePortalID.
type accountBody struct {
	PortalID            json.RawMessage `json:"portalId"`
	AccountType         flexString      `json:"accountType"`
	TimeZone            flexString      `json:"timeZone"`
	DataHostingLocation flexString      `json:"dataHostingLocation"`
	UIDomain            flexString      `json:"uiDomain"`
}

func decodeAccountDetails(b []byte) (AccountDetails, error) {
	if !isJSONObject(b) {
		return AccountDetails{}, errors.New("not a JSON object")
	}
	var body accountBody
	if err := unmarshalLenient(b, &body); err != nil {
		return AccountDetails{}, err
	}
	id, err := parsePortalID(body.PortalID)
	if err != nil {
		return AccountDetails{}, err
	}
	return AccountDetails{
		PortalID:            id,
		AccountType:         string(body.AccountType),
		TimeZone:            string(body.TimeZone),
		DataHostingLocation: string(body.DataHostingLocation),
		UIDomain:            string(body.UIDomain),
	}, nil
}

// parsePortalID accepts only a JSON integer from 1 to MaxInt64. A quoted
// id is refused too: HubSpot documents a number, and an answer that
// breaks the shape here is not trusted to name the sync state.
func parsePortalID(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, fmt.Errorf("%w: absent", ErrNoPortalID)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: %.40s is not an integer from 1 to %d", ErrNoPortalID, s, int64(math.MaxInt64))
	}
	return n, nil
}
