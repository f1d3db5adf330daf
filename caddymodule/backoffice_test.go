package caddymodule_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/rolegate/rolegate/caddymodule"
	"github.com/rolegate/rolegate/caddymodule/policy"
	"github.com/rolegate/rolegate/examples/backoffice/app"
	"github.com/rolegate/rolegate/examples/devidp"
)

const (
	v3Policy  = "../policies/tixngo-backoffice-v3.yaml"
	seedTable = "../policies/testdata/seed001-table.csv"
	audience  = "tixngo-backoffice"
)

// personaOf maps the seed's role labels to the development personas.
var personaOf = map[string]string{"AU": "alice", "SU": "sam", "BU": "bob", "Mod": "mona", "TS": "tess"}

// recorder is the upstream: the unchanged example back-office, with a log of
// what reached it.
type recorder struct {
	mu   sync.Mutex
	seen []*http.Request
	app  http.Handler
}

func (u *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	u.mu.Lock()
	u.seen = append(u.seen, r.Clone(context.Background()))
	u.mu.Unlock()
	u.app.ServeHTTP(w, r)
	return nil
}

func (u *recorder) take() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := u.seen
	u.seen = nil
	return s
}

// gateway is rolegate, provisioned from JSON as Caddy would, in front of the
// example back-office, with the development identity provider as issuer.
type gateway struct {
	h   caddyhttp.MiddlewareHandler
	idp *devidp.Provider
	up  *recorder
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	return newGatewayFor(t, v3Policy, app.New(), nil)
}

// newGatewayFor provisions rolegate for policy in front of upstream, with
// more JSON configuration merged in (enrich, features ...).
func newGatewayFor(t *testing.T, policy string, upstream http.Handler, more map[string]any) *gateway {
	t.Helper()
	var idp *devidp.Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { idp.Handler().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	var err error
	if idp, err = devidp.New(srv.URL, audience); err != nil {
		t.Fatal(err)
	}
	config := map[string]any{
		"policy": policy,
		"bearer": map[string]any{"issuer": srv.URL, "audiences": []string{audience}, "jwks_url": srv.URL + "/jwks"},
	}
	for k, v := range more {
		config[k] = v
	}
	cfg, _ := json.Marshal(config)
	h := new(caddymodule.Handler)
	if err := json.Unmarshal(cfg, h); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := h.Provision(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Cleanup() })
	return &gateway{h: h, idp: idp, up: &recorder{app: upstream}}
}

