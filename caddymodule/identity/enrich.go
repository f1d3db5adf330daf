package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// EnrichConfig configures attribute enrichment: a JSON lookup of the user in
// the legacy application or a user directory, whose answer becomes part of
// the attributes that role rules and conditions read (user.account, ...).
type EnrichConfig struct {
	// URL is the lookup URL, with {sub} and {email} replaced by the user's
	// subject and email claim, escaped. Required.
	URL string
	// Header is sent with each lookup (for instance a directory's API key).
	Header http.Header
	// Timeout bounds one lookup; default 2s.
	Timeout time.Duration
	// TTL is how long an answer is reused; default 5m.
	TTL time.Duration
	// NegativeTTL is how long "no such user" (404) is reused; default 30s.
	NegativeTTL time.Duration
	// Size bounds the cache, in users; default 10,000.
	Size int
	// Client and Now, for tests.
	Client *http.Client
	Now    func() time.Time
}

// Enricher looks users up, through a bounded cache with TTL and negative
// caching, one lookup at a time per user. A lookup that fails (network,
// timeout, an answer other than 200 or 404, a body that is not a JSON
// object) wraps ErrUnavailable and is not cached: the request is refused
// with 503, never decided without the data.
type Enricher struct {
	cfg    EnrichConfig
	cache  *lru.Cache[string, enriched]
	flight singleflight.Group
}

type enriched struct {
	attrs map[string]any // nil: the directory does not know the user
	until time.Time
}

// NewEnricher checks cfg.
func NewEnricher(cfg EnrichConfig) (*Enricher, error) {
	if cfg.URL == "" || (!strings.Contains(cfg.URL, "{sub}") && !strings.Contains(cfg.URL, "{email}")) {
		return nil, fmt.Errorf("enrich: url is required and must name the user with {sub} or {email}")
	}
	if u, err := url.Parse(strings.NewReplacer("{sub}", "x", "{email}", "x").Replace(cfg.URL)); err != nil || !u.IsAbs() {
		return nil, fmt.Errorf("enrich: url %q is not an absolute URL", cfg.URL)
	}
	cfg.Timeout = orDefault(cfg.Timeout, 2*time.Second)
	cfg.TTL = orDefault(cfg.TTL, 5*time.Minute)
	cfg.NegativeTTL = orDefault(cfg.NegativeTTL, 30*time.Second)
	if cfg.Size <= 0 {
		cfg.Size = 10000
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cache, err := lru.New[string, enriched](cfg.Size)
	if err != nil {
		return nil, err
	}
	return &Enricher{cfg: cfg, cache: cache}, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Enrich returns id with the looked-up attributes merged into its claims
// (the directory's values win: it is the application's own data). A user
// the directory does not know keeps their claims only.
func (e *Enricher) Enrich(ctx context.Context, id *Identity) (*Identity, error) {
	attrs, err := e.lookup(ctx, id)
	if err != nil || attrs == nil {
		return id, err
	}
	merged := make(map[string]any, len(id.Claims)+len(attrs))
	for k, v := range id.Claims {
		merged[k] = v
	}
	for k, v := range attrs {
		if k != "sub" {
			merged[k] = v
		}
	}
	out := *id
	out.Claims = merged
	return &out, nil
}

func (e *Enricher) lookup(ctx context.Context, id *Identity) (map[string]any, error) {
	email, _ := id.Claims["email"].(string)
	target := strings.NewReplacer("{sub}", url.PathEscape(id.Subject), "{email}", url.PathEscape(email)).Replace(e.cfg.URL)
	if hit, ok := e.cache.Get(target); ok && e.cfg.Now().Before(hit.until) {
		return hit.attrs, nil
	}
	v, err, _ := e.flight.Do(target, func() (any, error) {
		// Shared by every waiting request: not bound to the first one's context.
		attrs, found, err := e.fetch(context.WithoutCancel(ctx), target)
		if err != nil {
			return nil, err
		}
		ttl := e.cfg.TTL
		if !found {
			ttl = e.cfg.NegativeTTL
		}
		e.cache.Add(target, enriched{attrs: attrs, until: e.cfg.Now().Add(ttl)})
		return attrs, nil
	})
	if err != nil {
		return nil, err
	}
	attrs, _ := v.(map[string]any)
	return attrs, nil
}

func (e *Enricher) fetch(ctx context.Context, target string) (map[string]any, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, false, fmt.Errorf("%w: enrich: %v", ErrUnavailable, err)
	}
	for k, v := range e.cfg.Header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	resp, err := e.cfg.Client.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("%w: enrich: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, false, nil
	default:
		return nil, false, fmt.Errorf("%w: enrich: the lookup answered %s", ErrUnavailable, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, false, fmt.Errorf("%w: enrich: %v", ErrUnavailable, err)
	}
	var attrs map[string]any
	if err := json.Unmarshal(body, &attrs); err != nil || attrs == nil {
		return nil, false, fmt.Errorf("%w: enrich: the answer is not a JSON object", ErrUnavailable)
	}
	return attrs, true, nil
}
