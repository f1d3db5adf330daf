package app

// The V4 back-office (TIXNGO Security V4, seed 003), served under /v4: its
// pages re-cut with named actions. As for V3, the application knows nothing
// of who may do what; the names in data-action are those of the V4 policy.

type v4Page struct {
	ID, Title string
	Actions   []v4Action
}

type v4Action struct {
	Name, Label, Method, Path string
}

var v4Pages = []v4Page{
	{ID: "organizer-profile", Title: "Organizer profile & API key", Actions: []v4Action{
		{"read", "Read", "GET", "/v4/organizer-profile"},
	}},
	{ID: "manage-accounts", Title: "Manage accounts", Actions: []v4Action{
		{"read", "List/Read accounts", "GET", "/v4/accounts"},
		{"read", "List/Read accounts", "GET", "/v4/accounts/{id}"},
		{"create", "Create account", "POST", "/v4/accounts"},
		{"edit", "Edit account", "POST", "/v4/accounts/{id}/edit"},
		{"reset-mfa", "Reinitialize MFA", "POST", "/v4/accounts/{id}/reset-mfa"},
		{"delete", "Delete account", "POST", "/v4/accounts/{id}/delete"},
	}},
	{ID: "support-spectator", Title: "Support screen > Spectator", Actions: []v4Action{
		{"search", "Search for a Spectator", "GET", "/v4/support/spectator"},
		{"read", "Read Spectator details", "GET", "/v4/support/spectator/{id}"},
		{"resend", "Resend communication", "POST", "/v4/support/spectator/{id}/resend"},
	}},
	{ID: "support-ticket", Title: "Support screen > Ticket", Actions: []v4Action{
		{"search", "Search for a Ticket", "GET", "/v4/support/ticket"},
		{"read", "Read Ticket details", "GET", "/v4/support/ticket/{id}"},
		{"update-rules", "Update ticket rules", "POST", "/v4/support/ticket/{id}/rules"},
		{"update-metadata", "Update ticket metadata", "POST", "/v4/support/ticket/{id}/metadata"},
		{"delete", "Delete ticket", "POST", "/v4/support/ticket/{id}/delete"},
		{"transfer", "Transfer ticket", "POST", "/v4/support/ticket/{id}/transfer"},
	}},
	{ID: "tickets", Title: "Tickets List", Actions: []v4Action{
		{"search", "Search for a Ticket", "GET", "/v4/tickets"},
		{"read", "Read Ticket details", "GET", "/v4/tickets/{id}"},
		{"update-rules", "Update ticket rules", "POST", "/v4/tickets/{id}/rules"},
		{"update-metadata", "Update ticket metadata", "POST", "/v4/tickets/{id}/metadata"},
		{"delete", "Delete ticket", "POST", "/v4/tickets/{id}/delete"},
		{"transfer", "Transfer ticket", "POST", "/v4/tickets/{id}/transfer"},
		{"export", "Export", "GET", "/v4/tickets/export"},
	}},
	{ID: "spectators", Title: "Spectators List", Actions: []v4Action{
		{"search", "Search for a Spectator", "GET", "/v4/spectators"},
		{"read", "Read Spectator details", "GET", "/v4/spectators/{id}"},
		{"logout", "Logout Spectator", "POST", "/v4/spectators/{id}/logout"},
		{"reset-devices", "Reset Spectator Devices", "POST", "/v4/spectators/{id}/reset-devices"},
		{"delete", "Delete Spectator", "POST", "/v4/spectators/{id}/delete"},
		{"lock", "Lock/Unlock Spectator", "POST", "/v4/spectators/{id}/lock"},
		{"lock", "Lock/Unlock Spectator", "POST", "/v4/spectators/{id}/unlock"},
		{"export", "Export", "GET", "/v4/spectators/export"},
	}},
	{ID: "mobile-logs", Title: "Mobile Logs List", Actions: []v4Action{
		{"search", "Search for Mobile Logs", "GET", "/v4/mobile-logs"},
		{"export", "Export", "GET", "/v4/mobile-logs/export"},
	}},
	{ID: "communication-logs", Title: "Communication Logs List", Actions: []v4Action{
		{"search", "Search for Communication Logs", "GET", "/v4/communication-logs"},
		{"read", "Read Communication Content", "GET", "/v4/communication-logs/{id}"},
		{"resend", "Resend", "POST", "/v4/communication-logs/{id}/resend"},
		{"export", "Export", "GET", "/v4/communication-logs/export"},
	}},
	{ID: "settings", Title: "Settings", Actions: []v4Action{
		{"search", "Search for Settings", "GET", "/v4/settings/search"},
		{"view-application", "View Application Settings", "GET", "/v4/settings/application"},
		{"edit-application", "Edit Application Settings", "POST", "/v4/settings/application"},
		{"view-features", "View Application Features", "GET", "/v4/settings/features"},
		{"edit-features", "Edit Application Features", "POST", "/v4/settings/features"},
		{"view-organizer", "View Organizer Settings", "GET", "/v4/settings/organizer"},
		{"edit-organizer", "Edit Organizer Settings", "POST", "/v4/settings/organizer"},
		{"view-multilingual", "View Multilingual Settings", "GET", "/v4/settings/multilingual"},
		{"edit-multilingual", "Edit Multilingual Settings", "POST", "/v4/settings/multilingual"},
		{"view-registration", "View Registration Configuration", "GET", "/v4/settings/registration"},
		{"edit-registration", "Edit Registration Configuration", "POST", "/v4/settings/registration"},
		{"export-import", "Export / Import Settings", "GET", "/v4/settings/export"},
		{"export-import", "Export / Import Settings", "POST", "/v4/settings/import"},
	}},
	{ID: "ticket-configuration", Title: "Ticket Configuration", Actions: []v4Action{
		{"list", "List rule", "GET", "/v4/ticket-configuration"},
		{"list", "List rule", "GET", "/v4/ticket-configuration/{type}/{id}"},
		{"edit", "Edit rule", "POST", "/v4/ticket-configuration/{type}/{id}/edit"},
		{"add", "Add rule (Activation, Design, Usage)", "POST", "/v4/ticket-configuration/{type}"},
		{"add-data-collection", "Add data collection rule", "POST", "/v4/ticket-configuration/data-collection"},
		{"add-email-rule", "Add email rule", "POST", "/v4/ticket-configuration/email"},
		{"export-import", "Export / Import Settings", "GET", "/v4/ticket-configuration/export"},
		{"export-import", "Export / Import Settings", "POST", "/v4/ticket-configuration/import"},
	}},
	{ID: "communication-templates", Title: "Communication Templates", Actions: []v4Action{
		{"list", "List/View templates", "GET", "/v4/templates"},
		{"list", "List/View templates", "GET", "/v4/templates/{type}/{id}"},
		{"edit-campaign", "Edit Campaign templates", "POST", "/v4/templates/campaign/{id}/edit"},
		{"add-campaign", "Add Campaign template", "POST", "/v4/templates/campaign"},
		{"edit-email", "Edit Email templates", "POST", "/v4/templates/email/{id}/edit"},
		{"add-email", "Add Email template", "POST", "/v4/templates/email"},
		{"edit-notification", "Edit Notification templates", "POST", "/v4/templates/notification/{id}/edit"},
		{"export-import", "Export / Import Communication templates", "GET", "/v4/templates/export"},
		{"export-import", "Export / Import Communication templates", "POST", "/v4/templates/import"},
	}},
	{ID: "campaigns", Title: "Campaigns", Actions: []v4Action{
		{"list", "List Campaigns", "GET", "/v4/campaigns"},
		{"view", "View Campaign", "GET", "/v4/campaigns/{id}"},
		{"create", "Create Campaign", "POST", "/v4/campaigns"},
		{"edit", "Edit Campaign", "POST", "/v4/campaigns/{id}/edit"},
		{"cancel", "Cancel Campaign", "POST", "/v4/campaigns/{id}/cancel"},
		{"download-uploaded", "Download Uploaded CSV Target File", "GET", "/v4/campaigns/{id}/uploaded.csv"},
		{"download-cleaned", "Download Cleaned CSV Target File", "GET", "/v4/campaigns/{id}/cleaned.csv"},
		{"download-results", "Download Results CSV Files", "GET", "/v4/campaigns/{id}/results.csv"},
	}},
	{ID: "injection", Title: "Ticket Injection (Manual, CSV)", Actions: []v4Action{
		{"manual", "Manual injection", "POST", "/v4/injection/manual"},
		{"csv", "CSV Injection", "POST", "/v4/injection/csv"},
	}},
	{ID: "events", Title: "Events List", Actions: []v4Action{
		{"list", "List Events", "GET", "/v4/events"},
		{"edit", "Edit Event", "POST", "/v4/events/{id}/edit"},
		{"security", "View Event Security", "GET", "/v4/events/{id}/security"},
	}},
}