// do sends one request through the gateway as persona ("" for none).
func (g *gateway) do(t *testing.T, persona, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	if persona != "" {
		tok, err := g.idp.Token(persona, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	repl := caddy.NewReplacer()
	ctx := context.WithValue(r.Context(), caddy.ReplacerCtxKey, repl)
	ctx = context.WithValue(ctx, caddyhttp.VarsCtxKey, map[string]any{})
	r = r.WithContext(ctx)
	w := httptest.NewRecorder()
	if err := g.h.ServeHTTP(w, r, g.up); err != nil {
		if he, ok := err.(caddyhttp.HandlerError); ok {
			w.Code = he.StatusCode
		} else {
			t.Fatalf("%s %s: %v", method, target, err)
		}
	}
	return w
}

// seedCells reads the seed table: page title -> role label -> column -> yes.
func seedCells(t *testing.T) map[string]map[string]map[string]bool {
	t.Helper()
	f, err := os.Open(seedTable)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]map[string]map[string]bool{}
	for _, row := range rows[1:] {
		if cells[row[0]] == nil {
			cells[row[0]] = map[string]map[string]bool{}
		}
		cells[row[0]][row[1]] = map[string]bool{}
		for i, col := range rows[0][2:] {
			cells[row[0]][row[1]][col] = row[i+2] == "yes"
		}
	}
	return cells
}

// concrete turns a route pattern into a request path.
func concrete(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.NewReplacer("{id}", "42", "{key}", "currency", "**", "guide/roles").Replace(path)
	return method, path
}

// TestEveryRoleOnEveryPageOfTheBackOffice drives every route of every page
// of the example back-office as each of the five roles. The expected answer
// comes from seed 001's table, not from the policy: an allowed request must
// reach the app and come back 200 with the trusted identity; a denied one
// must get 403 and never reach the app.
func TestEveryRoleOnEveryPageOfTheBackOffice(t *testing.T) {
	g := newGateway(t)
	doc, err := policy.LoadFile(v3Policy)
	if err != nil {
		t.Fatal(err)
	}
	cells := seedCells(t)
	checked := 0
	for _, pg := range doc.Pages {
		title := pg.Title
		for _, a := range pg.Actions {
			column := a.Kind.Value
			if column == "execute" {
				column = a.Name
			}
			for label, persona := range personaOf {
				want := cells[title][label][column]
				for _, route := range a.Routes {
					method, path := concrete(route.Value)
					w := g.do(t, persona, method, path, nil)
					reached := g.up.take()
					switch {
					case want && (w.Code != http.StatusOK || len(reached) != 1):
						t.Errorf("%s %s as %s: got %d, reached app %d times; the seed allows %s on %q", method, path, label, w.Code, len(reached), column, title)
					case want && reached[0].Header.Get("X-Rolegate-User") != persona:
						t.Errorf("%s %s as %s: app saw user %q", method, path, label, reached[0].Header.Get("X-Rolegate-User"))
					case want && !slices.Contains(strings.Split(reached[0].Header.Get("X-Rolegate-Actions"), ","), pg.ID+"."+a.Name):
						t.Errorf("%s %s as %s: X-Rolegate-Actions %q lacks the action allowed", method, path, label, reached[0].Header.Get("X-Rolegate-Actions"))
					case !want && (w.Code != http.StatusForbidden || len(reached) != 0):
						t.Errorf("%s %s as %s: got %d, reached app %d times; the seed denies %s on %q", method, path, label, w.Code, len(reached), column, title)
					}
					checked++
				}
			}
		}
	}
	if checked < 5*80 {
		t.Fatalf("only %d requests checked", checked)
	}
}

func TestUnmappedRouteIsDenied(t *testing.T) {
	g := newGateway(t)
	for _, target := range []string{"/admin", "/tickets/42/purge", "/tickets/42/delete/"} {
		w := g.do(t, "alice", "POST", target, nil)
		if w.Code != http.StatusForbidden || len(g.up.take()) != 0 {
			t.Errorf("POST %s as ADMIN: %d; an unmapped route must be denied", target, w.Code)
		}
	}
	if w := g.do(t, "alice", "DELETE", "/tickets/42", nil); w.Code != http.StatusForbidden || len(g.up.take()) != 0 {
		t.Errorf("DELETE /tickets/42 (no such route) as ADMIN: %d", w.Code)
	}
}

// TestForgedIdentityHeadersNeverReachTheApp forges the trusted headers, as
// Caddy's forward_auth test does, on an allowed, a public and a signed-in
// route: the app must see only what the gateway set.
func TestForgedIdentityHeadersNeverReachTheApp(t *testing.T) {
	g := newGateway(t)
	forged := http.Header{"X-Rolegate-User": {"mallory"}, "X-Rolegate-Roles": {"ADMIN"}, "x-rolegate-user": {"mallory2"},
		"X-Rolegate-Actions": {"organizer-profile.read"}}
	for _, c := range []struct{ persona, target, user, roles string }{
		{"sam", "/tickets/42", "sam", "SUPPORT"},
		{"", "/static/app.css", "", ""},
		{"bob", "/", "bob", "BASIC"},
	} {
		w := g.do(t, c.persona, "GET", c.target, forged)
		reached := g.up.take()
		if w.Code != http.StatusOK || len(reached) != 1 {
			t.Fatalf("GET %s as %q: %d, reached %d", c.target, c.persona, w.Code, len(reached))
		}
		h := reached[0].Header
		if got := h.Values("X-Rolegate-User"); strings.Join(got, ",") != c.user || strings.Join(h.Values("X-Rolegate-Roles"), ",") != c.roles {
			t.Errorf("GET %s: app saw user %q roles %q, want %q %q", c.target, got, h.Values("X-Rolegate-Roles"), c.user, c.roles)
		}
		if acts := h.Get("X-Rolegate-Actions"); strings.Contains(acts, "organizer-profile") {
			t.Errorf("GET %s: the forged X-Rolegate-Actions reached the app: %q", c.target, acts)
		}
	}
}

func TestHEADIsDecidedAsGET(t *testing.T) {
	g := newGateway(t)
	if w := g.do(t, "sam", "HEAD", "/tickets/42", nil); w.Code != http.StatusOK || len(g.up.take()) != 1 {
		t.Errorf("HEAD /tickets/42 as SUPPORT: %d", w.Code)
	}
	if w := g.do(t, "sam", "HEAD", "/organizer-profile", nil); w.Code != http.StatusForbidden || len(g.up.take()) != 0 {
		t.Errorf("HEAD /organizer-profile as SUPPORT: %d", w.Code)
	}
}

// TestAmbiguousPathsAreRefused tries paths a legacy stack could read as a
// page the user may not see; none may reach the app.
func TestAmbiguousPathsAreRefused(t *testing.T) {
	g := newGateway(t)
	for _, target := range []string{
		"/tickets/42/..%2f..%2forganizer-profile",
		"/tickets/%2e%2e/%2e%2e/organizer-profile",
		"/tickets/42;/../../organizer-profile",
		"/tickets/42%5c..%5corganizer-profile",
		"/tickets/42%00",
		"/tickets/%252e%252e/organizer-profile",
	} {
		w := g.do(t, "sam", "GET", target, nil)
		if w.Code != http.StatusBadRequest || len(g.up.take()) != 0 {
			t.Errorf("GET %s: %d; want 400 and nothing forwarded", target, w.Code)
		}
	}
	w := g.do(t, "sam", "GET", "//tickets//42", nil)
	reached := g.up.take()
	if w.Code != http.StatusOK || len(reached) != 1 || reached[0].URL.Path != "/tickets/42" {
		t.Errorf("GET //tickets//42: %d; the app must receive the canonical /tickets/42", w.Code)
	}
}

func TestMethodOverrideIsRefused(t *testing.T) {
	g := newGateway(t)
	w := g.do(t, "sam", "GET", "/tickets/42", http.Header{"X-Http-Method-Override": {"DELETE"}})
	if w.Code != http.StatusBadRequest || len(g.up.take()) != 0 {
		t.Errorf("method override header: %d", w.Code)
	}
	w = g.do(t, "sam", "POST", "/support/spectator/7/resend?_method=DELETE", nil)
	if w.Code != http.StatusBadRequest || len(g.up.take()) != 0 {
		t.Errorf("_method parameter: %d", w.Code)
	}
}

func TestNoIdentityIsChallenged(t *testing.T) {
	g := newGateway(t)
	w := g.do(t, "", "GET", "/tickets/42", nil)
	if w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" || len(g.up.take()) != 0 {
		t.Errorf("anonymous GET /tickets/42: %d, WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if w := g.do(t, "", "GET", "/static/app.css", nil); w.Code != http.StatusOK {
		t.Errorf("anonymous public route: %d", w.Code)
	}
}
