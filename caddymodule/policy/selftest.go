package policy

import (
	"errors"
	"fmt"
	"strings"
)

// compiledTest is a policy test case with its names resolved.
type compiledTest struct {
	line          int
	roles         RoleSet
	anonymous     bool
	method, path  string
	allow         bool
	action        *ActionDef
	request, what string
	names         []string
	input         *Input
}

func (c *compiler) tests() {
	for i, tc := range c.doc.Tests {
		what := fmt.Sprintf("tests[%d]", i)
		t := compiledTest{line: tc.Line, anonymous: len(tc.Roles) == 0, request: tc.Request.Value, what: what}
		for _, r := range tc.Roles {
			if def := c.roleByName(r.Value, r.Line, what); def != nil {
				t.roles |= 1 << uint(def.Index)
				t.names = append(t.names, r.Value)
			}
		}
		t.input = &Input{User: tc.User, Features: map[string]bool{}}
		for _, f := range tc.Features {
			if !c.p.features[f.Value] {
				c.errorf(f.Line, "%s: unknown feature %q%s", what, f.Value, suggest(f.Value, sortedKeys(c.p.features)))
			}
			t.input.Features[f.Value] = true
		}
		if tc.User != nil {
			t.anonymous = false
		}
		method, path, ok := strings.Cut(tc.Request.Value, " ")
		if !ok || method == "" || !strings.HasPrefix(path, "/") {
			c.errorf(tc.Line, "%s: request %q: expected \"METHOD /path\"", what, tc.Request.Value)
		}
		t.method, t.path = method, path
		switch tc.Expect.Value {
		case "allow":
			t.allow = true
		case "deny":
		default:
			c.errorf(tc.Line, "%s: expect: %q is not one of allow, deny", what, tc.Expect.Value)
		}
		if tc.Action.Value != "" {
			t.action = c.actionByID(tc.Action)
		}
		c.p.tests = append(c.p.tests, t)
	}
}

func (c *compiler) actionByID(id Pos[string]) *ActionDef {
	var ids []string
	for _, a := range c.p.actions {
		if a.ID() == id.Value {
			return a
		}
		ids = append(ids, a.ID())
	}
	c.errorf(id.Line, "tests: unknown action %q (write page.action)%s", id.Value, suggest(id.Value, ids))
	return nil
}

// NumTests is the number of test cases the policy carries.
func (p *Policy) NumTests() int { return len(p.tests) }

// RunTests runs the policy's own test cases and returns every failure, each
// naming the file and line of its case. An anonymous case is allowed only by
// a public route.
func (p *Policy) RunTests() error {
	var errs []error
	for _, t := range p.tests {
		m := p.Match(t.method, t.path)
		var d Decision
		if t.anonymous && !m.Public() {
			d = Decision{Match: m, Role: -1}
		} else {
			d = p.AuthorizeInput(m, p.Earned(t.names, t.input.User), t.input)
		}
		if msg := t.check(p, d); msg != "" {
			errs = append(errs, &Error{File: p.File, Line: t.line, Msg: fmt.Sprintf("%s: %s: %s", t.what, t.request, msg)})
		}
	}
	return errors.Join(errs...)
}

func (t *compiledTest) check(p *Policy, d Decision) string {
	if t.action != nil && d.Action() != t.action {
		got := "no action"
		if a := d.Action(); a != nil {
			got = a.ID()
		}
		return fmt.Sprintf("maps to %s, expected %s", got, t.action.ID())
	}
	if d.Allowed != t.allow {
		want := "deny"
		if t.allow {
			want = "allow"
		}
		return fmt.Sprintf("expected %s, got %s", want, p.Explain(d))
	}
	return ""
}
