package policy

import (
	"errors"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
)

// Kinds are the action kinds, in the order the matrix shows them. A grant may
// name a kind instead of an action to give every action of that kind.
var Kinds = []string{"read", "create", "update", "delete", "search", "export", "execute"}

// MaxRoles is the most roles one policy may declare: a role is a bit of a
// RoleSet, so deciding is a single AND.
const MaxRoles = 64

// RoleSet is a set of roles of one policy, one bit per role index.
type RoleSet uint64

// Has reports whether the set holds the role with index i.
func (s RoleSet) Has(i int) bool { return i >= 0 && i < MaxRoles && s&(1<<uint(i)) != 0 }

// Policy is a compiled policy. It is immutable once Compile returns and safe
// for concurrent use; a new version is compiled aside and swapped in whole.
type Policy struct {
	Name        string
	Version     string
	File        string
	Description string

	roles    []*RoleDef
	byName   map[string]*RoleDef // names and aliases
	pages    []*PageDef
	actions  []*ActionDef // every action, in declaration order
	tries    map[string]*node
	unmapped bool // unmapped routes are allowed for any signed-in user
	tests    []compiledTest

	features  map[string]bool // declared feature flags
	roleRules []*condition    // by role index; nil where the role has no when:
	refusals  []refusal
}

type refusal struct {
	cond   *condition
	reason string
}

// RoleDef is a compiled role.
type RoleDef struct {
	Name    string
	Title   string
	Aliases []string
	Index   int
}

// Label is the role's first alias if it has one, else its name: the short
// form the seed tables use.
func (r *RoleDef) Label() string {
	if len(r.Aliases) > 0 {
		return r.Aliases[0]
	}
	return r.Name
}

// PageDef is a compiled page.
type PageDef struct {
	ID      string
	Title   string
	Actions []*ActionDef
}

// ActionDef is a compiled action with the set of roles granted it.
type ActionDef struct {
	Page    *PageDef
	Name    string
	Kind    string
	Title   string
	Routes  []string
	granted RoleSet
	index   int
	// conds are grants that hold only under a condition.
	conds []condGrant
	// requires, if set, must also hold for any grant of the action.
	requires *condition
}

// condGrant is a conditional grant of an action to a set of roles.
type condGrant struct {
	roles RoleSet
	cond  *condition
}

// ID is "page.action".
func (a *ActionDef) ID() string { return a.Page.ID + "." + a.Name }

// Granted is the set of roles granted this action.
func (a *ActionDef) Granted() RoleSet { return a.granted }

// Roles returns the compiled roles in declaration order.
func (p *Policy) RoleDefs() []*RoleDef { return p.roles }

// Pages returns the compiled pages in declaration order.
func (p *Policy) Pages() []*PageDef { return p.pages }

// Role finds a role by name or alias.
func (p *Policy) Role(name string) (*RoleDef, bool) {
	r, ok := p.byName[name]
	return r, ok
}

// Roles returns the set of the named roles (names or aliases); names the
// policy does not know are ignored, since identities carry many groups that
// mean nothing to this application.
func (p *Policy) Roles(names ...string) RoleSet {
	var s RoleSet
	for _, n := range names {
		if r, ok := p.byName[n]; ok {
			s |= 1 << uint(r.Index)
		}
	}
	return s
}

// RoleNames lists the names of the roles in s, in declaration order.
func (p *Policy) RoleNames(s RoleSet) []string {
	var out []string
	for _, r := range p.roles {
		if s.Has(r.Index) {
			out = append(out, r.Name)
		}
	}
	return out
}

// SuggestRole returns a hint naming the known role nearest to name.
func (p *Policy) SuggestRole(name string) string {
	known := make([]string, 0, len(p.byName))
	for n := range p.byName {
		known = append(known, n)
	}
	return suggest(name, known)
}

// Compile checks a document and builds its decision structure. All problems
// found are returned together, each naming file:line.
func Compile(doc *Document) (*Policy, error) {
	c := &compiler{doc: doc, p: &Policy{
		Name: doc.Name, Version: doc.Version, File: doc.File, Description: doc.Description,
		byName: map[string]*RoleDef{}, tries: map[string]*node{},
	}}
	c.settings()
	c.declareFeatures()
	c.roles()
	c.pages()
	c.public()
	c.grants()
	c.refusals()
	c.tests()
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	return c.p, nil
}

type compiler struct {
	doc  *Document
	p    *Policy
	errs []error
	// own and except hold, per role index, the actions granted or excepted
	// (indexed by action index).
	own, except [][]bool
	// ownCond holds, per role index, the role's own conditional grants.
	ownCond [][]condRef
	env     *cel.Env
}

// condRef is a conditional grant of one action.
type condRef struct {
	action int
	cond   *condition
}

func (c *compiler) errorf(line int, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.doc.File, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *compiler) settings() {
	switch u := c.doc.Unmapped; u.Value {
	case "deny":
	case "authenticated":
		c.p.unmapped = true
	default:
		c.errorf(u.Line, "unmapped: %q is not one of deny, authenticated", u.Value)
	}
}

func (c *compiler) declareFeatures() {
	c.p.features = map[string]bool{}
	for _, f := range c.doc.Features {
		if !isName(f.Value) {
			c.errorf(f.Line, "features: %q is not a valid flag name (letters, digits, _ . -)", f.Value)
		}
		if c.p.features[f.Value] {
			c.errorf(f.Line, "features: %q is declared twice", f.Value)
		}
		c.p.features[f.Value] = true
	}
	env, err := newEnv(c.p.features)
	if err != nil {
		c.errorf(1, "conditions: %v", err)
		return
	}
	c.env = env
}

