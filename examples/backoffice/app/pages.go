package app

import "net/url"

// The back-office's pages, as the legacy application knows them. Nothing
// here is about who may do what: the application trusts every request that
// reaches it. The page IDs and action names are the ones the rolegate policy
// (policies/tixngo-backoffice-v3.yaml) gives these screens and buttons; they
// appear in data-action="<page>.<action>" attributes so that browser tests
// and people can tell which control is which.

// page is one screen of the back-office.
type page struct {
	ID, Title, Base string
	// Noun names one row of the list ("ticket").
	Noun string
	// Detail: each row has a detail page at Base/{id}.
	Detail bool
	// Search and Export add GET Base/search (?q=) and GET Base/export.
	Search, Export bool
	// Keys replaces the numeric row IDs (settings are keyed by name).
	Keys []string
	// Tree: the page is a tree of documents under Base/.
	Tree bool
	// APIKey is shown on the page (the organizer profile). Fake.
	APIKey string
	// Buttons are the page's other actions: create, update, delete and
	// execute buttons, and further GET screens.
	Buttons []*button
}

// scope says what a button acts on.
type scope uint8

const (
	onPage scope = iota // Base + Path
	onItem              // Base/{id} + Path
	onKey               // Base/{key} + Path
)

// button is one action control. A GET button is a link to a screen; a POST
// button is a form. A POST button that has a GET sibling with the same
// action and scope (Create account: GET /accounts/new, POST /accounts) is
// shown on that sibling's screen rather than directly.
type button struct {
	Action, Label, Method, Path string
	Scope                       scope
	// Input names one text field of the form, if any.
	Input string

	page    *page
	viaForm bool
}

func get(action, label string, s scope, path string) *button {
	return &button{Action: action, Label: label, Method: "GET", Path: path, Scope: s}
}

func post(action, label string, s scope, path, input string) *button {
	return &button{Action: action, Label: label, Method: "POST", Path: path, Scope: s, Input: input}
}

var pages = []*page{
	{ID: "organizer-profile", Title: "Organizer profile & API key", Base: "/organizer-profile", APIKey: "dev-fake-api-key-0000"},
	{ID: "manage-account", Title: "Manage account", Base: "/accounts", Noun: "account", Detail: true, Buttons: []*button{
		get("create", "Create account", onPage, "/new"), post("create", "Create account", onPage, "", "email"),
		get("edit", "Edit account", onItem, "/edit"), post("edit", "Save account", onItem, "/edit", "email"),
		post("delete", "Delete account", onItem, "/delete", ""),
		post("resend", "Resend QR code for 2FA log in", onItem, "/resend-2fa", ""),
	}},
	{ID: "support-spectator", Title: "Support > Spectator", Base: "/support/spectator", Noun: "spectator", Detail: true, Search: true, Buttons: []*button{
		post("resend", "Resend communication", onItem, "/resend", ""),
	}},
	{ID: "support-ticket", Title: "Support > Ticket", Base: "/support/ticket", Noun: "ticket", Detail: true, Search: true, Buttons: []*button{
		post("transfer-rules", "Edit ticket transfer rules", onItem, "/transfer-rules", "max_transfers"),
	}},
	{ID: "tickets", Title: "Tickets", Base: "/tickets", Noun: "ticket", Detail: true, Search: true, Export: true, Buttons: []*button{
		post("edit", "Edit ticket", onItem, "/edit", "seat"),
		post("delete", "Delete ticket", onItem, "/delete", ""),
		post("transfer", "Transfer ticket", onItem, "/transfer", "to_email"),
	}},
	{ID: "bulk-update", Title: "Bulk update", Base: "/bulk-update", Search: true, Buttons: []*button{
		post("update", "Apply bulk update", onPage, "", "ticket_ids"),
	}},
	{ID: "injection", Title: "Injection", Base: "/injection", Search: true, Buttons: []*button{
		post("create", "Inject tickets", onPage, "", "count"),
	}},
	{ID: "csv-injection", Title: "CSV Injection", Base: "/csv-injection", Export: true, Buttons: []*button{
		post("create", "Upload CSV", onPage, "", "csv"),
	}},
	{ID: "transactions", Title: "Transaction", Base: "/transactions", Noun: "transaction", Detail: true, Search: true, Export: true},
	{ID: "pendings", Title: "Pendings", Base: "/pendings", Noun: "pending order", Detail: true, Search: true, Export: true},
	{ID: "privilege-instances", Title: "Privilege Instances", Base: "/privilege-instances", Noun: "privilege instance", Detail: true, Search: true, Export: true, Buttons: []*button{
		post("edit", "Edit privilege instance", onItem, "/edit", "value"),
		post("delete", "Delete privilege instance", onItem, "/delete", ""),
	}},
	{ID: "spectators", Title: "Spectators List", Base: "/spectators", Noun: "spectator", Detail: true, Search: true, Export: true, Buttons: []*button{
		post("delete", "Remove spectator account", onItem, "/delete", ""),
		post("logout", "Log out spectator", onItem, "/logout", ""),
		post("reset-devices", "Reset number of spectator's devices", onItem, "/reset-devices", ""),
		post("lock", "Lock spectator account", onItem, "/lock", ""),
		post("lock", "Unlock spectator account", onItem, "/unlock", ""),
	}},
	{ID: "mobile-logs", Title: "Mobile Logs", Base: "/mobile-logs", Noun: "log entry", Detail: true, Search: true, Export: true},
	{ID: "communications", Title: "Communications", Base: "/communications", Noun: "communication", Detail: true, Search: true, Export: true, Buttons: []*button{
		post("resend", "Resend communication", onItem, "/resend", ""),
	}},
	{ID: "events", Title: "Events", Base: "/events", Noun: "event", Detail: true, Search: true, Export: true, Buttons: []*button{
		post("edit", "Edit event", onItem, "/edit", "name"),
		get("security", "Ticket security information", onItem, "/security"),
	}},
	{ID: "campaigns", Title: "Campaigns", Base: "/campaigns", Noun: "campaign", Detail: true, Search: true, Export: true, Buttons: []*button{
		get("create", "New campaign", onPage, "/new"), post("create", "Create campaign", onPage, "", "name"),
		post("edit", "Edit campaign", onItem, "/edit", "name"),
		post("delete", "Delete campaign", onItem, "/delete", ""),
	}},
	{ID: "reports", Title: "Reports", Base: "/reports", Noun: "report", Detail: true, Search: true, Export: true},
	{ID: "settings", Title: "Settings", Base: "/settings", Noun: "setting", Search: true, Export: true,
		Keys: []string{"currency", "timezone", "max-devices"}, Buttons: []*button{
			post("edit", "Edit value", onKey, "", "value"),
		}},
	{ID: "charts", Title: "Charts", Base: "/charts", Search: true},
	{ID: "documentation", Title: "Documentation", Base: "/documentation", Tree: true},
}

