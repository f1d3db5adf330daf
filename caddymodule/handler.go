package caddymodule

import (
	"errors"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/rolegate/rolegate/caddymodule/canon"
	"github.com/rolegate/rolegate/caddymodule/identity"
	"github.com/rolegate/rolegate/caddymodule/policy"
)

// ServeHTTP decides the request in one pass: canonical path, route,
// identity, decision. Only an allowed request reaches next, and it carries
// exactly the canonical path and the method that were decided.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	// Identity headers are deleted before anything else, on every request,
	// public ones included: the upstream trusts them, so a client must never
	// be able to supply them, whatever happens below.
	h.stripIdentityHeaders(r)
	if name, ok := canon.MethodOverride(r.Header); ok {
		return h.refuse(w, r, http.StatusBadRequest, "method override header "+name+" is not accepted", nil)
	}
	if canon.MethodOverrideParam(r.URL.RawQuery) {
		return h.refuse(w, r, http.StatusBadRequest, "the _method parameter is not accepted", nil)
	}
	path, err := canon.Path(r.URL.EscapedPath())
	if err != nil {
		return h.refuse(w, r, http.StatusBadRequest, err.Error(), nil)
	}
	r.URL.Path, r.URL.RawPath = path, ""
	if h.browser != nil {
		if ok, err := h.serveReserved(w, r); ok {
			return err
		}
	}

	m := h.policy.Match(r.Method, path)
	if m.Public() {
		h.stripCookies(r)
		return next.ServeHTTP(w, r)
	}
	id, err := h.identify(w, r)
	if errors.Is(err, errNoCredentials) && h.browser != nil && isNavigation(r) {
		return h.beginSignIn(w, r)
	}
	if err == nil && h.enricher != nil {
		id, err = h.enricher.Enrich(r.Context(), id)
	}
	if err != nil {
		return h.challenge(w, r, m, err)
	}
	// Roles named in the token or session, plus those earned by the
	// policy's role rules; conditions see the claims as user attributes.
	roles := h.policy.Earned(id.Roles, id.Claims)
	d := h.policy.AuthorizeInput(m, roles, &policy.Input{User: id.Claims, Features: h.features})
	if !d.Allowed {
		return h.deny(w, r, id, roles, d)
	}
	h.admit(r, id, roles, d)
	h.stripCookies(r)
	return next.ServeHTTP(w, r)
}

// errNoCredentials is a request that presents no identity at all.
var errNoCredentials = identity.ErrNoCredentials

// stripIdentityHeaders deletes every client-sent header an upstream could
// read as an identity header: any letter case, and '_' for '-', since CGI,
// PHP and some proxies map X_Rolegate_User and X-Rolegate-User to the same
// HTTP_X_ROLEGATE_USER variable. It allocates nothing.
func (h *Handler) stripIdentityHeaders(r *http.Request) {
	for key := range r.Header {
		for _, name := range h.strip {
			if sameHeader(key, name) {
				delete(r.Header, key)
				break
			}
		}
	}
}

// sameHeader compares header names ignoring case and treating '_' as '-'.
func sameHeader(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if fold(a[i]) != fold(b[i]) {
			return false
		}
	}
	return true
}

func fold(c byte) byte {
	switch {
	case c == '_':
		return '-'
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	}
	return c
}

func (h *Handler) stripCookies(r *http.Request) {
	if h.browser != nil {
		h.browser.stripOwnCookies(r)
	}
}

// identify returns the caller's verified identity: from a bearer token when
// the request has an Authorization header, else from the session cookie.
func (h *Handler) identify(w http.ResponseWriter, r *http.Request) (*identity.Identity, error) {
	raw, ok := identity.BearerToken(r.Header.Get("Authorization"))
	if !ok && r.Header.Get("Authorization") == "" && h.browser != nil {
		return h.sessionIdentity(w, r)
	}
	if !ok {
		return nil, errNoCredentials
	}
	if h.bearer == nil {
		return nil, &identity.InvalidTokenError{Err: errors.New("bearer tokens are not configured")}
	}
	return h.bearer.Verify(r.Context(), raw)
}

// admit sets the trusted identity headers and the placeholders.
func (h *Handler) admit(r *http.Request, id *identity.Identity, set policy.RoleSet, d policy.Decision) {
	roles := strings.Join(h.policy.RoleNames(set), ",")
	r.Header.Set(h.UserHeader, id.Subject)
	r.Header.Set(h.RolesHeader, roles)
	if a := d.Action(); a != nil {
		r.Header.Set(h.ActionsHeader, strings.Join(h.policy.Allowed(a.Page, set), ","))
	}
	repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	if !ok {
		return
	}
	repl.Set("http.auth.user.id", id.Subject)
	repl.Set("http.auth.user.roles", roles)
	if a := d.Action(); a != nil {
		repl.Set("rolegate.page", a.Page.ID)
		repl.Set("rolegate.action", a.Name)
	}
}
