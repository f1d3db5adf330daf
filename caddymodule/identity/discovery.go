package identity

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// discovery finds an OpenID provider's metadata on first use, never at
// start-up, so a provider that is down cannot stop Caddy from starting.
// After a failure it waits (1 s, doubling up to a minute) before trying
// again; callers meanwhile get ErrUnavailable at once.
type discovery struct {
	issuer string
	client *http.Client
	now    func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
	retryAt  time.Time
	backoff  time.Duration
}

// get returns the provider, discovering it if needed. ctx bounds only the
// discovery request; what the provider fetches later uses base.
func (d *discovery) get(base context.Context) (*oidc.Provider, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.provider != nil {
		return d.provider, nil
	}
	now := d.now()
	if now.Before(d.retryAt) {
		return nil, ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(base, 10*time.Second)
	defer cancel()
	// NewProvider keeps ctx's HTTP client for its key set, not ctx itself.
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, d.client), d.issuer)
	if err != nil {
		d.backoff = min(max(2*d.backoff, time.Second), time.Minute)
		d.retryAt = now.Add(d.backoff)
		return nil, fmt.Errorf("%w: discovery: %v", ErrUnavailable, err)
	}
	d.provider = p
	return p, nil
}
