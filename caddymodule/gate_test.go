package caddymodule

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	jose "github.com/go-jose/go-jose/v4"
)

// gatePolicy has a page whose title needs escaping, an alias, a public
// route and a role with no grant.
const gatePolicy = `roles: {READER: {aliases: [RD]}, EDITOR: {}, NOBODY: {}}
pages:
  docs: {title: Docs, actions: {read: {kind: read, title: Read docs, routes: ["GET /docs", "GET /docs/{id}"]}, edit: {kind: update, title: Edit docs, routes: ["POST /docs"]}}}
  admin: {title: "Admin <script>", actions: {view: {kind: read, routes: ["GET /admin"]}}}
grants: {READER: {docs: [read]}, EDITOR: {docs: [read, edit]}}
public: ["GET /static/**"]
tests:
  - {role: READER, request: "POST /docs", expect: deny}
`

// testIdP is go-oidc's test provider with one RSA key, kid k1.
type testIdP struct {
	url string
	key *rsa.PrivateKey
}

func newTestIdP(t testing.TB) *testIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.SetIssuer(srv.URL)
	return &testIdP{url: srv.URL, key: key}
}

// claims are alice's, READER by alias, changed by over (nil deletes).
func (p *testIdP) claims(over map[string]any) string {
	c := map[string]any{"iss": p.url, "sub": "alice", "aud": "app", "exp": time.Now().Add(time.Hour).Unix(),
		"realm_access": map[string]any{"roles": []string{"RD", "offline_access"}}}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func (p *testIdP) token(over map[string]any) string {
	return oidctest.SignIDToken(p.key, "k1", "RS256", p.claims(over))
}

// newGate provisions a handler for gatePolicy that trusts idp's tokens.
func newGate(t testing.TB, idp *testIdP, change func(*Handler)) *Handler {
	t.Helper()
	h := &Handler{Policy: writePolicy(t, gatePolicy), StripHeaders: []string{"Remote-User"},
		Bearer: &BearerConfig{Issuer: idp.url, Audiences: []string{"other", "app"}, RolesClaim: "realm_access.roles"}}
	if change != nil {
		change(h)
	}
	if err := provision(h); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Cleanup() })
	return h
}

// result is one request through the gate: the answer, the request the
// upstream received (nil if none) and the placeholders.
type result struct {
	w    *httptest.ResponseRecorder
	up   *http.Request
	repl *caddy.Replacer
	err  error
}

func do(t *testing.T, h *Handler, method, target, token string, header http.Header) result {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	res := result{w: httptest.NewRecorder(), repl: caddy.NewReplacer()}
	r = r.WithContext(context.WithValue(r.Context(), caddy.ReplacerCtxKey, res.repl))
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		res.up = r.Clone(context.Background())
		return nil
	})
	res.err = h.ServeHTTP(res.w, r, next)
	return res
}

func assertRefused(t *testing.T, res result, status int) {
	t.Helper()
	if res.w.Code != status || res.up != nil {
		t.Fatalf("got %d (reached upstream: %v), want %d and nothing forwarded; body %s", res.w.Code, res.up != nil, status, res.w.Body)
	}
}

func assertProblem(t *testing.T, res result, status int) problem {
	t.Helper()
	assertRefused(t, res, status)
	if ct := res.w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.Unmarshal(res.w.Body.Bytes(), &p); err != nil || p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("not a problem document (%v): %s", err, res.w.Body)
	}
	return p
}

func assertPlaceholder(t *testing.T, res result, key, want string) {
	t.Helper()
	if got, _ := res.repl.GetString(key); got != want {
		t.Errorf("{%s} = %q, want %q", key, got, want)
	}
}

// TestAllowSetsTrustedHeadersAndDropsForgedOnes forges every identity
// header, as Caddy's TestForwardAuthCopyHeadersStripsClientHeaders does,
// also in the spellings a CGI or PHP upstream would read as the same one.
func TestAllowSetsTrustedHeadersAndDropsForgedOnes(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	forged := http.Header{
		"X-Rolegate-User": {"mallory"}, "X-Rolegate-Roles": {"EDITOR"}, "x-rolegate-user": {"mallory2"},
		"X_rolegate_roles": {"EDITOR"}, "Remote-User": {"mallory3"}, "X-Rolegate-Actions": {"docs.edit"}, "Accept": {"application/json"},
	}
	for _, target := range []string{"/docs/7", "/static/app.css"} {
		res := do(t, h, "GET", target, idp.token(nil), forged)
		if res.up == nil || res.err != nil {
			t.Fatalf("GET %s: %d %v, want it forwarded", target, res.w.Code, res.err)
		}
		want := http.Header{"Accept": {"application/json"}}
		if target == "/docs/7" {
			want["X-Rolegate-User"], want["X-Rolegate-Roles"] = []string{"alice"}, []string{"READER"}
			want["X-Rolegate-Actions"] = []string{"docs.read"}
		}
		delete(res.up.Header, "Authorization")
		if !reflect.DeepEqual(res.up.Header, want) {
			t.Errorf("GET %s: upstream saw %v, want %v", target, res.up.Header, want)
		}
	}
	res := do(t, h, "GET", "/docs/7", idp.token(nil), nil)
	assertPlaceholder(t, res, "http.auth.user.id", "alice")
	assertPlaceholder(t, res, "http.auth.user.roles", "READER")
	assertPlaceholder(t, res, "rolegate.page", "docs")
	assertPlaceholder(t, res, "rolegate.action", "read")
}

