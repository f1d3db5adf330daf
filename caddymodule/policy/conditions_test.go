package policy

import (
	"strings"
	"testing"
)

const portalPolicy = `
features: [online.purchase.beta]
roles:
  MEMBER: {when: "user.active == true"}
  ACCOUNTING: {when: {all: [{attribute: department, equals: accounting}, {attribute: org.country, in: [BE, NL]}]}}
  TECHNICAL: {when: {any: [{attribute: department, equals: technical}, {attribute: groups, contains: helpdesk}]}}
  NONE: {}
pages:
  account:
    actions:
      read: {kind: read, routes: ["GET /accounts/{account}"]}
      buy:  {kind: create, routes: ["POST /accounts/{account}/orders"]}
  sales:
    actions:
      read: {kind: read, routes: ["GET /accounts/{account}/sales/{sale}"]}
grants:
  MEMBER:
    account:
      - {action: read, when: "path.account == user.account"}
      - {action: buy, when: "path.account == user.account && user.settings.online_purchase && feature('online.purchase.beta')"}
    sales:
      - {action: read, when: "path.account == user.account && (user.ticket_role == 'All' || path.sale in user.sales)"}
refuse:
  - {when: "user.deactivated == true", reason: "this user is deactivated"}
  - {when: "user.ticket_role == 'None'", reason: "the ticket role None has no access to the portal"}
`

func decideAs(p *Policy, user map[string]any, features map[string]bool, request string) Decision {
	method, path, _ := strings.Cut(request, " ")
	in := &Input{User: user, Features: features}
	return p.AuthorizeInput(p.Match(method, path), p.Earned(nil, user), in)
}

