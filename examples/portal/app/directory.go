package app

import (
	"encoding/json"
	"net/http"
)

// directory is the VIP Portal's own user data: what an account administrator
// sets on each user card (administrator, purchaser, default contact, ticket
// role, linked sales) and what the back-office sets (deactivation, the
// account's online purchase setting). The gateway reads it through
// GET /vip/api/users/{sub} (its enrich lookup); it is an internal API, which
// no route of the policy exposes to browsers. Keyed by the development
// personas' subjects.
var directory = map[string]map[string]any{
	"vera": {"account": "acme", "is_admin": true, "is_default": true, "ticket_role": "All",
		"account_settings": map[string]any{"online_purchase": true}},
	"paul": {"account": "acme", "is_purchaser": true, "ticket_role": "All",
		"account_settings": map[string]any{"online_purchase": false}},
	"cora": {"account": "acme", "ticket_role": "Contract", "sales": []string{"s1"},
		"account_settings": map[string]any{"online_purchase": true}},
	"nina": {"account": "acme", "is_admin": true, "ticket_role": "None"},
	"dave": {"account": "globex", "is_admin": true, "ticket_role": "All", "deactivated": true},
}

// lookupUser answers the directory lookup: the user's attributes, or 404.
func lookupUser(w http.ResponseWriter, r *http.Request) {
	user, ok := directory[r.PathValue("sub")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(user)
}
