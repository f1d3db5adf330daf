package app

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const policyFile = "../../../policies/tixngo-backoffice-v3.yaml"

// policyRoutes is the little of the policy file these tests need: the routes
// of every page's actions, and the authenticated and public routes. It is
// read with a plain YAML decoder, not with rolegate's policy package: the
// example app knows nothing of rolegate.
type policyRoutes struct {
	Pages map[string]struct {
		Title   string `yaml:"title"`
		Actions map[string]struct {
			Routes []string `yaml:"routes"`
		} `yaml:"actions"`
	} `yaml:"pages"`
	Authenticated []string `yaml:"authenticated"`
	Public        []string `yaml:"public"`
}

func loadPolicy(t *testing.T) *policyRoutes {
	t.Helper()
	data, err := os.ReadFile(policyFile)
	if err != nil {
		t.Fatal(err)
	}
	var p policyRoutes
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Pages) != 20 || len(p.Authenticated) == 0 || len(p.Public) == 0 {
		t.Fatalf("policy: %d pages, %d authenticated and %d public routes; the file changed shape?", len(p.Pages), len(p.Authenticated), len(p.Public))
	}
	return &p
}

// concrete turns a route pattern into a request: {id} and {key} become 42,
// ** becomes a/b.
func concrete(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(path, "42")
	return method, strings.ReplaceAll(path, "**", "a/b")
}

func serve(h http.Handler, method, path string, header http.Header) *httptest.ResponseRecorder {
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("note=from+the+test")
	}
	r := httptest.NewRequest(method, path, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for name, values := range header {
		r.Header[name] = values
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func isHTML(w *httptest.ResponseRecorder) bool {
	return strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") && strings.Contains(w.Body.String(), "<!doctype html>")
}

func TestEveryPolicyRouteAnswers(t *testing.T) {
	p := loadPolicy(t)
	h := New()
	n := 0
	for id, pg := range p.Pages {
		heading := "<h1>" + template.HTMLEscapeString(pg.Title) + "</h1>"
		for name, a := range pg.Actions {
			if len(a.Routes) == 0 {
				t.Errorf("%s.%s has no routes", id, name)
			}
			for _, route := range a.Routes {
				method, path := concrete(route)
				w := serve(h, method, path, nil)
				switch {
				case w.Code < 200 || w.Code > 299:
					t.Errorf("%s (%s.%s): %s %s answered %d", route, id, name, method, path, w.Code)
				case !isHTML(w):
					t.Errorf("%s %s: not HTML (%s)", method, path, w.Header().Get("Content-Type"))
				case !strings.Contains(w.Body.String(), heading):
					t.Errorf("%s %s: no %s in the page", method, path, heading)
				}
				n++
			}
		}
	}
	for _, route := range p.Authenticated {
		method, path := concrete(route)
		if w := serve(h, method, path, nil); w.Code != http.StatusOK || !isHTML(w) || !strings.Contains(w.Body.String(), "<h1>TIXNGO back-office</h1>") {
			t.Errorf("%s: %d %s", route, w.Code, w.Header().Get("Content-Type"))
		}
		n++
	}
	for _, route := range p.Public {
		method, path := concrete(route)
		// Only files that exist are served: /static/** is tried with the
		// stylesheet every page links to.
		path = strings.Replace(path, "/static/a/b", "/static/app.css", 1)
		w := serve(h, method, path, nil)
		if w.Code != http.StatusOK || w.Body.Len() == 0 {
			t.Errorf("%s: %s %s answered %d with %d bytes", route, method, path, w.Code, w.Body.Len())
		}
		n++
	}
	if n < 80 {
		t.Fatalf("only %d routes tried", n)
	}
}

// TestAppServesExactlyThePolicyRoutes: the app serves nothing the policy
// does not map (it would be denied as unmapped anyway) and nothing the
// policy maps is missing from the app.
func TestAppServesExactlyThePolicyRoutes(t *testing.T) {
	p := loadPolicy(t)
	want := map[string]bool{}
	for _, pg := range p.Pages {
		for _, a := range pg.Actions {
			for _, r := range a.Routes {
				want[r] = true
			}
		}
	}
	for _, r := range append(p.Authenticated, p.Public...) {
		want[r] = true
	}
	got := map[string]bool{}
	for _, r := range routes() {
		if r.policy != "" {
			got[r.policy] = true
		}
	}
	for _, r := range sortedKeys(want) {
		if !got[r] {
			t.Errorf("the policy maps %q; the app does not serve it", r)
		}
	}
	for _, r := range sortedKeys(got) {
		if !want[r] {
			t.Errorf("the app serves %q; the policy does not map it", r)
		}
	}
}

var dataAction = regexp.MustCompile(`data-action="([^"]*)"`)

// TestEveryActionHasAControl: each action of the policy has a control marked
// data-action="<page>.<action>" on the page's list or on a detail page, and
// no control carries a name the policy does not know.
func TestEveryActionHasAControl(t *testing.T) {
	p := loadPolicy(t)
	h := New()
	known := map[string]bool{}
	for id, pg := range p.Pages {
		for name := range pg.Actions {
			known[id+"."+name] = true
		}
	}
	for id, pg := range p.Pages {
		var html strings.Builder
		for _, a := range pg.Actions {
			for _, route := range a.Routes {
				if method, path := concrete(route); method == http.MethodGet && !strings.HasSuffix(route, "/search") {
					html.WriteString(serve(h, method, path, nil).Body.String())
				}
			}
		}
		seen := map[string]bool{}
		for _, m := range dataAction.FindAllStringSubmatch(html.String(), -1) {
			seen[m[1]] = true
		}
		for _, name := range sortedKeys(seen) {
			if !known[name] {
				t.Errorf("page %s: control data-action=%q names no action of the policy", id, name)
			}
		}
		for name := range pg.Actions {
			if !seen[id+"."+name] {
				t.Errorf("page %s: no control with data-action=%q", id, id+"."+name)
			}
		}
	}
}

func TestHeadOnGetRoutes(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	for _, path := range []string{"/", "/tickets/42", "/documentation/guide/roles", "/static/app.css"} {
		resp, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d, %d body bytes, type %q", path, resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
		}
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	h := New()
	for _, c := range []struct {
		method, path string
		code         int
	}{
		{"GET", "/no-such-page", http.StatusNotFound},
		{"POST", "/tickets/42/purge", http.StatusNotFound},
		{"DELETE", "/tickets/42", http.StatusMethodNotAllowed},
		{"GET", "/tickets/42/delete", http.StatusMethodNotAllowed},
		{"GET", "/static/", http.StatusNotFound},
		{"GET", "/static/nothing.css", http.StatusNotFound},
	} {
		if w := serve(h, c.method, c.path, nil); w.Code != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, w.Code, c.code)
		}
	}
}

