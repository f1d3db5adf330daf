package caddymodule_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/rolegate/rolegate/caddymodule"
	"github.com/rolegate/rolegate/caddymodule/session"
	"github.com/rolegate/rolegate/examples/backoffice/app"
	"github.com/rolegate/rolegate/examples/devidp"
)

// Development keys for tests only.
const (
	testKeyOld = "test-only-session-key-2025-0000000000"
	testKeyNew = "test-only-session-key-2026-1111111111"
)

// site is the gateway with browser sign-in, served over HTTP in front of the
// example back-office, with the development identity provider.
type site struct {
	url      string
	idp      *httptest.Server
	provider *devidp.Provider
	mu       sync.Mutex
	upstream []*http.Request
}

func newSite(t *testing.T, keys ...caddymodule.SessionKey) *site {
	t.Helper()
	return newSiteWith(t, nil, keys...)
}

// newSiteWith lets a test adjust the sign-in configuration.
func newSiteWith(t *testing.T, adjust func(*caddymodule.SignInConfig), keys ...caddymodule.SessionKey) *site {
	t.Helper()
	var provider *devidp.Provider
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { provider.Handler().ServeHTTP(w, r) }))
	t.Cleanup(idp.Close)
	var err error
	if provider, err = devidp.New(idp.URL, audience); err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		keys = []caddymodule.SessionKey{{ID: "k2026", Secret: testKeyNew}}
	}
	h := &caddymodule.Handler{Policy: v3Policy, SignIn: &caddymodule.SignInConfig{
		Issuer: idp.URL, ClientID: audience, ClientSecret: devidp.ClientSecret, Keys: keys, InsecureCookies: true,
	}}
	if adjust != nil {
		adjust(h.SignIn)
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := h.Provision(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Cleanup() })
	s := &site{idp: idp, provider: provider}
	backoffice := app.New()
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		s.mu.Lock()
		s.upstream = append(s.upstream, r.Clone(context.Background()))
		s.mu.Unlock()
		backoffice.ServeHTTP(w, r)
		return nil
	})
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), caddy.ReplacerCtxKey, caddy.NewReplacer()))
		if err := h.ServeHTTP(w, r, next); err != nil {
			t.Errorf("ServeHTTP: %v", err)
		}
	}))
	t.Cleanup(gw.Close)
	s.url = gw.URL
	return s
}

// browser is an HTTP client that keeps cookies and stops at redirects, so
// each hop can be checked.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, target string, accept string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Accept", accept)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const htmlAccept = "text/html,application/xhtml+xml"

// signIn opens target, follows the sign-in as persona, and returns the
// callback URL the provider sent the browser to (not yet followed).
func (s *site) startSignIn(t *testing.T, c *http.Client, target, persona string) *url.URL {
	t.Helper()
	resp := get(t, c, s.url+target, htmlAccept)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET %s without a session: %d, want a redirect to sign in", target, resp.StatusCode)
	}
	auth, _ := url.Parse(resp.Header.Get("Location"))
	if !strings.HasPrefix(auth.String(), s.idp.URL+"/authorize?") {
		t.Fatalf("redirected to %s, not to the provider", auth)
	}
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("nonce") == "" {
		t.Fatalf("authorization request lacks PKCE S256, state or nonce: %s", auth.RawQuery)
	}
	q.Set("persona", persona)
	pick, err := c.PostForm(s.idp.URL+"/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	pick.Body.Close()
	cb, _ := url.Parse(pick.Header.Get("Location"))
	return cb
}

func (s *site) signIn(t *testing.T, c *http.Client, target, persona string) {
	t.Helper()
	cb := s.startSignIn(t, c, target, persona)
	resp := get(t, c, cb.String(), htmlAccept)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != target {
		t.Fatalf("callback: %d to %q, want a redirect to %s", resp.StatusCode, resp.Header.Get("Location"), target)
	}
}

