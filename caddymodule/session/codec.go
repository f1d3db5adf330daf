// Package session seals small values (a signed-in session, a sign-in
// attempt's state) into cookies with authenticated encryption, so that any
// number of gateways sharing the keys serve the same users with no shared
// state.
//
// Sealing uses XChaCha20-Poly1305, whose 24-byte random nonces are safe to
// draw at random for as many cookies as a site will ever issue. Each
// configured secret is stretched with HKDF-SHA256 into one key per purpose,
// so the session cookie and the sign-in state cookie never share a key even
// when they share a secret. A sealed value names its key ID, so keys rotate
// without signing anyone out: add the new key first (it seals), keep the old
// one after it (it still opens) until the longest session has expired, then
// remove it.
package session

import (
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// MinSecretLen is the shortest secret accepted, in bytes.
const MinSecretLen = 32

// version prefixes every sealed value, so the format can change later.
const version = "v1"

// Key is one configured secret with the ID sealed values carry.
type Key struct {
	// ID names the key in sealed values: letters, digits, '-' and '_'.
	ID string
	// Secret is at least MinSecretLen random bytes.
	Secret []byte
}

// Errors returned by Open. Callers treat all of them as "no valid value".
var (
	ErrMalformed  = errors.New("session: malformed sealed value")
	ErrUnknownKey = errors.New("session: sealed with a key that is not configured")
	ErrTampered   = errors.New("session: sealed value fails authentication")
)

// Codec seals and opens values for one purpose.
type Codec struct {
	purpose string
	seal    *sealKey            // the first key: seals and opens
	byID    map[string]*sealKey // every key: opens
}

type sealKey struct {
	id   string
	aead cipher.AEAD
	aad  []byte
}

// NewCodec derives the keys for purpose (such as "session" or "state"). The
// first key seals; every key opens.
func NewCodec(purpose string, keys []Key) (*Codec, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("session: %s: no keys configured", purpose)
	}
	c := &Codec{purpose: purpose, byID: make(map[string]*sealKey, len(keys))}
	for i, k := range keys {
		sk, err := derive(purpose, k)
		if err != nil {
			return nil, fmt.Errorf("session: %s: key %d: %w", purpose, i, err)
		}
		if _, dup := c.byID[k.ID]; dup {
			return nil, fmt.Errorf("session: %s: key %d: ID %q is used twice", purpose, i, k.ID)
		}
		c.byID[k.ID] = sk
		if i == 0 {
			c.seal = sk
		}
	}
	return c, nil
}

func derive(purpose string, k Key) (*sealKey, error) {
	if !validID(k.ID) {
		return nil, fmt.Errorf("ID %q: use 1 to 32 letters, digits, '-' or '_'", k.ID)
	}
	if len(k.Secret) < MinSecretLen {
		return nil, fmt.Errorf("ID %q: secret is %d bytes, at least %d are needed", k.ID, len(k.Secret), MinSecretLen)
	}
	material := make([]byte, chacha20poly1305.KeySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, k.Secret, nil, []byte("rolegate "+purpose)), material); err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(material)
	if err != nil {
		return nil, err
	}
	// The purpose and key ID are authenticated with every value, so a value
	// sealed for one purpose never opens as another.
	return &sealKey{id: k.ID, aead: aead, aad: []byte(version + "." + purpose + "." + k.ID)}, nil
}

func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return true
}

// Seal encrypts and authenticates plaintext with the first key. The result
// is "v1.<key id>.<base64url(nonce || ciphertext)>", safe in a cookie.
func (c *Codec) Seal(plaintext []byte) (string, error) {
	k := c.seal
	buf := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	buf = k.aead.Seal(buf, buf[:chacha20poly1305.NonceSizeX], plaintext, k.aad)
	return version + "." + k.id + "." + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open authenticates and decrypts a value from Seal, with whichever
// configured key sealed it.
func (c *Codec) Open(sealed string) ([]byte, error) {
	rest, ok := strings.CutPrefix(sealed, version+".")
	if !ok {
		return nil, ErrMalformed
	}
	id, body, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, ErrMalformed
	}
	k := c.byID[id]
	if k == nil {
		return nil, ErrUnknownKey
	}
	buf, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(buf) < chacha20poly1305.NonceSizeX+k.aead.Overhead() {
		return nil, ErrMalformed
	}
	// Decrypt in place: the one allocation of Open is the decoded buffer.
	nonce, ct := buf[:chacha20poly1305.NonceSizeX], buf[chacha20poly1305.NonceSizeX:]
	plain, err := k.aead.Open(ct[:0], nonce, ct, k.aad)
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}