func TestIdentityHeadersAreShownAndAuthorizationIsNot(t *testing.T) {
	h := New()
	const secret = "Bearer eyJ-very-secret-token"
	w := serve(h, "GET", "/tickets", http.Header{
		"X-Rolegate-User":  {"alice <admin>"},
		"X-Rolegate-Roles": {"ADMIN,SUPPORT"},
		"X-Rolegate-Email": {"alice@example.test"},
		"Authorization":    {secret},
		"Cookie":           {"rolegate_session=also-secret"},
	})
	body := w.Body.String()
	for _, s := range []string{
		"Signed in as <b>alice &lt;admin&gt;</b> with roles <b>ADMIN,SUPPORT</b>",
		`<td data-header="X-Rolegate-User">alice &lt;admin&gt;</td>`,
		`<td data-header="X-Rolegate-Roles">ADMIN,SUPPORT</td>`,
		`<td data-header="X-Rolegate-Email">alice@example.test</td>`,
		`<td data-header="Authorization">present</td>`,
		"<code data-request>GET /tickets</code>",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, s := range []string{"eyJ-very-secret-token", "also-secret", "<admin>", "no identity headers"} {
		if strings.Contains(body, s) {
			t.Errorf("page shows %q", s)
		}
	}

	body = serve(h, "POST", "/tickets/42/delete", http.Header{"Authorization": {"Basic c2VjcmV0"}}).Body.String()
	if !strings.Contains(body, "no identity headers received") || !strings.Contains(body, `<td data-header="Authorization">present</td>`) || strings.Contains(body, "c2VjcmV0") {
		t.Errorf("POST without identity headers, with Authorization: unexpected page\n%s", body)
	}
	if body := serve(h, "GET", "/", nil).Body.String(); !strings.Contains(body, `<td data-header="Authorization">absent</td>`) {
		t.Errorf("GET / without headers: Authorization not reported absent")
	}
}

func TestConfirmationShowsWhatWasDone(t *testing.T) {
	w := serve(New(), "POST", "/spectators/7/logout", nil)
	body := w.Body.String()
	if !strings.Contains(body, `data-done="spectators.logout">Log out spectator: done (spectator 7).`) || !strings.Contains(body, "from the test") {
		t.Errorf("confirmation page:\n%s", body)
	}
}

func TestOrganizerProfileShowsTheFakeAPIKey(t *testing.T) {
	if body := serve(New(), "GET", "/organizer-profile", nil).Body.String(); !strings.Contains(body, "dev-fake-api-key-0000") {
		t.Error("no fake API key on the organizer profile")
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestMarksTheControlsTheGatewayDenies: with the gateway's list of allowed
// actions, the page says which ones the user may use and locks the others;
// a name that could break out of the CSS is dropped.
func TestMarksTheControlsTheGatewayDenies(t *testing.T) {
	r := httptest.NewRequest("GET", "/tickets/42", nil)
	r.Header.Set("X-Rolegate-Actions", `tickets.read,tickets.delete,x"]{}body{display:none`)
	w := httptest.NewRecorder()
	New().ServeHTTP(w, r)
	page := w.Body.String()
	if !strings.Contains(page, `:not([data-action="tickets.read"],[data-action="tickets.delete"]){opacity:.5}`) {
		t.Errorf("no lock style for the other controls:\n%s", page)
	}
	_, style, _ := strings.Cut(page, "<style>")
	style, _, _ = strings.Cut(style, "</style>")
	if strings.Contains(style, "display") {
		t.Error("an unsafe action name reached the style sheet")
	}
	if !strings.Contains(page, "<code>tickets.delete</code>") {
		t.Error("the allowed actions are not listed")
	}
	w = httptest.NewRecorder()
	New().ServeHTTP(w, httptest.NewRequest("GET", "/tickets/42", nil))
	if strings.Contains(w.Body.String(), "opacity:.5") {
		t.Error("controls locked without the gateway's header")
	}
}
