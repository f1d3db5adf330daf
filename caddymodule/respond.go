package caddymodule

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/rolegate/rolegate/caddymodule/identity"
	"github.com/rolegate/rolegate/caddymodule/policy"
)

// problem is an RFC 9457 problem document, with what the user needs to
// understand a denial: the page and action by title for people and by ID
// for programs, and the user's roles. It never holds a token, a cookie or a
// secret.
type problem struct {
	Type     string   `json:"type"`
	Title    string   `json:"title"`
	Status   int      `json:"status"`
	Detail   string   `json:"detail"`
	Page     string   `json:"page,omitempty"`
	Action   string   `json:"action,omitempty"`
	PageID   string   `json:"page_id,omitempty"`
	ActionID string   `json:"action_id,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	// Logout is the sign-out path, for the HTML page of a signed-in user.
	Logout string `json:"-"`
}

// challenge answers a request that needs an identity it does not have: 401,
// or 503 when the identity provider cannot be reached to check a token.
func (h *Handler) challenge(w http.ResponseWriter, r *http.Request, m policy.Match, err error) error {
	if errors.Is(err, identity.ErrUnavailable) {
		h.logger.Error("identity provider unavailable", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
		return h.refuse(w, r, http.StatusServiceUnavailable, "the identity provider cannot be reached; try again shortly", nil)
	}
	auth := `Bearer realm="rolegate"`
	detail := "sign in to reach this page"
	var invalid *identity.InvalidTokenError
	if errors.As(err, &invalid) {
		auth += `, error="invalid_token"`
		detail = "the bearer token was refused"
		h.logger.Info("token refused", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
	}
	w.Header().Set("WWW-Authenticate", auth)
	return h.refuse(w, r, http.StatusUnauthorized, detail, pageOf(m))
}

// deny answers 403 and writes the audit record.
func (h *Handler) deny(w http.ResponseWriter, r *http.Request, id *identity.Identity, set policy.RoleSet, d policy.Decision) error {
	roles := h.policy.RoleNames(set)
	h.logger.Info("denied",
		zap.String("subject", id.Subject),
		zap.String("method", r.Method),
		zap.String("path", r.URL.Path),
		zap.String("page", pageID(d.Match)),
		zap.String("action", actionName(d.Match)),
		zap.Strings("roles", roles),
		zap.String("reason", h.policy.Explain(d)),
	)
	p := pageOf(d.Match)
	p.Roles = roles
	detail := "none of your roles is granted this action"
	switch {
	case d.Reason == policy.Refused:
		detail = "access refused: " + d.Why
	case !d.Found():
		detail = "this address is not part of the application's policy, so it is denied"
	}
	return h.refuse(w, r, http.StatusForbidden, detail, p)
}

func pageOf(m policy.Match) *problem {
	p := &problem{}
	if a := m.Action(); a != nil {
		p.Page, p.Action, p.PageID, p.ActionID = a.Page.Title, a.Title, a.Page.ID, a.Name
		if p.Page == "" {
			p.Page = a.Page.ID
		}
		if p.Action == "" {
			p.Action = a.Name
		}
	}
	return p
}

func pageID(m policy.Match) string {
	if a := m.Action(); a != nil {
		return a.Page.ID
	}
	return ""
}

func actionName(m policy.Match) string {
	if a := m.Action(); a != nil {
		return a.Name
	}
	return ""
}

// refuse writes the answer, or hands it to handle_errors in deny_mode error.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, detail string, p *problem) error {
	if p == nil {
		p = &problem{}
	}
	p.Type, p.Status, p.Title, p.Detail = "about:blank", status, http.StatusText(status), detail
	if repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
		repl.Set("rolegate.status", status)
		repl.Set("rolegate.detail", detail)
		repl.Set("rolegate.page", p.PageID)
		repl.Set("rolegate.action", p.ActionID)
	}
	if status == http.StatusBadRequest {
		h.logger.Info("refused", zap.String("method", r.Method), zap.String("raw_path", r.URL.EscapedPath()), zap.String("reason", detail))
	}
	if h.DenyMode == "error" {
		return caddyhttp.Error(status, errors.New(detail))
	}
	w.Header().Set("Cache-Control", "no-store")
	if prefersHTML(r) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if h.browser != nil && status == http.StatusForbidden {
			p.Logout = h.browser.logoutPath
		}
		return denyPage.Execute(w, p)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(p)
}

// prefersHTML reports whether the client prefers an HTML page to JSON: it
// accepts text/html (or XHTML) with a quality at least that of JSON.
// No Accept header, */* alone or application/json mean a program.
func prefersHTML(r *http.Request) bool {
	var html, json float64
	for _, accept := range r.Header.Values("Accept") {
		for _, item := range strings.Split(accept, ",") {
			media, params, _ := strings.Cut(item, ";")
			switch q := quality(params); strings.ToLower(strings.TrimSpace(media)) {
			case "text/html", "application/xhtml+xml":
				html = max(html, q)
			case "application/json", "application/problem+json":
				json = max(json, q)
			}
		}
	}
	return html > 0 && html >= json
}

// quality reads q from a media range's parameters; 1 when absent or bad.
func quality(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "q") {
			if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q >= 0 && q <= 1 {
				return q
			}
		}
	}
	return 1
}

var denyPage = template.Must(template.New("deny").Funcs(template.FuncMap{"join": strings.Join}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Status}} {{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}dt{font-weight:600}</style></head>
<body><h1>{{.Status}} {{.Title}}</h1><p>{{.Detail}}.</p>
{{if .Page}}<dl><dt>Page</dt><dd>{{.Page}}</dd><dt>Action</dt><dd>{{.Action}}</dd>
<dt>Your roles</dt><dd>{{if .Roles}}{{join .Roles ", "}}{{else}}none{{end}}</dd></dl>{{end}}
<p><a href="/">Home</a>{{with .Logout}} · <a href="{{.}}">Sign out</a> (to sign in with another role){{end}}</p>
<p><small>rolegate</small></p></body></html>
`))
