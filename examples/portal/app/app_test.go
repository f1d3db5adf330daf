package app

import (
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// want is one route of the portals: its ServeMux pattern, a concrete
// request, the <h1> of the answer and the page.action it serves ("" for a
// portal's home).
type want struct {
	pattern, path, h1, action string
}

var routeTable = []want{
	// iXpole VIP portal (seed 000).
	{"GET /vip/{$}", "/vip/", "iXpole VIP portal", ""},
	{"GET /vip/accounts/{account}", "/vip/accounts/acme", "Account", "account.read"},
	{"POST /vip/accounts/{account}/edit", "/vip/accounts/acme/edit", "Account", "account.edit"},
	{"GET /vip/accounts/{account}/users", "/vip/accounts/acme/users", "Users", "users.read"},
	{"POST /vip/accounts/{account}/users/{user}/admin", "/vip/accounts/acme/users/u2/admin", "Users", "users.set-admin"},
	{"POST /vip/accounts/{account}/users/{user}/purchaser", "/vip/accounts/acme/users/u2/purchaser", "Users", "users.set-purchaser"},
	{"POST /vip/accounts/{account}/users/{user}/default", "/vip/accounts/acme/users/u2/default", "Users", "users.set-default"},
	{"POST /vip/accounts/{account}/users/{user}/ticket-role", "/vip/accounts/acme/users/u3/ticket-role", "Users", "users.set-ticket-role"},
	{"GET /vip/accounts/{account}/addresses", "/vip/accounts/globex/addresses", "Addresses", "addresses.read"},
	{"POST /vip/accounts/{account}/addresses/{address}/edit", "/vip/accounts/globex/addresses/a1/edit", "Addresses", "addresses.edit"},
	{"GET /vip/accounts/{account}/orders", "/vip/accounts/acme/orders", "Orders", "orders.read"},
	{"GET /vip/accounts/{account}/orders/{order}/invoice", "/vip/accounts/acme/orders/o1/invoice", "Orders", "orders.invoice"},
	{"POST /vip/accounts/{account}/orders", "/vip/accounts/acme/orders", "Orders", "orders.purchase"},
	{"GET /vip/accounts/{account}/sales/{sale}/tickets", "/vip/accounts/acme/sales/s2/tickets", "Tickets", "tickets.read"},
	{"POST /vip/accounts/{account}/sales/{sale}/tickets/{ticket}/manage", "/vip/accounts/acme/sales/s1/tickets/t2/manage", "Tickets", "tickets.manage"},
	// Hosting provider account portal (seed 002).
	{"GET /hosting/{$}", "/hosting/", "Hosting account portal", ""},
	{"GET /hosting/account", "/hosting/account", "Account", "account.read"},
	{"POST /hosting/account/edit", "/hosting/account/edit", "Account", "account.edit"},
	{"GET /hosting/invoices", "/hosting/invoices", "Billing", "billing.read"},
	{"GET /hosting/invoices/{id}", "/hosting/invoices/1001", "Billing", "billing.read"},
	{"POST /hosting/billing/card", "/hosting/billing/card", "Billing", "billing.update-card"},
	{"GET /hosting/billing/notices", "/hosting/billing/notices", "Billing", "billing.notices"},
	{"GET /hosting/tickets", "/hosting/tickets", "Support", "support.read"},
	{"GET /hosting/tickets/{id}", "/hosting/tickets/7", "Support", "support.read"},
	{"POST /hosting/tickets", "/hosting/tickets", "Support", "support.open"},
	{"GET /hosting/services/{id}/login-details", "/hosting/services/9/login-details", "Support", "support.login-details"},
	{"GET /hosting/contacts", "/hosting/contacts", "Account contacts", "contacts.read"},
	{"POST /hosting/contacts", "/hosting/contacts", "Account contacts", "contacts.authorize"},
	{"POST /hosting/contacts/{id}/delete", "/hosting/contacts/2/delete", "Account contacts", "contacts.remove"},
	{"GET /hosting/services", "/hosting/services", "Services", "services.read"},
	{"POST /hosting/services", "/hosting/services", "Services", "services.order"},
	{"POST /hosting/services/{id}/cancel", "/hosting/services/7/cancel", "Services", "services.cancel"},
	// vTiger customer portal (seed 004).
	{"GET /crm/{$}", "/crm/", "vTiger customer portal", ""},
	{"GET /crm/invoices", "/crm/invoices", "Invoices", "invoices.read"},
	{"GET /crm/invoices/{id}", "/crm/invoices/12", "Invoices", "invoices.read"},
	{"GET /crm/quotes", "/crm/quotes", "Quotes", "quotes.read"},
	{"GET /crm/quotes/{id}", "/crm/quotes/4", "Quotes", "quotes.read"},
	{"POST /crm/quotes/{id}/accept", "/crm/quotes/4/accept", "Quotes", "quotes.accept"},
	{"GET /crm/payments", "/crm/payments", "Payments", "payments.read"},
	{"GET /crm/payments/{id}", "/crm/payments/21", "Payments", "payments.read"},
	{"GET /crm/tickets", "/crm/tickets", "Tickets", "tickets.read"},
	{"GET /crm/tickets/{id}", "/crm/tickets/9", "Tickets", "tickets.read"},
	{"POST /crm/tickets", "/crm/tickets", "Tickets", "tickets.create"},
	{"POST /crm/tickets/{id}/comments", "/crm/tickets/9/comments", "Tickets", "tickets.comment"},
	{"GET /crm/sales-orders", "/crm/sales-orders", "Sales Order", "sales-orders.read"},
	{"GET /crm/sales-orders/{id}", "/crm/sales-orders/2", "Sales Order", "sales-orders.read"},
	{"GET /crm/purchase-orders", "/crm/purchase-orders", "Purchase Order", "purchase-orders.read"},
	{"GET /crm/purchase-orders/{id}", "/crm/purchase-orders/3", "Purchase Order", "purchase-orders.read"},
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

var paramValue = regexp.MustCompile(`\{([a-z_]+)\}`)

func TestEveryRouteAnswers(t *testing.T) {
	h := New()
	for _, c := range routeTable {
		method, _, _ := strings.Cut(c.pattern, " ")
		w := serve(h, method, c.path, nil)
		body := w.Body.String()
		heading := "<h1>" + template.HTMLEscapeString(c.h1) + "</h1>"
		switch {
		case w.Code != http.StatusOK:
			t.Errorf("%s %s: %d", method, c.path, w.Code)
			continue
		case !isHTML(w):
			t.Errorf("%s %s: not HTML (%s)", method, c.path, w.Header().Get("Content-Type"))
		case !strings.Contains(body, heading):
			t.Errorf("%s %s: no %s in the page", method, c.path, heading)
		}
		if method == http.MethodPost && (!strings.Contains(body, `data-done="`+c.action+`"`) || !strings.Contains(body, ": done") || !strings.Contains(body, "from the test")) {
			t.Errorf("POST %s: no confirmation of %s with the form fields", c.path, c.action)
		}
		// Each path parameter is shown with the value of the request.
		names := paramValue.FindAllStringSubmatch(c.pattern, -1)
		segs := strings.Split(c.path, "/")
		for i, seg := range strings.Split(strings.TrimPrefix(c.pattern, method+" "), "/") {
			if m := paramValue.FindStringSubmatch(seg); m != nil {
				if s := `<dd data-param="` + m[1] + `">` + segs[i] + `</dd>`; !strings.Contains(body, s) {
					t.Errorf("%s %s: parameter not shown: no %s", method, c.path, s)
				}
				names = names[1:]
			}
		}
		if len(names) != 0 {
			t.Errorf("%s: parameters %v not checked", c.pattern, names)
		}
	}
	if n := serve(h, "GET", "/static/app.css", nil); n.Code != http.StatusOK || !strings.Contains(n.Header().Get("Content-Type"), "css") {
		t.Errorf("GET /static/app.css: %d %s", n.Code, n.Header().Get("Content-Type"))
	}
	if n := serve(h, "GET", "/favicon.ico", nil); n.Code != http.StatusOK || n.Body.Len() == 0 {
		t.Errorf("GET /favicon.ico: %d, %d bytes", n.Code, n.Body.Len())
	}
}

// TestTheTableIsEveryRoute: the app serves exactly the routes of the table,
// each as the page.action the table says.
func TestTheTableIsEveryRoute(t *testing.T) {
	served := map[string]string{}
	for _, pt := range portals {
		for _, rt := range pt.Routes {
			if _, dup := served[rt.Pattern]; dup {
				t.Errorf("%s served twice", rt.Pattern)
			}
			served[rt.Pattern] = strings.Trim(rt.Page+"."+rt.Action, ".")
		}
	}
	listed := map[string]bool{}
	for _, c := range routeTable {
		listed[c.pattern] = true
		if a, ok := served[c.pattern]; !ok {
			t.Errorf("the app does not serve %s", c.pattern)
		} else if a != c.action {
			t.Errorf("%s: the app calls it %q, want %q", c.pattern, a, c.action)
		}
	}
	for p := range served {
		if !listed[p] {
			t.Errorf("the app serves %s, which the table does not list", p)
		}
	}
}

var dataAction = regexp.MustCompile(`data-action="([^"]*)"`)

// TestEveryActionHasAControl: each page.action of a portal has a control
// marked data-action="<page>.<action>" on one of the portal's GET pages,
// and no control of the portal carries a name the portal does not know.
func TestEveryActionHasAControl(t *testing.T) {
	h := New()
	for _, prefix := range []string{"/vip/", "/hosting/", "/crm/"} {
		known := map[string]bool{}
		var html strings.Builder
		for _, c := range routeTable {
			if !strings.HasPrefix(c.path, prefix) {
				continue
			}
			if c.action != "" {
				known[c.action] = true
			}
			if strings.HasPrefix(c.pattern, "GET ") {
				html.WriteString(serve(h, "GET", c.path, nil).Body.String())
			}
		}
		seen := map[string]bool{}
		for _, m := range dataAction.FindAllStringSubmatch(html.String(), -1) {
			seen[m[1]] = true
			if !known[m[1]] {
				t.Errorf("%s: control data-action=%q names no action of the portal", prefix, m[1])
			}
		}
		for a := range known {
			if !seen[a] {
				t.Errorf("%s: no control with data-action=%q", prefix, a)
			}
		}
		if len(known) < 9 {
			t.Errorf("%s: only %d actions", prefix, len(known))
		}
	}
}

func TestHeadOnGetRoutes(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	for _, path := range []string{"/vip/", "/vip/accounts/acme/sales/s1/tickets", "/hosting/invoices/3", "/crm/quotes", "/static/app.css", "/favicon.ico"} {
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
		{"GET", "/", http.StatusNotFound},
		{"GET", "/vip/accounts", http.StatusNotFound},
		{"GET", "/vip/accounts/acme/sales/s1", http.StatusNotFound},
		{"POST", "/vip/accounts/acme/users/u1/delete", http.StatusNotFound},
		{"GET", "/hosting/nothing", http.StatusNotFound},
		{"GET", "/crm/leads", http.StatusNotFound},
		{"GET", "/static/", http.StatusNotFound},
		{"GET", "/static/nothing.css", http.StatusNotFound},
		{"POST", "/vip/", http.StatusMethodNotAllowed},
		{"GET", "/vip/accounts/acme/edit", http.StatusMethodNotAllowed},
		{"DELETE", "/vip/accounts/acme", http.StatusMethodNotAllowed},
		{"GET", "/vip/accounts/acme/users/u1/admin", http.StatusMethodNotAllowed},
		{"PUT", "/hosting/account", http.StatusMethodNotAllowed},
		{"GET", "/hosting/billing/card", http.StatusMethodNotAllowed},
		{"GET", "/hosting/services/7/cancel", http.StatusMethodNotAllowed},
		{"POST", "/hosting/invoices", http.StatusMethodNotAllowed},
		{"POST", "/crm/invoices", http.StatusMethodNotAllowed},
		{"GET", "/crm/quotes/4/accept", http.StatusMethodNotAllowed},
		{"DELETE", "/crm/tickets/9", http.StatusMethodNotAllowed},
	} {
		if w := serve(h, c.method, c.path, nil); w.Code != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, w.Code, c.code)
		}
	}
}
