package devidp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
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

// TestCodeFlowWithPKCE runs the browser flow as a relying party would, with
// golang.org/x/oauth2: the persona picked gets a code, the code redeems once
// with the right PKCE verifier, and the access token reads userinfo.
func TestCodeFlowWithPKCE(t *testing.T) {
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
	cfg := &oauth2.Config{ClientID: "app", ClientSecret: ClientSecret, Endpoint: op.Endpoint(), RedirectURL: "http://rp.test/cb", Scopes: []string{"openid"}}
	verifier := oauth2.GenerateVerifier()
	auth, _ := url.Parse(cfg.AuthCodeURL("st", oidc.Nonce("n1"), oauth2.S256ChallengeOption(verifier)))
	form := auth.Query()
	form.Set("persona", "mona")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(srv.URL+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := url.Parse(resp.Header.Get("Location"))
	code := back.Query().Get("code")
	if back.Query().Get("state") != "st" || code == "" {
		t.Fatalf("redirect %s", back)
	}
	if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption("wrong-verifier-wrong-verifier-wrong-verifier")); err == nil {
		t.Fatal("a wrong PKCE verifier redeemed the code")
	}
	// The failed attempt consumed the code: codes are single use.
	if _, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a code redeemed twice")
	}
	resp, _ = noRedirect.PostForm(srv.URL+"/authorize", form)
	back, _ = url.Parse(resp.Header.Get("Location"))
	tok, err := cfg.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: "app"}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil || idt.Nonce != "n1" || idt.Subject != "mona" {
		t.Fatalf("id token: %v, nonce %q", err, idt.Nonce)
	}
	info, err := op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != "mona" {
		t.Fatalf("userinfo: %v", err)
	}
}
