package session

import (
	"encoding/json"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Session is what a signed-in browser carries, sealed, in its cookie.
// It is kept small: a cookie travels with every request.
type Session struct {
	// ID is random; a back-channel logout names it.
	ID string `json:"sid"`
	// Subject is the user, as the identity provider names them.
	Subject string `json:"sub"`
	// Roles are the role names found at sign-in.
	Roles []string `json:"roles,omitempty"`
	// Claims are the user's claims at sign-in, less the token's own
	// (iss, aud, exp ...): the attributes conditions and role rules read.
	Claims map[string]any `json:"c,omitempty"`
	// Issued and Expires bound the session absolutely (Unix seconds).
	Issued  int64 `json:"iat"`
	Expires int64 `json:"exp"`
	// Seen is the last activity, for the idle timeout (Unix seconds).
	Seen int64 `json:"seen"`
	// ProviderSession is the provider's session ID, named by back-channel
	// logout.
	ProviderSession string `json:"psid,omitempty"`
	// IDToken is the raw ID token, the hint for RP-initiated logout.
	IDToken string `json:"idt,omitempty"`
	// RefreshToken, kept only when refresh is configured, and RefreshAt,
	// when to use it (Unix seconds).
	RefreshToken string `json:"rt,omitempty"`
	RefreshAt    int64  `json:"rat,omitempty"`
}

// SealSession encodes and seals s.
func (c *Codec) SealSession(s *Session) (string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	return c.Seal(b)
}

// OpenSession opens and decodes a sealed session.
func (c *Codec) OpenSession(sealed string) (*Session, error) {
	b, err := c.Open(sealed)
	if err != nil {
		return nil, err
	}
	s := new(Session)
	if err := json.Unmarshal(b, s); err != nil {
		return nil, ErrMalformed
	}
	return s, nil
}

// Sessions opens session cookies through a bounded cache of values already
// opened, so a browser's every request does not pay for decryption and
// decoding again. Only values that opened are cached, keyed by the whole
// sealed value, so a cached entry is exactly what the key would open to.
// A returned *Session is shared: read it, copy it before changing it.
type Sessions struct {
	*Codec
	cache *lru.Cache[string, *Session]
}

// NewSessions wraps c with a cache of size entries.
func NewSessions(c *Codec, size int) (*Sessions, error) {
	cache, err := lru.New[string, *Session](size)
	if err != nil {
		return nil, err
	}
	return &Sessions{Codec: c, cache: cache}, nil
}

// Open returns the session sealed in value, from the cache when it can.
func (s *Sessions) Open(sealed string) (*Session, error) {
	if sess, ok := s.cache.Get(sealed); ok {
		return sess, nil
	}
	sess, err := s.OpenSession(sealed)
	if err != nil {
		return nil, err
	}
	s.cache.Add(sealed, sess)
	return sess, nil
}
