package caddymodule

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/rolegate/rolegate/caddymodule/identity"
	"github.com/rolegate/rolegate/caddymodule/session"
)

// SignInConfig configures browser sign-in with OpenID Connect.
type SignInConfig struct {
	// Issuer is the OpenID provider; ID tokens' iss must equal it exactly.
	// Required. Discovery happens on the first sign-in, never at start-up.
	Issuer string `json:"issuer,omitempty"`
	// ClientID is rolegate's client at the provider. Required.
	ClientID string `json:"client_id,omitempty"`
	// ClientSecret is the client's secret; use an {env.*} placeholder.
	ClientSecret string `json:"client_secret,omitempty"`
	// Scopes requested besides openid. Default: profile, email.
	Scopes []string `json:"scopes,omitempty"`
	// Algorithms accepted for ID tokens. Default: RS256, ES256.
	Algorithms []string `json:"algorithms,omitempty"`
	// RolesClaim is the dotted path of the roles claim. Default: roles.
	RolesClaim string `json:"roles_claim,omitempty"`
	// UserClaim identifies the user. Default: sub.
	UserClaim string `json:"user_claim,omitempty"`
	// Userinfo merges the userinfo endpoint's claims into the ID token's
	// (the ID token's win). Default: false.
	Userinfo bool `json:"userinfo,omitempty"`
	// RedirectURL is the callback URL registered at the provider. Default:
	// the request's scheme and host with the callback path.
	RedirectURL string `json:"redirect_url,omitempty"`
	// PostLogoutURL is where the provider sends the browser after logout.
	// Default: the site's root on the request's scheme and host.
	PostLogoutURL string `json:"post_logout_url,omitempty"`
	// PathPrefix holds rolegate's own endpoints: PREFIX/callback,
	// PREFIX/logout and PREFIX/backchannel-logout (register the last one at
	// the provider as the back-channel logout URI). Default: /.rolegate.
	PathPrefix string `json:"path_prefix,omitempty"`
	// Keys seal the session cookies: the first seals, all open, so a new key
	// is put first and the old one kept until its sessions have expired.
	// Required. Each secret is at least 32 bytes, given as base64 or as text;
	// use {env.*} placeholders.
	Keys []SessionKey `json:"keys,omitempty"`
	// CookieName of the session. Default: __Host-rolegate.
	CookieName string `json:"cookie_name,omitempty"`
	// InsecureCookies drops the Secure attribute and the __Host- prefix, for
	// plain-HTTP development on loopback only. Default: false.
	InsecureCookies bool `json:"insecure_cookies,omitempty"`
	// Lifetime is the absolute session lifetime. Default: 8h.
	Lifetime caddy.Duration `json:"lifetime,omitempty"`
	// IdleTimeout ends a session unused for this long. Default: 1h.
	IdleTimeout caddy.Duration `json:"idle_timeout,omitempty"`
	// Refresh keeps the provider's refresh token in the (encrypted) session
	// and uses it when the ID token nears its expiry, so roles follow the
	// provider and a user it disables is signed out; a failed refresh
	// challenges again. Ask for a refresh token in scopes where the provider
	// needs it (offline_access). Default: false.
	Refresh bool `json:"refresh,omitempty"`
	// RefreshBefore is how long before the ID token's expiry to refresh.
	// Default: 1m.
	RefreshBefore caddy.Duration `json:"refresh_before,omitempty"`
}

// SessionKey is one session-sealing key.
type SessionKey struct {
	// ID names the key in cookies: letters, digits, - and _.
	ID string `json:"id,omitempty"`
	// Secret is at least 32 bytes, as standard base64 or as plain text.
	Secret string `json:"secret,omitempty"`
}

// browser is the provisioned sign-in: the flow, the cookie codecs, the
// reserved paths.
type browser struct {
	cfg          *SignInConfig
	flow         *identity.SignIn
	sessions     *session.Sessions
	attempts     *session.Codec
	jar          *session.Jar
	attemptName  string // prefix of the per-attempt cookies
	callbackPath string
	logoutPath   string
	backchannel  string // where the provider posts logout tokens
	revoked      *revocations
	refreshes    *refresher
}

