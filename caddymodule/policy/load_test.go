package policy

import (
	"errors"
	"strings"
	"testing"
)

// compileErr parses and compiles src, returning the error text.
func compileErr(t *testing.T, src string) string {
	t.Helper()
	doc, err := Parse("bad.yaml", []byte(src))
	if err == nil {
		_, err = Compile(doc)
	}
	if err == nil {
		t.Fatalf("policy compiled, want an error:\n%s", src)
	}
	return err.Error()
}

func TestPolicyErrorsNameFileLineAndField(t *testing.T) {
	base := `roles: {R: {}}
pages:
  tickets:
    actions:
      read: {kind: read, routes: ["GET /tickets"]}
`
	cases := []struct{ name, src, want string }{
		{"unknown top field", "rolez: {}\n", `bad.yaml:1: policy: unknown field "rolez" (did you mean "roles"?)`},
		{"unknown page", base + "grants:\n  R: {tikets: [read]}\n", `bad.yaml:7: grant R: unknown page "tikets" (did you mean "tickets"?)`},
		{"unknown role in grants", base + "grants:\n  Q: {tickets: [read]}\n", `bad.yaml:7: grants: unknown role "Q" (did you mean "R"?)`},
		{"unknown action", base + "grants:\n  R: {tickets: [raed]}\n", `bad.yaml:7: grant R: page tickets has no action or action kind "raed" (did you mean "read"?)`},
		{"unknown kind", "roles: {R: {}}\npages:\n  p:\n    actions:\n      x: {kind: reed, routes: [\"GET /p\"]}\n", `bad.yaml:5: page p: action x: unknown kind "reed" (did you mean "read"?)`},
		{"unknown action field", "pages:\n  p:\n    actions:\n      x: {kind: read, route: [\"GET /p\"]}\n", `bad.yaml:4: page p: action x: unknown field "route" (did you mean "routes"?)`},
		{"missing kind", "pages:\n  p:\n    actions:\n      x: {routes: [\"GET /p\"]}\n", `bad.yaml:4: page p: action x: kind is required`},
		{"no routes", "pages:\n  p:\n    actions:\n      x: {kind: read}\n", `bad.yaml:4: page p: action x: no routes`},
		{"bad route", "pages:\n  p:\n    actions:\n      x: {kind: read, routes: [\"GET p\"]}\n", `bad.yaml:4: page p: action x: route "GET p": path must start with /`},
		{"head route", "pages:\n  p:\n    actions:\n      x: {kind: read, routes: [\"HEAD /p\"]}\n", `HEAD is decided as GET`},
		{"dot segment", "pages:\n  p:\n    actions:\n      x: {kind: read, routes: [\"GET /a/../b\"]}\n", `dot segment ".."`},
		{"wildcard not last", "pages:\n  p:\n    actions:\n      x: {kind: read, routes: [\"GET /a/**/b\"]}\n", `** may only be the last segment`},
		{"duplicate route", base + "      read2: {kind: read, routes: [\"GET /tickets\"]}\n", `bad.yaml:6: page tickets: action read2: route "GET /tickets" is already claimed by action tickets.read (line 5)`},
		{"same shape other param name", "pages:\n  p:\n    actions:\n      a: {kind: read, routes: [\"GET /t/{id}\"]}\n      b: {kind: update, routes: [\"GET /t/{key}\"]}\n", `already claimed by action p.a (line 4)`},
		{"public clashes with action", base + "public: [\"GET /tickets\"]\n", `public: route "GET /tickets" is already claimed by action tickets.read`},
		{"duplicate key", "roles: {R: {}}\nroles: {S: {}}\n", `bad.yaml:2: policy: "roles" is defined twice`},
		{"duplicate alias", "roles:\n  A: {aliases: [X]}\n  B: {aliases: [X]}\n", `bad.yaml:3: role B: "X" is already a name or alias of role A`},
		{"cycle", "roles:\n  A: {extends: [B]}\n  B: {extends: [A]}\n", `inheritance cycle`},
		{"unknown parent", "roles:\n  A: {extends: [ADMN]}\n  ADMIN: {}\n", `bad.yaml:2: role A: extends: unknown role "ADMN" (did you mean "ADMIN"?)`},
		{"except without extends", base + "  S: {except: {tickets: all}}\n", ""},
		{"bad unmapped", "unmapped: allow\n", `bad.yaml:1: unmapped: "allow" is not one of deny, authenticated`},
		{"bad expect", base + "tests:\n  - {role: R, request: \"GET /tickets\", expect: yes}\n", `bad.yaml:7: tests[0]: expect: "yes" is not one of allow, deny`},
		{"test unknown role", base + "tests:\n  - {role: RR, request: \"GET /tickets\", expect: allow}\n", `tests[0]: unknown role "RR"`},
		{"test unknown action", base + "tests:\n  - {role: R, request: \"GET /tickets\", expect: allow, action: tickets.reed}\n", `unknown action "tickets.reed"`},
		{"kind-named action of other kind", "pages:\n  p:\n    actions:\n      delete: {kind: update, routes: [\"POST /p\"]}\n", `an action named after kind "delete" must be of that kind`},
		{"not yaml", "roles: [\n", `policy bad.yaml: yaml:`},
		{"empty", "", `empty policy document`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if c.name == "except without extends" {
				// The roles mapping must stay one mapping: rebuild it.
				src = "roles: {R: {}, S: {except: {tickets: all}}}\npages:\n  tickets:\n    actions:\n      read: {kind: read, routes: [\"GET /tickets\"]}\n"
				c.want = `bad.yaml:1: role S: except without extends has nothing to remove`
			}
			got := compileErr(t, src)
			if !strings.Contains(got, c.want) {
				t.Errorf("error:\n  %s\nwant it to contain:\n  %s", got, c.want)
			}
		})
	}
}

