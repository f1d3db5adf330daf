package policy

import (
	"fmt"
	"strings"
)

// MaxParams is the most path parameters one route may capture. A fixed bound
// lets a Match carry its parameters without allocating.
const MaxParams = 8

// node is one path segment of the route trie. Lookup walks one node per
// segment, so its cost grows with the path's length, not with the number of
// routes. Precedence at each segment: a literal, then a {param}, then **.
type node struct {
	literal  map[string]*node
	param    *node
	wildcard *endpoint // a trailing ** at this depth
	end      *endpoint // a route ends exactly here
}

// endpoint is what a route leads to: an action, a public route or a route
// for any signed-in user.
type endpoint struct {
	action   *ActionDef // nil for a public or signed-in route
	signedIn bool       // a route of the authenticated: list
	pattern  string     // "METHOD /path" as written
	line     int
	params   []string // names of the {param} segments, in order
}

// routeShape is a parsed "METHOD /path" pattern.
type routeShape struct {
	method   string
	segments []string // literal text, "{name}" or "**"
}

// parseRoute checks and splits a route pattern. Paths must already be in
// canonical form, since only canonical request paths are ever matched.
func parseRoute(s string) (routeShape, error) {
	method, path, ok := strings.Cut(s, " ")
	if !ok || method == "" {
		return routeShape{}, fmt.Errorf("route %q: expected \"METHOD /path\"", s)
	}
	if err := checkMethod(method); err != nil {
		return routeShape{}, fmt.Errorf("route %q: %w", s, err)
	}
	if !strings.HasPrefix(path, "/") {
		return routeShape{}, fmt.Errorf("route %q: path must start with /", s)
	}
	segs := splitPath(path)
	for i, seg := range segs {
		if err := checkSegment(seg, i == len(segs)-1); err != nil {
			return routeShape{}, fmt.Errorf("route %q: %w", s, err)
		}
	}
	if n := countParams(segs); n > MaxParams {
		return routeShape{}, fmt.Errorf("route %q: %d parameters, at most %d", s, n, MaxParams)
	}
	return routeShape{method: method, segments: segs}, nil
}

func checkMethod(m string) error {
	if m == "HEAD" {
		return fmt.Errorf("HEAD is decided as GET; declare the GET route")
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return fmt.Errorf("method %q must be an upper-case name such as GET or POST", m)
		}
	}
	return nil
}

func checkSegment(seg string, last bool) error {
	switch {
	case seg == "**":
		if !last {
			return fmt.Errorf("** may only be the last segment")
		}
	case strings.HasPrefix(seg, "{"):
		name := strings.TrimSuffix(strings.TrimPrefix(seg, "{"), "}")
		if !strings.HasSuffix(seg, "}") || !isIdent(name) {
			return fmt.Errorf("segment %q: a parameter is {name}, a letter then letters, digits or _", seg)
		}
	case seg == "" && !last:
		return fmt.Errorf("empty segment (//)")
	case seg == "." || seg == "..":
		return fmt.Errorf("dot segment %q", seg)
	case strings.ContainsAny(seg, "{}*%;\\"):
		return fmt.Errorf("segment %q: {, }, *, %%, ; and \\ are not allowed in a literal", seg)
	}
	return nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// splitPath splits "/a/b" into ["a","b"]; "/" gives none and "/a/" gives
// ["a",""], so a trailing slash is a segment of its own.
func splitPath(path string) []string {
	if path == "/" {
		return nil
	}
	return strings.Split(path[1:], "/")
}

func countParams(segs []string) int {
	n := 0
	for _, s := range segs {
		if strings.HasPrefix(s, "{") {
			n++
		}
	}
	return n
}

// insert adds a route; two routes of the same shape are a conflict, named by
// the returned endpoint.
func (n *node) insert(segs []string, ep *endpoint) (conflict *endpoint) {
	for _, seg := range segs {
		switch {
		case seg == "**":
			if n.wildcard != nil {
				return n.wildcard
			}
			n.wildcard = ep
			return nil
		case strings.HasPrefix(seg, "{"):
			ep.params = append(ep.params, seg[1:len(seg)-1])
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
		default:
			if n.literal == nil {
				n.literal = make(map[string]*node)
			}
			child := n.literal[seg]
			if child == nil {
				child = &node{}
				n.literal[seg] = child
			}
			n = child
		}
	}
	if n.end != nil {
		return n.end
	}
	n.end = ep
	return nil
}

// lookup matches rest (a canonical path without its leading "/", or "" for
// "/" itself, with atRoot set) and records parameter values in m. It
// backtracks so that a literal that leads nowhere still lets a {param} or **
// at the same depth match. It does not allocate.
func (n *node) lookup(rest string, atRoot bool, m *Match) *endpoint {
	if atRoot && rest == "" {
		if n.end != nil {
			return n.end
		}
		return n.wildcard
	}
	seg, tail, more := strings.Cut(rest, "/")
	if child := n.literal[seg]; child != nil {
		if ep := child.next(tail, more, m); ep != nil {
			return ep
		}
	}
	if n.param != nil && seg != "" {
		saved := m.n
		if m.n < MaxParams {
			m.values[m.n] = seg
			m.n++
		}
		if ep := n.param.next(tail, more, m); ep != nil {
			return ep
		}
		m.n = saved
	}
	return n.wildcard
}

// next continues the lookup below n once a segment has been consumed.
func (n *node) next(tail string, more bool, m *Match) *endpoint {
	if !more {
		if n.end != nil {
			return n.end
		}
		return n.wildcard
	}
	return n.lookup(tail, false, m)
}
