// Package devidp is a development identity provider for rolegate's demo and
// tests. It publishes OpenID discovery and a JWKS, and issues signed tokens
// for fixed personas on request.
//
// DEVELOPMENT ONLY. It signs a token for anyone who asks, with a key made at
// start-up; it never belongs in front of real users. New refuses to listen on
// anything but a loopback address unless told otherwise.
package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"gopkg.in/yaml.v3"
)

//go:embed personas.yaml
var personasYAML []byte

// Persona is a development user and the claims its tokens carry.
type Persona struct {
	ID     string         `yaml:"id" json:"id"`
	Name   string         `yaml:"name" json:"name"`
	System string         `yaml:"system" json:"system"`
	Claims map[string]any `yaml:"claims" json:"claims"`
}

// Personas returns the built-in development personas.
func Personas() ([]Persona, error) {
	var ps []Persona
	if err := yaml.Unmarshal(personasYAML, &ps); err != nil {
		return nil, fmt.Errorf("devidp: personas.yaml: %w", err)
	}
	return ps, nil
}

// Provider is the development identity provider.
type Provider struct {
	issuer    string
	audience  string   // the first client: bearer tokens from Token are for it
	clients   []string // every client ID the code flow accepts
	key       *rsa.PrivateKey
	keyID     string
	signer    jose.Signer
	secret    string
	personas  map[string]Persona
	order     []Persona
	now       func() time.Time
	codes     codes
	sessions  map[string]string // persona -> the sid of its last sign-in (guarded by codes.mu)
	refreshed int               // refresh tokens redeemed (guarded by codes.mu)

	// IDTokenTTL is the lifetime of the ID tokens of the code flow.
	// Default: 1h.
	IDTokenTTL time.Duration
}

// ClientSecret is the secret of the one client the provider knows, whose
// client IDs are the audiences given to New. Development only.
const ClientSecret = "dev-client-secret"

// New makes a provider for issuer (its own base URL) issuing tokens for
// audience (the client ID of the code flow too; more client IDs may follow),
// with a fresh RSA key.
func New(issuer, audience string, more ...string) (*Provider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p := &Provider{issuer: issuer, audience: audience, clients: append([]string{audience}, more...), secret: ClientSecret, key: key, keyID: "dev-" + time.Now().UTC().Format("20060102T150405"), now: time.Now, personas: map[string]Persona{}}
	p.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), p.keyID))
	if err != nil {
		return nil, err
	}
	ps, err := Personas()
	if err != nil {
		return nil, err
	}
	for _, persona := range ps {
		p.personas[persona.ID] = persona
	}
	p.order = ps
	return p, nil
}

// Handler serves discovery, the JWKS, the authorization code flow and the
// development token endpoint:
//
//	GET /.well-known/openid-configuration
//	GET /jwks
//	GET /authorize              the persona picker; POST issues a code
//	POST /token                 code (with PKCE S256) for tokens
//	GET /userinfo               the persona's claims, for an access token
//	GET /end_session            back to post_logout_redirect_uri
//	GET /dev/token?persona=ID   a bearer token (an ID token) for that persona
//	GET /dev/personas           the personas, as JSON
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /dev/token", p.token)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.tokenEndpoint)
	mux.HandleFunc("GET /end_session", p.endSession)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /dev/personas", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, p.order) })
	return mux
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                p.issuer,
		"jwks_uri":                              p.issuer + "/jwks",
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"end_session_endpoint":                  p.issuer + "/end_session",
		"userinfo_endpoint":                     p.issuer + "/userinfo",
		"code_challenge_methods_supported":      []string{"S256"},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: p.keyID, Algorithm: "RS256", Use: "sig"}}})
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	persona, ok := p.personas[r.URL.Query().Get("persona")]
	if !ok {
		http.Error(w, "unknown persona", http.StatusNotFound)
		return
	}
	tok, err := p.Token(persona.ID, time.Hour)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, tok)
}

// Token signs a token for the persona, valid for ttl.
func (p *Provider) Token(persona string, ttl time.Duration) (string, error) {
	return p.sign(persona, ttl, nil)
}

func (p *Provider) sign(persona string, ttl time.Duration, extra map[string]any) (string, error) {
	ps, ok := p.personas[persona]
	if !ok {
		return "", fmt.Errorf("devidp: unknown persona %q", persona)
	}
	now := p.now()
	aud := p.audience
	if a, ok := extra["aud"].(string); ok {
		aud = a
		delete(extra, "aud")
	}
	std := jwt.Claims{Issuer: p.issuer, Subject: ps.ID, Audience: jwt.Audience{aud},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(ttl))}
	b := jwt.Signed(p.signer).Claims(std).Claims(ps.Claims).Claims(map[string]any{"name": ps.Name})
	if extra != nil {
		b = b.Claims(extra)
	}
	return b.Serialize()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
