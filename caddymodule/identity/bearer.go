// Package identity establishes who is calling: it verifies bearer JWTs
// against an OpenID provider and extracts the subject and role names.
package identity

import (
	"context"
	"crypto"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// Identity is a verified caller.
type Identity struct {
	// Subject identifies the user (the configured user claim).
	Subject string
	// Roles are the role names found in the roles claim; names the policy
	// does not know are ignored later.
	Roles []string
	// Claims are all the token's claims. An Identity is shared between
	// the requests that present the same token: treat it as read-only.
	Claims map[string]any
}

// AllowedAlgorithms are the signature algorithms a configuration may accept.
// "none" and the HMAC algorithms are absent on purpose: a provider's public
// key must never double as a shared secret.
var AllowedAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// BearerConfig configures bearer-token verification.
type BearerConfig struct {
	// Issuer must equal the tokens' iss exactly.
	Issuer string
	// Audiences lists accepted aud values; a token must name one of them.
	Audiences []string
	// JWKSURL, when set, is where the keys are fetched (lazily); otherwise
	// they are found through discovery from Issuer.
	JWKSURL string
	// JWKSFile, when set, is a JWKS file read once: offline verification.
	JWKSFile string
	// Algorithms accepted; default RS256 and ES256.
	Algorithms []string
	// RolesClaim is a dotted path to the roles, such as realm_access.roles.
	RolesClaim string
	// UserClaim names the subject claim.
	UserClaim string
	// ClockSkew is how far the provider's clock may be from ours when exp
	// and nbf are checked. Default (zero): DefaultClockSkew; more than
	// MaxClockSkew or a negative value is refused.
	ClockSkew time.Duration
	// Client is the HTTP client for discovery and keys; default has a 10s timeout.
	Client *http.Client
	// Now is the clock, for tests; default time.Now.
	Now func() time.Time
}

// ErrUnavailable means the provider could not be reached to verify a token:
// the request must be answered 503, never allowed.
var ErrUnavailable = errors.New("identity provider unavailable")

// InvalidTokenError is a token that was checked and refused.
type InvalidTokenError struct{ Err error }

func (e *InvalidTokenError) Error() string { return "invalid bearer token: " + e.Err.Error() }
func (e *InvalidTokenError) Unwrap() error { return e.Err }

// Bearer verifies bearer tokens. It is safe for concurrent use. Building it
// never touches the network: discovery happens on the first token, and is
// retried with backoff when it fails.
type Bearer struct {
	cfg      BearerConfig
	rolePath []string

	disc   *discovery
	ctx    context.Context // lives until Close: the key set's fetches use it
	cancel context.CancelFunc

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier

	cache *tokenCache // verified tokens, by hash
}

// NewBearer checks cfg and prepares a verifier.
func NewBearer(cfg BearerConfig) (*Bearer, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(oidc.ClientContext(context.Background(), cfg.Client))
	b := &Bearer{cfg: cfg, rolePath: strings.Split(cfg.RolesClaim, "."), ctx: ctx, cancel: cancel,
		disc: &discovery{issuer: cfg.Issuer, client: cfg.Client, now: cfg.Now}, cache: newTokenCache(cfg.Now)}
	switch {
	case cfg.JWKSFile != "":
		ks, err := loadJWKS(cfg.JWKSFile)
		if err != nil {
			cancel()
			return nil, err
		}
		b.verifier = b.newVerifier(ks)
	case cfg.JWKSURL != "":
		b.verifier = b.newVerifier(newRemoteKeys(ctx, cfg.JWKSURL, cfg.Client, cfg.Now, cfg.Algorithms))
	}
	return b, nil
}

func (cfg *BearerConfig) check() error {
	if cfg.Issuer == "" {
		return fmt.Errorf("bearer: issuer is required")
	}
	if len(cfg.Audiences) == 0 {
		return fmt.Errorf("bearer: audiences: at least one accepted audience is required")
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = []string{"RS256", "ES256"}
	}
	for _, alg := range cfg.Algorithms {
		if !slices.Contains(AllowedAlgorithms, alg) {
			return fmt.Errorf("bearer: algorithms: %q is not accepted (use %s)", alg, strings.Join(AllowedAlgorithms, ", "))
		}
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = "roles"
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew {
		return fmt.Errorf("bearer: clock_skew: %s is not between 0 and %s", cfg.ClockSkew, MaxClockSkew)
	}
	if cfg.UserClaim == "" {
		cfg.UserClaim = "sub"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return nil
}

func loadJWKS(path string) (oidc.KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bearer: jwks_file: %w", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("bearer: jwks_file %s: %w", path, err)
	}
	var keys []crypto.PublicKey
	for _, k := range set.Keys {
		if !k.IsPublic() {
			return nil, fmt.Errorf("bearer: jwks_file %s: key %q is private; publish only public keys", path, k.KeyID)
		}
		keys = append(keys, k.Key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("bearer: jwks_file %s: no keys", path)
	}
	return &oidc.StaticKeySet{PublicKeys: keys}, nil
}

func (b *Bearer) newVerifier(ks oidc.KeySet) *oidc.IDTokenVerifier {
	// The audience is checked by Verify against the whole list, which
	// go-oidc's single ClientID cannot express.
	return oidc.NewVerifier(b.cfg.Issuer, ks, &oidc.Config{
		SkipClientIDCheck:    true,
		SkipExpiryCheck:      true, // checkTimes does it, with the configured skew
		SupportedSigningAlgs: b.cfg.Algorithms,
		Now:                  b.cfg.Now,
	})
}

// Close stops background work; Verify fails afterwards.
func (b *Bearer) Close() { b.cancel() }

// discover returns the verifier, running discovery when there is none yet.
func (b *Bearer) discover() (*oidc.IDTokenVerifier, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.verifier != nil {
		return b.verifier, nil
	}
	p, err := b.disc.get(b.ctx)
	if err != nil {
		return nil, err
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURI == "" {
		return nil, fmt.Errorf("%w: discovery document has no jwks_uri", ErrUnavailable)
	}
	b.verifier = b.newVerifier(newRemoteKeys(b.ctx, meta.JWKSURI, b.cfg.Client, b.cfg.Now, b.cfg.Algorithms))
	return b.verifier, nil
}

// Verify checks a raw token: signature with an accepted algorithm, exact
// issuer, one of the audiences, exp and nbf within the clock skew. It
// returns *InvalidTokenError for a bad token and an error wrapping
// ErrUnavailable when it cannot tell. A token verified before is answered
// from a cache (see CacheTTL), with the same *Identity: callers must not
// modify it.
func (b *Bearer) Verify(ctx context.Context, raw string) (*Identity, error) {
	if id, ok := b.cache.get(raw); ok {
		return id, nil
	}
	v, err := b.discover()
	if err != nil {
		return nil, err
	}
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		if isFetchError(err) {
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return nil, &InvalidTokenError{err}
	}
	if !slices.ContainsFunc(tok.Audience, func(a string) bool { return slices.Contains(b.cfg.Audiences, a) }) {
		return nil, &InvalidTokenError{fmt.Errorf("audience %q is not accepted", tok.Audience)}
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, &InvalidTokenError{err}
	}
	if err := b.checkTimes(tok, claims); err != nil {
		return nil, &InvalidTokenError{err}
	}
	id, err := b.identity(claims)
	if err == nil {
		b.cache.put(raw, id, tok.Expiry)
	}
	return id, err
}

func (b *Bearer) identity(claims map[string]any) (*Identity, error) {
	id, err := identityFrom(claims, b.cfg.UserClaim, b.rolePath)
	if err != nil {
		return nil, &InvalidTokenError{err}
	}
	return id, nil
}

// identityFrom reads the subject and roles from verified claims.
func identityFrom(claims map[string]any, userClaim string, rolePath []string) (*Identity, error) {
	sub, _ := claims[userClaim].(string)
	if sub == "" {
		return nil, fmt.Errorf("claim %q is missing or not a string", userClaim)
	}
	return &Identity{Subject: sub, Roles: RoleNames(claims, rolePath), Claims: claims}, nil
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// RoleNames reads role names at a dotted claim path: an array of strings or
// a single string. Anything else gives no roles.
func RoleNames(claims map[string]any, path []string) []string {
	var v any = claims
	for _, key := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
