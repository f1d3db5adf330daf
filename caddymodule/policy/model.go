// Package policy is rolegate's authorization model: it loads a policy file
// (pages, their actions and routes, roles and grants), compiles it once into
// an immutable decision structure, and decides requests against it.
//
// The package is pure Go and knows nothing of Caddy or HTTP servers, so it can
// be tested, fuzzed and benchmarked alone. The flow is:
//
//	doc, err := policy.LoadFile("policies/tixngo-backoffice-v3.yaml")
//	p, err := policy.Compile(doc)
//	d := p.Decide("DELETE", "/tickets/42", p.Roles("BASIC"))
//
// Compile refuses anything ambiguous: unknown names, two actions claiming the
// same method and path, inheritance cycles. Decide is default deny.
package policy

// Document is a policy file as written, before compilation. Every element
// remembers the line it was read from, so that errors found while compiling
// can name file:line.
type Document struct {
	// File is the name used in error messages, usually the path it was read from.
	File string
	// Name is the human name of the protected application.
	Name string
	// Version distinguishes successive policies of the same application.
	Version string
	// Description is free text, shown by the CLI.
	Description string
	// Unmapped says what happens to a request whose method and path match no
	// route: "deny" (the default) or "authenticated" (allowed for any
	// signed-in user).
	Unmapped Pos[string]
	// Roles in declaration order; the order is the order of the matrix rows.
	Roles []*Role
	// Pages in declaration order.
	Pages []*Page
	// Grants gives, per role, the actions it holds on each page.
	Grants []*RoleGrants
	// Public lists routes that need no identity at all.
	Public []Pos[string]
	// Authenticated lists routes any signed-in user may reach, whatever
	// their roles (a home page, a profile page).
	Authenticated []Pos[string]
	// Features are the feature flags conditions may name with feature().
	Features []Pos[string]
	// Refuse lists conditions under which a signed-in user is refused
	// everything.
	Refuse []*Refusal
	// Tests are the policy's own test cases, run by `rolegate lint` and
	// by Provision before a policy is put in service.
	Tests []*TestCase
}

// Pos is a value together with the line it was read from.
type Pos[T any] struct {
	Value T
	Line  int
}

// Role is a named role as declared under roles:.
type Role struct {
	Name    string
	Line    int
	Title   string
	Aliases []Pos[string]
	// Extends names roles whose grants this role inherits.
	Extends []Pos[string]
	// Except removes grants inherited through Extends ("all of ADMIN except ...").
	// The role's own grants are added after the exception is applied.
	Except []*PageGrant
	// When, if set, is a CEL condition on the user's attributes by which the
	// role is earned (besides being named in the roles claim). Structured
	// all/any conditions are translated to CEL when read.
	When Pos[string]
}

// Page is a screen or resource of the protected application.
type Page struct {
	ID      string
	Line    int
	Title   string
	Actions []*Action
}

// Action is something a user does on a page, reached by one or more routes.
type Action struct {
	Name  string
	Line  int
	Kind  Pos[string]
	Title string
	// Routes are "METHOD /path" patterns; a path segment may be a {param},
	// and the last one may be ** (the rest of the path, possibly empty).
	Routes []Pos[string]
	// When, if set, is a condition without which the action does not exist
	// for anyone, whatever the grants: an action behind a feature flag.
	When Pos[string]
}

// RoleGrants lists what one role is granted, page by page.
type RoleGrants struct {
	Role  string
	Line  int
	Pages []*PageGrant
}

// PageGrant grants actions of one page, or of every page when Page is "*".
type PageGrant struct {
	Page  string
	Line  int
	Items []Pos[string]
	// Conditional items hold only while their condition does.
	Conditional []*ConditionalItem
}

// ConditionalItem grants actions (names, kinds or "all") under a CEL
// condition, such as feature('ticket.email.custom') or
// path.account == user.account.
type ConditionalItem struct {
	Line  int
	Items []Pos[string]
	When  Pos[string]
}

// Refusal refuses every request of a signed-in user for whom When holds,
// whatever their roles, with Reason shown to them (a deactivated user).
type Refusal struct {
	Line   int
	When   Pos[string]
	Reason string
}

// TestCase is one expectation the policy states about itself.
type TestCase struct {
	Line int
	// Roles held by the requester; empty means an anonymous request.
	Roles []Pos[string]
	// Request is "METHOD /path".
	Request Pos[string]
	// Expect is "allow" or "deny".
	Expect Pos[string]
	// Action, when set, is the "page.action" the request must map to.
	Action Pos[string]
	// User holds the requester's attributes, for conditions.
	User map[string]any
	// Features on for this case (the others are off).
	Features []Pos[string]
}
