package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// TestUnknownKeyIDsDoNotFloodTheProvider: tokens naming made-up key IDs
// cost at most one JWKS fetch per MinRefetch; a key the provider adds is
// found by the first fetch allowed after that.
func TestUnknownKeyIDsDoNotFloodTheProvider(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	rotated, _ := rsa.GenerateKey(rand.Reader, 2048)
	keys := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		keys.ServeHTTP(w, r)
	}))
	defer srv.Close()
	keys.SetIssuer(srv.URL)
	now := time.Now()
	b := newBearer(t, BearerConfig{Issuer: "https://issuer.test", Audiences: []string{"app"}, JWKSURL: srv.URL + "/keys", Now: func() time.Time { return now }})
	claims := fmt.Sprintf(`{"iss":"https://issuer.test","sub":"u","aud":"app","exp":%d}`, now.Add(time.Hour).Unix())

	if _, err := b.Verify(context.Background(), oidctest.SignIDToken(key, "k1", "RS256", claims)); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		tok := oidctest.SignIDToken(rotated, fmt.Sprintf("made-up-%d", i), "RS256", claims)
		if _, err := b.Verify(context.Background(), tok); err == nil {
			t.Fatal("a token signed by an unknown key verified")
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d JWKS fetches for 50 unknown key IDs within MinRefetch, want 1", n)
	}
	// The provider rotates in a new key; after MinRefetch it is picked up.
	keys.PublicKeys = append(keys.PublicKeys, oidctest.PublicKey{PublicKey: rotated.Public(), KeyID: "k2", Algorithm: "RS256"})
	now = now.Add(MinRefetch + time.Second)
	if _, err := b.Verify(context.Background(), oidctest.SignIDToken(rotated, "k2", "RS256", claims)); err != nil {
		t.Fatalf("the rotated key: %v", err)
	}
	if n := fetches.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}
