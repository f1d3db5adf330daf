package oidcfixture_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/rolegate/rolegate/examples/devidp"
	"github.com/rolegate/rolegate/examples/oidcfixture"
)

// The redirect URIs are never contacted: Login stops at the redirect.
const (
	redirectURI   = "http://127.0.0.1:1/auth/callback"
	postLogoutURI = "http://127.0.0.1:1/signed-out"
)

type idClaims struct {
	Sub   string   `json:"sub"`
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Roles []string `json:"roles"`
	Sid   string   `json:"sid"`
}

// relyingParty is what rolegate will be: discovery, the oauth2 config and
// the ID token verifier.
type relyingParty struct {
	op       *oidcfixture.Provider
	provider *oidc.Provider
	config   oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newRelyingParty(t *testing.T, op *oidcfixture.Provider) *relyingParty {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), op.Issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &relyingParty{
		op:       op,
		provider: provider,
		config: oauth2.Config{
			ClientID:     op.ClientID,
			ClientSecret: op.ClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  redirectURI,
			Scopes:       []string{oidc.ScopeOpenID, "profile", "email", "roles"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: op.ClientID}),
	}
}

// authorize builds an authorization request with state, nonce and PKCE.
func (rp *relyingParty) authorize(t *testing.T, extra ...oauth2.AuthCodeOption) (authURL, state, nonce, verifier string) {
	t.Helper()
	state, nonce, verifier = random(t), random(t), oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}, extra...)
	return rp.config.AuthCodeURL(state, opts...), state, nonce, verifier
}

// callback checks that resp redirects to the redirect URI with state and a
// code, and returns the code.
func callback(t *testing.T, op *oidcfixture.Provider, resp *http.Response, state string) string {
	t.Helper()
	defer resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, no redirect to the client: %v\n%s", resp.StatusCode, err, body)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Fatalf("redirected to %s, want %s", loc, redirectURI)
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		t.Fatalf("authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		t.Fatalf("state = %q, want %q", q.Get("state"), state)
	}
	if q.Get("iss") != op.Issuer { // RFC 9207
		t.Errorf("iss = %q, want %q", q.Get("iss"), op.Issuer)
	}
	code := q.Get("code")
	if code == "" {
		t.Fatalf("no code in %s", loc)
	}
	return code
}

func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func random(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestCodeFlowWithPKCE(t *testing.T) {
	op := oidcfixture.Start(t, oidcfixture.Options{RedirectURIs: []string{redirectURI}})
	rp := newRelyingParty(t, op)
	ctx := t.Context()
	browser := newClient(t)

	authURL, state, nonce, verifier := rp.authorize(t)
	code := callback(t, op, op.Login(t, browser, authURL, "bob"), state)

	tok, err := rp.config.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		t.Fatal("no id_token in the token response")
	}
	idToken, err := rp.verifier.Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify the ID token: %v", err)
	}
	if idToken.Nonce != nonce {
		t.Errorf("nonce = %q, want %q", idToken.Nonce, nonce)
	}
	if !slices.Contains(idToken.Audience, op.ClientID) {
		t.Errorf("aud = %v, want %s", idToken.Audience, op.ClientID)
	}
	var claims idClaims
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	want := idClaims{Sub: "bob", Name: "Bob Basic", Email: "bob@example.test", Roles: []string{"BASIC"}, Sid: claims.Sid}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("ID token claims = %+v, want %+v", claims, want)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token")
	}
	if ttl := time.Until(idToken.Expiry); ttl < 5*time.Minute || ttl > 11*time.Minute {
		t.Errorf("ID token lifetime %s, want about 10 minutes", ttl)
	}

	// UserInfo has the roles too.
	info, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var infoClaims idClaims
	if err := info.Claims(&infoClaims); err != nil {
		t.Fatal(err)
	}
	if info.Subject != "bob" || !slices.Equal(infoClaims.Roles, []string{"BASIC"}) {
		t.Errorf("userinfo sub=%q roles=%v", info.Subject, infoClaims.Roles)
	}

	// The refresh token works (client_secret_basic, as for the code).
	refreshed, err := rp.config.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.AccessToken == "" || refreshed.AccessToken == tok.AccessToken {
		t.Errorf("refresh gave access token %q", refreshed.AccessToken)
	}

	// The code is single-use, and its replay revokes what it gave.
	if _, err := rp.config.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a second exchange of the same code succeeded")
	}
	if _, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token still works after the code was replayed")
	}
}

func TestPKCEIsRequired(t *testing.T) {
	op := oidcfixture.Start(t, oidcfixture.Options{RedirectURIs: []string{redirectURI}})
	rp := newRelyingParty(t, op)
	ctx := t.Context()
	browser := newClient(t)

	t.Run("exchange without the verifier", func(t *testing.T) {
		authURL, state, _, _ := rp.authorize(t)
		code := callback(t, op, op.Login(t, browser, authURL, "alice"), state)
		_, err := rp.config.Exchange(ctx, code)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("exchange without code_verifier: err = %v, want invalid_grant", err)
		}
	})

	t.Run("exchange with another verifier", func(t *testing.T) {
		// The provider session of the first sub-test is reused: no form.
		authURL, state, _, _ := rp.authorize(t)
		code := callback(t, op, op.Login(t, browser, authURL, "alice"), state)
		_, err := rp.config.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("exchange with a wrong code_verifier: err = %v, want invalid_grant", err)
		}
	})

	t.Run("authorization request without a challenge", func(t *testing.T) {
		state := random(t)
		resp := op.Login(t, browser, rp.config.AuthCodeURL(state, oidc.Nonce(random(t))), "alice")
		defer resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("status %d, want an error redirect", resp.StatusCode)
		}
		q := loc.Query()
		if q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != state {
			t.Fatalf("redirect %s, want error=invalid_request with the state and no code", loc)
		}
	})
}

