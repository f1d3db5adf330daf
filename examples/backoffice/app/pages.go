package app

// The back-office's pages, as the legacy application knows them. Nothing
// here is about who may do what: the application trusts every request that
// reaches it. The action names in data-action attributes ("tickets.delete")
// are the ones the rolegate policy gives these buttons, so that tests and
// people can tell which is which.

// page is one screen of the back-office.
type page struct {
	ID, Title, Base string
	// Detail pages exist at Base/{id}.
	Detail bool
	// Search and Export add Base/search and Base/export.
	Search, Export bool
	// Create adds a "New" form at Base/new posting to Base.
	Create string
	// Buttons are POST actions on one item (Base/{id}/Path) or, with
	// OnPage, on the page itself (Base + Path).
	Buttons []button
	// Links are further GET screens of one item (Base/{id}/Path).
	Links []button
}

type button struct {
	Action, Label, Path string
	OnPage              bool
}

var pages = []page{
	{ID: "organizer-profile", Title: "Organizer profile & API key", Base: "/organizer-profile"},
	{ID: "manage-account", Title: "Manage account", Base: "/accounts", Detail: true, Create: "Create account",
		Buttons: []button{{"edit", "Edit account", "/edit", false}, {"delete", "Delete account", "/delete", false}, {"resend", "Resend QR code for 2FA log in", "/resend-2fa", false}},
		Links:   []button{{"edit", "Edit account form", "/edit", false}}},
	{ID: "support-spectator", Title: "Support > Spectator", Base: "/support/spectator", Detail: true, Search: true,
		Buttons: []button{{"resend", "Resend communication", "/resend", false}}},
	{ID: "support-ticket", Title: "Support > Ticket", Base: "/support/ticket", Detail: true, Search: true,
		Buttons: []button{{"transfer-rules", "Edit ticket transfer rules", "/transfer-rules", false}}},
	{ID: "tickets", Title: "Tickets", Base: "/tickets", Detail: true, Search: true, Export: true,
		Buttons: []button{{"edit", "Edit ticket", "/edit", false}, {"delete", "Delete ticket", "/delete", false}, {"transfer", "Transfer ticket", "/transfer", false}}},
	{ID: "bulk-update", Title: "Bulk update", Base: "/bulk-update", Search: true,
		Buttons: []button{{"update", "Apply bulk update", "", true}}},
	{ID: "injection", Title: "Injection", Base: "/injection", Search: true,
		Buttons: []button{{"create", "Inject tickets", "", true}}},
	{ID: "csv-injection", Title: "CSV Injection", Base: "/csv-injection", Export: true,
		Buttons: []button{{"create", "Upload CSV", "", true}}},
	{ID: "transactions", Title: "Transaction", Base: "/transactions", Detail: true, Search: true, Export: true},
	{ID: "pendings", Title: "Pendings", Base: "/pendings", Detail: true, Search: true, Export: true},
	{ID: "privilege-instances", Title: "Privilege Instances", Base: "/privilege-instances", Detail: true, Search: true, Export: true,
		Buttons: []button{{"edit", "Edit privilege instance", "/edit", false}, {"delete", "Delete privilege instance", "/delete", false}}},
	{ID: "spectators", Title: "Spectators List", Base: "/spectators", Detail: true, Search: true, Export: true,
		Buttons: []button{{"delete", "Remove spectator account", "/delete", false}, {"logout", "Log out spectator", "/logout", false},
			{"reset-devices", "Reset number of spectator's devices", "/reset-devices", false}, {"lock", "Lock spectator account", "/lock", false}, {"lock", "Unlock spectator account", "/unlock", false}}},
	{ID: "mobile-logs", Title: "Mobile Logs", Base: "/mobile-logs", Detail: true, Search: true, Export: true},
	{ID: "communications", Title: "Communications", Base: "/communications", Detail: true, Search: true, Export: true,
		Buttons: []button{{"resend", "Resend communication", "/resend", false}}},
	{ID: "events", Title: "Events", Base: "/events", Detail: true, Search: true, Export: true,
		Buttons: []button{{"edit", "Edit event", "/edit", false}},
		Links:   []button{{"security", "Ticket security information", "/security", false}}},
	{ID: "campaigns", Title: "Campaigns", Base: "/campaigns", Detail: true, Search: true, Export: true, Create: "New campaign",
		Buttons: []button{{"edit", "Edit campaign", "/edit", false}, {"delete", "Delete campaign", "/delete", false}}},
	{ID: "reports", Title: "Reports", Base: "/reports", Detail: true, Search: true, Export: true},
	{ID: "settings", Title: "Settings", Base: "/settings", Search: true, Export: true,
		Buttons: []button{{"edit", "Edit value", "/currency", true}}},
	{ID: "charts", Title: "Charts", Base: "/charts", Search: true},
	{ID: "documentation", Title: "Documentation", Base: "/documentation"},
}

// items are the fake rows every list shows.
var items = []string{"42", "7", "1001"}
