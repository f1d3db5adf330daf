package caddymodule

import (
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/rolegate/rolegate/caddymodule/session"
)

// revocations remembers, in memory, the sessions ended by back-channel
// logout: by the provider's session ID, or by subject for sessions issued
// before the logout. Sessions are stateless cookies, so this list is what
// makes a logout at the provider stick; entries are kept for as long as a
// session they end could live, then dropped. Used tokens' jti are kept too,
// so a logout token cannot be replayed. With several gateways, each needs
// the provider's call (or a shared store, a later option).
type revocations struct {
	mu       sync.Mutex
	sids     map[string]time.Time // provider session -> forget after
	subjects map[string]revokedSubject
	jtis     map[string]time.Time
}

type revokedSubject struct{ at, forget time.Time }

func newRevocations() *revocations {
	return &revocations{sids: map[string]time.Time{}, subjects: map[string]revokedSubject{}, jtis: map[string]time.Time{}}
}

// revoke records a logout; it reports false for a replayed token ID.
func (v *revocations) revoke(jti, sid, sub string, now time.Time, lifetime time.Duration) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.expire(now)
	if _, seen := v.jtis[jti]; seen {
		return false
	}
	forget := now.Add(lifetime)
	v.jtis[jti] = forget
	if sid != "" {
		v.sids[sid] = forget
	} else {
		v.subjects[sub] = revokedSubject{at: now, forget: forget}
	}
	return true
}

// ended reports whether s was ended by a back-channel logout.
func (v *revocations) ended(s *session.Session) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.sids) == 0 && len(v.subjects) == 0 {
		return false
	}
	if _, ok := v.sids[s.ProviderSession]; ok && s.ProviderSession != "" {
		return true
	}
	r, ok := v.subjects[s.Subject]
	return ok && s.Issued <= r.at.Unix()
}

func (v *revocations) expire(now time.Time) {
	for k, t := range v.sids {
		if now.After(t) {
			delete(v.sids, k)
		}
	}
	for k, r := range v.subjects {
		if now.After(r.forget) {
			delete(v.subjects, k)
		}
	}
	for k, t := range v.jtis {
		if now.After(t) {
			delete(v.jtis, k)
		}
	}
}

// backchannelLogout receives the provider's logout token (OpenID Connect
// Back-Channel Logout 1.0) and ends the sessions it names.
func (h *Handler) backchannelLogout(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return h.refuse(w, r, http.StatusMethodNotAllowed, "back-channel logout takes a POST", nil)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	tok, err := h.browser.flow.VerifyLogout(r.Context(), r.PostFormValue("logout_token"))
	if err != nil {
		h.logger.Info("back-channel logout refused", zap.Error(err))
		return h.refuse(w, r, http.StatusBadRequest, "invalid logout token", nil)
	}
	if !h.browser.revoked.revoke(tok.TokenID, tok.SessionID, tok.Subject, time.Now(), time.Duration(h.browser.cfg.Lifetime)) {
		return h.refuse(w, r, http.StatusBadRequest, "logout token already used", nil)
	}
	h.logger.Info("back-channel logout", zap.String("subject", tok.Subject), zap.Bool("by_session", tok.SessionID != ""))
	w.WriteHeader(http.StatusOK)
	return nil
}