func TestPolicyErrorsAreAllReported(t *testing.T) {
	doc, err := Parse("bad.yaml", []byte("roles: {R: {}}\npages:\n  p: {actions: {a: {kind: nope, routes: [\"GET x\"]}}}\ngrants: {Q: {p: all}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(doc)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *policy.Error", err)
	}
	if n := strings.Count(err.Error(), "bad.yaml:"); n < 3 {
		t.Fatalf("want every problem reported, got %d:\n%v", n, err)
	}
}

func TestJSONPolicyLoadsWithLines(t *testing.T) {
	src := `{
  "roles": {"R": {}},
  "pages": {"p": {"actions": {"read": {"kind": "read", "routes": ["GET /p"]}}}},
  "grants": {"R": {"p": ["read"]}},
  "tests": [{"role": "R", "request": "GET /p", "expect": "deny"}]
}`
	p := mustCompile(t, src)
	err := p.RunTests()
	if err == nil || !strings.Contains(err.Error(), "test.yaml:5: tests[0]: GET /p: expected deny, got allow") {
		t.Fatalf("RunTests = %v, want a failure naming line 5", err)
	}
}

func TestFailingPolicyTestNamesLine(t *testing.T) {
	p := mustCompile(t, `roles: {R: {}}
pages:
  p: {actions: {read: {kind: read, routes: ["GET /p"]}, edit: {kind: update, routes: ["POST /p"]}}}
grants: {R: {p: [read]}}
tests:
  - {role: R, request: "GET /p", expect: allow, action: p.read}
  - {role: R, request: "POST /p", expect: allow}
  - {role: R, request: "GET /p", expect: allow, action: p.edit}
  - {request: "GET /p", expect: allow}
`)
	err := p.RunTests()
	if err == nil {
		t.Fatal("failing tests passed")
	}
	for _, want := range []string{
		"test.yaml:7: tests[1]: POST /p: expected allow, got deny: p.edit",
		"test.yaml:8: tests[2]: GET /p: maps to p.read, expected p.edit",
		"test.yaml:9: tests[3]: GET /p: expected allow, got deny",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "test.yaml:6:") {
		t.Errorf("a passing case was reported: %v", err)
	}
}
