package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// MinRefetch is the shortest time between two fetches of a provider's keys.
// Keys are fetched on first use and again only for a token whose key ID is
// unknown, so a stream of tokens with made-up key IDs costs the provider
// one request per MinRefetch, not one per token.
const MinRefetch = 10 * time.Second

// keysUnavailable marks the errors of a key set that could not be fetched.
// go-oidc flattens key-set errors into text (%v), so the marker, chosen
// here, is how Verify tells an outage (503) from a bad token (401).
const keysUnavailable = "rolegate: signing keys unavailable"

// remoteKeys is an oidc.KeySet over a JWKS URL with a refetch rate limit.
type remoteKeys struct {
	url    string
	ctx    context.Context // outlives requests; carries the HTTP client
	client *http.Client
	now    func() time.Time
	algs   []jose.SignatureAlgorithm

	mu   sync.RWMutex
	keys []jose.JSONWebKey

	fetchMu   sync.Mutex // one fetch at a time
	lastFetch time.Time
}

func newRemoteKeys(ctx context.Context, url string, client *http.Client, now func() time.Time, algs []string) *remoteKeys {
	k := &remoteKeys{url: url, ctx: ctx, client: client, now: now}
	for _, a := range algs {
		k.algs = append(k.algs, jose.SignatureAlgorithm(a))
	}
	return k
}

// VerifySignature verifies a compact JWS with the key its header names.
func (k *remoteKeys) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, k.algs)
	if err != nil {
		return nil, fmt.Errorf("malformed jwt: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("expected exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	if payload, ok := k.verify(jws, kid); ok {
		return payload, nil
	}
	fetched, err := k.refetch()
	if err != nil {
		return nil, err
	}
	if fetched {
		if payload, ok := k.verify(jws, kid); ok {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("no known key verifies the token (key ID %q)", kid)
}

func (k *remoteKeys) verify(jws *jose.JSONWebSignature, kid string) ([]byte, bool) {
	k.mu.RLock()
	keys := k.keys
	k.mu.RUnlock()
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(key.Key); err == nil {
			return payload, true
		}
	}
	return nil, false
}

// refetch fetches the keys unless they were fetched less than MinRefetch
// ago; it reports whether it fetched.
func (k *remoteKeys) refetch() (bool, error) {
	k.fetchMu.Lock()
	defer k.fetchMu.Unlock()
	now := k.now()
	if !k.lastFetch.IsZero() && now.Sub(k.lastFetch) < MinRefetch {
		return false, nil
	}
	k.lastFetch = now
	keys, err := k.fetch()
	if err != nil {
		return false, fmt.Errorf("%s: %v", keysUnavailable, err)
	}
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
	return true, nil
}

func (k *remoteKeys) fetch() ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(k.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", k.url, resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("%s: %w", k.url, err)
	}
	var public []jose.JSONWebKey
	for _, key := range set.Keys {
		if key.IsPublic() && key.Use != "enc" {
			public = append(public, key)
		}
	}
	return public, nil
}

// isFetchError tells a key set that could not be fetched from a bad token.
func isFetchError(err error) bool {
	return strings.Contains(err.Error(), keysUnavailable)
}