func TestUnknownPersonaIsRefused(t *testing.T) {
	op := oidcfixture.Start(t, oidcfixture.Options{RedirectURIs: []string{redirectURI}})
	rp := newRelyingParty(t, op)
	browser := newClient(t)

	authURL, state, _, _ := rp.authorize(t)
	resp := op.Login(t, browser, authURL, "mallory")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		t.Errorf("redirected to %s", loc)
	}
	if !strings.Contains(string(body), "Unknown persona") || !strings.Contains(string(body), `name="login"`) {
		t.Errorf("refusal page does not say why or lacks the form:\n%s", body)
	}

	// The interaction goes on: the same browser can then sign in as a persona.
	code := callback(t, op, op.Login(t, browser, authURL, "tess"), state)
	if code == "" {
		t.Fatal("no code after a refused login")
	}
}

func TestLogout(t *testing.T) {
	logoutTokens := make(chan string, 4)
	backchannel := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		logoutTokens <- r.PostForm.Get("logout_token")
	}))
	t.Cleanup(backchannel.Close)

	op := oidcfixture.Start(t, oidcfixture.Options{
		RedirectURIs:           []string{redirectURI},
		PostLogoutRedirectURIs: []string{postLogoutURI},
		BackchannelLogoutURI:   backchannel.URL + "/backchannel-logout",
	})
	rp := newRelyingParty(t, op)
	ctx := t.Context()
	browser := newClient(t)

	authURL, state, _, verifier := rp.authorize(t)
	tok, err := rp.config.Exchange(ctx, callback(t, op, op.Login(t, browser, authURL, "mona"), state), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID := tok.Extra("id_token").(string)
	idToken, err := rp.verifier.Verify(ctx, rawID)
	if err != nil {
		t.Fatal(err)
	}
	var claims idClaims
	_ = idToken.Claims(&claims)
	if claims.Sid == "" {
		t.Fatal("no sid in the ID token of a client with a back-channel logout URI")
	}

	var endpoints struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := rp.provider.Claims(&endpoints); err != nil || endpoints.EndSession == "" {
		t.Fatalf("no end_session_endpoint in discovery: %v", err)
	}
	logoutState := random(t)
	endSession := endpoints.EndSession + "?" + url.Values{
		"id_token_hint":            {rawID},
		"post_logout_redirect_uri": {postLogoutURI},
		"state":                    {logoutState},
	}.Encode()
	resp := op.Logout(t, browser, endSession)
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("logout: status %d, no redirect", resp.StatusCode)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != postLogoutURI || loc.Query().Get("state") != logoutState {
		t.Fatalf("logout redirected to %s, want %s with state %s", loc, postLogoutURI, logoutState)
	}

	select {
	case raw := <-logoutTokens:
		// A logout token is a JWT for the client, signed with the same keys.
		lt, err := rp.provider.Verifier(&oidc.Config{ClientID: op.ClientID}).Verify(ctx, raw)
		if err != nil {
			t.Fatalf("verify the logout token: %v", err)
		}
		var lc struct {
			Sid    string         `json:"sid"`
			Events map[string]any `json:"events"`
		}
		_ = lt.Claims(&lc)
		if lt.Subject != "mona" || lc.Sid != claims.Sid {
			t.Errorf("logout token sub=%q sid=%q, want mona and %q", lt.Subject, lc.Sid, claims.Sid)
		}
		if _, ok := lc.Events["http://schemas.openid.net/event/backchannel-logout"]; !ok {
			t.Errorf("logout token events = %v", lc.Events)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no back-channel logout request")
	}

	// The session is over: the next authorization asks for a sign-in again
	// (with the old session still there, the provider would answer for mona).
	authURL, state, _, verifier = rp.authorize(t)
	tok, err = rp.config.Exchange(ctx, callback(t, op, op.Login(t, browser, authURL, "sam"), state), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idToken, err = rp.verifier.Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	if idToken.Subject != "sam" {
		t.Errorf("after logout, signed in as %q, want sam", idToken.Subject)
	}
}

// TestPersonasMatchDevIDP keeps personas.json (read by the Node provider,
// which has no YAML parser) equal to examples/devidp/personas.yaml.
func TestPersonasMatchDevIDP(t *testing.T) {
	want, err := devidp.Personas()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../oidc-provider/personas.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []devidp.Persona
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("personas.json: %v", err)
	}
	norm := func(ps []devidp.Persona) string {
		b, err := json.Marshal(ps)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if norm(got) != norm(want) {
		t.Errorf("examples/oidc-provider/personas.json differs from examples/devidp/personas.yaml:\n json: %s\n yaml: %s", norm(got), norm(want))
	}
}