func TestDenyIs403ProblemJSONAndNeverReachesNext(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	tok := idp.token(nil)
	p := assertProblem(t, do(t, h, "POST", "/docs", tok, nil), http.StatusForbidden)
	want := problem{Type: p.Type, Title: "Forbidden", Status: 403, Detail: p.Detail,
		Page: "Docs", Action: "Edit docs", PageID: "docs", ActionID: "edit", Roles: []string{"READER"}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("problem %+v, want %+v", p, want)
	}
	res := do(t, h, "GET", "/nowhere", tok, nil)
	if p := assertProblem(t, res, http.StatusForbidden); !strings.Contains(p.Detail, "not part of") {
		t.Errorf("unmapped route: %q", p.Detail)
	}
	if strings.Contains(res.w.Body.String(), tok) {
		t.Error("the token appears in the answer")
	}
	noRoles := idp.token(map[string]any{"realm_access": map[string]any{"roles": []string{"NOBODY"}}})
	assertProblem(t, do(t, h, "GET", "/docs", noRoles, nil), http.StatusForbidden)
}

func TestBrowserGetsAnEscapedHTMLPage(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	accept := http.Header{"Accept": {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}}
	res := do(t, h, "GET", "/admin", idp.token(nil), accept)
	assertRefused(t, res, http.StatusForbidden)
	body := res.w.Body.String()
	if !strings.HasPrefix(res.w.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "Admin &lt;script&gt;") || strings.Contains(body, "<script>") ||
		!strings.Contains(body, "<dd>view</dd>") || !strings.Contains(body, "<dd>READER</dd>") {
		t.Fatalf("HTML deny page:\n%s", body)
	}
}

func TestPrefersHTML(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                 false,
		"*/*":                              false,
		"application/json":                 false,
		"text/html":                        true,
		"TEXT/HTML; charset=utf-8":         true,
		"text/html;q=0":                    false,
		"application/json, text/html;q=.5": false,
		"text/html, application/json;q=.9": true,
		"application/xhtml+xml, */*;q=0.1": true,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept", accept)
		if got := prefersHTML(r); got != want {
			t.Errorf("Accept %q: prefersHTML %v, want %v", accept, got, want)
		}
	}
}

func TestMissingOrBadTokenIs401(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	for _, header := range []http.Header{nil, {"Authorization": {"Basic YWxpY2U6c2VjcmV0"}}, {"Authorization": {"Bearer "}}} {
		res := do(t, h, "GET", "/docs", "", header)
		assertProblem(t, res, http.StatusUnauthorized)
		if got := res.w.Header().Get("WWW-Authenticate"); got != `Bearer realm="rolegate"` {
			t.Errorf("%v: WWW-Authenticate %q", header, got)
		}
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubDER, _ := x509.MarshalPKIXPublicKey(idp.key.Public())
	enc := base64.RawURLEncoding.EncodeToString
	for name, tok := range map[string]string{
		"garbage":                         "not-a-jwt",
		"wrong issuer":                    idp.token(map[string]any{"iss": "https://evil.example"}),
		"wrong audience":                  idp.token(map[string]any{"aud": "someone-else"}),
		"expired":                         idp.token(map[string]any{"exp": time.Now().Add(-2 * time.Minute).Unix()}),
		"not yet valid":                   idp.token(map[string]any{"nbf": time.Now().Add(5 * time.Minute).Unix()}),
		"alg none":                        enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(idp.claims(nil))) + ".",
		"HS256, public key as the secret": hs256(t, pubDER, idp.claims(nil)),
		"unknown kid":                     oidctest.SignIDToken(other, "k2", "RS256", idp.claims(nil)),
		"known kid, other key":            oidctest.SignIDToken(other, "k1", "RS256", idp.claims(nil)),
	} {
		res := do(t, h, "GET", "/docs", tok, nil)
		if res.w.Code != http.StatusUnauthorized || res.up != nil ||
			res.w.Header().Get("WWW-Authenticate") != `Bearer realm="rolegate", error="invalid_token"` {
			t.Errorf("%s: %d, WWW-Authenticate %q, forwarded %v", name, res.w.Code, res.w.Header().Get("WWW-Authenticate"), res.up != nil)
		}
		if strings.Contains(res.w.Body.String(), tok) {
			t.Errorf("%s: the token appears in the answer", name)
		}
	}
}

func hs256(t *testing.T, secret []byte, claims string) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign([]byte(claims))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := sig.CompactSerialize()
	return out
}