// ids are the fake rows every list shows.
var ids = []string{"42", "7", "1001"}

// docs are the documents of the documentation tree.
var docs = []string{"guide/roles", "guide/tickets", "faq"}

func init() {
	for _, p := range pages {
		for _, b := range p.Buttons {
			b.page = p
			if b.Method == "POST" {
				for _, s := range p.Buttons {
					b.viaForm = b.viaForm || (s.Method == "GET" && s.Action == b.Action && s.Scope == b.Scope)
				}
			}
		}
	}
}

// Rows are the IDs (or keys) the list shows.
func (p *page) Rows() []string {
	if p.Keys != nil {
		return p.Keys
	}
	if p.Detail {
		return ids
	}
	return nil
}

// Buttons of a scope that are shown directly: links, and forms with no GET
// screen of their own.
func (p *page) Direct(s scope) []*button {
	var out []*button
	for _, b := range p.Buttons {
		if b.Scope == s && !b.viaForm {
			out = append(out, b)
		}
	}
	return out
}

func (p *page) PageButtons() []*button { return p.Direct(onPage) }
func (p *page) RowButtons() []*button  { return append(p.Direct(onItem), p.Direct(onKey)...) }

// forms are the POST buttons a GET button's screen shows.
func (b *button) forms() []*button {
	var out []*button
	for _, s := range b.page.Buttons {
		if s.Method == "POST" && s.Action == b.Action && s.Scope == b.Scope {
			out = append(out, s)
		}
	}
	return out
}

// Pattern is the button's route, as a ServeMux pattern and as the policy
// writes it.
func (b *button) Pattern() string {
	switch b.Scope {
	case onItem:
		return b.Method + " " + b.page.Base + "/{id}" + b.Path
	case onKey:
		return b.Method + " " + b.page.Base + "/{key}" + b.Path
	}
	return b.Method + " " + b.page.Base + b.Path
}

// URL is where the button goes for one row (ignored for page buttons).
func (b *button) URL(id string) string {
	if b.Scope == onPage {
		return b.page.Base + b.Path
	}
	return b.page.Base + "/" + url.PathEscape(id) + b.Path
}

func (b *button) DataAction() string { return b.page.ID + "." + b.Action }
func (b *button) Post() bool         { return b.Method == "POST" }
