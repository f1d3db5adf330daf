package caddymodule

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRoleRulesFromClaimsThroughTheHandler: the vTiger portal's profiles are
// earned from the department claim, not named; the handler passes the
// token's claims to the policy's rules.
func TestRoleRulesFromClaimsThroughTheHandler(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, func(h *Handler) { h.Policy = "../policies/vtiger-customer-portal.yaml" })
	for _, c := range []struct {
		department, target string
		want               int
	}{
		{"accounting", "/crm/invoices/12", 200},
		{"technical", "/crm/invoices/12", 403},
		{"technical", "/crm/tickets/9", 200},
		{"sales", "/crm/tickets/9", 403},
	} {
		res := do(t, h, "GET", c.target, idp.token(map[string]any{"department": c.department, "realm_access": nil}), nil)
		if res.w.Code != c.want && !(c.want == 200 && res.up != nil) {
			t.Errorf("%s as %s: %d, want %d", c.target, c.department, res.w.Code, c.want)
		}
		if (c.want == 200) != (res.up != nil) {
			t.Errorf("%s as %s: reached the upstream: %v", c.target, c.department, res.up != nil)
		}
	}
}

const scopedPolicy = `
features: [beta]
roles:
  MEMBER: {when: "user.active == true"}
pages:
  account:
    actions:
      read: {kind: read, routes: ["GET /accounts/{account}"]}
      beta: {kind: export, routes: ["GET /accounts/{account}/beta"]}
grants:
  MEMBER:
    account:
      - {action: read, when: "path.account == user.account"}
      - {action: beta, when: "path.account == user.account && feature('beta')"}
refuse:
  - {when: "user.deactivated == true", reason: "this user is deactivated"}
`

// TestConditionsAndFlagsThroughTheHandler: another account's URL is denied,
// a flag-only action is absent until the site turns the flag on, and a
// deactivated user is refused with the reason.
func TestConditionsAndFlagsThroughTheHandler(t *testing.T) {
	idp := newTestIdP(t)
	policy := writePolicy(t, scopedPolicy)
	off := newGate(t, idp, func(h *Handler) { h.Policy = policy })
	on := newGate(t, idp, func(h *Handler) { h.Policy = policy; h.Features = []string{"beta"} })
	member := map[string]any{"active": true, "account": "acme"}
	json := http.Header{"Accept": {"application/json"}}
	for _, c := range []struct {
		h      *Handler
		user   map[string]any
		target string
		want   bool
	}{
		{off, member, "/accounts/acme", true},
		{off, member, "/accounts/globex", false},
		{off, member, "/accounts/acme/beta", false},
		{on, member, "/accounts/acme/beta", true},
		{on, member, "/accounts/globex/beta", false},
		{off, map[string]any{"active": true, "account": "acme", "deactivated": true}, "/accounts/acme", false},
	} {
		res := do(t, c.h, "GET", c.target, idp.token(c.user), json)
		if (res.up != nil) != c.want {
			t.Errorf("%s as %v: %d, reached upstream %v, want %v", c.target, c.user, res.w.Code, res.up != nil, c.want)
		}
	}
	res := do(t, off, "GET", "/accounts/acme", idp.token(map[string]any{"active": true, "account": "acme", "deactivated": true}), json)
	if res.w.Code != 403 || !strings.Contains(res.w.Body.String(), "this user is deactivated") {
		t.Errorf("deactivated: %d %s", res.w.Code, res.w.Body)
	}
}

func TestUndeclaredFeatureStopsProvisioning(t *testing.T) {
	h := &Handler{Policy: writePolicy(t, scopedPolicy), Features: []string{"betta"}}
	if err := provision(h); err == nil || !strings.Contains(err.Error(), `"betta" is not declared`) {
		t.Fatalf("Provision: %v", err)
	}
}

// TestEnrichedAttributesDecide: the account comes from the application's
// own data, not the token; when the lookup fails the request gets 503 and
// never reaches the upstream.
func TestEnrichedAttributesDecide(t *testing.T) {
	idp := newTestIdP(t)
	up := true
	dir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`{"active": true, "account": "acme"}`))
	}))
	defer dir.Close()
	h := newGate(t, idp, func(h *Handler) {
		h.Policy = writePolicy(t, scopedPolicy)
		h.Enrich = &EnrichConfig{URL: dir.URL + "/users/{sub}"}
	})
	tok := idp.token(map[string]any{"account": "globex"}) // the token's claim is overridden
	json := http.Header{"Accept": {"application/json"}}
	if res := do(t, h, "GET", "/accounts/acme", tok, json); res.up == nil {
		t.Fatalf("own account from the directory: %d", res.w.Code)
	}
	if res := do(t, h, "GET", "/accounts/globex", tok, json); res.up != nil {
		t.Fatal("the token's account claim beat the directory's")
	}
	up = false
	h2 := newGate(t, idp, func(h *Handler) {
		h.Policy = writePolicy(t, scopedPolicy)
		h.Enrich = &EnrichConfig{URL: dir.URL + "/users/{sub}"}
	})
	if res := do(t, h2, "GET", "/accounts/acme", tok, json); res.w.Code != 503 || res.up != nil {
		t.Fatalf("lookup failing: %d, reached %v; want 503", res.w.Code, res.up != nil)
	}
}
