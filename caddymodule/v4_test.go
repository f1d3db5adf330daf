package caddymodule_test

import (
	"testing"

	"github.com/rolegate/rolegate/examples/backoffice/app"
)

// TestBackofficeV4ThroughTheGateway: seed 003's roles on the V4 screens of
// the example back-office, with the feature flags off, then on.
func TestBackofficeV4ThroughTheGateway(t *testing.T) {
	const v4 = "../policies/tixngo-backoffice-v4.yaml"
	off := newGatewayFor(t, v4, app.New(), nil)
	runPortalCases(t, off, []portalCase{
		{"sam", "POST /v4/spectators/42/reset-devices", true}, // SUPPORT: basic troubleshooting
		{"sam", "POST /v4/communication-logs/42/resend", true},
		{"sam", "POST /v4/tickets/42/delete", false},
		{"bob", "POST /v4/tickets/42/delete", true}, // BASIC: plus delete ticket
		{"bob", "POST /v4/tickets/42/transfer", true},
		{"bob", "POST /v4/tickets/42/metadata", false},
		{"mona", "POST /v4/templates/campaign", true}, // MODERATOR: templates and campaigns
		{"mona", "POST /v4/campaigns", true},
		{"mona", "POST /v4/campaigns/42/cancel", false},
		{"tess", "GET /v4/organizer-profile", false}, // TIXNGO_SUPPORT: not the API key
		{"tess", "POST /v4/accounts/42/reset-mfa", false},
		{"tess", "POST /v4/settings/features", true},
		{"alice", "GET /v4/organizer-profile", true},
		{"alice", "POST /v4/ticket-configuration/email", false}, // behind ticket.email.custom
		{"alice", "POST /v4/templates/email", false},
		{"alice", "POST /v4/ticket-configuration/data-collection", false},
		{"alice", "GET /v4/settings/assignment", false}, // replaced in V4
	})
	on := newGatewayFor(t, v4, app.New(), map[string]any{"features": []string{"ticket.email.custom"}})
	runPortalCases(t, on, []portalCase{
		{"alice", "POST /v4/ticket-configuration/email", true},
		{"mona", "POST /v4/templates/email", true},
		{"sam", "POST /v4/templates/email", false},
		{"alice", "POST /v4/ticket-configuration/data-collection", false}, // its own flag is still off
	})
}
