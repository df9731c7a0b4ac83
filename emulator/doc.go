// Package emulator is a local stand-in for the HubSpot CRM v3 API, used by
// hubsync's tests and by "hubsync emulator". It owns the wire behaviour of
// three routes as described in docs/hubspot-api.md (section numbers in
// comments point there):
//
//   - POST /crm/v3/objects/{objectType}/batch/update, objectType by name, id
//     or alias from a Schema (communications/0-18, contacts/0-1, widgets/2-…);
//   - GET /crm/v3/properties/{objectType};
//   - GET /account-info/v3/details, with Config.PortalID as the portal id.
//
// It reproduces, as strictly as the evidence allows:
//
//   - bearer-token authentication (401 INVALID_AUTHENTICATION with
//     X-HubSpot-Auth-Failure) and a token without the write scope (403
//     MISSING_SCOPES); the token can change mid-run (SetToken);
//   - the rolling burst window and the daily quota with their 429 bodies
//     (policyName TEN_SECONDLY_ROLLING, DAILY) and X-HubSpot-RateLimit-*
//     headers; Retry-After only on request, since HubSpot does not document it;
//   - Jackson-style 400s for malformed or mis-shaped JSON ("Invalid input JSON
//     on line L, column C: …"), including property values that are not JSON
//     strings;
//   - whole-batch 400 VALIDATION_ERRORs: more than 100 inputs, duplicate ids
//     (also two inputs reaching one record), idProperty that is not a unique
//     property, and per-property refusals (unknown, read-only, number, bool,
//     date at midnight UTC, datetime, enumeration options including
//     multi-checkbox append syntax, string length);
//   - 207 with one OBJECT_NOT_FOUND entry for ids that do not exist, the rest
//     applied; results in a non-input order, matched by id;
//   - records 1..SeedIDs in every object type, with seeded unique values, at
//     no memory cost until written; unique values index idProperty lookups;
//   - injected faults: 500/502/503/504/423, dropped connections (batch applied
//     or not), slow answers and truncated bodies.
//
// It does not reproduce: any other endpoint (create, upsert, read, search,
// associations, date-versioned /crm/objects/2026-03 paths), OAuth, record
// creation, merges, archiving, property history, per-portal time zones (the
// daily quota resets at midnight UTC), HubSpot's exact wording where no
// response was ever captured (marked [U] in the code), or the read-back
// format of date and datetime values (they are stored as sent). Where the
// evidence is [U] the emulator picks the behaviour strictest for the client.
//
// A Server is an http.Handler and is safe for concurrent use.
package emulator
