package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	jose "github.com/go-jose/go-jose/v4"
)

// issuer is a test OpenID provider (go-oidc's oidctest) with one RSA key.
type issuer struct {
	url string
	key *rsa.PrivateKey
}

func newIssuer(t testing.TB) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.SetIssuer(srv.URL)
	return &issuer{url: srv.URL, key: key}
}

func (i *issuer) claims(over map[string]any) string {
	c := map[string]any{"iss": i.url, "sub": "alice", "aud": "app", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
		"realm_access": map[string]any{"roles": []string{"SUPPORT", "offline_access"}}}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func (i *issuer) token(over map[string]any) string {
	return oidctest.SignIDToken(i.key, "k1", "RS256", i.claims(over))
}

func newBearer(t *testing.T, cfg BearerConfig) *Bearer {
	t.Helper()
	b, err := NewBearer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func TestBearerAcceptsAValidToken(t *testing.T) {
	iss := newIssuer(t)
	b := newBearer(t, BearerConfig{Issuer: iss.url, Audiences: []string{"other", "app"}, RolesClaim: "realm_access.roles"})
	id, err := b.Verify(context.Background(), iss.token(nil))
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "alice" || !reflect.DeepEqual(id.Roles, []string{"SUPPORT", "offline_access"}) {
		t.Fatalf("identity %+v", id)
	}
	id, err = b.Verify(context.Background(), iss.token(map[string]any{"aud": []string{"x", "app"}}))
	if err != nil || id.Subject != "alice" {
		t.Fatalf("a token for several audiences, one accepted: %v", err)
	}
}

// TestBearerRefusesBadTokens attacks the verifier: every token here must be
// refused as invalid (401), never accepted and never reported as an outage.
func TestBearerRefusesBadTokens(t *testing.T) {
	iss := newIssuer(t)
	b := newBearer(t, BearerConfig{Issuer: iss.url, Audiences: []string{"app"}})
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	pubDER, _ := x509.MarshalPKIXPublicKey(iss.key.Public())
	cases := map[string]string{
		"garbage":                             "not.a.jwt",
		"empty":                               "",
		"wrong issuer":                        iss.token(map[string]any{"iss": iss.url + "/other"}),
		"issuer prefix":                       iss.token(map[string]any{"iss": iss.url + "/"}),
		"wrong audience":                      iss.token(map[string]any{"aud": "someone-else"}),
		"no audience":                         iss.token(map[string]any{"aud": nil}),
		"expired":                             iss.token(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}),
		"no subject":                          iss.token(map[string]any{"sub": nil}),
		"unknown key":                         oidctest.SignIDToken(other, "k2", "RS256", iss.claims(nil)),
		"right kid, other key":                oidctest.SignIDToken(other, "k1", "RS256", iss.claims(nil)),
		"alg not accepted":                    oidctest.SignIDToken(ec, "k1", "ES384", iss.claims(nil)),
		"alg none":                            unsigned(iss.claims(nil)),
		"HS256 with the public key as secret": hmacSigned(pubDER, iss.claims(nil)),
		"tampered payload":                    tamper(iss.token(nil), iss.claims(map[string]any{"sub": "root"})),
	}
	for name, tok := range cases {
		id, err := b.Verify(context.Background(), tok)
		var invalid *InvalidTokenError
		if !errors.As(err, &invalid) {
			t.Errorf("%s: Verify = %+v, %v; want *InvalidTokenError", name, id, err)
		}
	}
}

func unsigned(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "."
}

func hmacSigned(secret []byte, claims string) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		panic(err)
	}
	sig, _ := s.Sign([]byte(claims))
	out, _ := sig.CompactSerialize()
	return out
}

// tamper swaps the payload of a signed token for another.
func tamper(tok, claims string) string {
	parts := strings.Split(tok, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(claims))
	return strings.Join(parts, ".")
}

func TestNewBearerRefusesUnsafeConfig(t *testing.T) {
	for name, cfg := range map[string]BearerConfig{
		"no issuer":    {Audiences: []string{"a"}},
		"no audience":  {Issuer: "https://idp"},
		"alg none":     {Issuer: "https://idp", Audiences: []string{"a"}, Algorithms: []string{"none"}},
		"alg HS256":    {Issuer: "https://idp", Audiences: []string{"a"}, Algorithms: []string{"RS256", "HS256"}},
		"missing file": {Issuer: "https://idp", Audiences: []string{"a"}, JWKSFile: "/nonexistent/jwks.json"},
	} {
		if _, err := NewBearer(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestProviderOutageFailsClosed: discovery is lazy; while the provider is
// down, Verify reports ErrUnavailable (503), retries only after a backoff,
// and recovers once the provider is back.
func TestProviderOutageFailsClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now

	now := time.Now()
	b := newBearer(t, BearerConfig{Issuer: url, Audiences: []string{"app"}, Now: func() time.Time { return now }})
	if _, err := b.Verify(context.Background(), "x.y.z"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("provider down: %v, want ErrUnavailable", err)
	}
	// Bring the provider up at that address.
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	s := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	s.SetIssuer(url)
	ln, err = net.Listen("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Skipf("could not listen again on %s: %v", url, err)
	}
	srv := &http.Server{Handler: s}
	go srv.Serve(ln)
	defer srv.Close()

	tok := oidctest.SignIDToken(key, "k1", "RS256", fmt.Sprintf(`{"iss":%q,"sub":"bob","aud":"app","exp":%d}`, url, now.Add(time.Hour).Unix()))
	if _, err := b.Verify(context.Background(), tok); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("within the backoff: %v, want ErrUnavailable without a new attempt", err)
	}
	now = now.Add(2 * time.Second)
	if id, err := b.Verify(context.Background(), tok); err != nil || id.Subject != "bob" {
		t.Fatalf("after the backoff: %+v, %v", id, err)
	}
}

func TestStaticJWKSFile(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
	data, _ := json.Marshal(set)
	path := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(path, data, 0o600)
	b := newBearer(t, BearerConfig{Issuer: "https://offline.example", Audiences: []string{"app"}, JWKSFile: path})
	tok := oidctest.SignIDToken(key, "k1", "RS256", fmt.Sprintf(`{"iss":"https://offline.example","sub":"carol","aud":"app","exp":%d,"roles":"ADMIN"}`, time.Now().Add(time.Hour).Unix()))
	id, err := b.Verify(context.Background(), tok)
	if err != nil || id.Subject != "carol" || !reflect.DeepEqual(id.Roles, []string{"ADMIN"}) {
		t.Fatalf("%+v, %v", id, err)
	}
	priv := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: "k1"}}}
	data, _ = json.Marshal(priv)
	os.WriteFile(path, data, 0o600)
	if _, err := NewBearer(BearerConfig{Issuer: "https://x", Audiences: []string{"a"}, JWKSFile: path}); err == nil || !strings.Contains(err.Error(), "private") {
		t.Fatalf("a JWKS file with a private key: %v", err)
	}
}

func TestRoleNames(t *testing.T) {
	claims := map[string]any{"roles": []any{"A", 3, "B"}, "one": "C", "nested": map[string]any{"deep": map[string]any{"r": []any{"D"}}}, "num": 4.0}
	for path, want := range map[string][]string{"roles": {"A", "B"}, "one": {"C"}, "nested.deep.r": {"D"}, "num": nil, "missing": nil, "one.x": nil} {
		if got := RoleNames(claims, strings.Split(path, ".")); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
}