const (
	// sessionCacheSize bounds the sessions kept opened in memory.
	sessionCacheSize = 4096
	attemptTTL       = 10 * time.Minute
	maxAttempts      = 5
)

func (c *SignInConfig) provision(repl *caddy.Replacer) (*browser, error) {
	c.setDefaults()
	keys, err := c.keys(repl)
	if err != nil {
		return nil, err
	}
	b := &browser{cfg: c, callbackPath: c.PathPrefix + "/callback", logoutPath: c.PathPrefix + "/logout",
		backchannel: c.PathPrefix + "/backchannel-logout", revoked: newRevocations()}
	if b.refreshes, err = newRefresher(); err != nil {
		return nil, err
	}
	codec, err := session.NewCodec("session", keys)
	if err != nil {
		return nil, fmt.Errorf("rolegate: sign_in: keys: %w", err)
	}
	if b.sessions, err = session.NewSessions(codec, sessionCacheSize); err != nil {
		return nil, err
	}
	if b.attempts, err = session.NewCodec("sign-in attempt", keys); err != nil {
		return nil, fmt.Errorf("rolegate: sign_in: keys: %w", err)
	}
	b.jar = &session.Jar{Name: c.CookieName, MaxChunks: 4, Insecure: c.InsecureCookies}
	b.attemptName = c.CookieName + "-auth-"
	b.flow, err = identity.NewSignIn(identity.SignInConfig{
		Issuer: repl.ReplaceKnown(c.Issuer, ""), ClientID: repl.ReplaceKnown(c.ClientID, ""),
		ClientSecret: repl.ReplaceKnown(c.ClientSecret, ""), Scopes: c.Scopes, Algorithms: c.Algorithms,
		RolesClaim: c.RolesClaim, UserClaim: c.UserClaim, Userinfo: c.Userinfo,
	})
	if err != nil {
		return nil, fmt.Errorf("rolegate: %w", err)
	}
	return b, nil
}

func (c *SignInConfig) setDefaults() {
	if c.PathPrefix == "" {
		c.PathPrefix = "/.rolegate"
	}
	c.PathPrefix = strings.TrimSuffix(c.PathPrefix, "/")
	if c.CookieName == "" {
		c.CookieName = "__Host-rolegate"
		if c.InsecureCookies {
			c.CookieName = "rolegate"
		}
	}
	if c.Lifetime == 0 {
		c.Lifetime = caddy.Duration(8 * time.Hour)
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = caddy.Duration(time.Hour)
	}
	if c.RefreshBefore == 0 {
		c.RefreshBefore = caddy.Duration(time.Minute)
	}
}

func (c *SignInConfig) keys(repl *caddy.Replacer) ([]session.Key, error) {
	if len(c.Keys) == 0 {
		return nil, fmt.Errorf("rolegate: sign_in: keys: at least one session key is required")
	}
	out := make([]session.Key, len(c.Keys))
	for i, k := range c.Keys {
		secret := repl.ReplaceKnown(k.Secret, "")
		raw, err := base64.StdEncoding.DecodeString(secret)
		if err != nil || len(raw) < session.MinSecretLen {
			raw = []byte(secret)
		}
		out[i] = session.Key{ID: k.ID, Secret: raw}
	}
	return out, nil
}

func (c *SignInConfig) validate() error {
	if strings.HasPrefix(c.CookieName, "__Host-") && c.InsecureCookies {
		return fmt.Errorf("rolegate: sign_in: a __Host- cookie must be Secure; drop insecure_cookies or rename the cookie")
	}
	if !strings.HasPrefix(c.PathPrefix, "/") {
		return fmt.Errorf("rolegate: sign_in: path_prefix %q must start with /", c.PathPrefix)
	}
	if time.Duration(c.IdleTimeout) > time.Duration(c.Lifetime) {
		return fmt.Errorf("rolegate: sign_in: idle_timeout is longer than lifetime")
	}
	return nil
}
