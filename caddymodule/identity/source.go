package identity

import (
	"errors"
	"net/http"
	"strings"
)

// Source establishes who is calling from what a request carries: a bearer
// token today, a session cookie beside it later. The handler asks its
// sources in order; the first one that finds credentials of its kind
// decides, and a source never falls through to the next once it has found
// credentials, valid or not.
type Source interface {
	// Identify returns the verified identity. It returns ErrNoCredentials
	// when the request carries no credentials of this source's kind, an
	// error matching *InvalidTokenError when they were checked and refused,
	// and an error wrapping ErrUnavailable when they could not be checked.
	Identify(r *http.Request) (*Identity, error)
}

// ErrNoCredentials means a request carries no credentials for a source.
var ErrNoCredentials = errors.New("no credentials")

// Identify reads the bearer token of the Authorization header and verifies
// it. A request without one gives ErrNoCredentials.
func (b *Bearer) Identify(r *http.Request) (*Identity, error) {
	raw, ok := BearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, ErrNoCredentials
	}
	return b.Verify(r.Context(), raw)
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header value; the scheme is case-insensitive (RFC 9110, section 11.1).
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Interface guard
var _ Source = (*Bearer)(nil)
