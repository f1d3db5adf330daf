package policy

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary documents to the loader and compiler. Invariant:
// no panic, and a rejected document always explains itself.
func FuzzParse(f *testing.F) {
	if seed, err := os.ReadFile(v3File); err == nil {
		f.Add(string(seed))
	}
	f.Add("roles: {R: {extends: [R]}}\n")
	f.Add(`{"pages": {"p": {"actions": {"a": {"kind": "read", "routes": ["GET /{x}/**"]}}}}}`)
	f.Add("grants: {R: {\"*\": all}}\npublic: [\"GET /**\"]\n")
	f.Fuzz(func(t *testing.T, src string) {
		doc, err := Parse("fuzz.yaml", []byte(src))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		p, err := Compile(doc)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml:") {
				t.Fatalf("compile error without file:line: %v", err)
			}
			return
		}
		_ = p.RunTests()
		_ = p.Matrix()
	})
}

// FuzzMatch routes arbitrary methods and paths through the V3 policy.
// Invariants: no panic; captured parameters are non-empty single segments of
// the path; no role means no grant; holding every role allows exactly the
// actions some role is granted.
func FuzzMatch(f *testing.F) {
	p := mustCompileFile(f, v3File)
	for _, s := range []string{"/tickets/42", "/tickets/42/delete", "/documentation/a/b", "/", "//", "/a//b", "/static/", ""} {
		f.Add("GET", s)
		f.Add("POST", s)
	}
	all := RoleSet(1<<uint(len(p.roles)) - 1)
	f.Fuzz(func(t *testing.T, method, path string) {
		m := p.Match(method, path)
		for i := range m.NumParams() {
			_, v := m.ParamAt(i)
			if v == "" || strings.Contains(v, "/") || !strings.Contains(path, "/"+v) {
				t.Fatalf("%s %q: bad param %q", method, path, v)
			}
		}
		none := p.Authorize(m, 0)
		if none.Allowed && none.Reason != Public && none.Reason != SignedIn {
			t.Fatalf("%s %q allowed with no role: %s", method, path, p.Explain(none))
		}
		every := p.Authorize(m, all)
		if a := m.Action(); a != nil && every.Allowed != (a.granted != 0) {
			t.Fatalf("%s %q: all roles give %v, granted mask %b", method, path, every.Allowed, a.granted)
		}
		if !m.Found() && every.Allowed {
			t.Fatalf("%s %q: unmapped route allowed", method, path)
		}
	})
}
