package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// LoadFile reads and parses a policy file. YAML and JSON are both accepted
// (JSON is read as the YAML subset it is, so errors carry lines either way).
func LoadFile(path string) (*Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return Parse(path, data)
}

// Open loads, compiles and self-tests the policy file at path: what the
// gateway and the CLI put in service. A policy that fails one of its own
// test cases is refused like one that does not compile.
func Open(path string) (*Policy, error) {
	doc, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := Compile(doc)
	if err != nil {
		return nil, err
	}
	if err := p.RunTests(); err != nil {
		return nil, fmt.Errorf("policy %s fails its own tests, so it is not put in service:\n%w", path, err)
	}
	return p, nil
}

// Parse parses a policy document; file names it in error messages.
func Parse(file string, data []byte) (*Document, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: 1, Msg: "empty policy document"}
	} else if err != nil {
		return nil, fmt.Errorf("policy %s: %w", file, err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil, &Error{File: file, Line: 1, Msg: "empty policy document"}
	}
	p := parser{file: file}
	doc := p.document(root.Content[0])
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return doc, nil
}

// Error is a problem found in a policy file, at a line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("policy %s:%d: %s", e.File, e.Line, e.Msg)
}

// parser walks the YAML node tree, collecting every error rather than
// stopping at the first, so one lint run shows them all.
type parser struct {
	file string
	errs []error
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// fields iterates a mapping node, refusing keys not in known (with a
// suggestion) and duplicate keys.
func (p *parser) fields(n *yaml.Node, what string, known []string, fn func(key string, v *yaml.Node)) {
	if !p.isMap(n, what) {
		return
	}
	p.entries(n, what, func(k, v *yaml.Node) {
		if !contains(known, k.Value) {
			p.errorf(k, "%s: unknown field %q%s", what, k.Value, suggest(k.Value, known))
			return
		}
		fn(k.Value, v)
	})
}

// entries iterates the key/value pairs of a mapping, refusing duplicate keys.
func (p *parser) entries(n *yaml.Node, what string, fn func(k, v *yaml.Node)) {
	if !p.isMap(n, what) {
		return
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: keys must be plain names", what)
			continue
		}
		if seen[k.Value] {
			p.errorf(k, "%s: %q is defined twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k, v)
	}
}

func (p *parser) isMap(n *yaml.Node, what string) bool {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: expected a mapping", what)
		return false
	}
	return true
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s: expected a string", what)
		return ""
	}
	return n.Value
}

func (p *parser) posStr(n *yaml.Node, what string) Pos[string] {
	return Pos[string]{Value: p.str(n, what), Line: n.Line}
}

// strList accepts a sequence of strings, or a single string as a
// one-element list.
func (p *parser) strList(n *yaml.Node, what string) []Pos[string] {
	if n.Kind == yaml.ScalarNode {
		return []Pos[string]{p.posStr(n, what)}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: expected a list of strings", what)
		return nil
	}
	out := make([]Pos[string], 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, p.posStr(c, what))
	}
	return out
}

var documentFields = []string{"name", "version", "description", "unmapped", "features", "roles", "pages", "grants", "refuse", "public", "authenticated", "tests"}

func (p *parser) document(n *yaml.Node) *Document {
	doc := &Document{File: p.file, Unmapped: Pos[string]{Value: "deny", Line: n.Line}}
	p.fields(n, "policy", documentFields, func(key string, v *yaml.Node) {
		switch key {
		case "name":
			doc.Name = p.str(v, "name")
		case "version":
			doc.Version = p.str(v, "version")
		case "description":
			doc.Description = p.str(v, "description")
		case "unmapped":
			doc.Unmapped = p.posStr(v, "unmapped")
		case "roles":
			p.entries(v, "roles", func(k, rv *yaml.Node) { doc.Roles = append(doc.Roles, p.role(k, rv)) })
		case "pages":
			p.entries(v, "pages", func(k, pv *yaml.Node) { doc.Pages = append(doc.Pages, p.page(k, pv)) })
		case "grants":
			p.entries(v, "grants", func(k, gv *yaml.Node) {
				doc.Grants = append(doc.Grants, &RoleGrants{Role: k.Value, Line: k.Line, Pages: p.pageGrants(gv, "grant "+k.Value)})
			})
		case "public":
			doc.Public = p.strList(v, "public")
		case "authenticated":
			doc.Authenticated = p.strList(v, "authenticated")
		case "features":
			doc.Features = p.strList(v, "features")
		case "refuse":
			doc.Refuse = p.refusals(v)
		case "tests":
			doc.Tests = p.tests(v)
		}
	})
	return doc
}

var roleFields = []string{"title", "aliases", "extends", "except", "when"}

func (p *parser) role(k, n *yaml.Node) *Role {
	r := &Role{Name: k.Value, Line: k.Line}
	if n.Tag == "!!null" { // "ROLE:" with nothing after it
		return r
	}
	what := "role " + r.Name
	p.fields(n, what, roleFields, func(key string, v *yaml.Node) {
		switch key {
		case "title":
			r.Title = p.str(v, what+": title")
		case "aliases":
			r.Aliases = p.strList(v, what+": aliases")
		case "extends":
			r.Extends = p.strList(v, what+": extends")
		case "except":
			r.Except = p.pageGrants(v, what+": except")
		case "when":
			r.When = p.when(v, what+": when")
		}
	})
	return r
}

var pageFields = []string{"title", "actions"}

func (p *parser) page(k, n *yaml.Node) *Page {
	pg := &Page{ID: k.Value, Line: k.Line}
	what := "page " + pg.ID
	p.fields(n, what, pageFields, func(key string, v *yaml.Node) {
		switch key {
		case "title":
			pg.Title = p.str(v, what+": title")
		case "actions":
			p.entries(v, what+": actions", func(ak, av *yaml.Node) { pg.Actions = append(pg.Actions, p.action(what, ak, av)) })
		}
	})
	return pg
}

