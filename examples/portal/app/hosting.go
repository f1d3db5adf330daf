package app

import (
	"net/http"
	"net/url"
)

// The hosting provider's account portal (seed 002): the account, billing
// (invoices, credit card, billing notices), support (tickets, login details
// of the services), the account's contacts and its services. Page IDs and
// action names are those of policies/hosting-account-contacts.yaml.

var (
	hostingInvoices = []field{{"1001", "2026-02-01, EUR 49.00"}, {"1002", "2026-03-01, EUR 49.00"}}
	hostingTickets  = []field{{"7", "Mail bounces"}, {"8", "DNS change"}}
	hostingServices = []field{{"7", "VPS Medium"}, {"9", "Shared hosting Basic"}}
	hostingContacts = []struct{ ID, Name, Role string }{
		{"1", "Olivia Owner", "Account owner"},
		{"2", "Bill Billing", "Billing only"},
		{"3", "Sam Support", "Support only"},
	}
	contactRoles = []string{"Billing only", "Support only", "Billing and support", "Account Administrator"}
)

func hostingNav(*http.Request) []control {
	return []control{
		link("Account", "/hosting/account", "account.read"),
		link("Invoices", "/hosting/invoices", "billing.read"),
		link("Billing notices", "/hosting/billing/notices", "billing.notices"),
		link("Support tickets", "/hosting/tickets", "support.read"),
		link("Contacts", "/hosting/contacts", "contacts.read"),
		link("Services", "/hosting/services", "services.read"),
	}
}

func cardForm() control {
	return form("Update credit card", "/hosting/billing/card", "billing.update-card", text("card_number"))
}

// hostingBack returns a Build that links back to a page.
func hostingBack(label, href, action string) func(*http.Request, *view) {
	return func(_ *http.Request, v *view) { v.back(label, href, action) }
}

