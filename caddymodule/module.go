// Package caddymodule is rolegate's Caddy adapter: the http.handlers.rolegate
// module, its Caddyfile directive and its placeholders. The decisions are
// made by package policy; this package only wires them into Caddy.
package caddymodule

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/rolegate/rolegate/caddymodule/identity"
	"github.com/rolegate/rolegate/caddymodule/policy"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// Handler authorizes each request against a rolegate policy: it maps the
// method and path to a page and an action, identifies the caller, and lets
// the request through only if a role of the caller is granted that action.
// Everything else is denied.
type Handler struct {
	// Policy is the path of the policy file (YAML or JSON). Required. A
	// policy that does not load, compile or pass its own tests stops the
	// configuration from loading.
	Policy string `json:"policy,omitempty"`

	// Bearer configures verification of bearer JWTs from API clients.
	// Without it, only public routes are reachable.
	Bearer *BearerConfig `json:"bearer,omitempty"`

	// SignIn configures browser sign-in with OpenID Connect (authorization
	// code flow with PKCE) and the encrypted session cookie. Without it,
	// browsers get 401 like API clients.
	SignIn *SignInConfig `json:"sign_in,omitempty"`

	// UserHeader is the request header that carries the user's subject to
	// the upstream. Default: X-Rolegate-User.
	UserHeader string `json:"user_header,omitempty"`

	// RolesHeader is the request header that carries the user's role names,
	// comma-separated, to the upstream. Default: X-Rolegate-Roles.
	RolesHeader string `json:"roles_header,omitempty"`

	// ActionsHeader is the request header that tells the upstream which
	// actions of the requested page the user may use, as comma-separated
	// "page.action" IDs, so an application can mark the buttons a role may
	// not press. Default: X-Rolegate-Actions.
	ActionsHeader string `json:"actions_header,omitempty"`

	// StripHeaders lists more client-sent headers to delete from every
	// request. The user and roles headers are always deleted. Default: none.
	StripHeaders []string `json:"strip_headers,omitempty"`

	// Enrich looks each user up in the legacy application or a user
	// directory; the answer's attributes join the claims that role rules and
	// conditions read. A failed lookup refuses the request with 503.
	// Default: no lookup.
	Enrich *EnrichConfig `json:"enrich,omitempty"`

	// Features lists the policy's feature flags that are on for this site;
	// every other declared flag is off. Naming a flag the policy does not
	// declare is an error. Default: none.
	Features []string `json:"features,omitempty"`

	// DenyMode is "respond" to have rolegate write 400, 401, 403 and 503
	// answers itself (problem+json for APIs, HTML for browsers), or "error"
	// to return them as errors for the site's handle_errors routes, with
	// the {rolegate.*} placeholders set. Default: respond.
	DenyMode string `json:"deny_mode,omitempty"`

	policy   *policy.Policy
	features map[string]bool
	enricher *identity.Enricher
	bearer   *identity.Bearer
	browser  *browser
	strip    []string
	logger   *zap.Logger
}

// BearerConfig configures bearer-token verification.
type BearerConfig struct {
	// Issuer must equal the tokens' iss claim exactly. Required. Discovery
	// from it happens on the first token, never at start-up.
	Issuer string `json:"issuer,omitempty"`
	// Audiences lists the accepted aud values. Required.
	Audiences []string `json:"audiences,omitempty"`
	// JWKSURL is where the signing keys are fetched, instead of the
	// jwks_uri found by discovery. Default: from discovery.
	JWKSURL string `json:"jwks_url,omitempty"`
	// JWKSFile is a JWKS file read at start-up, for offline verification.
	// Default: none.
	JWKSFile string `json:"jwks_file,omitempty"`
	// Algorithms lists the accepted signature algorithms. "none" and HS*
	// are refused. Default: RS256, ES256.
	Algorithms []string `json:"algorithms,omitempty"`
	// RolesClaim is the claim holding role names, as a dotted path such as
	// realm_access.roles; an array of strings or one string. Default: roles.
	RolesClaim string `json:"roles_claim,omitempty"`
	// UserClaim is the claim that identifies the user. Default: sub.
	UserClaim string `json:"user_claim,omitempty"`
	// ClockSkew is how far the provider's clock may be from Caddy's when
	// exp and nbf are checked; at most 5m. Default: 1m.
	ClockSkew caddy.Duration `json:"clock_skew,omitempty"`
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.rolegate",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision sets defaults, replaces {env.*} placeholders, loads and checks
// the policy and prepares the verifier. It never waits on the network.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	h.setDefaults()
	repl := caddy.NewReplacer()
	p, err := loadPolicy(repl.ReplaceKnown(h.Policy, ""))
	if err != nil {
		return err
	}
	h.policy = p
	if h.features, err = flags(p, h.Features); err != nil {
		return err
	}
	if h.Bearer != nil {
		if h.bearer, err = identity.NewBearer(h.Bearer.config(repl)); err != nil {
			return err
		}
	}
	if h.SignIn != nil {
		if h.browser, err = h.SignIn.provision(repl); err != nil {
			return err
		}
	}
	if h.Enrich != nil {
		if h.enricher, err = h.Enrich.provision(repl); err != nil {
			return err
		}
	}
	h.strip = append([]string{h.UserHeader, h.RolesHeader, h.ActionsHeader}, h.StripHeaders...)
	for i, name := range h.strip {
		h.strip[i] = http.CanonicalHeaderKey(name)
	}
	return nil
}

