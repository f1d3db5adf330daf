package identity

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// directory is a fake user directory: it counts lookups and answers what
// the test sets.
type directory struct {
	srv    *httptest.Server
	calls  atomic.Int32
	status atomic.Int32
	gate   chan struct{} // when set, lookups wait on it
}

func newDirectory(t *testing.T) *directory {
	d := &directory{}
	d.status.Store(200)
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.calls.Add(1)
		if d.gate != nil {
			<-d.gate
		}
		if r.Header.Get("X-Api-Key") != "k" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(int(d.status.Load()))
		user := strings.TrimPrefix(r.URL.EscapedPath(), "/users/")
		_, _ = w.Write([]byte(`{"account": "acme", "is_admin": true, "who": "` + user + `"}`))
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func newEnricher(t *testing.T, d *directory, now *time.Time, size int) *Enricher {
	e, err := NewEnricher(EnrichConfig{URL: d.srv.URL + "/users/{sub}", Header: http.Header{"X-Api-Key": {"k"}},
		TTL: time.Minute, NegativeTTL: 10 * time.Second, Size: size, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEnrichMergesAndCachesWithTTL(t *testing.T) {
	d := newDirectory(t)
	now := time.Now()
	e := newEnricher(t, d, &now, 10)
	id := &Identity{Subject: "bob/../admin", Claims: map[string]any{"sub": "bob/../admin", "account": "forged", "email": "b@x"}}
	got, err := e.Enrich(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Claims["account"] != "acme" || got.Claims["is_admin"] != true || got.Claims["email"] != "b@x" {
		t.Fatalf("claims %v: the directory's values must win and the others stay", got.Claims)
	}
	if got.Claims["who"] != "bob%2F..%2Fadmin" {
		t.Fatalf("the subject reached the directory as %v, want it escaped in one path segment", got.Claims["who"])
	}
	if id.Claims["account"] != "forged" {
		t.Fatal("Enrich changed the caller's identity")
	}
	_, _ = e.Enrich(context.Background(), id)
	if n := d.calls.Load(); n != 1 {
		t.Fatalf("%d lookups within the TTL, want 1", n)
	}
	now = now.Add(2 * time.Minute)
	_, _ = e.Enrich(context.Background(), id)
	if n := d.calls.Load(); n != 2 {
		t.Fatalf("%d lookups after the TTL, want 2", n)
	}
}

func TestEnrichNegativeCaching(t *testing.T) {
	d := newDirectory(t)
	d.status.Store(404)
	now := time.Now()
	e := newEnricher(t, d, &now, 10)
	id := &Identity{Subject: "ghost", Claims: map[string]any{"account": "from-token"}}
	for range 3 {
		got, err := e.Enrich(context.Background(), id)
		if err != nil || got.Claims["account"] != "from-token" {
			t.Fatalf("unknown user: %v, %v", got, err)
		}
	}
	if n := d.calls.Load(); n != 1 {
		t.Fatalf("%d lookups of an unknown user within the negative TTL, want 1", n)
	}
	now = now.Add(11 * time.Second)
	_, _ = e.Enrich(context.Background(), id)
	if n := d.calls.Load(); n != 2 {
		t.Fatalf("%d lookups after the negative TTL, want 2", n)
	}
}

func TestEnrichFailureIsUnavailableAndNotCached(t *testing.T) {
	d := newDirectory(t)
	now := time.Now()
	e := newEnricher(t, d, &now, 10)
	id := &Identity{Subject: "bob"}
	for _, status := range []int32{500, 401, 302} {
		d.status.Store(status)
		if _, err := e.Enrich(context.Background(), id); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("status %d: %v, want ErrUnavailable", status, err)
		}
	}
	d.srv.Close()
	if _, err := e.Enrich(context.Background(), id); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("directory down: %v", err)
	}
	if e.cache.Len() != 0 {
		t.Fatal("a failed lookup was cached")
	}
}

func TestEnrichSizeBoundAndSingleFlight(t *testing.T) {
	d := newDirectory(t)
	now := time.Now()
	e := newEnricher(t, d, &now, 2)
	for _, sub := range []string{"a", "b", "c"} {
		_, _ = e.Enrich(context.Background(), &Identity{Subject: sub})
	}
	if e.cache.Len() != 2 {
		t.Fatalf("cache holds %d users, bound is 2", e.cache.Len())
	}
	d.calls.Store(0)
	d.gate = make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = e.Enrich(context.Background(), &Identity{Subject: "z"})
		}()
	}
	time.AfterFunc(50*time.Millisecond, func() { close(d.gate) })
	wg.Wait()
	if n := d.calls.Load(); n != 1 {
		t.Fatalf("%d lookups for 8 concurrent requests of one user, want 1", n)
	}
}

func TestNewEnricherRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "http://dir/users", "/users/{sub}", "://x/{sub}"} {
		if _, err := NewEnricher(EnrichConfig{URL: u}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

func BenchmarkEnrichHit(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"account": "acme"}`))
	}))
	defer srv.Close()
	e, _ := NewEnricher(EnrichConfig{URL: srv.URL + "/users/{sub}"})
	id := &Identity{Subject: "bob", Claims: map[string]any{"email": "b@x", "roles": []any{"A"}}}
	_, _ = e.Enrich(context.Background(), id)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Enrich(context.Background(), id); err != nil {
			b.Fatal(err)
		}
	}
}