func TestConditionsScopeFlagsAndRefusals(t *testing.T) {
	p := mustCompile(t, portalPolicy)
	alice := map[string]any{"active": true, "account": "acme", "ticket_role": "Contract", "sales": []any{"s1"},
		"settings": map[string]any{"online_purchase": true}}
	on := map[string]bool{"online.purchase.beta": true}
	cases := []struct {
		user     map[string]any
		features map[string]bool
		request  string
		want     bool
	}{
		{alice, nil, "GET /accounts/acme", true},
		{alice, nil, "GET /accounts/globex", false},        // another account
		{alice, nil, "GET /accounts/acme/sales/s1", true},  // a sale linked to her
		{alice, nil, "GET /accounts/acme/sales/s2", false}, // Contract: not linked
		{with(alice, "ticket_role", "All"), nil, "GET /accounts/acme/sales/s2", true},
		{alice, on, "POST /accounts/acme/orders", true},
		{alice, nil, "POST /accounts/acme/orders", false}, // the flag is off
		{with(alice, "settings", map[string]any{"online_purchase": false}), on, "POST /accounts/acme/orders", false},
		{with(alice, "settings", nil), on, "POST /accounts/acme/orders", false}, // a missing attribute denies
		{with(alice, "deactivated", true), nil, "GET /accounts/acme", false},
		{with(alice, "ticket_role", "None"), nil, "GET /accounts/acme", false},
		{with(alice, "active", false), nil, "GET /accounts/acme", false}, // no role earned
		{map[string]any{"account": 7}, nil, "GET /accounts/acme", false}, // wrong types deny
	}
	for _, c := range cases {
		d := decideAs(p, c.user, c.features, c.request)
		if d.Allowed != c.want {
			t.Errorf("%s as %v (flags %v): %s", c.request, c.user, c.features, p.Explain(d))
		}
	}
	d := decideAs(p, with(alice, "deactivated", true), nil, "GET /accounts/acme")
	if d.Reason != Refused || d.Why != "this user is deactivated" {
		t.Errorf("refusal reason: %v %q", d.Reason, d.Why)
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range m {
		out[key] = val
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func TestRoleRules(t *testing.T) {
	p := mustCompile(t, portalPolicy)
	for _, c := range []struct {
		user map[string]any
		want string
	}{
		{map[string]any{"department": "accounting", "org": map[string]any{"country": "BE"}}, "ACCOUNTING"},
		{map[string]any{"department": "accounting", "org": map[string]any{"country": "FR"}}, ""},
		{map[string]any{"department": "accounting"}, ""}, // all: a missing attribute fails
		{map[string]any{"department": "technical"}, "TECHNICAL"},
		{map[string]any{"groups": []any{"x", "helpdesk"}}, "TECHNICAL"},
		{map[string]any{"department": "sales"}, ""},
		{map[string]any{"active": true, "department": "technical"}, "MEMBER,TECHNICAL"},
	} {
		got := strings.Join(p.RoleNames(p.Earned(nil, c.user)), ",")
		if got != c.want {
			t.Errorf("%v earns %q, want %q", c.user, got, c.want)
		}
	}
	if got := p.RoleNames(p.Earned([]string{"NONE"}, nil)); len(got) != 1 || got[0] != "NONE" {
		t.Errorf("a named role: %v", got)
	}
}

func TestConditionErrorsNameTheLine(t *testing.T) {
	base := "features: [f.one]\nroles: {R: {}}\npages:\n  p: {actions: {read: {kind: read, routes: [\"GET /p/{id}\"]}}}\n"
	for _, c := range []struct{ src, want string }{
		{base + "grants:\n  R:\n    p:\n      - {action: read, when: \"feature('f.two')\"}\n", `bad.yaml:8: grant R: page p: condition "feature('f.two')"`},
		{base + "grants:\n  R:\n    p:\n      - {action: read, when: \"feature(user.flag)\"}\n", "feature() takes a flag name in quotes"},
		{base + "grants:\n  R:\n    p:\n      - {action: read, when: \"path.id\"}\n", `is a string, not a bool`},
		{base + "grants:\n  R:\n    p:\n      - {action: read, when: \"request.id == 1\"}\n", `undeclared reference to 'request'`},
		{base + "grants:\n  R:\n    p:\n      - {action: read, when: \"user.a ==\"}\n", `bad.yaml:8: grant R: page p: condition`},
		{base + "grants:\n  R:\n    p:\n      - {action: read}\n", "a conditional grant needs action (or actions) and when"},
		{"roles:\n  R: {when: {all: [{attribute: d, equal: x}]}}\n", `unknown operator "equal" (did you mean "equals"?)`},
		{"roles:\n  R: {when: {all: [], any: []}}\n", "give all or any, not both"},
		{"refuse:\n  - {when: \"true\"}\n", "refuse[0]: needs when and reason"},
		{base + "tests:\n  - {role: R, request: \"GET /p/1\", expect: deny, features: [f.tow]}\n", `unknown feature "f.tow" (did you mean "f.one"?)`},
	} {
		got := compileErr(t, c.src)
		if !strings.Contains(got, c.want) {
			t.Errorf("error:\n  %s\nwant:\n  %s", got, c.want)
		}
	}
}

func TestConditionalGrantsAreInherited(t *testing.T) {
	p := mustCompile(t, `
features: [x]
roles:
  BASE: {}
  MORE: {extends: [BASE]}
  LESS: {extends: [BASE], except: {p: [read]}}
pages:
  p: {actions: {read: {kind: read, routes: ["GET /p"]}}}
grants:
  BASE: {p: [{action: read, when: "feature('x')"}]}
`)
	on := map[string]bool{"x": true}
	for role, want := range map[string]bool{"BASE": true, "MORE": true, "LESS": false} {
		d := p.AuthorizeInput(p.Match("GET", "/p"), p.Roles(role), &Input{Features: on})
		if d.Allowed != want {
			t.Errorf("%s with the flag on: %s", role, p.Explain(d))
		}
		if d := p.AuthorizeInput(p.Match("GET", "/p"), p.Roles(role), nil); d.Allowed {
			t.Errorf("%s with the flag off: %s", role, p.Explain(d))
		}
	}
}

func TestPolicyTestsCarryUsersAndFlags(t *testing.T) {
	p := mustCompile(t, portalPolicy+`
tests:
  - {user: {active: true, account: acme, ticket_role: All}, request: "GET /accounts/acme/sales/s9", expect: allow}
  - {user: {active: true, account: acme, ticket_role: All}, request: "GET /accounts/globex", expect: deny}
  - {user: {active: true, account: acme, settings: {online_purchase: true}}, features: [online.purchase.beta], request: "POST /accounts/acme/orders", expect: allow}
  - {user: {active: true, account: acme, settings: {online_purchase: true}}, request: "POST /accounts/acme/orders", expect: allow}
`)
	err := p.RunTests()
	if err == nil || !strings.Contains(err.Error(), "tests[3]") || strings.Contains(err.Error(), "tests[2]") {
		t.Fatalf("want exactly tests[3] (flag off) to fail, got %v", err)
	}
}

func BenchmarkAuthorizeCondition(b *testing.B) {
	p := mustCompile(b, portalPolicy)
	user := map[string]any{"active": true, "account": "acme", "ticket_role": "Contract", "sales": []any{"s1"}}
	m := p.Match("GET", "/accounts/acme/sales/s1")
	roles := p.Earned(nil, user)
	in := &Input{User: user}
	b.ReportAllocs()
	for b.Loop() {
		if !p.AuthorizeInput(m, roles, in).Allowed {
			b.Fatal("denied")
		}
	}
}
