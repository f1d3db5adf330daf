package identity

import (
	"errors"
	"fmt"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// DefaultClockSkew is the clock skew allowed when BearerConfig.ClockSkew is
// zero, and MaxClockSkew the most a configuration may allow.
const (
	DefaultClockSkew = time.Minute
	MaxClockSkew     = 5 * time.Minute
)

// checkTimes applies exp and nbf with the configured clock skew. go-oidc's
// own checks are turned off (SkipExpiryCheck) because their bounds are
// fixed: no leeway on exp, five minutes on nbf. A token without exp is
// refused, as go-oidc would.
func (b *Bearer) checkTimes(tok *oidc.IDToken, claims map[string]any) error {
	now, skew := b.cfg.Now(), b.cfg.ClockSkew
	if tok.Expiry.IsZero() {
		return errors.New("the token has no exp claim")
	}
	if now.After(tok.Expiry.Add(skew)) {
		return &oidc.TokenExpiredError{Expiry: tok.Expiry}
	}
	raw, ok := claims["nbf"]
	if !ok {
		return nil
	}
	nbf, ok := raw.(float64)
	if !ok {
		return fmt.Errorf("the nbf claim is not a number")
	}
	if notBefore := time.Unix(int64(nbf), 0); now.Add(skew).Before(notBefore) {
		return fmt.Errorf("the token is not valid before %s", notBefore.UTC().Format(time.RFC3339))
	}
	return nil
}
