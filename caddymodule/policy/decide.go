package policy

import (
	"fmt"
	"math/bits"
	"strings"
)

// Reason says why a decision went the way it did.
type Reason uint8

const (
	// NoRoute: no route matches the method and path; default deny.
	NoRoute Reason = iota
	// Public: a public route matched; no identity is needed.
	Public
	// Granted: a role of the user is granted the matched action.
	Granted
	// NotGranted: an action matched, but no role of the user holds it.
	NotGranted
	// UnmappedAuthenticated: no route matched and the policy allows
	// unmapped routes to any signed-in user.
	UnmappedAuthenticated
	// SignedIn: a route of the authenticated: list matched.
	SignedIn
	// Unauthenticated: the route needs an identity and there is none. Set by
	// callers that know there is no user; Authorize never returns it.
	Unauthenticated
	// Refused: a refuse: rule of the policy holds for this user.
	Refused
	// GrantedIf: a role of the user holds the action under a condition
	// that holds for this request.
	GrantedIf
	// Unavailable: the action's own condition (a feature flag) does not
	// hold, so it exists for no one.
	Unavailable
)

var reasonNames = [...]string{"no route", "public route", "granted", "not granted", "unmapped, allowed for signed-in users", "route open to signed-in users", "no identity", "refused", "granted under a condition", "action unavailable"}

func (r Reason) String() string { return reasonNames[r] }

// Match is the result of routing a request: the action it maps to, a public
// route, or nothing. It carries the captured path parameters without
// allocating.
type Match struct {
	ep     *endpoint
	values [MaxParams]string
	n      uint8
}

// Action is the matched action, or nil for a public route or no route.
func (m Match) Action() *ActionDef {
	if m.ep == nil {
		return nil
	}
	return m.ep.action
}

// Public reports whether a public route matched.
func (m Match) Public() bool { return m.ep != nil && m.ep.action == nil && !m.ep.signedIn }

// SignedIn reports whether a route open to any signed-in user matched.
func (m Match) SignedIn() bool { return m.ep != nil && m.ep.signedIn }

// Found reports whether any route matched.
func (m Match) Found() bool { return m.ep != nil }

// Pattern is the route pattern that matched, as written in the policy.
func (m Match) Pattern() string {
	if m.ep == nil {
		return ""
	}
	return m.ep.pattern
}

// NumParams is the number of captured path parameters.
func (m Match) NumParams() int { return int(m.n) }

// ParamAt returns the name and value of the i-th captured parameter.
func (m Match) ParamAt(i int) (name, value string) { return m.ep.params[i], m.values[i] }

// Param returns the value of the named path parameter.
func (m Match) Param(name string) (string, bool) {
	for i := range int(m.n) {
		if m.ep.params[i] == name {
			return m.values[i], true
		}
	}
	return "", false
}

// Match routes a request. path must be canonical (see package canon); HEAD
// is routed as GET. A path that does not start with "/" matches nothing.
func (p *Policy) Match(method, path string) Match {
	var m Match
	if method == "HEAD" {
		method = "GET"
	}
	root := p.tries[method]
	if root == nil || !strings.HasPrefix(path, "/") {
		return m
	}
	ep := root.lookup(path[1:], true, &m)
	if ep == nil {
		m.n = 0
		return m
	}
	m.ep = ep
	m.n = uint8(min(len(ep.params), MaxParams))
	return m
}

// Decision is the outcome for one request.
type Decision struct {
	Match
	Allowed bool
	Reason  Reason
	// Role is the index of a role that granted the action, or -1.
	Role int
	// Why is the refusal's reason, or the condition that granted the action.
	Why string
}

// Authorize decides a matched request for a signed-in user holding roles.
// Anything not explicitly allowed is denied.
func (p *Policy) Authorize(m Match, roles RoleSet) Decision {
	d := Decision{Match: m, Role: -1}
	switch a := m.Action(); {
	case m.Public():
		d.Allowed, d.Reason = true, Public
	case m.SignedIn():
		d.Allowed, d.Reason = true, SignedIn
	case a == nil && p.unmapped:
		d.Allowed, d.Reason = true, UnmappedAuthenticated
	case a == nil:
		d.Reason = NoRoute
	case a.requires != nil:
		// A conditional action exists only where its condition can be
		// evaluated: AuthorizeInput decides it.
		d.Reason, d.Why = Unavailable, a.requires.src
	case a.granted&roles != 0:
		d.Allowed, d.Reason = true, Granted
		d.Role = bits.TrailingZeros64(uint64(a.granted & roles))
	default:
		d.Reason = NotGranted
	}
	return d
}