func body(t *testing.T, resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestBrowserSignInLandsOnTheURLFirstAsked(t *testing.T) {
	s := newSite(t)
	c := browser(t)
	s.signIn(t, c, "/tickets/42?tab=history", "bob")
	resp := get(t, c, s.url+"/tickets/42?tab=history", htmlAccept)
	if resp.StatusCode != 200 || !strings.Contains(body(t, resp), "bob") {
		t.Fatalf("after sign-in: %d", resp.StatusCode)
	}
	for _, cookie := range c.Jar.Cookies(mustURL(s.url)) {
		if cookie.Name == "rolegate" && strings.Contains(cookie.Value, "bob") {
			t.Fatal("the session cookie is readable")
		}
	}
	// Allowed and denied for BASIC, with the session.
	for target, want := range map[string]int{"/tickets/42/delete": 200, "/tickets/42/edit": 403} {
		req, _ := http.NewRequest("POST", s.url+target, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST %s as BASIC: %d, want %d", target, resp.StatusCode, want)
		}
	}
	// The upstream never sees rolegate's cookies, only the trusted headers.
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.upstream) == 0 {
		t.Fatal("nothing reached the upstream")
	}
	for _, r := range s.upstream {
		if strings.Contains(r.Header.Get("Cookie"), "rolegate") {
			t.Fatalf("the upstream received rolegate's cookies: %q", r.Header.Get("Cookie"))
		}
		if r.Header.Get("X-Rolegate-User") != "bob" {
			t.Fatalf("upstream user %q", r.Header.Get("X-Rolegate-User"))
		}
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestOnlyNavigationsAreRedirected(t *testing.T) {
	s := newSite(t)
	c := browser(t)
	if resp := get(t, c, s.url+"/tickets/42", "application/json"); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("API request: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", s.url+"/tickets/42", nil)
	req.Header.Set("Accept", htmlAccept)
	req.Header.Set("Sec-Fetch-Mode", "cors")
	if resp, _ := c.Do(req); resp.StatusCode != 401 {
		t.Errorf("fetch(): %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", s.url+"/tickets/42/delete", nil)
	req.Header.Set("Accept", htmlAccept)
	if resp, _ := c.Do(req); resp.StatusCode != 401 {
		t.Errorf("POST: %d, must never be redirected", resp.StatusCode)
	}
}

// TestCallbackAttacks: forged, missing, replayed and foreign state, and a
// code without its browser, are refused and sign nobody in.
func TestCallbackAttacks(t *testing.T) {
	s := newSite(t)
	alice := browser(t)
	cb := s.startSignIn(t, alice, "/tickets", "alice")

	mallory := browser(t)
	if resp := get(t, mallory, cb.String(), htmlAccept); resp.StatusCode != 400 {
		t.Errorf("callback in another browser (foreign state): %d", resp.StatusCode)
	}
	forged := *cb
	q := forged.Query()
	q.Set("state", "forged-state-value-xxxxxxxxxxxxxxxx")
	forged.RawQuery = q.Encode()
	if resp := get(t, alice, forged.String(), htmlAccept); resp.StatusCode != 400 {
		t.Errorf("forged state: %d", resp.StatusCode)
	}
	q.Del("state")
	forged.RawQuery = q.Encode()
	if resp := get(t, alice, forged.String(), htmlAccept); resp.StatusCode != 400 {
		t.Errorf("missing state: %d", resp.StatusCode)
	}
	if resp := get(t, alice, cb.String(), htmlAccept); resp.StatusCode != 302 {
		t.Fatalf("the genuine callback: %d", resp.StatusCode)
	}
	if resp := get(t, alice, cb.String(), htmlAccept); resp.StatusCode != 400 {
		t.Errorf("replayed callback: %d", resp.StatusCode)
	}
	if resp := get(t, mallory, s.url+"/tickets", "application/json"); resp.StatusCode != 401 {
		t.Errorf("mallory got a session: %d", resp.StatusCode)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	s := newSite(t)
	c := browser(t)
	s.signIn(t, c, "/tickets", "sam")
	resp := get(t, c, s.url+"/.rolegate/logout", htmlAccept)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 302 || !strings.HasPrefix(loc, s.idp.URL+"/end_session?") || !strings.Contains(loc, "id_token_hint=") {
		t.Fatalf("logout: %d to %q, want RP-initiated logout at the provider", resp.StatusCode, loc)
	}
	if resp := get(t, c, s.url+"/tickets", "application/json"); resp.StatusCode != 401 {
		t.Fatalf("after logout: %d, want 401", resp.StatusCode)
	}
}

func TestSessionKeyRotation(t *testing.T) {
	old := caddymodule.SessionKey{ID: "k2025", Secret: testKeyOld}
	fresh := caddymodule.SessionKey{ID: "k2026", Secret: testKeyNew}
	before := newSite(t, old)
	c := browser(t)
	before.signIn(t, c, "/tickets", "sam")
	cookies := c.Jar.Cookies(mustURL(before.url))

	replay := func(s *site) int {
		req, _ := http.NewRequest("GET", s.url+"/tickets", nil)
		req.Header.Set("Accept", "application/json")
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := replay(newSite(t, fresh, old)); got != 200 {
		t.Errorf("cookie under the old key while both are configured: %d, want 200", got)
	}
	if got := replay(newSite(t, fresh)); got != 401 {
		t.Errorf("cookie under a retired key: %d, want 401", got)
	}
}

func TestTamperedSessionCookies(t *testing.T) {
	s := newSite(t)
	c := browser(t)
	s.signIn(t, c, "/tickets", "alice")
	var session *http.Cookie
	for _, ck := range c.Jar.Cookies(mustURL(s.url)) {
		if ck.Name == "rolegate" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	v := session.Value
	for name, value := range map[string]string{
		"truncated": v[:len(v)-10],
		"flipped":   v[:len(v)-5] + string(v[len(v)-5]^1) + v[len(v)-4:],
		"other key": strings.Replace(v, "v1.k2026.", "v1.k2025.", 1),
		"garbage":   "v1.k2026.AAAA",
	} {
		req, _ := http.NewRequest("GET", s.url+"/organizer-profile", nil)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: "rolegate", Value: value})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("%s cookie: %d, want 401", name, resp.StatusCode)
		}
	}
}

func TestProblemJSONNamesNoSecret(t *testing.T) {
	s := newSite(t)
	c := browser(t)
	s.signIn(t, c, "/tickets", "sam")
	req, _ := http.NewRequest("GET", s.url+"/organizer-profile", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != 403 || p["page"] != "Organizer profile & API key" {
		t.Fatalf("%d %v", resp.StatusCode, p)
	}
}

// postLogout sends a back-channel logout token as the provider would.
func (s *site) postLogout(t *testing.T, token string) int {
	t.Helper()
	resp, err := http.PostForm(s.url+"/.rolegate/backchannel-logout", url.Values{"logout_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestBackchannelLogoutEndsSessions(t *testing.T) {
	s := newSite(t)
	bob, bob2, sam := browser(t), browser(t), browser(t)
	s.signIn(t, bob, "/tickets", "bob")
	firstSID := s.provider.LastSession("bob")
	s.signIn(t, bob2, "/tickets", "bob")
	s.signIn(t, sam, "/tickets", "sam")
	status := func(c *http.Client) int { return get(t, c, s.url+"/tickets", "application/json").StatusCode }

	// One session, by the provider's sid.
	tok, _ := s.provider.LogoutToken("bob", firstSID)
	if code := s.postLogout(t, tok); code != 200 {
		t.Fatalf("logout token: %d", code)
	}
	if status(bob) != 401 || status(bob2) != 200 || status(sam) != 200 {
		t.Fatalf("after a logout of one session: bob %d, bob's other session %d, sam %d", status(bob), status(bob2), status(sam))
	}
	if code := s.postLogout(t, tok); code != 400 {
		t.Errorf("replayed logout token: %d", code)
	}
	// Every session of a subject.
	tok, _ = s.provider.LogoutToken("bob", "")
	if code := s.postLogout(t, tok); code != 200 || status(bob2) != 401 || status(sam) != 200 {
		t.Fatalf("logout of all of bob's sessions: %d; bob2 %d, sam %d", code, status(bob2), status(sam))
	}
	// Forged and foreign tokens change nothing.
	for name, bad := range map[string]string{
		"garbage":  "a.b.c",
		"id token": mustToken(t, s.provider, "sam"),
		"empty":    "",
	} {
		if code := s.postLogout(t, bad); code != 400 {
			t.Errorf("%s as logout token: %d", name, code)
		}
	}
	if status(sam) != 200 {
		t.Fatal("sam lost the session to a refused logout token")
	}
}

func mustToken(t *testing.T, p *devidp.Provider, persona string) string {
	tok, err := p.Token(persona, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestRefresh: with refresh on and the ID token due for refresh, the next
// requests renew the session once, however many arrive together; when the
// provider stops honouring the refresh token, the browser must sign in again.
func TestRefresh(t *testing.T) {
	s := newSiteWith(t, func(c *caddymodule.SignInConfig) {
		c.Refresh = true
		c.RefreshBefore = caddy.Duration(2 * time.Hour) // ID tokens live 1h: always due
	})
	c := browser(t)
	s.signIn(t, c, "/tickets", "bob")
	if n := s.provider.Refreshes(); n != 0 {
		t.Fatalf("%d refreshes during sign-in", n)
	}
	// Ten requests at once with the same cookie: one refresh.
	cookies := c.Jar.Cookies(mustURL(s.url))
	var wg sync.WaitGroup
	codes := make([]int, 10)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", s.url+"/tickets", nil)
			req.Header.Set("Accept", "application/json")
			for _, ck := range cookies {
				req.AddCookie(ck)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for i, code := range codes {
		if code != 200 {
			t.Fatalf("concurrent request %d: %d", i, code)
		}
	}
	if n := s.provider.Refreshes(); n != 1 {
		t.Fatalf("%d refreshes for one session's concurrent requests, want 1", n)
	}
	// The provider disables bob: the next refresh fails and he is challenged.
	s.provider.RevokeRefreshTokens("bob")
	if resp := get(t, c, s.url+"/tickets", "application/json"); resp.StatusCode != 200 {
		t.Fatalf("within the refresh memo, with the old cookie: %d", resp.StatusCode)
	}
	fresh := browser(t)
	s.signIn(t, fresh, "/tickets", "sam")
	s.provider.RevokeRefreshTokens("sam")
	if resp := get(t, fresh, s.url+"/tickets", htmlAccept); resp.StatusCode != 302 || !strings.HasPrefix(resp.Header.Get("Location"), s.idp.URL) {
		t.Fatalf("refresh refused by the provider: %d to %q, want a new sign-in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestExpiredAndIdleSessionsAreRefused seals sessions with the site's own
// key, as only the gateway could, but past their absolute or idle limits.
func TestExpiredAndIdleSessionsAreRefused(t *testing.T) {
	s := newSite(t)
	codec, err := session.NewCodec("session", []session.Key{{ID: "k2026", Secret: []byte(testKeyNew)}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for name, c := range map[string]struct {
		sess session.Session
		want int
	}{
		"valid":   {session.Session{ID: "a", Subject: "alice", Roles: []string{"ADMIN"}, Issued: now.Unix(), Expires: now.Add(time.Hour).Unix(), Seen: now.Unix()}, 200},
		"expired": {session.Session{ID: "b", Subject: "alice", Roles: []string{"ADMIN"}, Issued: now.Add(-9 * time.Hour).Unix(), Expires: now.Add(-time.Hour).Unix(), Seen: now.Unix()}, 401},
		"idle":    {session.Session{ID: "c", Subject: "alice", Roles: []string{"ADMIN"}, Issued: now.Unix(), Expires: now.Add(time.Hour).Unix(), Seen: now.Add(-2 * time.Hour).Unix()}, 401},
	} {
		sealed, err := codec.SealSession(&c.sess)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", s.url+"/organizer-profile", nil)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: "rolegate", Value: sealed})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s session: %d, want %d", name, resp.StatusCode, c.want)
		}
	}
}

// TestParallelTabsEachReturnToTheirPage: two sign-ins started in one
// browser, finished in the other order, each land where they began; the
// attempts a browser keeps are bounded.
func TestParallelTabsEachReturnToTheirPage(t *testing.T) {
	s := newSite(t)
	c := browser(t)
	first := s.startSignIn(t, c, "/tickets/42", "bob")
	second := s.startSignIn(t, c, "/spectators/7", "bob")
	for cb, want := range map[*url.URL]string{second: "/spectators/7", first: "/tickets/42"} {
		resp := get(t, c, cb.String(), htmlAccept)
		if resp.StatusCode != 302 || resp.Header.Get("Location") != want {
			t.Fatalf("callback: %d to %q, want %s", resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	many := browser(t)
	for range 8 {
		resp := get(t, many, s.url+"/tickets", htmlAccept)
		if resp.StatusCode != 302 {
			t.Fatalf("sign-in start: %d", resp.StatusCode)
		}
	}
	attempts := 0
	for _, ck := range many.Jar.Cookies(mustURL(s.url)) {
		if strings.HasPrefix(ck.Name, "rolegate-auth-") {
			attempts++
		}
	}
	if attempts > 5 {
		t.Fatalf("%d sign-in attempt cookies kept, want at most 5", attempts)
	}
}

// TestProviderOutage: with the provider unreachable from the start, the
// gateway still starts; a valid session keeps working and a new sign-in
// gets a clear 503, never a pass. (Once discovery has succeeded, the
// browser is sent to the provider as usual, and an outage then shows there.)
func TestProviderOutage(t *testing.T) {
	s := newSite(t)
	s.idp.Close()
	codec, err := session.NewCodec("session", []session.Key{{ID: "k2026", Secret: []byte(testKeyNew)}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sealed, _ := codec.SealSession(&session.Session{ID: "s", Subject: "sam", Roles: []string{"SUPPORT"},
		Issued: now.Unix(), Expires: now.Add(time.Hour).Unix(), Seen: now.Unix()})
	req, _ := http.NewRequest("GET", s.url+"/tickets/42", nil)
	req.AddCookie(&http.Cookie{Name: "rolegate", Value: sealed})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("a valid session during the outage: %d", resp.StatusCode)
	}
	newcomer := browser(t)
	resp = get(t, newcomer, s.url+"/tickets/42", htmlAccept)
	if resp.StatusCode != 503 || !strings.Contains(body(t, resp), "identity provider") {
		t.Fatalf("sign-in during the outage: %d", resp.StatusCode)
	}
}
