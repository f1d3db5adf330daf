package identity

import (
	"crypto/sha256"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Verified tokens are remembered so that a client sending the same token on
// every request pays for the signature check once. The cache is keyed by
// the token's SHA-256, so it never holds a token, and it is bounded in
// size and in time.
const (
	// CacheSize is the number of verified tokens remembered.
	CacheSize = 10000
	// CacheTTL is the longest a verified token is trusted without a new
	// check: a key withdrawn from the provider's JWKS stops verifying
	// tokens after at most this long. A token is never trusted past its exp.
	CacheTTL = 5 * time.Minute
)

type cached struct {
	id    *Identity
	until time.Time
}

type tokenCache struct {
	lru *lru.Cache[[sha256.Size]byte, cached]
	now func() time.Time
}

func newTokenCache(now func() time.Time) *tokenCache {
	c, err := lru.New[[sha256.Size]byte, cached](CacheSize)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	return &tokenCache{lru: c, now: now}
}

// get returns the identity of a token verified earlier and still fresh.
func (c *tokenCache) get(raw string) (*Identity, bool) {
	key := sha256.Sum256([]byte(raw))
	e, ok := c.lru.Get(key)
	if !ok {
		return nil, false
	}
	if !c.now().Before(e.until) {
		c.lru.Remove(key)
		return nil, false
	}
	return e.id, true
}

// put remembers a verified token until its expiry, at most CacheTTL.
func (c *tokenCache) put(raw string, id *Identity, expiry time.Time) {
	now := c.now()
	until := now.Add(CacheTTL)
	if expiry.Before(until) {
		until = expiry
	}
	if until.After(now) {
		c.lru.Add(sha256.Sum256([]byte(raw)), cached{id: id, until: until})
	}
}
