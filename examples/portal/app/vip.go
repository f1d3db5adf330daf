package app

import (
	"net/http"
	"net/url"
)

// The iXpole VIP portal (seed 000): the users of a customer Account, their
// administrator and purchaser rights, ticket role and default contact, the
// Account's addresses, orders and the tickets of its sales. Page IDs and
// action names are those of policies/ixpole-vip-portal.yaml.

type vipUser struct {
	ID, Name, TicketRole     string
	Admin, Purchaser, Defalt bool
}

var (
	vipAccounts = map[string]string{"acme": "Acme Corp", "globex": "Globex Corporation"}
	vipUsers    = []vipUser{
		{ID: "u1", Name: "Ann Admin", TicketRole: "All", Admin: true, Purchaser: true, Defalt: true},
		{ID: "u2", Name: "Paul Purchaser", TicketRole: "Contract", Purchaser: true},
		{ID: "u3", Name: "Vera Visitor", TicketRole: "None"},
	}
	vipSales   = []field{{"s1", "Season 2026 boxes"}, {"s2", "Cup final hospitality"}, {"s3", "Summer concert"}}
	vipTickets = []string{"t1", "t2"}
	ticketRole = []string{"All", "Contract", "None"}
)

// accountURL is the URL of an Account's page, plus a suffix.
func accountURL(r *http.Request, suffix string) string {
	return "/vip/accounts/" + url.PathEscape(r.PathValue("account")) + suffix
}