var actionFields = []string{"kind", "title", "routes", "when"}

func (p *parser) action(page string, k, n *yaml.Node) *Action {
	a := &Action{Name: k.Value, Line: k.Line}
	what := page + ": action " + a.Name
	p.fields(n, what, actionFields, func(key string, v *yaml.Node) {
		switch key {
		case "kind":
			a.Kind = p.posStr(v, what+": kind")
		case "title":
			a.Title = p.str(v, what+": title")
		case "routes":
			a.Routes = p.strList(v, what+": routes")
		case "when":
			a.When = p.posStr(v, what+": when")
		}
	})
	return a
}

// pageGrants reads {page: [items]} where the items may also be written as
// the single string "all" (or "*"), and an item may be a conditional
// {action: name, when: condition} (or actions: [names]).
func (p *parser) pageGrants(n *yaml.Node, what string) []*PageGrant {
	var out []*PageGrant
	p.entries(n, what, func(k, v *yaml.Node) {
		g := &PageGrant{Page: k.Value, Line: k.Line}
		w := what + ": page " + k.Value
		if v.Kind != yaml.SequenceNode {
			g.Items = p.strList(v, w)
			out = append(out, g)
			return
		}
		for _, item := range v.Content {
			if item.Kind == yaml.MappingNode {
				g.Conditional = append(g.Conditional, p.conditionalItem(item, w))
			} else {
				g.Items = append(g.Items, p.posStr(item, w))
			}
		}
		out = append(out, g)
	})
	return out
}

var conditionalFields = []string{"action", "actions", "when"}

func (p *parser) conditionalItem(n *yaml.Node, what string) *ConditionalItem {
	c := &ConditionalItem{Line: n.Line}
	p.fields(n, what, conditionalFields, func(key string, v *yaml.Node) {
		switch key {
		case "action", "actions":
			c.Items = append(c.Items, p.strList(v, what+": "+key)...)
		case "when":
			c.When = p.posStr(v, what+": when")
		}
	})
	if len(c.Items) == 0 || c.When.Value == "" {
		p.errorf(n, "%s: a conditional grant needs action (or actions) and when", what)
	}
	return c
}

// when reads a condition: CEL text, or a structured {all|any: [tests]}
// where each test is {attribute: path, <operator>: value}, translated to CEL.
func (p *parser) when(n *yaml.Node, what string) Pos[string] {
	if n.Kind == yaml.ScalarNode {
		return p.posStr(n, what)
	}
	var join string
	var tests *yaml.Node
	p.fields(n, what, []string{"all", "any"}, func(key string, v *yaml.Node) {
		if tests != nil {
			p.errorf(v, "%s: give all or any, not both", what)
		}
		join, tests = map[string]string{"all": " && ", "any": " || "}[key], v
	})
	if tests == nil || tests.Kind != yaml.SequenceNode || len(tests.Content) == 0 {
		p.errorf(n, "%s: expected CEL text, or all:/any: with a list of tests", what)
		return Pos[string]{Line: n.Line}
	}
	var parts []string
	for _, t := range tests.Content {
		var m map[string]any
		if err := t.Decode(&m); err != nil {
			p.errorf(t, "%s: %v", what, err)
			continue
		}
		attr, _ := m["attribute"].(string)
		delete(m, "attribute")
		if len(m) != 1 {
			p.errorf(t, "%s: a test is {attribute: name, <operator>: value} with one of %s", what, strings.Join(structuredOps, ", "))
			continue
		}
		for op, value := range m {
			expr, err := structuredToCEL(attr, op, value)
			if err != nil {
				p.errorf(t, "%s: %v", what, err)
				continue
			}
			parts = append(parts, "("+expr+")")
		}
	}
	return Pos[string]{Value: strings.Join(parts, join), Line: n.Line}
}

var refusalFields = []string{"when", "reason"}

func (p *parser) refusals(n *yaml.Node) []*Refusal {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "refuse: expected a list")
		return nil
	}
	var out []*Refusal
	for i, item := range n.Content {
		r := &Refusal{Line: item.Line}
		what := fmt.Sprintf("refuse[%d]", i)
		p.fields(item, what, refusalFields, func(key string, v *yaml.Node) {
			switch key {
			case "when":
				r.When = p.when(v, what+": when")
			case "reason":
				r.Reason = p.str(v, what+": reason")
			}
		})
		if r.When.Value == "" || r.Reason == "" {
			p.errorf(item, "%s: needs when and reason", what)
		}
		out = append(out, r)
	}
	return out
}

var testFields = []string{"role", "roles", "request", "expect", "action", "user", "features"}

func (p *parser) tests(n *yaml.Node) []*TestCase {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "tests: expected a list")
		return nil
	}
	out := make([]*TestCase, 0, len(n.Content))
	for i, c := range n.Content {
		tc := &TestCase{Line: c.Line}
		what := fmt.Sprintf("tests[%d]", i)
		p.fields(c, what, testFields, func(key string, v *yaml.Node) {
			switch key {
			case "role", "roles":
				tc.Roles = append(tc.Roles, p.strList(v, what+": "+key)...)
			case "request":
				tc.Request = p.posStr(v, what+": request")
			case "expect":
				tc.Expect = p.posStr(v, what+": expect")
			case "action":
				tc.Action = p.posStr(v, what+": action")
			case "user":
				if err := v.Decode(&tc.User); err != nil || v.Kind != yaml.MappingNode {
					p.errorf(v, "%s: user: expected a mapping of attributes", what)
				}
			case "features":
				tc.Features = p.strList(v, what+": features")
			}
		})
		out = append(out, tc)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
