package app

import (
	"net/http"
	"net/url"
)

// The vTiger CRM customer portal (seed 004): the modules a contact of a
// customer organization sees (Invoices, Quotes, the custom Payments module,
// Tickets, Sales Order and Purchase Order). Which profile sees which module
// is the gateway's business. Page IDs and action names are those of
// policies/vtiger-customer-portal.yaml.

// crmModule is one module of the portal: a list and a detail page.
type crmModule struct {
	ID, Title, Path, Noun string
	Rows                  []field // id and description
	// Tools are the list's controls; RowTools a row's (and the detail's).
	Tools    []control
	RowTools func(id string) []control
}

var crmModules = []*crmModule{
	{ID: "invoices", Title: "Invoices", Path: "/crm/invoices", Noun: "Invoice", Rows: []field{{"12", "Annual support contract"}, {"13", "Consulting, March"}}},
	{ID: "quotes", Title: "Quotes", Path: "/crm/quotes", Noun: "Quote", Rows: []field{{"4", "Server upgrade"}, {"5", "Training day"}},
		RowTools: func(id string) []control {
			c := form("Accept quote", "/crm/quotes/"+url.PathEscape(id)+"/accept", "quotes.accept")
			c.ID = id
			return []control{c}
		}},
	{ID: "payments", Title: "Payments", Path: "/crm/payments", Noun: "Payment", Rows: []field{{"21", "Bank transfer, EUR 1,200.00"}, {"22", "Credit card, EUR 300.00"}}},
	{ID: "tickets", Title: "Tickets", Path: "/crm/tickets", Noun: "Ticket", Rows: []field{{"9", "Printer offline"}, {"10", "Password reset"}},
		Tools: []control{form("Open a ticket", "/crm/tickets", "tickets.create", text("title"))},
		RowTools: func(id string) []control {
			c := form("Add comment", "/crm/tickets/"+url.PathEscape(id)+"/comments", "tickets.comment", text("comment"))
			c.ID = id
			return []control{c}
		}},
	{ID: "sales-orders", Title: "Sales Order", Path: "/crm/sales-orders", Noun: "Sales order", Rows: []field{{"2", "10 licences"}, {"3", "Support renewal"}}},
	{ID: "purchase-orders", Title: "Purchase Order", Path: "/crm/purchase-orders", Noun: "Purchase order", Rows: []field{{"2", "Spare parts"}, {"3", "Cabling"}}},
}

func crmNav(*http.Request) []control {
	var out []control
	for _, m := range crmModules {
		out = append(out, link(m.Title, m.Path, m.ID+".read"))
	}
	return out
}

var crm = &portal{
	Name: "vTiger customer portal", Prefix: "/crm",
	Intro: "The customer portal of our CRM: your invoices, quotes, payments, tickets, sales orders and purchase orders.",
	Nav:   crmNav,
}

func init() {
	crm.Titles = map[string]string{}
	crm.Routes = []route{{Pattern: "GET /crm/{$}", Build: func(r *http.Request, v *view) {
		v.Text = v.Portal.Intro
		v.Links = crmNav(r)
	}}}
	for _, m := range crmModules {
		crm.Titles[m.ID] = m.Title
		crm.Routes = append(crm.Routes, crmRoutes(m)...)
	}
	crm.Routes = append(crm.Routes,
		route{Pattern: "POST /crm/quotes/{id}/accept", Page: "quotes", Action: "accept", Label: "Accept quote", Build: crmBack(crmModules[1])},
		route{Pattern: "POST /crm/tickets", Page: "tickets", Action: "create", Label: "Open a ticket", Build: crmBack(crmModules[3])},
		route{Pattern: "POST /crm/tickets/{id}/comments", Page: "tickets", Action: "comment", Label: "Add comment", Build: crmBack(crmModules[3])},
	)
}

// crmRoutes are a module's list and detail pages.
func crmRoutes(m *crmModule) []route {
	list := func(_ *http.Request, v *view) {
		v.Tools = m.Tools
		v.Table = &table{Head: []string{m.Noun, "Description", "Actions"}}
		for _, rw := range m.Rows {
			var tools []control
			if m.RowTools != nil {
				tools = m.RowTools(rw.Name)
			}
			v.Table.Rows = append(v.Table.Rows, row{Link: control{Label: "#" + rw.Name, Href: m.Path + "/" + rw.Name, Action: m.ID + ".read", ID: rw.Name}, Cells: []string{rw.Value}, Tools: tools})
		}
	}
	detail := func(r *http.Request, v *view) {
		id := r.PathValue("id")
		v.Sub = m.Noun + " " + id
		v.Info = []field{{m.Noun, id}, {"Organization", "Example Customer Inc (fake)"}}
		for _, rw := range m.Rows {
			if rw.Name == id {
				v.Info = append(v.Info, field{"Description", rw.Value})
			}
		}
		if m.RowTools != nil {
			v.Tools = m.RowTools(id)
		}
		crmBack(m)(r, v)
	}
	return []route{
		{Pattern: "GET " + m.Path, Page: m.ID, Action: "read", Build: list},
		{Pattern: "GET " + m.Path + "/{id}", Page: m.ID, Action: "read", Build: detail},
	}
}

func crmBack(m *crmModule) func(*http.Request, *view) {
	return func(_ *http.Request, v *view) { v.back("Back to "+m.Title, m.Path, m.ID+".read") }
}