func accountName(id string) string {
	if n, ok := vipAccounts[id]; ok {
		return n
	}
	return "Example account " + id
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

var vip = &portal{
	Name: "iXpole VIP portal", Prefix: "/vip",
	Intro:  "The VIP Portal of your Account: its users and their rights, addresses, orders and invoices, and the tickets of its sales.",
	Titles: map[string]string{"account": "Account", "users": "Users", "addresses": "Addresses", "orders": "Orders", "tickets": "Tickets"},
	Nav: func(r *http.Request) []control {
		if r.PathValue("account") == "" {
			return []control{link("Account acme", "/vip/accounts/acme", "account.read"), link("Account globex", "/vip/accounts/globex", "account.read")}
		}
		return []control{
			link("Account", accountURL(r, ""), "account.read"),
			link("Users", accountURL(r, "/users"), "users.read"),
			link("Addresses", accountURL(r, "/addresses"), "addresses.read"),
			link("Order history and invoices", accountURL(r, "/orders"), "orders.read"),
		}
	},
	Routes: []route{
		{Pattern: "GET /vip/{$}", Build: func(r *http.Request, v *view) {
			v.Text = v.Portal.Intro
			for _, id := range []string{"acme", "globex"} {
				v.Links = append(v.Links, link("Account "+id+" ("+vipAccounts[id]+")", "/vip/accounts/"+id, "account.read"))
			}
		}},
		{Pattern: "GET /vip/accounts/{account}", Page: "account", Action: "read", Build: func(r *http.Request, v *view) {
			v.Sub = "Account " + r.PathValue("account")
			v.Info = []field{{"Name", accountName(r.PathValue("account"))}, {"Online purchases", "allowed (Back-Office setting)"}, {"Default contact", "u1 (Ann Admin)"}}
			v.Tools = []control{form("Edit account data", accountURL(r, "/edit"), "account.edit", text("name"))}
			v.Links = []control{
				link("Users", accountURL(r, "/users"), "users.read"),
				link("Addresses", accountURL(r, "/addresses"), "addresses.read"),
				link("Order history and invoices", accountURL(r, "/orders"), "orders.read"),
			}
			for _, s := range vipSales {
				v.Links = append(v.Links, link("Tickets of sale "+s.Name+" ("+s.Value+")", accountURL(r, "/sales/"+s.Name+"/tickets"), "tickets.read"))
			}
		}},
		{Pattern: "POST /vip/accounts/{account}/edit", Page: "account", Action: "edit", Label: "Edit account data", Build: backTo("Back to the account", "", "account.read")},
		{Pattern: "GET /vip/accounts/{account}/users", Page: "users", Action: "read", Build: vipUsersPage},
		{Pattern: "POST /vip/accounts/{account}/users/{user}/admin", Page: "users", Action: "set-admin", Label: "Make administrator / Remove admin rights", Build: func(r *http.Request, v *view) {
			v.DoneLabel = toggle(r.PostFormValue("admin"), "Make administrator", "Remove admin rights", v.DoneLabel)
			backTo("Back to the users", "/users", "users.read")(r, v)
		}},
		{Pattern: "POST /vip/accounts/{account}/users/{user}/purchaser", Page: "users", Action: "set-purchaser", Label: "Make purchaser / Remove purchaser rights", Build: func(r *http.Request, v *view) {
			v.DoneLabel = toggle(r.PostFormValue("purchaser"), "Make purchaser", "Remove purchaser rights", v.DoneLabel)
			backTo("Back to the users", "/users", "users.read")(r, v)
		}},
		{Pattern: "POST /vip/accounts/{account}/users/{user}/default", Page: "users", Action: "set-default", Label: "Make default contact", Build: backTo("Back to the users", "/users", "users.read")},
		{Pattern: "POST /vip/accounts/{account}/users/{user}/ticket-role", Page: "users", Action: "set-ticket-role", Label: "Set ticket role", Build: func(r *http.Request, v *view) {
			if role := r.PostFormValue("ticket_role"); role != "" {
				v.DoneLabel = "Set ticket role to " + role
			}
			backTo("Back to the users", "/users", "users.read")(r, v)
		}},
		{Pattern: "GET /vip/accounts/{account}/addresses", Page: "addresses", Action: "read", Build: func(r *http.Request, v *view) {
			v.Sub = "Addresses of account " + r.PathValue("account")
			v.Table = &table{Head: []string{"Address", "Street", "City", "Actions"}, Rows: []row{{
				Link: control{Label: "a1"}, Cells: []string{"1 Example Street", "Brussels"},
				Tools: []control{form("Edit address", accountURL(r, "/addresses/a1/edit"), "addresses.edit", text("street"))},
			}}}
		}},
		{Pattern: "POST /vip/accounts/{account}/addresses/{address}/edit", Page: "addresses", Action: "edit", Label: "Edit address", Build: backTo("Back to the addresses", "/addresses", "addresses.read")},
		{Pattern: "GET /vip/accounts/{account}/orders", Page: "orders", Action: "read", Build: func(r *http.Request, v *view) {
			v.Sub = "Order history and invoices"
			v.Tools = []control{form("Buy online", accountURL(r, "/orders"), "orders.purchase", text("item"))}
			v.Table = &table{Head: []string{"Order", "Date", "Total", "Invoice"}, Rows: []row{{
				Link: control{Label: "o1"}, Cells: []string{"2026-03-01", "EUR 1,250.00"},
				Tools: []control{link("Invoice", accountURL(r, "/orders/o1/invoice"), "orders.invoice")},
			}}}
		}},
		{Pattern: "GET /vip/accounts/{account}/orders/{order}/invoice", Page: "orders", Action: "invoice", Build: func(r *http.Request, v *view) {
			v.Sub = "Invoice of order " + r.PathValue("order")
			v.Info = []field{{"Account", accountName(r.PathValue("account"))}, {"Invoice", "INV-" + r.PathValue("order")}, {"Total", "EUR 1,250.00 (fake)"}}
			v.back("Back to the order history", accountURL(r, "/orders"), "orders.read")
		}},
		{Pattern: "POST /vip/accounts/{account}/orders", Page: "orders", Action: "purchase", Label: "Buy online", Build: backTo("Back to the order history", "/orders", "orders.read")},
		{Pattern: "GET /vip/accounts/{account}/sales/{sale}/tickets", Page: "tickets", Action: "read", Build: func(r *http.Request, v *view) {
			sale := r.PathValue("sale")
			v.Sub = "Tickets of sale " + sale
			v.Table = &table{Head: []string{"Ticket", "Seat", "Holder", "Actions"}}
			for i, t := range vipTickets {
				v.Table.Rows = append(v.Table.Rows, row{Link: control{Label: t}, Cells: []string{"Box 4, seat " + string(rune('1'+i)), "Example holder " + t},
					Tools: []control{form("Manage ticket", accountURL(r, "/sales/"+url.PathEscape(sale)+"/tickets/"+t+"/manage"), "tickets.manage", text("holder"))}})
			}
			v.back("Back to the account", accountURL(r, ""), "account.read")
		}},
		{Pattern: "POST /vip/accounts/{account}/sales/{sale}/tickets/{ticket}/manage", Page: "tickets", Action: "manage", Label: "Manage ticket", Build: func(r *http.Request, v *view) {
			v.back("Back to the tickets of sale "+r.PathValue("sale"), accountURL(r, "/sales/"+url.PathEscape(r.PathValue("sale"))+"/tickets"), "tickets.read")
		}},
	},
}

func vipUsersPage(r *http.Request, v *view) {
	v.Sub = "Users of account " + r.PathValue("account")
	v.Table = &table{Head: []string{"User", "Name", "Administrator", "Purchaser", "Default contact", "Actions"}}
	for _, u := range vipUsers {
		base := accountURL(r, "/users/"+u.ID)
		tools := []control{
			form(choose(u.Admin, "Remove admin rights", "Make administrator"), base+"/admin", "users.set-admin", hidden("admin", choose(u.Admin, "no", "yes"))),
			form(choose(u.Purchaser, "Remove purchaser rights", "Make purchaser"), base+"/purchaser", "users.set-purchaser", hidden("purchaser", choose(u.Purchaser, "no", "yes"))),
		}
		if !u.Defalt {
			tools = append(tools, form("Make default contact", base+"/default", "users.set-default"))
		}
		tools = append(tools, form("Set ticket role", base+"/ticket-role", "users.set-ticket-role", input{Name: "ticket_role", Value: u.TicketRole, Options: ticketRole}))
		for i := range tools {
			tools[i].ID = u.ID
		}
		v.Table.Rows = append(v.Table.Rows, row{Link: control{Label: u.ID}, Cells: []string{u.Name, yesNo(u.Admin), yesNo(u.Purchaser), yesNo(u.Defalt)}, Tools: tools})
	}
	v.Text = "Ticket role: All sees and manages every ticket sold under the Account, Contract only those of the sales the user is linked to, None gives no access to the VIP Portal. Only one user can be the default contact."
}

// choose returns yes if cond, else no.
func choose(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// toggle names what a yes/no form field asked for: on for "yes", off for
// "no", def otherwise.
func toggle(value, on, off, def string) string {
	switch value {
	case "yes":
		return on
	case "no":
		return off
	}
	return def
}

// backTo returns a Build that links back to an Account page.
func backTo(label, suffix, action string) func(*http.Request, *view) {
	return func(r *http.Request, v *view) { v.back(label, accountURL(r, suffix), action) }
}
