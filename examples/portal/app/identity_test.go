package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIdentityHeadersAreShownAndSecretsAreNot(t *testing.T) {
	h := New()
	const secret = "Bearer eyJ-very-secret-token"
	for _, path := range []string{"/vip/accounts/acme/users", "/hosting/contacts", "/crm/tickets/9"} {
		body := serve(h, "GET", path, http.Header{
			"X-Rolegate-User":  {"alice <admin>"},
			"X-Rolegate-Roles": {"ADMINISTRATOR,TICKETS_ALL"},
			"X-Rolegate-Email": {"alice@example.test"},
			"Authorization":    {secret},
			"Cookie":           {"rolegate_session=also-secret"},
		}).Body.String()
		for _, s := range []string{
			"Signed in as <b>alice &lt;admin&gt;</b> with roles <b>ADMINISTRATOR,TICKETS_ALL</b>",
			`<td data-header="X-Rolegate-User">alice &lt;admin&gt;</td>`,
			`<td data-header="X-Rolegate-Roles">ADMINISTRATOR,TICKETS_ALL</td>`,
			`<td data-header="X-Rolegate-Email">alice@example.test</td>`,
			`<td data-header="Authorization">present</td>`,
			`<td data-header="Cookie">present</td>`,
			"<code data-request>GET " + path + "</code>",
		} {
			if !strings.Contains(body, s) {
				t.Errorf("%s: page lacks %q", path, s)
			}
		}
		for _, s := range []string{"eyJ-very-secret-token", "also-secret", "rolegate_session", "<admin>", "no identity headers"} {
			if strings.Contains(body, s) {
				t.Errorf("%s: page shows %q", path, s)
			}
		}
	}

	body := serve(h, "POST", "/hosting/services/7/cancel", http.Header{"Authorization": {"Basic c2VjcmV0"}, "Cookie": {"sid=c29tZQ"}}).Body.String()
	if !strings.Contains(body, "no identity headers received") || !strings.Contains(body, `<td data-header="Authorization">present</td>`) || strings.Contains(body, "c2VjcmV0") || strings.Contains(body, "c29tZQ") {
		t.Errorf("POST without identity headers, with Authorization and Cookie: unexpected page\n%s", body)
	}
	body = serve(h, "GET", "/crm/", nil).Body.String()
	if !strings.Contains(body, `<td data-header="Authorization">absent</td>`) || !strings.Contains(body, `<td data-header="Cookie">absent</td>`) {
		t.Errorf("GET /crm/ without headers: Authorization and Cookie not reported absent")
	}
}

// TestMarksTheControlsTheGatewayDenies: with the gateway's list of allowed
// actions, the page says which ones the user may use and locks the others;
// a name that could break out of the CSS is dropped.
func TestMarksTheControlsTheGatewayDenies(t *testing.T) {
	r := httptest.NewRequest("GET", "/vip/accounts/acme/users", nil)
	r.Header.Set("X-Rolegate-Actions", `users.read,users.set-ticket-role,x"]{}body{display:none`)
	w := httptest.NewRecorder()
	New().ServeHTTP(w, r)
	page := w.Body.String()
	if !strings.Contains(page, `.tools [data-action^="users."]:not([data-action="users.read"],[data-action="users.set-ticket-role"]){opacity:.5}`) {
		t.Errorf("no lock style for the other controls:\n%s", page)
	}
	_, style, _ := strings.Cut(page, "<style>")
	style, _, _ = strings.Cut(style, "</style>")
	if strings.Contains(style, "display") {
		t.Error("an unsafe action name reached the style sheet")
	}
	if !strings.Contains(page, "<code>users.set-ticket-role</code>") || !strings.Contains(page, `<td class="tools"><form method="post" action="/vip/accounts/acme/users/u1/admin" data-action="users.set-admin"`) {
		t.Error("the allowed actions are not listed, or the controls are not in a .tools block")
	}
	for _, path := range []string{"/vip/accounts/acme/users", "/vip/"} {
		w = httptest.NewRecorder()
		New().ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if strings.Contains(w.Body.String(), "opacity:.5") || strings.Contains(w.Body.String(), "data-allowed") {
			t.Errorf("%s: controls locked without the gateway's header", path)
		}
	}
	// An empty list (no action of the page allowed) locks every control.
	r = httptest.NewRequest("GET", "/hosting/services", nil)
	r.Header.Set("X-Rolegate-Actions", "")
	w = httptest.NewRecorder()
	New().ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), `<style>.tools [data-action^="services."]{opacity:.5}`) {
		t.Errorf("an empty list does not lock the page's controls:\n%s", w.Body.String())
	}
}
