package emulator

import "net/http"

// DefaultPortalID is the portal (account) id the emulator answers when
// Config.PortalID is 0: a fixed number, so that state kept per portal by a
// client survives a restart of the emulator.
const DefaultPortalID int64 = 12345678

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
