package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestV4ServesEveryRouteOfTheV4Policy reads the V4 policy's routes and sends
// each to the app: 200, HTML, the page's title, and a control for every
// action of the page.
func TestV4ServesEveryRouteOfTheV4Policy(t *testing.T) {
	raw, err := os.ReadFile("../../../policies/tixngo-backoffice-v4.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Pages map[string]struct {
			Title   string
			Actions map[string]struct{ Routes []string }
		}
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	h := New()
	n := 0
	for id, pg := range doc.Pages {
		for name, a := range pg.Actions {
			for _, route := range a.Routes {
				method, path, _ := strings.Cut(route, " ")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(method, example(path), nil))
				body := w.Body.String()
				if w.Code != http.StatusOK || !strings.Contains(body, "<h1>"+htmlEscape(pg.Title)+"</h1>") {
					t.Errorf("%s: %d", route, w.Code)
				}
				if !strings.Contains(body, `data-action="`+id+"."+name+`"`) {
					t.Errorf("%s: no control for %s.%s", route, id, name)
				}
				n++
			}
		}
	}
	if n < 70 {
		t.Fatalf("only %d V4 routes", n)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/v4/settings/assignment", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("the replaced assignment configuration answers %d", w.Code)
	}
	if !slices.ContainsFunc(v4Pages, func(p v4Page) bool { return p.ID == "ticket-configuration" }) {
		t.Error("no ticket configuration page")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", ">", "&gt;", "<", "&lt;").Replace(s)
}
