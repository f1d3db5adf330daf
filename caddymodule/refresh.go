package caddymodule

import (
	"context"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/rolegate/rolegate/caddymodule/identity"
	"github.com/rolegate/rolegate/caddymodule/session"
)

// refresher runs at most one refresh per session and refresh token at a
// time, and remembers the outcome for a minute: requests that still carry
// the old cookie (sent before the browser got the new one) share it instead
// of spending a refresh token the provider may already have rotated.
type refresher struct {
	flight singleflight.Group
	recent *lru.Cache[string, refreshed]
}

type refreshed struct {
	s  *session.Session
	at time.Time
}

const refreshMemo = time.Minute

func newRefresher() (*refresher, error) {
	recent, err := lru.New[string, refreshed](4096)
	if err != nil {
		return nil, err
	}
	return &refresher{recent: recent}, nil
}

// refresh returns s renewed with the provider, or an error: the provider no
// longer vouches for the session.
func (h *Handler) refresh(ctx context.Context, s *session.Session) (*session.Session, error) {
	b := h.browser
	key := s.ID + "\x00" + s.RefreshToken
	if r, ok := b.refreshes.recent.Get(key); ok && time.Since(r.at) < refreshMemo {
		return r.s, nil
	}
	v, err, _ := b.refreshes.flight.Do(key, func() (any, error) {
		// The request that started the flight may be cancelled; the
		// refresh serves the others too, so it does not use its context.
		ctx := context.WithoutCancel(ctx)
		res, err := b.flow.Refresh(ctx, s.Subject, s.RefreshToken)
		if err != nil {
			return nil, err
		}
		next := *s
		if res.Identity != nil {
			next.Roles, next.IDToken, next.Claims = res.Identity.Roles, res.IDToken, attributes(res.Identity.Claims)
			if res.ProviderSession != "" {
				next.ProviderSession = res.ProviderSession
			}
		}
		b.keepRefresh(&next, res)
		b.refreshes.recent.Add(key, refreshed{s: &next, at: time.Now()})
		return &next, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*session.Session), nil
}

// keepRefresh stores the refresh token and when to use it, if configured.
func (b *browser) keepRefresh(s *session.Session, res *identity.Result) {
	if !b.cfg.Refresh || res.RefreshToken == "" && s.RefreshToken == "" {
		return
	}
	if res.RefreshToken != "" {
		s.RefreshToken = res.RefreshToken
	}
	expiry := res.Expiry
	if expiry.IsZero() {
		expiry = time.Now().Add(5 * time.Minute)
	}
	s.RefreshAt = expiry.Add(-time.Duration(b.cfg.RefreshBefore)).Unix()
}
