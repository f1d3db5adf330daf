package caddymodule

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/rolegate/rolegate/caddymodule/identity"
	"github.com/rolegate/rolegate/caddymodule/session"
)

// serveReserved answers rolegate's own endpoints; ok is false for any
// other path.
func (h *Handler) serveReserved(w http.ResponseWriter, r *http.Request) (ok bool, err error) {
	switch r.URL.Path {
	case h.browser.callbackPath:
		return true, h.callback(w, r)
	case h.browser.logoutPath:
		return true, h.logout(w, r)
	case h.browser.backchannel:
		return true, h.backchannelLogout(w, r)
	}
	return false, nil
}

// isNavigation reports whether r is a browser loading a page, which may be
// redirected to sign in; anything else (fetch, XHR, API clients, non-GET)
// gets a 401 instead.
func isNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" && mode != "navigate" {
		return false
	}
	return r.Header.Get("X-Requested-With") == "" && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// beginSignIn sends the browser to the provider, remembering where it was
// going in a sealed per-attempt cookie, so parallel tabs each come back
// to their own page.
func (h *Handler) beginSignIn(w http.ResponseWriter, r *http.Request) error {
	b := h.browser
	authURL, attempt, err := b.flow.Begin(b.redirectURL(r), r.URL.RequestURI(), attemptTTL)
	if err != nil {
		h.logger.Error("sign-in unavailable", zap.Error(err))
		return h.refuse(w, r, http.StatusServiceUnavailable, "sign-in is unavailable because the identity provider cannot be reached; try again shortly", nil)
	}
	payload, _ := json.Marshal(attempt)
	sealed, err := b.attempts.Seal(payload)
	if err != nil {
		return h.refuse(w, r, http.StatusInternalServerError, "could not start sign-in", nil)
	}
	b.pruneAttempts(w, r)
	http.SetCookie(w, b.cookie(b.attemptName+attemptKey(attempt.State), sealed, int(attemptTTL/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

// attemptKey names an attempt's cookie from its state.
func attemptKey(state string) string {
	if len(state) > 16 {
		return state[:16]
	}
	return state
}

// pruneAttempts expires older attempt cookies so they cannot pile up.
func (b *browser) pruneAttempts(w http.ResponseWriter, r *http.Request) {
	var names []string
	for _, c := range r.Cookies() {
		if strings.HasPrefix(c.Name, b.attemptName) {
			names = append(names, c.Name)
		}
	}
	if len(names) < maxAttempts {
		return
	}
	sort.Strings(names)
	for _, n := range names[:len(names)-maxAttempts+1] {
		http.SetCookie(w, b.cookie(n, "", -1))
	}
}

func (b *browser) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: !b.cfg.InsecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

func (b *browser) redirectURL(r *http.Request) string {
	if b.cfg.RedirectURL != "" {
		return b.cfg.RedirectURL
	}
	return origin(r) + b.callbackPath
}

func origin(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// callback finishes a sign-in: the attempt cookie named by the state must
// open and match, the code must redeem, the ID token and nonce must verify.
// Anything else is refused, and nobody is signed in.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) error {
	b := h.browser
	q := r.URL.Query()
	state := q.Get("state")
	if e := q.Get("error"); e != "" {
		return h.refuse(w, r, http.StatusForbidden, "the identity provider did not sign you in ("+e+")", nil)
	}
	name := b.attemptName + attemptKey(state)
	attempt := b.openAttempt(r, name)
	if state != "" {
		http.SetCookie(w, b.cookie(name, "", -1)) // single use, whatever happens next
	}
	res, err := b.flow.Finish(r.Context(), attempt, state, q.Get("code"), b.redirectURL(r))
	if errors.Is(err, identity.ErrUnavailable) {
		return h.refuse(w, r, http.StatusServiceUnavailable, "the identity provider cannot be reached; try again shortly", nil)
	}
	if err != nil {
		h.logger.Info("sign-in refused", zap.Error(err))
		return h.refuse(w, r, http.StatusBadRequest, "this sign-in could not be completed; open the page again to retry", nil)
	}
	if err := h.startSession(w, r, res); err != nil {
		return h.refuse(w, r, http.StatusInternalServerError, "the session could not be stored", nil)
	}
	h.logger.Info("signed in", zap.String("subject", res.Identity.Subject), zap.Strings("roles", res.Identity.Roles))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, safeReturn(attempt.ReturnTo), http.StatusFound)
	return nil
}

func (b *browser) openAttempt(r *http.Request, name string) *identity.Attempt {
	c, err := r.Cookie(name)
	if err != nil {
		return nil
	}
	raw, err := b.attempts.Open(c.Value)
	if err != nil {
		return nil
	}
	a := new(identity.Attempt)
	if json.Unmarshal(raw, a) != nil {
		return nil
	}
	return a
}

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, res *identity.Result) error {
	now := time.Now()
	s := &session.Session{ID: newSessionID(), Subject: res.Identity.Subject, Roles: res.Identity.Roles, ProviderSession: res.ProviderSession,
		Claims: attributes(res.Identity.Claims),
		Issued: now.Unix(), Expires: now.Add(time.Duration(h.browser.cfg.Lifetime)).Unix(), Seen: now.Unix(), IDToken: res.IDToken}
	h.browser.keepRefresh(s, res)
	return h.writeSession(w, r, s)
}

func (h *Handler) writeSession(w http.ResponseWriter, r *http.Request, s *session.Session) error {
	sealed, err := h.browser.sessions.SealSession(s)
	if err != nil {
		return err
	}
	return h.browser.jar.Write(w, r, sealed, time.Until(time.Unix(s.Expires, 0)))
}

func newSessionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// safeReturn accepts only a path on this site as the place to return to
// after sign-in: "//host", "/\host", schemes, and control or white-space
// characters (which browsers strip, turning "/\t/host" into "//host") all
// fall back to "/".
func safeReturn(target string) string {
	if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") || strings.HasPrefix(target, "/\\") {
		return "/"
	}
	for _, c := range target {
		if c <= ' ' || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return target
}

// sessionIdentity returns the identity of a valid session cookie, renewing
// the idle timer now and then. A missing, tampered, foreign or expired
// cookie is no identity.
func (h *Handler) sessionIdentity(w http.ResponseWriter, r *http.Request) (*identity.Identity, error) {
	b := h.browser
	sealed, err := b.jar.Read(r)
	if err != nil {
		return nil, errNoCredentials
	}
	s, err := b.sessions.Open(sealed)
	if err != nil {
		return nil, errNoCredentials
	}
	now := time.Now().Unix()
	idle := int64(time.Duration(b.cfg.IdleTimeout) / time.Second)
	if now >= s.Expires || now-s.Seen >= idle || b.revoked.ended(s) {
		return nil, errNoCredentials
	}
	if s.RefreshToken != "" && now >= s.RefreshAt {
		refreshed, err := h.refresh(r.Context(), s)
		if err != nil {
			h.logger.Info("session refresh failed: signing in again", zap.String("subject", s.Subject), zap.Error(err))
			b.jar.Clear(w, r)
			return nil, errNoCredentials
		}
		if err := h.writeSession(w, r, refreshed); err != nil {
			return nil, errNoCredentials
		}
		return &identity.Identity{Subject: refreshed.Subject, Roles: refreshed.Roles, Claims: refreshed.Claims}, nil
	}
	if now-s.Seen >= idle/10 {
		renewed := *s // s is shared through the cache: change a copy
		renewed.Seen = now
		_ = h.writeSession(w, r, &renewed)
	}
	return &identity.Identity{Subject: s.Subject, Roles: s.Roles, Claims: s.Claims}, nil
}

// tokenClaims are about the token, not the user: not kept in sessions.
var tokenClaims = []string{"iss", "aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "azp", "sid", "jti"}

// attributes returns the claims worth keeping as the user's attributes.
func attributes(claims map[string]any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		if !slices.Contains(tokenClaims, k) {
			out[k] = v
		}
	}
	return out
}

// logout ends the local session and, when the provider supports it, the
// provider's too (RP-initiated logout with the ID token as hint).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	b := h.browser
	var idToken string
	if sealed, err := b.jar.Read(r); err == nil {
		if s, err := b.sessions.Open(sealed); err == nil {
			idToken = s.IDToken
			h.logger.Info("signed out", zap.String("subject", s.Subject))
		}
	}
	b.jar.Clear(w, r)
	w.Header().Set("Cache-Control", "no-store")
	back := b.cfg.PostLogoutURL
	if back == "" {
		back = origin(r) + "/"
	}
	target := "/"
	if idToken != "" {
		if u := b.flow.EndSessionURL(idToken, back); u != "" {
			target = u
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// stripOwnCookies removes rolegate's cookies from the request, so the
// session never reaches the upstream.
func (b *browser) stripOwnCookies(r *http.Request) {
	cookies := r.Cookies()
	kept := cookies[:0]
	for _, c := range cookies {
		if c.Name != b.jar.Name && !strings.HasPrefix(c.Name, b.jar.Name+"-") {
			kept = append(kept, c)
		}
	}
	if len(kept) == len(cookies) {
		return
	}
	r.Header.Del("Cookie")
	if len(kept) == 0 {
		return
	}
	parts := make([]string, len(kept))
	for i, c := range kept {
		parts[i] = c.Name + "=" + c.Value
	}
	r.Header.Set("Cookie", strings.Join(parts, "; "))
}
