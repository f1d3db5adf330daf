package policy

import (
	"strings"
	"sync"
	"testing"
)

const v3File = "../../policies/tixngo-backoffice-v3.yaml"

func mustCompileFile(t testing.TB, path string) *Policy {
	t.Helper()
	doc, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(doc)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustCompile(t testing.TB, src string) *Policy {
	t.Helper()
	doc, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(doc)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	allow = true
	deny  = false
)

// assertDecision checks the decision for a signed-in user holding the
// space-separated roles (empty for none) on "METHOD /path".
func assertDecision(t *testing.T, p *Policy, roles, request string, want bool) {
	t.Helper()
	method, path, _ := strings.Cut(request, " ")
	d := p.Decide(method, path, p.Roles(strings.Fields(roles)...))
	if d.Allowed != want {
		t.Errorf("%s as [%s]: got %s", request, roles, p.Explain(d))
	}
}

func TestV3OwnTestsPass(t *testing.T) {
	p := mustCompileFile(t, v3File)
	if p.NumTests() == 0 {
		t.Fatal("the V3 policy carries no tests")
	}
	if err := p.RunTests(); err != nil {
		t.Fatal(err)
	}
}

func TestV3Decisions(t *testing.T) {
	p := mustCompileFile(t, v3File)
	cases := []struct {
		roles, request string
		want           bool
	}{
		{"ADMIN", "GET /organizer-profile", allow},
		{"TIXNGO_SUPPORT", "GET /organizer-profile", deny},
		{"TS", "POST /accounts/3/delete", deny},
		{"AU", "POST /accounts/3/delete", allow},
		{"SUPPORT", "GET /tickets", allow},
		{"SUPPORT", "GET /tickets/42", allow},
		{"SUPPORT", "GET /tickets/export", deny},
		{"SUPPORT", "POST /tickets/42/edit", deny},
		{"BASIC", "POST /tickets/42/delete", allow},
		{"BASIC", "POST /tickets/42/edit", deny},
		{"MODERATOR", "POST /tickets/42/delete", allow},
		{"MODERATOR", "POST /campaigns/1/edit", allow},
		{"BASIC", "POST /campaigns/1/edit", deny},
		{"SUPPORT BASIC", "POST /tickets/42/delete", allow},
		{"", "GET /tickets", deny},
		{"ADMIN", "DELETE /tickets/42", deny},
		{"ADMIN", "GET /tickets/42/extra", deny},
		{"ADMIN", "GET /tickets/", deny},
		{"ADMIN", "get /tickets", deny},
		{"ADMIN", "tickets", deny},
		{"SUPPORT", "GET /documentation", allow},
		{"SUPPORT", "GET /documentation/a/b/c", allow},
		{"SUPPORT", "GET /", allow},
		{"", "GET /", allow},
		{"UNKNOWN", "GET /tickets", deny},
	}
	for _, c := range cases {
		assertDecision(t, p, c.roles, c.request, c.want)
	}
}

func TestExplainNamesWhoHoldsAnAction(t *testing.T) {
	p := mustCompile(t, `
roles: {R: {}, S: {}}
pages: {p: {actions: {read: {kind: read, routes: ["GET /p"]}, purge: {kind: delete, routes: ["POST /p"]}}}}
grants: {R: {p: [read]}}
`)
	if got := p.Explain(p.Decide("GET", "/p", p.Roles("S"))); got != `deny: p.read (route "GET /p") is granted to R only` {
		t.Errorf("got %q", got)
	}
	if got := p.Explain(p.Decide("POST", "/p", p.Roles("R"))); got != `deny: p.purge (route "POST /p") is granted to no role` {
		t.Errorf("got %q", got)
	}
	if got := p.Explain(p.Decide("GET", "/p", p.Roles("R"))); got != `allow: role R is granted p.read (route "GET /p")` {
		t.Errorf("got %q", got)
	}
}

func TestHEADIsDecidedAsGET(t *testing.T) {
	p := mustCompileFile(t, v3File)
	assertDecision(t, p, "SUPPORT", "HEAD /tickets/42", allow)
	assertDecision(t, p, "SUPPORT", "HEAD /organizer-profile", deny)
	if a := p.Match("HEAD", "/tickets/42").Action(); a == nil || a.ID() != "tickets.read" {
		t.Fatalf("HEAD /tickets/42 maps to %v, want tickets.read", a)
	}
}

func TestMatchCapturesParams(t *testing.T) {
	p := mustCompile(t, `
roles: {R: {}}
pages:
  p:
    actions:
      read: {kind: read, routes: ["GET /orgs/{org}/sales/{sale}/tickets/{id}"]}
grants: {R: {p: all}}
`)
	m := p.Match("GET", "/orgs/acme/sales/s-1/tickets/42")
	if m.Action() == nil {
		t.Fatal("no match")
	}
	for name, want := range map[string]string{"org": "acme", "sale": "s-1", "id": "42"} {
		if got, ok := m.Param(name); !ok || got != want {
			t.Errorf("param %s = %q, %v; want %q", name, got, ok, want)
		}
	}
	if _, ok := m.Param("nope"); ok {
		t.Error("unknown param reported present")
	}
}

func TestRoutePrecedenceAndBacktracking(t *testing.T) {
	p := mustCompile(t, `
roles: {R: {}}
pages:
  p:
    actions:
      read:    {kind: read, routes: ["GET /a/{id}", "GET /a/{id}/x"]}
      create:  {kind: create, routes: ["GET /a/new"]}
      export:  {kind: export, routes: ["GET /a/**"]}
      search:  {kind: search, routes: ["GET /b/new/y", "GET /b/{id}/z"]}
grants: {R: {p: all}}
`)
	cases := map[string]string{
		"/a/7":     "p.read",
		"/a/new":   "p.create",
		"/a/new/x": "p.read", // the literal "new" leads nowhere, so {id} matches
		"/a/7/y":   "p.export",
		"/a":       "p.export",
		"/b/new/z": "p.search", // backtracks from the literal to {id}
		"/b/new/q": "",
	}
	for path, want := range cases {
		m := p.Match("GET", path)
		got := ""
		if a := m.Action(); a != nil {
			got = a.ID()
		}
		if got != want {
			t.Errorf("GET %s -> %q, want %q", path, got, want)
		}
	}
	if v, _ := p.Match("GET", "/b/new/z").Param("id"); v != "new" {
		t.Errorf("backtracked param id = %q, want new", v)
	}
	if m := p.Match("GET", "/a/new"); m.NumParams() != 0 {
		t.Errorf("literal match kept %d params from an abandoned branch", m.NumParams())
	}
}

func TestUnmapped(t *testing.T) {
	src := `
unmapped: %s
roles: {R: {}}
pages: {p: {actions: {read: {kind: read, routes: ["GET /p"]}}}}
`
	p := mustCompile(t, strings.Replace(src, "%s", "deny", 1))
	assertDecision(t, p, "R", "GET /elsewhere", deny)
	p = mustCompile(t, strings.Replace(src, "%s", "authenticated", 1))
	assertDecision(t, p, "R", "GET /elsewhere", allow)
	assertDecision(t, p, "R", "GET /p", deny) // mapped but not granted stays denied
}

func TestExceptThenOwnGrants(t *testing.T) {
	p := mustCompile(t, `
roles:
  OWNER: {}
  ADMIN: {extends: [OWNER], except: {services: [order, cancel]}}
  LIMITED: {extends: [ADMIN], except: {services: all}}
  BACK: {extends: [LIMITED]}
pages:
  services:
    actions:
      read:   {kind: read, routes: ["GET /services"]}
      order:  {kind: create, routes: ["POST /services"]}
      cancel: {kind: delete, routes: ["POST /services/{id}/cancel"]}
grants:
  OWNER: {services: all}
  BACK: {services: [read]}
`)
	assertDecision(t, p, "OWNER", "POST /services/1/cancel", allow)
	assertDecision(t, p, "ADMIN", "POST /services/1/cancel", deny)
	assertDecision(t, p, "ADMIN", "POST /services", deny)
	assertDecision(t, p, "ADMIN", "GET /services", allow)
	assertDecision(t, p, "LIMITED", "GET /services", deny)
	assertDecision(t, p, "BACK", "GET /services", allow)
}

func TestGrantByKindAndStar(t *testing.T) {
	p := mustCompile(t, `
roles: {R: {}, S: {}}
pages:
  a: {actions: {read: {kind: read, routes: ["GET /a"]}, purge: {kind: delete, routes: ["POST /a/purge"]}}}
  b: {actions: {show: {kind: read, routes: ["GET /b"]}}}
grants:
  R: {"*": [read]}
  S: {a: [delete]}
`)
	assertDecision(t, p, "R", "GET /a", allow)
	assertDecision(t, p, "R", "GET /b", allow)
	assertDecision(t, p, "R", "POST /a/purge", deny)
	assertDecision(t, p, "S", "POST /a/purge", allow)
}

func TestConcurrentDecide(t *testing.T) {
	p := mustCompileFile(t, v3File)
	roles := p.Roles("BASIC")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if !p.Decide("POST", "/tickets/1/delete", roles).Allowed {
					t.Error("concurrent decide denied an allowed request")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestDecideDoesNotAllocate(t *testing.T) {
	p := mustCompileFile(t, v3File)
	roles := p.Roles("BASIC")
	allocs := testing.AllocsPerRun(100, func() {
		d := p.Decide("POST", "/tickets/42/delete", roles)
		if !d.Allowed {
			t.Fatal("denied")
		}
	})
	if allocs != 0 {
		t.Fatalf("Decide allocates %v times per call", allocs)
	}
}