// Features lists the declared feature flags.
func (p *Policy) Features() []string { return sortedKeys(p.features) }

func (c *compiler) refusals() {
	for i, r := range c.doc.Refuse {
		if cond := c.compileCondition(r.When, fmt.Sprintf("refuse[%d]", i)); cond != nil {
			c.p.refusals = append(c.p.refusals, refusal{cond: cond, reason: r.Reason})
		}
	}
}

func (c *compiler) roles() {
	if len(c.doc.Roles) > MaxRoles {
		c.errorf(c.doc.Roles[MaxRoles].Line, "roles: at most %d roles per policy", MaxRoles)
		return
	}
	c.p.roleRules = make([]*condition, len(c.doc.Roles))
	for i, r := range c.doc.Roles {
		if r.When.Value != "" {
			c.p.roleRules[i] = c.compileCondition(r.When, "role "+r.Name+": when")
		}
		def := &RoleDef{Name: r.Name, Title: r.Title, Index: i}
		c.addRoleName(r.Name, r.Line, def)
		for _, a := range r.Aliases {
			def.Aliases = append(def.Aliases, a.Value)
			c.addRoleName(a.Value, a.Line, def)
		}
		c.p.roles = append(c.p.roles, def)
	}
}

func (c *compiler) addRoleName(name string, line int, def *RoleDef) {
	if !isName(name) {
		c.errorf(line, "role %s: %q is not a valid name (letters, digits, _ . -)", def.Name, name)
		return
	}
	if other, ok := c.p.byName[name]; ok {
		c.errorf(line, "role %s: %q is already a name or alias of role %s", def.Name, name, other.Name)
		return
	}
	c.p.byName[name] = def
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, ch := range s {
		ok := ch == '_' || ch == '-' || ch == '.' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
		if !ok {
			return false
		}
	}
	return true
}

func (c *compiler) pages() {
	seenPage := map[string]bool{}
	for _, pg := range c.doc.Pages {
		if !isName(pg.ID) || pg.ID == "*" {
			c.errorf(pg.Line, "page %q: not a valid page id (letters, digits, _ . -)", pg.ID)
		}
		seenPage[pg.ID] = true
		def := &PageDef{ID: pg.ID, Title: pg.Title}
		if def.Title == "" {
			def.Title = pg.ID
		}
		if len(pg.Actions) == 0 {
			c.errorf(pg.Line, "page %s: no actions", pg.ID)
		}
		for _, a := range pg.Actions {
			def.Actions = append(def.Actions, c.action(def, a))
		}
		c.p.pages = append(c.p.pages, def)
	}
}

func (c *compiler) action(pg *PageDef, a *Action) *ActionDef {
	def := &ActionDef{Page: pg, Name: a.Name, Kind: a.Kind.Value, Title: a.Title, index: len(c.p.actions)}
	c.p.actions = append(c.p.actions, def)
	what := "page " + pg.ID + ": action " + a.Name
	if !isName(a.Name) || a.Name == "all" {
		c.errorf(a.Line, "%s: not a valid action name", what)
	}
	if a.Kind.Value == "" {
		c.errorf(a.Line, "%s: kind is required (one of %s)", what, strings.Join(Kinds, ", "))
	} else if !contains(Kinds, a.Kind.Value) {
		c.errorf(a.Kind.Line, "%s: unknown kind %q%s", what, a.Kind.Value, suggest(a.Kind.Value, Kinds))
	}
	if contains(Kinds, a.Name) && a.Kind.Value != a.Name {
		c.errorf(a.Line, "%s: an action named after kind %q must be of that kind, or grants naming %q would be ambiguous", what, a.Name, a.Name)
	}
	if len(a.Routes) == 0 {
		c.errorf(a.Line, "%s: no routes", what)
	}
	for _, r := range a.Routes {
		def.Routes = append(def.Routes, r.Value)
		c.route(r, def, what)
	}
	if a.When.Value != "" {
		def.requires = c.compileCondition(a.When, what+": when")
	}
	return def
}

// route adds one route to the trie of its method, refusing a second route
// of the same method and shape.
func (c *compiler) route(r Pos[string], a *ActionDef, what string) {
	shape, err := parseRoute(r.Value)
	if err != nil {
		c.errorf(r.Line, "%s: %v", what, err)
		return
	}
	root := c.p.tries[shape.method]
	if root == nil {
		root = &node{}
		c.p.tries[shape.method] = root
	}
	ep := &endpoint{action: a, signedIn: what == "authenticated", pattern: r.Value, line: r.Line}
	if other := root.insert(shape.segments, ep); other != nil {
		c.errorf(r.Line, "%s: route %q is already claimed by %s (line %d)", what, r.Value, other.owner(), other.line)
	}
}

func (ep *endpoint) owner() string {
	switch {
	case ep.signedIn:
		return "authenticated"
	case ep.action == nil:
		return "public"
	}
	return "action " + ep.action.ID()
}

func (c *compiler) public() {
	for _, r := range c.doc.Public {
		c.route(r, nil, "public")
	}
	for _, r := range c.doc.Authenticated {
		c.route(r, nil, "authenticated")
	}
}