func (h *Handler) setDefaults() {
	if h.UserHeader == "" {
		h.UserHeader = "X-Rolegate-User"
	}
	if h.ActionsHeader == "" {
		h.ActionsHeader = "X-Rolegate-Actions"
	}
	if h.RolesHeader == "" {
		h.RolesHeader = "X-Rolegate-Roles"
	}
	if h.DenyMode == "" {
		h.DenyMode = "respond"
	}
}

func loadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return nil, fmt.Errorf("rolegate: policy: a policy file is required")
	}
	return policy.Open(path)
}

func (b *BearerConfig) config(repl *caddy.Replacer) identity.BearerConfig {
	return identity.BearerConfig{
		Issuer:     repl.ReplaceKnown(b.Issuer, ""),
		Audiences:  replaceAll(repl, b.Audiences),
		JWKSURL:    repl.ReplaceKnown(b.JWKSURL, ""),
		JWKSFile:   repl.ReplaceKnown(b.JWKSFile, ""),
		Algorithms: b.Algorithms,
		RolesClaim: b.RolesClaim,
		UserClaim:  b.UserClaim,
		ClockSkew:  time.Duration(b.ClockSkew),
	}
}

func replaceAll(repl *caddy.Replacer, in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = repl.ReplaceKnown(s, "")
	}
	return out
}

// EnrichConfig configures the attribute lookup.
type EnrichConfig struct {
	// URL of the lookup, with {sub} and {email} replaced by the user's
	// subject and email, escaped. Required.
	URL string `json:"url,omitempty"`
	// Headers sent with each lookup, such as an API key ({env.*} allowed).
	Headers http.Header `json:"headers,omitempty"`
	// Timeout of one lookup. Default: 2s.
	Timeout caddy.Duration `json:"timeout,omitempty"`
	// TTL of a cached answer. Default: 5m.
	TTL caddy.Duration `json:"ttl,omitempty"`
	// NegativeTTL of a cached "no such user" (404). Default: 30s.
	NegativeTTL caddy.Duration `json:"negative_ttl,omitempty"`
	// Size of the cache, in users. Default: 10000.
	Size int `json:"size,omitempty"`
}

func (c *EnrichConfig) provision(repl *caddy.Replacer) (*identity.Enricher, error) {
	header := http.Header{}
	for k, vs := range c.Headers {
		for _, v := range vs {
			header.Add(k, repl.ReplaceKnown(v, ""))
		}
	}
	e, err := identity.NewEnricher(identity.EnrichConfig{URL: repl.ReplaceKnown(c.URL, ""), Header: header,
		Timeout: time.Duration(c.Timeout), TTL: time.Duration(c.TTL), NegativeTTL: time.Duration(c.NegativeTTL), Size: c.Size})
	if err != nil {
		return nil, fmt.Errorf("rolegate: %w", err)
	}
	return e, nil
}

// flags checks the configured feature flags against the policy's.
func flags(p *policy.Policy, on []string) (map[string]bool, error) {
	declared := p.Features()
	out := make(map[string]bool, len(declared))
	for _, name := range on {
		if !slices.Contains(declared, name) {
			return nil, fmt.Errorf("rolegate: features: %q is not declared by policy %s (it declares %s)", name, p.File, strings.Join(declared, ", "))
		}
		out[name] = true
	}
	return out, nil
}

// Validate checks the provisioned configuration.
func (h *Handler) Validate() error {
	if h.policy == nil {
		return fmt.Errorf("rolegate: no policy loaded")
	}
	if h.DenyMode != "respond" && h.DenyMode != "error" {
		return fmt.Errorf("rolegate: deny_mode: %q is not one of respond, error", h.DenyMode)
	}
	if h.SignIn != nil {
		if err := h.SignIn.validate(); err != nil {
			return err
		}
	}
	if sameHeader(h.UserHeader, h.RolesHeader) {
		return fmt.Errorf("rolegate: user_header and roles_header are both %q", h.UserHeader)
	}
	return nil
}

// Cleanup stops the verifier's background work. It tolerates a Provision
// that stopped half way.
func (h *Handler) Cleanup() error {
	if h.bearer != nil {
		h.bearer.Close()
	}
	if h.browser != nil && h.browser.flow != nil {
		h.browser.flow.Close()
	}
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
