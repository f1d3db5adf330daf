package identity

import (
	"context"
	"testing"
)

// The verified-token cache against a full verification (signature, issuer,
// audience, times) of the same token: the target is 30x.
func BenchmarkBearerVerify(b *testing.B) {
	iss := newIssuer(b)
	bearer, err := NewBearer(BearerConfig{Issuer: iss.url, Audiences: []string{"app"}, JWKSURL: iss.url + "/keys"})
	if err != nil {
		b.Fatal(err)
	}
	defer bearer.Close()
	tok := iss.token(nil)
	ctx := context.Background()
	if _, err := bearer.Verify(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bearer.cache.lru.Purge()
			if _, err := bearer.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bearer.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