var hosting = &portal{
	Name: "Hosting account portal", Prefix: "/hosting",
	Intro:  "Your hosting account: billing, support, the contacts allowed on the account, and your services.",
	Titles: map[string]string{"account": "Account", "billing": "Billing", "support": "Support", "contacts": "Account contacts", "services": "Services"},
	Nav:    hostingNav,
	Routes: []route{
		{Pattern: "GET /hosting/{$}", Build: func(r *http.Request, v *view) {
			v.Text = v.Portal.Intro
			v.Links = hostingNav(r)
		}},
		{Pattern: "GET /hosting/account", Page: "account", Action: "read", Build: func(_ *http.Request, v *view) {
			v.Info = []field{{"Company", "Example Hosting Customer Ltd"}, {"Account owner", "Olivia Owner"}, {"Customer number", "C-20417"}}
			v.Tools = []control{form("Edit account", "/hosting/account/edit", "account.edit", text("company"))}
		}},
		{Pattern: "POST /hosting/account/edit", Page: "account", Action: "edit", Label: "Edit account", Build: hostingBack("Back to the account", "/hosting/account", "account.read")},
		{Pattern: "GET /hosting/invoices", Page: "billing", Action: "read", Build: func(_ *http.Request, v *view) {
			v.Sub = "Invoices"
			v.Tools = []control{cardForm(), link("Billing notices", "/hosting/billing/notices", "billing.notices")}
			v.Table = &table{Head: []string{"Invoice", "Date and amount", ""}}
			for _, inv := range hostingInvoices {
				v.Table.Rows = append(v.Table.Rows, row{Link: control{Label: "#" + inv.Name, Href: "/hosting/invoices/" + inv.Name, Action: "billing.read", ID: inv.Name}, Cells: []string{inv.Value}})
			}
		}},
		{Pattern: "GET /hosting/invoices/{id}", Page: "billing", Action: "read", Build: func(r *http.Request, v *view) {
			v.Sub = "Invoice " + r.PathValue("id")
			v.Info = []field{{"Invoice", r.PathValue("id")}, {"Amount", "EUR 49.00 (fake)"}, {"Paid with", "credit card ending 4242 (fake)"}}
			v.Tools = []control{cardForm()}
			v.back("Back to the invoices", "/hosting/invoices", "billing.read")
		}},
		{Pattern: "POST /hosting/billing/card", Page: "billing", Action: "update-card", Label: "Update credit card", Build: hostingBack("Back to the invoices", "/hosting/invoices", "billing.read")},
		{Pattern: "GET /hosting/billing/notices", Page: "billing", Action: "notices", Build: func(_ *http.Request, v *view) {
			v.Sub = "Billing notices"
			v.Info = []field{{"2026-03-01", "Your monthly invoice #1002 is available."}, {"2026-02-20", "Your credit card expires next month."}}
			v.Tools = []control{cardForm()}
			v.back("Back to the invoices", "/hosting/invoices", "billing.read")
		}},
		{Pattern: "GET /hosting/tickets", Page: "support", Action: "read", Build: func(_ *http.Request, v *view) {
			v.Sub = "Support tickets"
			v.Tools = []control{form("Open a support ticket", "/hosting/tickets", "support.open", text("subject"))}
			v.Table = &table{Head: []string{"Ticket", "Subject", ""}}
			for _, t := range hostingTickets {
				v.Table.Rows = append(v.Table.Rows, row{Link: control{Label: "#" + t.Name, Href: "/hosting/tickets/" + t.Name, Action: "support.read", ID: t.Name}, Cells: []string{t.Value}})
			}
		}},
		{Pattern: "GET /hosting/tickets/{id}", Page: "support", Action: "read", Build: func(r *http.Request, v *view) {
			v.Sub = "Support ticket " + r.PathValue("id")
			v.Info = []field{{"Ticket", r.PathValue("id")}, {"Status", "open"}, {"Last reply", "Support team, 2 hours ago (fake)"}}
			v.back("Back to the support tickets", "/hosting/tickets", "support.read")
		}},
		{Pattern: "POST /hosting/tickets", Page: "support", Action: "open", Label: "Open a support ticket", Build: hostingBack("Back to the support tickets", "/hosting/tickets", "support.read")},
		{Pattern: "GET /hosting/services/{id}/login-details", Page: "support", Action: "login-details", Build: func(r *http.Request, v *view) {
			v.Sub = "Login details of service " + r.PathValue("id")
			v.Info = []field{{"Host", "srv" + r.PathValue("id") + ".hosting.example"}, {"User name", "customer"}, {"Password", "example-only (fake)"}}
			v.back("Back to the services", "/hosting/services", "services.read")
		}},
		{Pattern: "GET /hosting/contacts", Page: "contacts", Action: "read", Build: func(_ *http.Request, v *view) {
			v.Sub = "Contacts allowed on the account"
			v.Text = "Only the account owner may cancel services; an Account Administrator may do anything else the owner may, except ordering and cancelling services."
			v.Tools = []control{form("Authorize an additional contact", "/hosting/contacts", "contacts.authorize", text("email"), input{Name: "role", Value: contactRoles[0], Options: contactRoles})}
			v.Table = &table{Head: []string{"Contact", "Name", "Role", "Actions"}}
			for _, c := range hostingContacts {
				var tools []control
				if c.Role != "Account owner" {
					f := form("Remove contact", "/hosting/contacts/"+c.ID+"/delete", "contacts.remove")
					f.ID = c.ID
					tools = append(tools, f)
				}
				v.Table.Rows = append(v.Table.Rows, row{Link: control{Label: c.ID}, Cells: []string{c.Name, c.Role}, Tools: tools})
			}
		}},
		{Pattern: "POST /hosting/contacts", Page: "contacts", Action: "authorize", Label: "Authorize an additional contact", Build: hostingBack("Back to the contacts", "/hosting/contacts", "contacts.read")},
		{Pattern: "POST /hosting/contacts/{id}/delete", Page: "contacts", Action: "remove", Label: "Remove contact", Build: hostingBack("Back to the contacts", "/hosting/contacts", "contacts.read")},
		{Pattern: "GET /hosting/services", Page: "services", Action: "read", Build: func(_ *http.Request, v *view) {
			v.Tools = []control{form("Order a new service", "/hosting/services", "services.order", input{Name: "plan", Value: "VPS Small", Options: []string{"VPS Small", "VPS Medium", "Shared hosting Basic"}})}
			v.Table = &table{Head: []string{"Service", "Plan", "Actions"}}
			for _, s := range hostingServices {
				id := url.PathEscape(s.Name)
				cancel := form("Cancel service", "/hosting/services/"+id+"/cancel", "services.cancel")
				details := link("Login details", "/hosting/services/"+id+"/login-details", "support.login-details")
				cancel.ID, details.ID = s.Name, s.Name
				v.Table.Rows = append(v.Table.Rows, row{Link: control{Label: s.Name}, Cells: []string{s.Value}, Tools: []control{details, cancel}})
			}
		}},
		{Pattern: "POST /hosting/services", Page: "services", Action: "order", Label: "Order a new service", Build: hostingBack("Back to the services", "/hosting/services", "services.read")},
		{Pattern: "POST /hosting/services/{id}/cancel", Page: "services", Action: "cancel", Label: "Cancel service", Build: hostingBack("Back to the services", "/hosting/services", "services.read")},
	},
}
