package devidp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// The authorization code flow, for browsers: /authorize shows the personas
// and issues a code for the one picked; /token exchanges it, checking the
// PKCE verifier (S256 only), the redirect URI and the client secret.

// grant is an issued, not yet redeemed authorization code.
type grant struct {
	persona, clientID, redirectURI, nonce, challenge string
	expires                                          time.Time
}

// codes holds the outstanding authorization codes; each is redeemed once.
type codes struct {
	mu sync.Mutex
	m  map[string]grant
}

func (c *codes) put(g grant) string {
	code := randomString()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]grant{}
	}
	c.m[code] = g
	return code
}

func (c *codes) take(code string) (grant, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.m[code]
	delete(c.m, code)
	return g, ok
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var pickPage = template.Must(template.New("pick").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Development sign-in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}
.warn{background:#fff3cd;padding:.6rem 1rem;border-radius:4px}button{display:block;width:100%;margin:.3rem 0;padding:.5rem;font:inherit;text-align:left;cursor:pointer}h2{font-size:1rem;margin:1.2rem 0 .3rem}</style></head>
<body><h1>Development sign-in</h1>
<p class="warn"><b>DEVELOPMENT ONLY.</b> This identity provider signs in anyone as anyone. Never use it for real users.</p>
<p>Sign in as:</p>
<form method="post" action="authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
{{range .Systems}}<h2>{{.Name}}</h2>
{{range .Personas}}<button name="persona" value="{{.ID}}" data-persona="{{.ID}}">{{.Name}} <small>{{with index .Claims "roles"}}roles {{.}}{{end}}{{with index .Claims "department"}}department {{.}}{{end}}</small></button>{{end}}
{{end}}
</form></body></html>
`))

// authorize checks the request, then shows the persona picker (GET) or
// issues a code for the chosen persona (POST).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q := r.Form
	if q.Get("response_type") != "code" || !slices.Contains(p.clients, q.Get("client_id")) || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "devidp: expected response_type=code, a client_id among "+strings.Join(p.clients, ", ")+" and a PKCE S256 code_challenge", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() {
		http.Error(w, "devidp: redirect_uri must be an absolute URL", http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodGet {
		params := url.Values{}
		for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
			params.Set(k, q.Get(k))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pickPage.Execute(w, map[string]any{"Params": params, "Systems": bySystem(p.order)})
		return
	}
	persona := q.Get("persona")
	if _, ok := p.personas[persona]; !ok {
		http.Error(w, "devidp: unknown persona", http.StatusBadRequest)
		return
	}
	code := p.codes.put(grant{persona: persona, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
		nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), expires: p.now().Add(time.Minute)})
	back := redirect.Query()
	back.Set("code", code)
	back.Set("state", q.Get("state"))
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// token redeems a code for an ID token and an access token.
func (p *Provider) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
	}
	if !slices.Contains(p.clients, id) || subtle.ConstantTimeCompare([]byte(secret), []byte(p.secret)) != 1 {
		tokenError(w, "invalid_client")
		return
	}
	switch r.Form.Get("grant_type") {
	case "authorization_code":
	case "refresh_token":
		p.refresh(w, id, r.Form.Get("refresh_token"))
		return
	default:
		tokenError(w, "unsupported_grant_type")
		return
	}
	g, ok := p.codes.take(r.Form.Get("code"))
	sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
	switch {
	case !ok || p.now().After(g.expires) || g.clientID != id:
		tokenError(w, "invalid_grant")
		return
	case g.redirectURI != r.Form.Get("redirect_uri"):
		tokenError(w, "invalid_grant")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, "invalid_grant")
		return
	}
	sid := "sid-" + randomString()
	p.codes.mu.Lock()
	if p.sessions == nil {
		p.sessions = map[string]string{}
	}
	p.sessions[g.persona] = sid
	p.codes.mu.Unlock()
	idToken, err := p.sign(g.persona, p.ttl(), map[string]any{"nonce": g.nonce, "sid": sid, "aud": g.clientID})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.issue(w, g.clientID, g.persona, sid, idToken)
}

// issue answers a token request: an ID token, an opaque access token, and a
// refresh token that is good for one use (refresh tokens rotate).
func (p *Provider) issue(w http.ResponseWriter, client, persona, sid, idToken string) {
	access := p.codes.put(grant{persona: persona, expires: p.now().Add(time.Hour)}) // an opaque handle
	refresh := p.codes.put(grant{persona: persona, nonce: sid, clientID: "refresh", redirectURI: client, expires: p.now().Add(24 * time.Hour)})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, map[string]any{"access_token": "at-" + access, "token_type": "Bearer", "expires_in": 3600,
		"id_token": idToken, "refresh_token": "rt-" + refresh})
}

// refresh redeems a refresh token once, for new tokens.
func (p *Provider) refresh(w http.ResponseWriter, client, token string) {
	raw, _ := strings.CutPrefix(token, "rt-")
	g, ok := p.codes.take(raw)
	if !ok || g.clientID != "refresh" || g.redirectURI != client || p.now().After(g.expires) {
		tokenError(w, "invalid_grant")
		return
	}
	p.codes.mu.Lock()
	p.refreshed++
	p.codes.mu.Unlock()
	idToken, err := p.sign(g.persona, p.ttl(), map[string]any{"sid": g.nonce, "aud": client})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.issue(w, client, g.persona, g.nonce, idToken)
}

// Refreshes counts the refresh tokens redeemed.
func (p *Provider) Refreshes() int {
	p.codes.mu.Lock()
	defer p.codes.mu.Unlock()
	return p.refreshed
}

// RevokeRefreshTokens invalidates every refresh token of the persona, as a
// provider does when it disables a user.
func (p *Provider) RevokeRefreshTokens(persona string) {
	p.codes.mu.Lock()
	defer p.codes.mu.Unlock()
	for k, g := range p.codes.m {
		if g.clientID == "refresh" && g.persona == persona {
			delete(p.codes.m, k)
		}
	}
}

func (p *Provider) ttl() time.Duration {
	if p.IDTokenTTL > 0 {
		return p.IDTokenTTL
	}
	return time.Hour
}

func tokenError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	writeJSON(w, map[string]string{"error": code})
}

// userinfo returns the claims of the persona an access token was issued to.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer at-")
	p.codes.mu.Lock()
	g, found := p.codes.m[raw]
	p.codes.mu.Unlock()
	if !ok || !found || g.clientID != "" || p.now().After(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid access token", http.StatusUnauthorized)
		return
	}
	ps := p.personas[g.persona]
	claims := map[string]any{"sub": ps.ID, "name": ps.Name}
	for k, v := range ps.Claims {
		claims[k] = v
	}
	writeJSON(w, claims)
}

// endSession ends nothing (the provider keeps no sessions) and sends the
// browser back where the relying party asked.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if back := r.URL.Query().Get("post_logout_redirect_uri"); back != "" {
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("signed out of the development identity provider\n"))
}

// LastSession is the session ID (sid) of the persona's last sign-in.
func (p *Provider) LastSession(persona string) string {
	p.codes.mu.Lock()
	defer p.codes.mu.Unlock()
	return p.sessions[persona]
}

// LogoutToken signs a back-channel logout token (OpenID Connect Back-Channel
// Logout 1.0) for the persona, naming one session when sid is set, else all
// of the persona's sessions.
func (p *Provider) LogoutToken(persona, sid string) (string, error) {
	if _, ok := p.personas[persona]; !ok {
		return "", fmt.Errorf("devidp: unknown persona %q", persona)
	}
	now := p.now()
	claims := map[string]any{"iss": p.issuer, "aud": p.audience, "sub": persona, "iat": now.Unix(),
		"exp": now.Add(2 * time.Minute).Unix(), "jti": randomString(),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}
	if sid != "" {
		claims["sid"] = sid
	}
	return jwt.Signed(p.signer).Claims(claims).Serialize()
}

type system struct {
	Name     string
	Personas []Persona
}

// bySystem groups personas by the system they belong to, in file order.
func bySystem(ps []Persona) []system {
	var out []system
	for _, p := range ps {
		if len(out) == 0 || out[len(out)-1].Name != p.System {
			out = append(out, system{Name: p.System})
		}
		out[len(out)-1].Personas = append(out[len(out)-1].Personas, p)
	}
	return out
}
