package app

import (
	"html/template"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// policyRoutes is the little of a policy file these tests need. It is read
// with a plain YAML decoder, not with rolegate's policy package: the example
// app knows nothing of rolegate.
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

// policies are the policy files of the three portals, by URL prefix.
var policies = map[string]string{
	"/vip/":     "../../../policies/ixpole-vip-portal.yaml",
	"/hosting/": "../../../policies/hosting-account-contacts.yaml",
	"/crm/":     "../../../policies/vtiger-customer-portal.yaml",
}

// TestServesExactlyThePolicyRoutes: for each portal, the app serves every
// route its policy maps, as the page.action the policy gives it and with
// the policy's page title as <h1>, and nothing the policy does not map.
func TestServesExactlyThePolicyRoutes(t *testing.T) {
	app := map[string]string{} // pattern as the policy writes it -> page.action
	for _, pt := range portals {
		for _, rt := range pt.Routes {
			app[strings.Replace(rt.Pattern, "{$}", "", 1)] = strings.Trim(rt.Page+"."+rt.Action, ".")
		}
	}
	paths := map[string]string{} // pattern as the policy writes it -> concrete path
	for _, c := range routeTable {
		paths[strings.Replace(c.pattern, "{$}", "", 1)] = c.path
	}
	h := New()
	for prefix, file := range policies {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var p policyRoutes
		if err := yaml.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		mapped := map[string]bool{}
		for id, pg := range p.Pages {
			for name, a := range pg.Actions {
				for _, r := range a.Routes {
					mapped[r] = true
					if got, ok := app[r]; !ok {
						t.Errorf("%s maps %q; the app does not serve it", file, r)
						continue
					} else if got != id+"."+name {
						t.Errorf("%s: %q is %s.%s; the app serves it as %s", file, r, id, name, got)
					}
					method, _, _ := strings.Cut(r, " ")
					w := serve(h, method, paths[r], nil)
					if heading := "<h1>" + template.HTMLEscapeString(pg.Title) + "</h1>"; w.Code != 200 || !strings.Contains(w.Body.String(), heading) {
						t.Errorf("%s %s: %d, want 200 with %s", method, paths[r], w.Code, heading)
					}
				}
			}
		}
		for _, r := range p.Authenticated {
			mapped[r] = true
			if got, ok := app[r]; !ok || got != "" {
				t.Errorf("%s: authenticated route %q is not the portal's home", file, r)
			}
		}
		if len(p.Public) != 2 || len(mapped) < 10 {
			t.Errorf("%s: %d public and %d mapped routes; the file changed shape?", file, len(p.Public), len(mapped))
		}
		for r := range app {
			if _, path, _ := strings.Cut(r, " "); strings.HasPrefix(path, prefix) && !mapped[r] {
				t.Errorf("the app serves %q; %s does not map it", r, file)
			}
		}
	}
}
