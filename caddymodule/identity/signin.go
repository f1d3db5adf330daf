package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// SignInConfig configures browser sign-in with the authorization code flow.
type SignInConfig struct {
	// Issuer must equal the ID tokens' iss exactly; discovery starts from it.
	Issuer string
	// ClientID and ClientSecret identify rolegate to the provider. The ID
	// token's audience must be ClientID.
	ClientID, ClientSecret string
	// Scopes requested; "openid" is always included. Default: openid,
	// profile, email.
	Scopes []string
	// Algorithms accepted for ID tokens; default RS256, ES256.
	Algorithms []string
	// RolesClaim is the dotted path of the roles claim; default "roles".
	RolesClaim string
	// UserClaim identifies the user; default "sub".
	UserClaim string
	// Userinfo merges the userinfo endpoint's claims into the ID token's.
	Userinfo bool
	// Client is the HTTP client for the provider; default has a 10 s timeout.
	Client *http.Client
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Attempt is one sign-in in progress: what the callback must find again.
// It travels sealed in a short-lived cookie of its own.
type Attempt struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
	Expires  int64  `json:"e"`
}

// SignIn runs the authorization code flow with PKCE (S256), state and nonce.
type SignIn struct {
	cfg      SignInConfig
	rolePath []string
	disc     *discovery
	ctx      context.Context
	cancel   context.CancelFunc

	mu   sync.Mutex
	keys *remoteKeys // built from the discovered jwks_uri
}

// NewSignIn checks cfg. It does not touch the network.
func NewSignIn(cfg SignInConfig) (*SignIn, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("sign-in: issuer and client_id are required")
	}
	b := BearerConfig{Issuer: cfg.Issuer, Audiences: []string{cfg.ClientID}, Algorithms: cfg.Algorithms,
		RolesClaim: cfg.RolesClaim, UserClaim: cfg.UserClaim, Client: cfg.Client, Now: cfg.Now}
	if err := b.check(); err != nil {
		return nil, fmt.Errorf("sign-in: %w", err)
	}
	cfg.Algorithms, cfg.RolesClaim, cfg.UserClaim, cfg.Client, cfg.Now = b.Algorithms, b.RolesClaim, b.UserClaim, b.Client, b.Now
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"profile", "email"}
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	ctx, cancel := context.WithCancel(oidc.ClientContext(context.Background(), cfg.Client))
	return &SignIn{cfg: cfg, rolePath: strings.Split(cfg.RolesClaim, "."), ctx: ctx, cancel: cancel,
		disc: &discovery{issuer: cfg.Issuer, client: cfg.Client, now: cfg.Now}}, nil
}

// Close stops background work.
func (s *SignIn) Close() { s.cancel() }

// verifier checks tokens of the discovered provider p with rolegate's key
// set (fetched on first use, refetched for unknown key IDs at most once per
// MinRefetch).
func (s *SignIn) verifier(p *oidc.Provider) *oidc.IDTokenVerifier {
	s.mu.Lock()
	if s.keys == nil {
		var meta struct {
			JWKSURI string `json:"jwks_uri"`
		}
		_ = p.Claims(&meta)
		s.keys = newRemoteKeys(s.ctx, meta.JWKSURI, s.cfg.Client, s.cfg.Now, s.cfg.Algorithms)
	}
	keys := s.keys
	s.mu.Unlock()
	return oidc.NewVerifier(s.cfg.Issuer, keys, &oidc.Config{ClientID: s.cfg.ClientID, SupportedSigningAlgs: s.cfg.Algorithms, Now: s.cfg.Now})
}

func (s *SignIn) oauth(p *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret,
		Endpoint: p.Endpoint(), RedirectURL: redirectURL, Scopes: s.cfg.Scopes}
}

// Begin starts a sign-in that will come back to redirectURL and then send
// the user to returnTo. It returns the provider's authorization URL and the
// attempt to keep until the callback. It fails with ErrUnavailable while
// the provider cannot be discovered.
func (s *SignIn) Begin(redirectURL, returnTo string, ttl time.Duration) (string, *Attempt, error) {
	p, err := s.disc.get(s.ctx)
	if err != nil {
		return "", nil, err
	}
	a := &Attempt{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(),
		ReturnTo: returnTo, Expires: s.cfg.Now().Add(ttl).Unix()}
	u := s.oauth(p, redirectURL).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
	return u, a, nil
}

// Result is a finished sign-in.
type Result struct {
	Identity *Identity
	// ProviderSession is the provider's session ID (the ID token's sid), by
	// which a back-channel logout names the session.
	ProviderSession string
	// IDToken is the raw ID token, kept as the hint for RP-initiated logout.
	IDToken string
	// Expiry of the ID token.
	Expiry time.Time
	// RefreshToken, when the provider issued one.
	RefreshToken string
}

