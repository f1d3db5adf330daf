package policy

import (
	"fmt"
	"testing"
)

func BenchmarkDecideV3(b *testing.B) {
	p := mustCompileFile(b, v3File)
	roles := p.Roles("BASIC")
	requests := []struct{ method, path string }{
		{"POST", "/tickets/42/delete"},
		{"GET", "/support/spectator/7"},
		{"GET", "/documentation/roles/admin"},
		{"POST", "/accounts/3/delete"},
		{"GET", "/no/such/page"},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := requests[i%len(requests)]
		_ = p.Decide(r.method, r.path, roles)
	}
}

// generated builds a policy of pages*actions actions, each with one route of
// four segments, and one role per page granted everything on it.
func generated(pages, actions int) *Document {
	doc := &Document{File: "generated.yaml", Unmapped: Pos[string]{Value: "deny"}}
	for i := range pages {
		pg := &Page{ID: fmt.Sprintf("page%d", i)}
		for j := range actions {
			route := fmt.Sprintf("POST /app%d/items/{id}/op%d", i, j)
			pg.Actions = append(pg.Actions, &Action{Name: fmt.Sprintf("op%d", j), Kind: Pos[string]{Value: "update"}, Routes: []Pos[string]{{Value: route}}})
		}
		doc.Pages = append(doc.Pages, pg)
	}
	for r := range MaxRoles {
		doc.Roles = append(doc.Roles, &Role{Name: fmt.Sprintf("R%d", r)})
		doc.Grants = append(doc.Grants, &RoleGrants{Role: fmt.Sprintf("R%d", r), Pages: []*PageGrant{{Page: fmt.Sprintf("page%d", r*pages/MaxRoles), Items: []Pos[string]{{Value: "all"}}}}})
	}
	return doc
}

func BenchmarkDecide10kRoutes(b *testing.B) {
	p, err := Compile(generated(1000, 10))
	if err != nil {
		b.Fatal(err)
	}
	if n := len(p.actions); n != 10000 {
		b.Fatalf("%d routes", n)
	}
	roles := p.Roles("R63")
	paths := []string{"/app984/items/7/op3", "/app0/items/1/op9", "/app500/items/x/op5", "/app999/items/1/nope"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = p.Decide("POST", paths[i%len(paths)], roles)
	}
}

func BenchmarkCompileV3(b *testing.B) {
	doc, err := LoadFile(v3File)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(doc); err != nil {
			b.Fatal(err)
		}
	}
}