func TestRolesFromASingleStringClaim(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, func(h *Handler) { h.Bearer.RolesClaim = "role"; h.Bearer.UserClaim = "email" })
	res := do(t, h, "POST", "/docs", idp.token(map[string]any{"role": "EDITOR", "email": "ed@example.com"}), nil)
	if res.up == nil || res.up.Header.Get("X-Rolegate-User") != "ed@example.com" || res.up.Header.Get("X-Rolegate-Roles") != "EDITOR" {
		t.Fatalf("single-string roles claim: %d %v", res.w.Code, res.up)
	}
	assertProblem(t, do(t, h, "POST", "/docs", idp.token(map[string]any{"role": "EDITOR"}), nil), http.StatusUnauthorized)
}

func TestHEADIsDecidedAsGET(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	if res := do(t, h, "HEAD", "/docs/1", idp.token(nil), nil); res.up == nil || res.up.Method != "HEAD" {
		t.Fatalf("HEAD /docs/1 as READER: %d", res.w.Code)
	}
	assertRefused(t, do(t, h, "HEAD", "/admin", idp.token(nil), nil), http.StatusForbidden)
}

// TestAmbiguousPathsNeverReachNext: refused with 400 and the reason, even
// for a user who could see the page the path might be read as.
func TestAmbiguousPathsNeverReachNext(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	for target, reason := range map[string]string{
		"/static/..%2fdocs":       "encoded slash",
		"/static/%2e%2e/docs":     "dot segment",
		"/static/../docs":         "dot segment",
		"/static;x=1/../docs":     "path parameter",
		"/docs%5c7":               "encoded backslash",
		"/static/%252e%252e/docs": "double encoding",
		"/docs/%00":               "control character",
	} {
		res := do(t, h, "GET", target, idp.token(nil), nil)
		if p := assertProblem(t, res, http.StatusBadRequest); !strings.Contains(p.Detail, reason) {
			t.Errorf("GET %s: detail %q, want it to name %q", target, p.Detail, reason)
		}
	}
}

func TestMethodOverrideIsRefused(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	for _, hdr := range []string{"X-HTTP-Method-Override", "X-Method-Override", "X-HTTP-Method"} {
		assertProblem(t, do(t, h, "GET", "/docs", idp.token(nil), http.Header{http.CanonicalHeaderKey(hdr): {"POST"}}), http.StatusBadRequest)
	}
	assertProblem(t, do(t, h, "GET", "/docs?_method=POST", idp.token(nil), nil), http.StatusBadRequest)
}

func TestUpstreamReceivesTheCanonicalPath(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, nil)
	res := do(t, h, "GET", "//docs///%37?q=1", idp.token(nil), nil)
	if res.up == nil || res.up.URL.Path != "/docs/7" || res.up.URL.RawPath != "" || res.up.URL.RawQuery != "q=1" {
		t.Fatalf("upstream URL %v, want /docs/7?q=1", res.up.URL)
	}
}

func TestDenyModeErrorSetsPlaceholders(t *testing.T) {
	idp := newTestIdP(t)
	h := newGate(t, idp, func(h *Handler) { h.DenyMode = "error" })
	res := do(t, h, "POST", "/docs", idp.token(nil), nil)
	var he caddyhttp.HandlerError
	if !errors.As(res.err, &he) || he.StatusCode != 403 || res.up != nil || res.w.Body.Len() != 0 {
		t.Fatalf("deny_mode error: %v", res.err)
	}
	assertPlaceholder(t, res, "rolegate.page", "docs")
	assertPlaceholder(t, res, "rolegate.action", "edit")
	assertPlaceholder(t, res, "rolegate.status", "403")
}

// BenchmarkServeHTTPAllow measures the allow path for a client that sends
// the same token on every request: verified once, then from the cache.
func BenchmarkServeHTTPAllow(b *testing.B) {
	idp := newTestIdP(b)
	h := newGate(b, idp, nil)
	auth := "Bearer " + idp.token(nil)
	repl := caddy.NewReplacer()
	ctx := context.WithValue(context.Background(), caddy.ReplacerCtxKey, repl)
	next := caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil })
	r := httptest.NewRequest("GET", "/docs/7", nil).WithContext(ctx)
	r.Header.Set("Authorization", auth) // the trusted headers set below are stripped on the next round
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.ServeHTTP(w, r, next); err != nil || r.Header.Get("X-Rolegate-User") != "alice" {
			b.Fatalf("not allowed: %v", err)
		}
	}
}

func TestProvisionReplacesEnvPlaceholders(t *testing.T) {
	idp := newTestIdP(t)
	t.Setenv("ROLEGATE_TEST_POLICY", writePolicy(t, gatePolicy))
	t.Setenv("ROLEGATE_TEST_ISSUER", idp.url)
	t.Setenv("ROLEGATE_TEST_AUD", "app")
	h := &Handler{Policy: "{env.ROLEGATE_TEST_POLICY}",
		Bearer: &BearerConfig{Issuer: "{env.ROLEGATE_TEST_ISSUER}", Audiences: []string{"{env.ROLEGATE_TEST_AUD}"}, RolesClaim: "realm_access.roles"}}
	if err := provision(h); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Cleanup() })
	if res := do(t, h, "GET", "/docs", idp.token(nil), nil); res.up == nil {
		t.Fatalf("env placeholders: %d %s", res.w.Code, res.w.Body)
	}
}
