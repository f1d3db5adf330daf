package policy

import "strings"

// grants resolves every role's own grants and exceptions to action sets,
// then applies inheritance and records, on each action, the roles that hold it.
func (c *compiler) grants() {
	n := len(c.p.roles)
	if n == 0 || len(c.p.roles) != len(c.doc.Roles) {
		return
	}
	c.own = make([][]bool, n)
	c.except = make([][]bool, n)
	c.ownCond = make([][]condRef, n)
	for i := range n {
		c.own[i] = make([]bool, len(c.p.actions))
		c.except[i] = make([]bool, len(c.p.actions))
	}
	seen := map[string]int{}
	for _, g := range c.doc.Grants {
		r := c.roleByName(g.Role, g.Line, "grants")
		if r == nil {
			continue
		}
		if line, dup := seen[r.Name]; dup {
			c.errorf(g.Line, "grants: role %s already has grants at line %d", r.Name, line)
			continue
		}
		seen[r.Name] = g.Line
		c.resolve(g.Pages, c.own[r.Index], "grant "+r.Name)
		c.resolveConditional(g.Pages, r.Index, "grant "+r.Name)
	}
	for i, r := range c.doc.Roles {
		c.resolve(r.Except, c.except[i], "role "+r.Name+": except")
		for _, g := range r.Except {
			if len(g.Conditional) > 0 {
				c.errorf(g.Line, "role %s: except: conditions are not allowed here; except removes grants", r.Name)
			}
		}
	}
	c.inherit()
}

func (c *compiler) roleByName(name string, line int, what string) *RoleDef {
	r, ok := c.p.byName[name]
	if !ok {
		c.errorf(line, "%s: unknown role %q%s", what, name, c.p.SuggestRole(name))
	}
	return r
}

// resolve marks in set the actions named by grants, page by page.
func (c *compiler) resolve(grants []*PageGrant, set []bool, what string) {
	for _, g := range grants {
		if g.Page == "*" {
			c.resolveAll(g, set, what)
			continue
		}
		pg := c.page(g.Page)
		if pg == nil {
			c.errorf(g.Line, "%s: unknown page %q%s", what, g.Page, suggest(g.Page, c.pageIDs()))
			continue
		}
		for _, item := range g.Items {
			if !c.resolveItem(pg, item.Value, set) {
				c.errorf(item.Line, "%s: page %s has no action or action kind %q%s", what, pg.ID, item.Value, suggest(item.Value, itemNames(pg)))
			}
		}
	}
}

// resolveConditional records a role's conditional grants.
func (c *compiler) resolveConditional(grants []*PageGrant, role int, what string) {
	for _, g := range grants {
		for _, ci := range g.Conditional {
			cond := c.compileCondition(ci.When, what+": page "+g.Page)
			set := make([]bool, len(c.p.actions))
			c.resolve([]*PageGrant{{Page: g.Page, Line: ci.Line, Items: ci.Items}}, set, what)
			if cond == nil {
				continue
			}
			for a, ok := range set {
				if ok {
					c.ownCond[role] = append(c.ownCond[role], condRef{action: a, cond: cond})
				}
			}
		}
	}
}

// resolveAll applies the items of a "*" page grant to every page; an item
// must apply to at least one page.
func (c *compiler) resolveAll(g *PageGrant, set []bool, what string) {
	for _, item := range g.Items {
		found := false
		for _, pg := range c.p.pages {
			found = c.resolveItem(pg, item.Value, set) || found
		}
		if !found {
			c.errorf(item.Line, "%s: no page has an action or action kind %q", what, item.Value)
		}
	}
}

// resolveItem marks what item means on pg: every action ("*" or "all"), the
// action of that name, or every action of that kind.
func (c *compiler) resolveItem(pg *PageDef, item string, set []bool) bool {
	found := false
	for _, a := range pg.Actions {
		if item == "*" || item == "all" || a.Name == item || a.Kind == item {
			set[a.index] = true
			found = true
		}
	}
	return found
}

func itemNames(pg *PageDef) []string {
	names := append([]string{"all"}, Kinds...)
	for _, a := range pg.Actions {
		names = append(names, a.Name)
	}
	return names
}

func (c *compiler) page(id string) *PageDef {
	for _, pg := range c.p.pages {
		if pg.ID == id {
			return pg
		}
	}
	return nil
}

func (c *compiler) pageIDs() []string {
	ids := make([]string, len(c.p.pages))
	for i, pg := range c.p.pages {
		ids[i] = pg.ID
	}
	return ids
}

// inherit computes each role's effective actions: the union of what its
// parents hold, less its exceptions, plus its own grants.
func (c *compiler) inherit() {
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(c.p.roles))
	effective := make([][]bool, len(c.p.roles))
	effCond := make([][]condRef, len(c.p.roles))
	var visit func(i int, path []string) []bool
	visit = func(i int, path []string) []bool {
		r := c.doc.Roles[i]
		switch state[i] {
		case done:
			return effective[i]
		case visiting:
			c.errorf(r.Line, "role %s: inheritance cycle %s", r.Name, strings.Join(append(path, r.Name), " -> "))
			return make([]bool, len(c.p.actions))
		}
		state[i] = visiting
		set := make([]bool, len(c.p.actions))
		for _, e := range r.Extends {
			parent := c.roleByName(e.Value, e.Line, "role "+r.Name+": extends")
			if parent == nil {
				continue
			}
			for a, ok := range visit(parent.Index, append(path, r.Name)) {
				set[a] = set[a] || ok
			}
			for _, cr := range effCond[parent.Index] {
				if !c.except[i][cr.action] {
					effCond[i] = append(effCond[i], cr)
				}
			}
		}
		effCond[i] = append(effCond[i], c.ownCond[i]...)
		for a := range set {
			set[a] = (set[a] && !c.except[i][a]) || c.own[i][a]
		}
		if len(r.Except) > 0 && len(r.Extends) == 0 {
			c.errorf(r.Line, "role %s: except without extends has nothing to remove", r.Name)
		}
		state[i], effective[i] = done, set
		return set
	}
	for i, r := range c.p.roles {
		for a, ok := range visit(i, nil) {
			if ok {
				c.p.actions[a].granted |= 1 << uint(r.Index)
			}
		}
	}
	for i := range c.p.roles {
		for _, cr := range effCond[i] {
			c.p.actions[cr.action].addCond(i, cr.cond)
		}
	}
}

func (a *ActionDef) addCond(role int, cond *condition) {
	for j := range a.conds {
		if a.conds[j].cond == cond {
			a.conds[j].roles |= 1 << uint(role)
			return
		}
	}
	a.conds = append(a.conds, condGrant{roles: 1 << uint(role), cond: cond})
}
