package identity

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// assertVerdict checks that Verify accepts (want true) or refuses as
// invalid (want false) a token.
func assertVerdict(t *testing.T, b *Bearer, name, tok string, want bool) {
	t.Helper()
	id, err := b.Verify(context.Background(), tok)
	var invalid *InvalidTokenError
	switch {
	case want && err != nil:
		t.Errorf("%s: refused: %v", name, err)
	case !want && !errors.As(err, &invalid):
		t.Errorf("%s: Verify = %+v, %v; want *InvalidTokenError", name, id, err)
	}
}

func TestClockSkewBoundsExpAndNbf(t *testing.T) {
	iss := newIssuer(t)
	now := time.Now()
	clock := func() time.Time { return now }
	at := func(d time.Duration) int64 { return now.Add(d).Unix() }
	def := newBearer(t, BearerConfig{Issuer: iss.url, Audiences: []string{"app"}, Now: clock})
	strict := newBearer(t, BearerConfig{Issuer: iss.url, Audiences: []string{"app"}, Now: clock, ClockSkew: time.Second})
	for _, c := range []struct {
		name         string
		over         map[string]any
		def, strict_ bool
	}{
		{"valid", nil, true, true},
		{"expired 30s ago", map[string]any{"exp": at(-30 * time.Second)}, true, false},
		{"expired 2m ago", map[string]any{"exp": at(-2 * time.Minute)}, false, false},
		{"no exp", map[string]any{"exp": nil}, false, false},
		{"nbf in 30s", map[string]any{"nbf": at(30 * time.Second)}, true, false},
		{"nbf in 2m", map[string]any{"nbf": at(2 * time.Minute)}, false, false},
		{"nbf not a number", map[string]any{"nbf": "soon"}, false, false},
		{"nbf passed", map[string]any{"nbf": at(-time.Hour)}, true, true},
	} {
		tok := iss.token(c.over)
		assertVerdict(t, def, c.name+" (default skew)", tok, c.def)
		assertVerdict(t, strict, c.name+" (1s skew)", tok, c.strict_)
	}
	for _, skew := range []time.Duration{-time.Second, 6 * time.Minute} {
		if _, err := NewBearer(BearerConfig{Issuer: iss.url, Audiences: []string{"app"}, ClockSkew: skew}); err == nil {
			t.Errorf("clock skew %s accepted", skew)
		}
	}
}

// TestCacheNeverOutlivesTheToken: a token verified once is answered from
// the cache, but not past its exp nor past CacheTTL.
func TestCacheNeverOutlivesTheToken(t *testing.T) {
	iss := newIssuer(t)
	now := time.Now()
	b := newBearer(t, BearerConfig{Issuer: iss.url, Audiences: []string{"app"}, Now: func() time.Time { return now }, ClockSkew: time.Second})
	short := iss.token(map[string]any{"exp": now.Add(time.Minute).Unix()})
	first, err := b.Verify(context.Background(), short)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := b.Verify(context.Background(), short); again != first {
		t.Fatal("a verified token was checked again instead of coming from the cache")
	}
	now = now.Add(2 * time.Minute)
	assertVerdict(t, b, "cached token after its exp", short, false)

	long := iss.token(map[string]any{"exp": now.Add(time.Hour).Unix()})
	first, _ = b.Verify(context.Background(), long)
	now = now.Add(CacheTTL)
	if again, err := b.Verify(context.Background(), long); err != nil || again == first {
		t.Fatalf("after CacheTTL the token must be verified again: %v", err)
	}
}

// TestKeySetOutageIs503: when the keys cannot be fetched, a token can be
// neither accepted nor called invalid: ErrUnavailable.
func TestKeySetOutageIs503(t *testing.T) {
	iss := newIssuer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/jwks"
	ln.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	for name, url := range map[string]string{"unreachable": closed, "500": failing.URL} {
		b := newBearer(t, BearerConfig{Issuer: iss.url, Audiences: []string{"app"}, JWKSURL: url})
		if _, err := b.Verify(context.Background(), iss.token(nil)); !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s key set: %v, want ErrUnavailable", name, err)
		}
	}
}

func TestBearerIdentify(t *testing.T) {
	iss := newIssuer(t)
	b := newBearer(t, BearerConfig{Issuer: iss.url, Audiences: []string{"app"}})
	for header, want := range map[string]error{"": ErrNoCredentials, "Basic YTpi": ErrNoCredentials, "Bearer": ErrNoCredentials, "Bearer  ": ErrNoCredentials} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", header)
		if _, err := b.Identify(r); !errors.Is(err, want) {
			t.Errorf("Authorization %q: %v, want %v", header, err, want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "bearer "+oidctest.SignIDToken(iss.key, "k1", "RS256", iss.claims(nil)))
	if id, err := b.Identify(r); err != nil || id.Subject != "alice" {
		t.Fatalf("lower-case scheme: %+v, %v", id, err)
	}
}