// ErrSignIn is a callback that must not sign anyone in.
var ErrSignIn = errors.New("sign-in refused")

// Finish redeems the code of a callback for the attempt it belongs to and
// verifies the ID token: signature, exact issuer, audience, algorithm,
// expiry (go-oidc), and the nonce (checked here: go-oidc leaves it to us).
func (s *SignIn) Finish(ctx context.Context, a *Attempt, state, code, redirectURL string) (*Result, error) {
	if a == nil || state == "" || !constantTimeEqual(a.State, state) {
		return nil, fmt.Errorf("%w: state does not match this browser's sign-in", ErrSignIn)
	}
	if s.cfg.Now().Unix() > a.Expires {
		return nil, fmt.Errorf("%w: the sign-in attempt expired", ErrSignIn)
	}
	p, err := s.disc.get(s.ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, s.cfg.Client)
	tok, err := s.oauth(p, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: code exchange: %v", ErrSignIn, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, fmt.Errorf("%w: the token response has no id_token", ErrSignIn)
	}
	verifier := s.verifier(p)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: id token: %v", ErrSignIn, err)
	}
	if !constantTimeEqual(idt.Nonce, a.Nonce) {
		return nil, fmt.Errorf("%w: id token nonce does not match", ErrSignIn)
	}
	claims, err := s.claims(ctx, p, idt, tok)
	if err != nil {
		return nil, err
	}
	id, err := identityFrom(claims, s.cfg.UserClaim, s.rolePath)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignIn, err)
	}
	sid, _ := claims["sid"].(string)
	return &Result{Identity: id, ProviderSession: sid, IDToken: raw, Expiry: idt.Expiry, RefreshToken: tok.RefreshToken}, nil
}

// Refresh redeems a refresh token for subject. The provider may rotate the
// refresh token; a new ID token, when the answer has one, must verify and
// be about the same subject, and then gives the identity anew. A failure
// means the provider no longer vouches for the session.
func (s *SignIn) Refresh(ctx context.Context, subject, refreshToken string) (*Result, error) {
	p, err := s.disc.get(s.ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, s.cfg.Client)
	tok, err := s.oauth(p, "").TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, fmt.Errorf("%w: refresh: %v", ErrSignIn, err)
	}
	res := &Result{RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return res, nil
	}
	verifier := s.verifier(p)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: refreshed id token: %v", ErrSignIn, err)
	}
	claims, err := s.claims(ctx, p, idt, tok)
	if err != nil {
		return nil, err
	}
	if res.Identity, err = identityFrom(claims, s.cfg.UserClaim, s.rolePath); err != nil || res.Identity.Subject != subject {
		return nil, fmt.Errorf("%w: the refreshed id token is about another subject", ErrSignIn)
	}
	res.ProviderSession, _ = claims["sid"].(string)
	res.IDToken, res.Expiry = raw, idt.Expiry
	return res, nil
}

// VerifyLogout checks a back-channel logout token: signature, exact issuer,
// audience, expiry, the logout event, and no nonce (go-oidc).
func (s *SignIn) VerifyLogout(ctx context.Context, raw string) (*oidc.LogoutToken, error) {
	p, err := s.disc.get(s.ctx)
	if err != nil {
		return nil, err
	}
	v := s.verifier(p)
	return v.VerifyLogout(oidc.ClientContext(ctx, s.cfg.Client), raw)
}

// claims are the ID token's, with userinfo's merged in when configured
// (the ID token's win: they are signed).
func (s *SignIn) claims(ctx context.Context, p *oidc.Provider, idt *oidc.IDToken, tok *oauth2.Token) (map[string]any, error) {
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignIn, err)
	}
	if !s.cfg.Userinfo {
		return claims, nil
	}
	info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", ErrSignIn, err)
	}
	if info.Subject != idt.Subject {
		return nil, fmt.Errorf("%w: userinfo is about another subject", ErrSignIn)
	}
	var extra map[string]any
	if err := info.Claims(&extra); err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", ErrSignIn, err)
	}
	for k, v := range extra {
		if _, signed := claims[k]; !signed {
			claims[k] = v
		}
	}
	return claims, nil
}

// EndSessionURL is the provider's RP-initiated logout URL for an ID token,
// or "" when the provider has none (or is not discovered yet).
func (s *SignIn) EndSessionURL(idToken, postLogout string) string {
	p, err := s.disc.get(s.ctx)
	if err != nil {
		return ""
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if p.Claims(&meta) != nil || meta.EndSession == "" {
		return ""
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", s.cfg.ClientID)
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	if postLogout != "" {
		q.Set("post_logout_redirect_uri", postLogout)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
