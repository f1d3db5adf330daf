package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// evilIdP is an OpenID provider whose token endpoint answers whatever ID
// token the test sets, so the callback's checks can be attacked one by one.
type evilIdP struct {
	url         string
	key         *rsa.PrivateKey
	idToken     string
	userinfoSub string
}

func newEvilIdP(t *testing.T) *evilIdP {
	t.Helper()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	e := &evilIdP{key: key, userinfoSub: "alice"}
	keys := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": e.idToken})
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"sub": e.userinfoSub, "department": "accounting", "roles": []string{"FORGED"}})
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": e.url, "authorization_endpoint": e.url + "/auth",
			"token_endpoint": e.url + "/token", "jwks_uri": e.url + "/keys", "userinfo_endpoint": e.url + "/userinfo",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.Handle("/", keys)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	keys.SetIssuer(srv.URL)
	e.url = srv.URL
	return e
}

func (e *evilIdP) claims(nonce string, over map[string]any) string {
	c := map[string]any{"iss": e.url, "sub": "alice", "aud": "rolegate", "nonce": nonce,
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "roles": []string{"ADMIN"}}
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

func newSignIn(t *testing.T, issuer string) *SignIn {
	t.Helper()
	s, err := NewSignIn(SignInConfig{Issuer: issuer, ClientID: "rolegate", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestBeginAsksForPKCEStateAndNonce(t *testing.T) {
	e := newEvilIdP(t)
	s := newSignIn(t, e.url)
	u, a, err := s.Begin("https://app.test/.rolegate/callback", "/tickets/42", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	q := mustParse(t, u).Query()
	if q.Get("state") != a.State || q.Get("nonce") != a.Nonce || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("code_challenge") == a.Verifier || len(a.State) < 32 {
		t.Fatalf("authorization request %v for attempt %+v", q, a)
	}
	_, b, _ := s.Begin("https://app.test/.rolegate/callback", "/", time.Minute)
	if b.State == a.State || b.Nonce == a.Nonce || b.Verifier == a.Verifier {
		t.Fatal("two attempts share a secret")
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestFinishRefusesBadIDTokens attacks the callback with ID tokens that a
// provider (or whoever answers in its place) might return.
func TestFinishRefusesBadIDTokens(t *testing.T) {
	e := newEvilIdP(t)
	s := newSignIn(t, e.url)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubDER, _ := x509.MarshalPKIXPublicKey(e.key.Public())
	const nonce = "the-nonce"
	cases := map[string]string{
		"wrong nonce":      oidctest.SignIDToken(e.key, "k1", "RS256", e.claims("another-nonce", nil)),
		"no nonce":         oidctest.SignIDToken(e.key, "k1", "RS256", e.claims("", nil)),
		"wrong audience":   oidctest.SignIDToken(e.key, "k1", "RS256", e.claims(nonce, map[string]any{"aud": "someone-else"})),
		"wrong issuer":     oidctest.SignIDToken(e.key, "k1", "RS256", e.claims(nonce, map[string]any{"iss": "https://evil.test"})),
		"expired":          oidctest.SignIDToken(e.key, "k1", "RS256", e.claims(nonce, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})),
		"alg none":         unsigned(e.claims(nonce, nil)),
		"HS256 public key": hmacSigned(pubDER, e.claims(nonce, nil)),
		"foreign key":      oidctest.SignIDToken(other, "k1", "RS256", e.claims(nonce, nil)),
		"no subject":       oidctest.SignIDToken(e.key, "k1", "RS256", e.claims(nonce, map[string]any{"sub": nil})),
		"missing":          "",
	}
	for name, tok := range cases {
		e.idToken = tok
		a := &Attempt{State: "st", Nonce: nonce, Verifier: "v", ReturnTo: "/", Expires: time.Now().Add(time.Minute).Unix()}
		res, err := s.Finish(context.Background(), a, "st", "code", "https://app.test/cb")
		if !errors.Is(err, ErrSignIn) {
			t.Errorf("%s: Finish = %+v, %v; want ErrSignIn", name, res, err)
		}
	}
	e.idToken = oidctest.SignIDToken(e.key, "k1", "RS256", e.claims(nonce, nil))
	good := func() *Attempt {
		return &Attempt{State: "st", Nonce: nonce, Verifier: "v", Expires: time.Now().Add(time.Minute).Unix()}
	}
	if res, err := s.Finish(context.Background(), good(), "st", "code", "https://app.test/cb"); err != nil || res.Identity.Subject != "alice" || strings.Join(res.Identity.Roles, ",") != "ADMIN" {
		t.Fatalf("a good token: %+v, %v", res, err)
	}
	for name, try := range map[string]func() error{
		"no attempt":     func() error { _, err := s.Finish(context.Background(), nil, "st", "code", "cb"); return err },
		"state mismatch": func() error { _, err := s.Finish(context.Background(), good(), "other", "code", "cb"); return err },
		"empty state": func() error {
			a := good()
			a.State = ""
			_, err := s.Finish(context.Background(), a, "", "code", "cb")
			return err
		},
		"expired attempt": func() error {
			a := good()
			a.Expires = time.Now().Add(-time.Second).Unix()
			_, err := s.Finish(context.Background(), a, "st", "code", "cb")
			return err
		},
	} {
		if err := try(); !errors.Is(err, ErrSignIn) {
			t.Errorf("%s: %v, want ErrSignIn", name, err)
		}
	}
}

// TestUserinfoIsMergedWhenConfigured: userinfo adds claims the ID token
// lacks, never overrides a signed one, and must be about the same subject.
func TestUserinfoIsMergedWhenConfigured(t *testing.T) {
	e := newEvilIdP(t)
	s, err := NewSignIn(SignInConfig{Issuer: e.url, ClientID: "rolegate", ClientSecret: "s", Userinfo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e.idToken = oidctest.SignIDToken(e.key, "k1", "RS256", e.claims("n", nil))
	attempt := func() *Attempt {
		return &Attempt{State: "st", Nonce: "n", Verifier: "v", Expires: time.Now().Add(time.Minute).Unix()}
	}
	res, err := s.Finish(context.Background(), attempt(), "st", "code", "cb")
	if err != nil {
		t.Fatal(err)
	}
	if res.Identity.Claims["department"] != "accounting" || strings.Join(res.Identity.Roles, ",") != "ADMIN" {
		t.Fatalf("claims %v, roles %v: want department from userinfo and roles from the ID token", res.Identity.Claims, res.Identity.Roles)
	}
	e.userinfoSub = "mallory"
	if _, err := s.Finish(context.Background(), attempt(), "st", "code", "cb"); !errors.Is(err, ErrSignIn) {
		t.Fatalf("userinfo about another subject: %v", err)
	}
}
