package caddymodule

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

const testPolicy = `roles: {READER: {}}
pages:
  docs: {title: Docs, actions: {read: {kind: read, title: Read docs, routes: ["GET /docs"]}, edit: {kind: update, title: Edit docs, routes: ["POST /docs"]}}}
grants: {READER: {docs: [read]}}
tests:
  - {role: READER, request: "GET /docs", expect: allow}
`

func writePolicy(t testing.TB, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func provision(h *Handler) error {
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	if err := h.Provision(ctx); err != nil {
		return err
	}
	return h.Validate()
}

func TestProvisionRefusesBrokenPolicies(t *testing.T) {
	broken := writePolicy(t, "roles: {R: {}}\npages:\n  p: {actions: {read: {kind: reed, routes: [\"GET /p\"]}}}\n")
	failing := writePolicy(t, strings.Replace(testPolicy, "expect: allow", "expect: deny", 1))
	cases := map[string]struct {
		h    Handler
		want string
	}{
		"missing file":  {Handler{Policy: "/nonexistent/policy.yaml"}, "no such file"},
		"no policy":     {Handler{}, "a policy file is required"},
		"broken policy": {Handler{Policy: broken}, broken + `:3: page p: action read: unknown kind "reed" (did you mean "read"?)`},
		"failing tests": {Handler{Policy: failing}, failing + ":6: tests[0]: GET /docs: expected deny, got allow"},
		"bad deny mode": {Handler{Policy: writePolicy(t, testPolicy), DenyMode: "ignore"}, `deny_mode: "ignore"`},
		"unsafe bearer": {Handler{Policy: writePolicy(t, testPolicy), Bearer: &BearerConfig{Issuer: "https://i", Audiences: []string{"a"}, Algorithms: []string{"none"}}}, `"none" is not accepted`},
		"same header":   {Handler{Policy: writePolicy(t, testPolicy), UserHeader: "X-Id", RolesHeader: "x-id"}, ""},
	}
	for name, c := range cases {
		h := c.h
		err := provision(&h)
		_ = h.Cleanup()
		if name == "same header" {
			if err == nil {
				t.Errorf("%s: accepted", name)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// serve runs one request through h in front of an upstream that records
// whether it was reached.
func serve(t *testing.T, h *Handler, r *http.Request) (*httptest.ResponseRecorder, bool, error) {
	t.Helper()
	repl := caddy.NewReplacer()
	r = r.WithContext(context.WithValue(r.Context(), caddy.ReplacerCtxKey, repl))
	reached := false
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error { reached = true; return nil })
	w := httptest.NewRecorder()
	err := h.ServeHTTP(w, r, next)
	return w, reached, err
}

func TestDenyAnswersProblemJSONAndHTML(t *testing.T) {
	h := &Handler{Policy: writePolicy(t, testPolicy)}
	if err := provision(h); err != nil {
		t.Fatal(err)
	}
	// Without bearer configured, any token is refused as invalid: 401.
	r := httptest.NewRequest("GET", "/docs", nil)
	r.Header.Set("Authorization", "Bearer abc")
	w, reached, _ := serve(t, h, r)
	if w.Code != 401 || reached || !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("token without bearer config: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	var p problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Header().Get("Content-Type") != "application/problem+json" || p.Status != 401 || p.Page != "Docs" || p.PageID != "docs" {
		t.Fatalf("problem: %s (%v)", w.Body, err)
	}
	if strings.Contains(w.Body.String(), "abc") {
		t.Fatal("the token appears in the answer")
	}
	r = httptest.NewRequest("GET", "/docs", nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	w, _, _ = serve(t, h, r)
	if w.Code != 401 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), "<dd>Docs</dd>") {
		t.Fatalf("browser: %d %s", w.Code, w.Body)
	}
}

func TestDenyModeErrorHandsOverToHandleErrors(t *testing.T) {
	h := &Handler{Policy: writePolicy(t, testPolicy), DenyMode: "error"}
	if err := provision(h); err != nil {
		t.Fatal(err)
	}
	w, reached, err := serve(t, h, httptest.NewRequest("GET", "/docs", nil))
	var he caddyhttp.HandlerError
	if !errors.As(err, &he) || he.StatusCode != 401 || reached || w.Body.Len() != 0 {
		t.Fatalf("deny_mode error: %v, reached %v, body %q", err, reached, w.Body)
	}
	w, reached, err = serve(t, h, httptest.NewRequest("GET", "/a/%2e%2e/docs", nil))
	if !errors.As(err, &he) || he.StatusCode != 400 || reached {
		t.Fatalf("ambiguous path in deny_mode error: %v", err)
	}
}

// TestUnreachableProviderNeverAllows: with the provider down, a request
// with a token gets 503, never the upstream.
func TestUnreachableProviderNeverAllows(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	h := &Handler{Policy: writePolicy(t, testPolicy), Bearer: &BearerConfig{Issuer: "http://" + addr, Audiences: []string{"app"}}}
	if err := provision(h); err != nil {
		t.Fatalf("Provision must not need the provider: %v", err)
	}
	defer h.Cleanup()
	r := httptest.NewRequest("GET", "/docs", nil)
	r.Header.Set("Authorization", "Bearer a.b.c")
	w, reached, _ := serve(t, h, r)
	if w.Code != 503 || reached {
		t.Fatalf("provider down: %d, reached %v", w.Code, reached)
	}
}

// TestSafeReturnRefusesOpenRedirects: only a path on this site survives as
// the post-sign-in target.
func TestSafeReturnRefusesOpenRedirects(t *testing.T) {
	for _, bad := range []string{
		"//evil.example", "///evil.example", "/\\evil.example", "/\t/evil.example", "/ /evil.example",
		"https://evil.example/", "javascript:alert(1)", "evil.example", "", "/\x00",
		"\\\\evil.example", "/\\/evil.example", "http:/evil.example",
	} {
		if got := safeReturn(bad); got != "/" {
			t.Errorf("safeReturn(%q) = %q, want /", bad, got)
		}
	}
	for _, good := range []string{"/", "/tickets/42", "/tickets?q=a%20b&x=1", "/a/b#frag"} {
		if got := safeReturn(good); got != good {
			t.Errorf("safeReturn(%q) = %q", good, got)
		}
	}
}
