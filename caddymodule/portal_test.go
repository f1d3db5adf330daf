package caddymodule_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rolegate/rolegate/examples/portal/app"
)

// portalCase is one request of a persona through the gateway, and whether
// the portal must receive it.
type portalCase struct {
	persona, request string
	reach            bool
}

func runPortalCases(t *testing.T, g *gateway, cases []portalCase) {
	t.Helper()
	for _, c := range cases {
		method, target, _ := strings.Cut(c.request, " ")
		w := g.do(t, c.persona, method, target, http.Header{"Accept": {"application/json"}})
		reached := len(g.up.take()) == 1
		switch {
		case c.reach && (!reached || w.Code != http.StatusOK):
			t.Errorf("%s as %s: %d, reached the portal %v; want it allowed", c.request, c.persona, w.Code, reached)
		case !c.reach && (reached || w.Code != http.StatusForbidden):
			t.Errorf("%s as %s: %d, reached the portal %v; want 403", c.request, c.persona, w.Code, reached)
		}
	}
}

// TestHostingContactsThroughTheGateway: seed 002's rules, through the
// handler, into the example portal.
func TestHostingContactsThroughTheGateway(t *testing.T) {
	g := newGatewayFor(t, "../policies/hosting-account-contacts.yaml", app.New(), nil)
	runPortalCases(t, g, []portalCase{
		{"olivia", "POST /hosting/services/7/cancel", true},
		{"olivia", "POST /hosting/services", true},
		{"ada", "POST /hosting/services/7/cancel", false}, // the administrator may not cancel a service
		{"ada", "POST /hosting/services", false},          // nor order one
		{"ada", "POST /hosting/contacts", true},           // but may authorize contacts
		{"ada", "GET /hosting/invoices", true},
		{"bill", "GET /hosting/invoices/3", true},
		{"bill", "POST /hosting/billing/card", true},
		{"bill", "GET /hosting/tickets", false}, // billing only: no support
		{"bill", "POST /hosting/contacts", false},
		{"suki", "POST /hosting/tickets", true},
		{"suki", "GET /hosting/services/7/login-details", true},
		{"suki", "GET /hosting/invoices", false}, // support only: no billing
		{"bea", "GET /hosting/invoices", true},   // billing and support together
		{"bea", "POST /hosting/tickets", true},
		{"bea", "POST /hosting/contacts", false},
		{"bea", "POST /hosting/services/7/cancel", false},
	})
}

// TestVtigerProfilesThroughTheGateway: seed 004's profiles come from the
// department claim.
func TestVtigerProfilesThroughTheGateway(t *testing.T) {
	g := newGatewayFor(t, "../policies/vtiger-customer-portal.yaml", app.New(), nil)
	runPortalCases(t, g, []portalCase{
		{"carla", "GET /crm/invoices/12", true},
		{"carla", "GET /crm/quotes/4", true},
		{"carla", "GET /crm/payments", true},
		{"carla", "GET /crm/sales-orders/2", true},
		{"carla", "POST /crm/tickets", true},
		{"ted", "GET /crm/invoices/12", false}, // technical: no invoices
		{"ted", "GET /crm/quotes", false},
		{"ted", "GET /crm/payments/1", false},
		{"ted", "GET /crm/tickets/9", true},
		{"ted", "POST /crm/tickets/9/comments", true},
		{"bob", "GET /crm/tickets", false}, // no department: no profile
	})
}

// TestVIPPortalThroughTheGateway: seed 000's rules, with the rights read
// from the portal's own data.
func TestVIPPortalThroughTheGateway(t *testing.T) {
	// The portal's own user directory, as the gateway reaches it (not
	// through the gateway: no policy route exposes it).
	dir := httptest.NewServer(app.New())
	defer dir.Close()
	g := newGatewayFor(t, "../policies/ixpole-vip-portal.yaml", app.New(), map[string]any{
		"enrich": map[string]any{"url": dir.URL + "/vip/api/users/{sub}"},
	})
	runPortalCases(t, g, []portalCase{
		{"vera", "GET /vip/accounts/acme", true},
		{"vera", "GET /vip/accounts/globex", false}, // another account's URL
		{"vera", "POST /vip/accounts/acme/users/u2/default", true},
		{"vera", "POST /vip/accounts/acme/orders", true},  // online admin may purchase
		{"paul", "POST /vip/accounts/acme/orders", false}, // the account disallows online purchase
		{"paul", "POST /vip/accounts/acme/users/u2/default", false},
		{"cora", "GET /vip/accounts/acme/sales/s1/tickets", true},
		{"cora", "GET /vip/accounts/acme/sales/s2/tickets", false}, // a sale not linked to her
		{"nina", "GET /vip/accounts/acme", false},                  // ticket role None
		{"dave", "GET /vip/accounts/globex", false},                // deactivated
		{"bob", "GET /vip/accounts/acme", false},                   // unknown to the portal
	})
	w := g.do(t, "dave", "GET", "/vip/accounts/globex", http.Header{"Accept": {"application/json"}})
	if !strings.Contains(w.Body.String(), "deactivated") {
		t.Errorf("a deactivated user is not told why: %s", w.Body)
	}
	g.up.take()
	dir.Close()
	if w := g.do(t, "mona", "GET", "/vip/accounts/acme", nil); w.Code != http.StatusServiceUnavailable || len(g.up.take()) != 0 {
		t.Errorf("directory down: %d, want 503 and nothing forwarded", w.Code)
	}
}

// TestTheDirectoryIsNotExposed: the portal's internal user API is reachable
// by the gateway, not through it.
func TestTheDirectoryIsNotExposed(t *testing.T) {
	g := newGatewayFor(t, "../policies/ixpole-vip-portal.yaml", app.New(), nil)
	runPortalCases(t, g, []portalCase{{"vera", "GET /vip/api/users/vera", false}})
}