// Allowed lists the IDs ("page.action") of the actions of pg that some role
// in roles is granted.
func (p *Policy) Allowed(pg *PageDef, roles RoleSet) []string {
	var ids []string
	for _, a := range pg.Actions {
		if a.granted&roles != 0 {
			ids = append(ids, a.ID())
		}
	}
	return ids
}

// AuthorizeInput decides like Authorize, and also applies the policy's
// refusals and conditional grants with the user's attributes and the
// feature flags in. Conditions are only evaluated when the unconditional
// grants do not already decide.
func (p *Policy) AuthorizeInput(m Match, roles RoleSet, in *Input) Decision {
	var vs map[string]any
	if len(p.refusals) > 0 && !m.Public() {
		vs = vars(m, in)
		for _, r := range p.refusals {
			if r.cond.eval(vs) {
				return Decision{Match: m, Role: -1, Reason: Refused, Why: r.reason}
			}
		}
	}
	a := m.Action()
	if a != nil && a.requires != nil {
		if vs == nil {
			vs = vars(m, in)
		}
		if !a.requires.eval(vs) {
			return Decision{Match: m, Role: -1, Reason: Unavailable, Why: a.requires.src}
		}
		d := Decision{Match: m, Role: -1, Reason: NotGranted}
		if g := a.granted & roles; g != 0 {
			d.Allowed, d.Reason, d.Role = true, Granted, bits.TrailingZeros64(uint64(g))
			return d
		}
		return p.conditional(d, a, roles, vs, m, in)
	}
	d := p.Authorize(m, roles)
	if d.Allowed || a == nil || len(a.conds) == 0 {
		return d
	}
	return p.conditional(d, a, roles, vs, m, in)
}

// conditional tries the action's conditional grants for roles.
func (p *Policy) conditional(d Decision, a *ActionDef, roles RoleSet, vs map[string]any, m Match, in *Input) Decision {
	for _, cg := range a.conds {
		if cg.roles&roles == 0 {
			continue
		}
		if vs == nil {
			vs = vars(m, in)
		}
		if cg.cond.eval(vs) {
			d.Allowed, d.Reason, d.Why = true, GrantedIf, cg.cond.src
			d.Role = bits.TrailingZeros64(uint64(cg.roles & roles))
			return d
		}
	}
	return d
}

// Earned returns the roles named (names or aliases) plus those whose when:
// condition holds for the user's attributes.
func (p *Policy) Earned(names []string, user map[string]any) RoleSet {
	s := p.Roles(names...)
	var vs map[string]any
	for i, rule := range p.roleRules {
		if rule == nil || s.Has(i) {
			continue
		}
		if vs == nil {
			vs = vars(Match{}, &Input{User: user})
		}
		if rule.eval(vs) {
			s |= 1 << uint(i)
		}
	}
	return s
}

// Decide routes and authorizes in one call, for a signed-in user.
func (p *Policy) Decide(method, path string, roles RoleSet) Decision {
	return p.Authorize(p.Match(method, path), roles)
}

// Explain renders a decision for people: logs, the CLI and deny pages.
func (p *Policy) Explain(d Decision) string {
	verdict := "deny"
	if d.Allowed {
		verdict = "allow"
	}
	switch d.Reason {
	case Granted:
		return fmt.Sprintf("%s: role %s is granted %s (route %q)", verdict, p.roles[d.Role].Name, d.Action().ID(), d.Pattern())
	case NotGranted:
		a := d.Action()
		if a.granted == 0 {
			return fmt.Sprintf("%s: %s (route %q) is granted to no role", verdict, a.ID(), d.Pattern())
		}
		return fmt.Sprintf("%s: %s (route %q) is granted to %s only", verdict, a.ID(), d.Pattern(), p.roleList(a.granted))
	case Public, SignedIn:
		return fmt.Sprintf("%s: %s %q", verdict, d.Reason, d.Pattern())
	case Refused:
		return fmt.Sprintf("%s: refused: %s", verdict, d.Why)
	case Unavailable:
		return fmt.Sprintf("%s: %s (route %q) exists only when %s", verdict, d.Action().ID(), d.Pattern(), d.Why)
	case GrantedIf:
		return fmt.Sprintf("%s: role %s is granted %s (route %q) because %s", verdict, p.roles[d.Role].Name, d.Action().ID(), d.Pattern(), d.Why)
	default:
		return fmt.Sprintf("%s: %s", verdict, d.Reason)
	}
}

func (p *Policy) roleList(s RoleSet) string {
	names := p.RoleNames(s)
	if len(names) == 0 {
		return "no role"
	}
	return strings.Join(names, ", ")
}
