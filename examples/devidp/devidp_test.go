package devidp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// TestTokensVerifyThroughDiscovery checks the provider end to end with
// go-oidc, as the gateway uses it: discovery, JWKS, signature, issuer,
// audience, and the persona's claims.
func TestTokensVerifyThroughDiscovery(t *testing.T) {
	var p *Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.Handler().ServeHTTP(w, r) }))
	defer srv.Close()
	var err error
	if p, err = New(srv.URL, "app"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.Token("bob", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: "app"}).Verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Roles []string `json:"roles"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Subject != "bob" || len(claims.Roles) != 1 || claims.Roles[0] != "BASIC" {
		t.Fatalf("subject %q roles %v", idt.Subject, claims.Roles)
	}
	if _, err := op.Verifier(&oidc.Config{ClientID: "other"}).Verify(ctx, tok); err == nil {
		t.Fatal("a token for another audience verified")
	}
	if _, err := p.Token("nobody", time.Minute); err == nil {
		t.Fatal("unknown persona got a token")
	}
}
