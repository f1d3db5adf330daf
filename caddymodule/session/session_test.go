package session

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func secret(b byte) []byte { return bytes.Repeat([]byte{b}, MinSecretLen) }

func codec(t testing.TB, purpose string, keys ...Key) *Codec {
	t.Helper()
	c, err := NewCodec(purpose, keys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSealOpenRoundTrip(t *testing.T) {
	c := codec(t, "session", Key{ID: "k1", Secret: secret(1)})
	for _, msg := range []string{"", "x", strings.Repeat("session data ", 1000)} {
		sealed, err := c.Seal([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, "session data") {
			t.Fatal("plaintext visible in the sealed value")
		}
		got, err := c.Open(sealed)
		if err != nil || string(got) != msg {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
	a, _ := c.Seal([]byte("same"))
	b, _ := c.Seal([]byte("same"))
	if a == b {
		t.Fatal("two seals of the same value are equal: the nonce is not random")
	}
}

// TestKeyRotation: a new key is added in front and seals; values sealed
// with the old key still open; once the old key is retired they do not.
func TestKeyRotation(t *testing.T) {
	old := Key{ID: "2025", Secret: secret(1)}
	fresh := Key{ID: "2026", Secret: secret(2)}
	before, _ := codec(t, "session", old).Seal([]byte("alice"))
	during := codec(t, "session", fresh, old)
	if got, err := during.Open(before); err != nil || string(got) != "alice" {
		t.Fatalf("old value under rotation: %q, %v", got, err)
	}
	sealedNew, _ := during.Seal([]byte("bob"))
	if !strings.HasPrefix(sealedNew, "v1.2026.") {
		t.Fatalf("new values must be sealed with the first key: %s", sealedNew[:12])
	}
	after := codec(t, "session", fresh)
	if _, err := after.Open(before); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("value under a retired key: %v, want ErrUnknownKey", err)
	}
	// A key ID reused with another secret must not open old values.
	impostor := codec(t, "session", Key{ID: "2025", Secret: secret(9)})
	if _, err := impostor.Open(before); !errors.Is(err, ErrTampered) {
		t.Fatalf("same ID, other secret: %v, want ErrTampered", err)
	}
}

func TestPurposesDoNotMix(t *testing.T) {
	k := Key{ID: "k", Secret: secret(3)}
	state, _ := codec(t, "state", k).Seal([]byte("x"))
	if _, err := codec(t, "session", k).Open(state); err == nil {
		t.Fatal("a state value opened as a session")
	}
}

func TestTamperedValuesAreRefused(t *testing.T) {
	c := codec(t, "session", Key{ID: "k", Secret: secret(4)})
	sealed, _ := c.Seal([]byte("subject=alice;roles=SUPPORT"))
	body := sealed[len("v1.k."):]
	cases := map[string]string{
		"truncated":     sealed[:len(sealed)-5],
		"empty":         "",
		"no version":    body,
		"other version": "v2.k." + body,
		"no body":       "v1.k.",
		"bad base64":    "v1.k." + body[:10] + "!" + body[11:],
		"short":         "v1.k.AAAA",
		"unknown key":   "v1.other." + body,
		"doubled":       sealed + sealed[5:],
	}
	for i := 0; i < len(body); i += 7 {
		b := []byte(body)
		b[i] ^= 0x01
		if b[i] == '-' || b[i] == '_' || (b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' && b[i] <= 'Z') {
			cases["flip "+string(rune('0'+i%10))+"@"+strings.Repeat("x", i/10)] = "v1.k." + string(b)
		}
	}
	for name, v := range cases {
		if got, err := c.Open(v); err == nil {
			t.Errorf("%s: opened to %q", name, got)
		}
	}
}

func TestNewCodecRefusesWeakKeys(t *testing.T) {
	for name, keys := range map[string][]Key{
		"none":      nil,
		"short":     {{ID: "k", Secret: []byte("too short")}},
		"no id":     {{ID: "", Secret: secret(1)}},
		"bad id":    {{ID: "a.b", Secret: secret(1)}},
		"duplicate": {{ID: "k", Secret: secret(1)}, {ID: "k", Secret: secret(2)}},
	} {
		if _, err := NewCodec("session", keys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// roundTrip writes value through the jar and returns a request carrying the
// cookies a browser would send back, in the given order of chunk indexes.
func roundTrip(t *testing.T, j *Jar, value string, order ...int) (*http.Request, []*http.Cookie) {
	t.Helper()
	w := httptest.NewRecorder()
	if err := j.Write(w, httptest.NewRequest("GET", "/", nil), value, time.Hour); err != nil {
		t.Fatal(err)
	}
	set := w.Result().Cookies()
	r := httptest.NewRequest("GET", "/", nil)
	if order == nil {
		for i := range set {
			order = append(order, i)
		}
	}
	for _, i := range order {
		r.AddCookie(&http.Cookie{Name: set[i].Name, Value: set[i].Value})
	}
	return r, set
}

func TestJarChunksLargeValues(t *testing.T) {
	c := codec(t, "session", Key{ID: "k", Secret: secret(5)})
	j := &Jar{Name: "__Host-rolegate", MaxChunks: 4}
	sealed, _ := c.Seal(bytes.Repeat([]byte("claims "), 1500)) // about 14 KB sealed
	r, set := roundTrip(t, j, sealed)
	if len(set) != 4 {
		t.Fatalf("%d cookies for %d bytes, want 4", len(set), len(sealed))
	}
	for _, ck := range set {
		if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || len(ck.Value) > ChunkSize {
			t.Fatalf("cookie %s lacks the required attributes: %+v", ck.Name, ck)
		}
	}
	got, err := j.Read(r)
	if err != nil || got != sealed {
		t.Fatalf("Read: %v", err)
	}
	if _, err := c.Open(got); err != nil {
		t.Fatal(err)
	}

	// Swap the values of chunks 1 and 2, as a reordering attacker would.
	r = httptest.NewRequest("GET", "/", nil)
	for i, ck := range set {
		v := ck.Value
		if i == 1 {
			v = set[2].Value
		} else if i == 2 {
			v = set[1].Value
		}
		r.AddCookie(&http.Cookie{Name: ck.Name, Value: v})
	}
	if v, err := j.Read(r); err == nil {
		if _, err := c.Open(v); !errors.Is(err, ErrTampered) {
			t.Fatalf("reordered chunks: %v, want ErrTampered", err)
		}
	}
	// Drop the last chunk.
	r, _ = roundTrip(t, j, sealed, 0, 1, 2)
	if v, err := j.Read(r); err == nil {
		if _, err := c.Open(v); err == nil {
			t.Fatal("a value missing its last chunk opened")
		}
	}
}

func TestJarRefusesTooLargeAndDuplicates(t *testing.T) {
	j := &Jar{Name: "__Host-rolegate", MaxChunks: 2}
	w := httptest.NewRecorder()
	err := j.Write(w, httptest.NewRequest("GET", "/", nil), strings.Repeat("a", 2*ChunkSize+1), time.Hour)
	if !errors.Is(err, ErrTooLarge) || len(w.Result().Cookies()) != 0 {
		t.Fatalf("too large: %v, %d cookies set", err, len(w.Result().Cookies()))
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "__Host-rolegate", Value: "a"})
	r.AddCookie(&http.Cookie{Name: "__Host-rolegate", Value: "b"})
	if _, err := j.Read(r); err == nil {
		t.Fatal("a cookie sent twice was accepted")
	}
	r = httptest.NewRequest("GET", "/", nil)
	for _, n := range []string{"__Host-rolegate", "__Host-rolegate-1", "__Host-rolegate-2"} {
		r.AddCookie(&http.Cookie{Name: n, Value: "x"})
	}
	if _, err := j.Read(r); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("too many chunks: %v", err)
	}
	if _, err := j.Read(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, http.ErrNoCookie) {
		t.Fatalf("no cookie: %v", err)
	}
}

func TestJarExpiresLeftoverChunks(t *testing.T) {
	j := &Jar{Name: "s", MaxChunks: 3}
	r := httptest.NewRequest("GET", "/", nil)
	for _, n := range []string{"s", "s-1", "s-2"} {
		r.AddCookie(&http.Cookie{Name: n, Value: "old"})
	}
	w := httptest.NewRecorder()
	if err := j.Write(w, r, "small", time.Hour); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, ck := range w.Result().Cookies() {
		got[ck.Name] = ck.MaxAge
	}
	if got["s"] <= 0 || got["s-1"] >= 0 || got["s-2"] >= 0 {
		t.Fatalf("cookies set: %v; want s kept and s-1, s-2 expired", got)
	}
}

func BenchmarkOpen(b *testing.B) {
	c := codec(b, "session", Key{ID: "k", Secret: secret(6)})
	sealed, _ := c.Seal([]byte(`{"sid":"8f14e45fceea167a","sub":"alice","roles":["ADMIN"],"iat":1790000000,"exp":1790028800}`))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Open(sealed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenSession is the per-request cost of a browser session: open
// the sealed cookie value and decode the session, ID token hint included.
func BenchmarkOpenSession(b *testing.B) {
	c := codec(b, "session", Key{ID: "k", Secret: secret(7)})
	s := &Session{ID: "8f14e45fceea167a5a36dedd4bea2543", Subject: "alice", Roles: []string{"ADMIN", "SUPPORT"},
		Issued: 1790000000, Expires: 1790028800, Seen: 1790000000, IDToken: strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 40)}
	sealed, err := c.SealSession(s)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.OpenSession(sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSessionsOpenCached(b *testing.B) {
	c := codec(b, "session", Key{ID: "k", Secret: secret(7)})
	s := &Session{ID: "8f14e45fceea167a5a36dedd4bea2543", Subject: "alice", Roles: []string{"ADMIN", "SUPPORT"},
		Issued: 1790000000, Expires: 1790028800, Seen: 1790000000, IDToken: strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 40)}
	sealed, _ := c.SealSession(s)
	sessions, _ := NewSessions(c, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sessions.Open(sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSessionsCacheOnlyWhatOpens(t *testing.T) {
	c := codec(t, "session", Key{ID: "k", Secret: secret(8)})
	sessions, err := NewSessions(c, 2)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := c.SealSession(&Session{ID: "1", Subject: "alice"})
	first, err := sessions.Open(sealed)
	if err != nil || first.Subject != "alice" {
		t.Fatal(first, err)
	}
	if again, _ := sessions.Open(sealed); again != first {
		t.Error("a second open of the same value was not served from the cache")
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	for range 2 {
		if _, err := sessions.Open(tampered); err == nil {
			t.Fatal("a tampered value opened")
		}
	}
	if sessions.cache.Contains(tampered) {
		t.Error("a value that failed to open was cached")
	}
	for i := range 3 { // the bound evicts the oldest
		v, _ := c.SealSession(&Session{ID: string(rune('a' + i))})
		_, _ = sessions.Open(v)
	}
	if sessions.cache.Contains(sealed) || sessions.cache.Len() != 2 {
		t.Errorf("cache holds %d entries, first still there: %v", sessions.cache.Len(), sessions.cache.Contains(sealed))
	}
}
