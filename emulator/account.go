package emulator

import (
	"math/rand/v2"
	"net/http"
)

// randomPortalID is the portal (account) id of an emulator started without
// Config.PortalID: a new one each start, since a restarted emulator
// forgets its records, so that state a client keeps per portal (its
// --only-changed sync state) never takes a fresh emulator for the one it
// synced to, nor an emulator for a real portal. It is above the int32
// range, as HubSpot's newer portal ids may be, and below 2^53, so that
// any JSON reader keeps it exact.
func randomPortalID() int64 {
	const low = 1 << 31
	return low + rand.Int64N(1<<52-low)
}

// accountDetails is the body of GET /account-info/v3/details
// (docs/hubspot-api.md §15): all nine fields, as HubSpot's schema requires
// them. The emulator's day ends at midnight UTC, so its account lives in
// UTC.
type accountDetails struct {
	PortalID              int64    `json:"portalId"`
	AccountType           string   `json:"accountType"`
	TimeZone              string   `json:"timeZone"`
	CompanyCurrency       string   `json:"companyCurrency"`
	AdditionalCurrencies  []string `json:"additionalCurrencies"`
	UTCOffset             string   `json:"utcOffset"`
	UTCOffsetMilliseconds int64    `json:"utcOffsetMilliseconds"`
	UIDomain              string   `json:"uiDomain"`
	DataHostingLocation   string   `json:"dataHostingLocation"`
}

// serveAccount answers GET /account-info/v3/details. Like the properties
// route it needs no write scope (which scope HubSpot wants of a private
// app here is [U]), and it counts against the rate limits like any call.
func (s *Server) serveAccount(c *call) {
	if _, ok := s.gate(c); !ok {
		return
	}
	s.reply(c, http.StatusOK, marshalJSON(accountDetails{
		PortalID:             s.cfg.PortalID,
		AccountType:          "STANDARD",
		TimeZone:             "UTC",
		CompanyCurrency:      "USD",
		AdditionalCurrencies: []string{},
		UTCOffset:            "+00:00",
		UIDomain:             "app.hubspot.com",
		DataHostingLocation:  "na1",
	}))
}

// PortalID returns the portal id the account-details route answers:
// Config.PortalID, or the random one New chose.
func (s *Server) PortalID() int64 { return s.cfg.PortalID }
