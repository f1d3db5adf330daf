package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rolegate/rolegate/caddymodule/canon"
	"github.com/rolegate/rolegate/caddymodule/policy"
)

func lint(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "rolegate lint: name at least one policy file\n")
		return exitUsage
	}
	code := exitOK
	for _, path := range args {
		p, err := policy.Open(path)
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			code = exitError
			continue
		}
		fmt.Fprintf(stdout, "ok  %s: %s v%s, %d roles, %d pages, %d tests passed\n",
			path, p.Name, p.Version, len(p.RoleDefs()), len(p.Pages()), p.NumTests())
	}
	return code
}

// checkArgs are the parsed arguments of check.
type checkArgs struct {
	policy, method, path string
	roles, features      []string
	user                 map[string]any
}

// parseCheck accepts --role R, --feature F and --attr key=value (a JSON
// value, or else a string), as --flag=V, --flag V or -flag V, anywhere
// among the positional arguments POLICY METHOD PATH.
func parseCheck(args []string) (checkArgs, error) {
	var c checkArgs
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !hasValue {
			if i+1 >= len(args) {
				return c, fmt.Errorf("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "role":
			c.roles = append(c.roles, value)
		case "feature":
			c.features = append(c.features, value)
		case "attr":
			if err := c.addAttr(value); err != nil {
				return c, err
			}
		default:
			return c, fmt.Errorf("unknown flag %q (--role, --feature, --attr)", a)
		}
	}
	if len(pos) != 3 {
		return c, fmt.Errorf("expected POLICY METHOD PATH, got %d arguments", len(pos))
	}
	c.policy, c.method, c.path = pos[0], pos[1], pos[2]
	return c, nil
}

func (c *checkArgs) addAttr(kv string) error {
	key, raw, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fmt.Errorf("--attr %q: expected key=value", kv)
	}
	if c.user == nil {
		c.user = map[string]any{}
	}
	var v any
	if json.Unmarshal([]byte(raw), &v) != nil {
		v = raw
	}
	c.user[key] = v
	return nil
}

func check(args []string, stdout, stderr io.Writer) int {
	c, err := parseCheck(args)
	if err != nil {
		fmt.Fprintf(stderr, "rolegate check: %v\n%s", err, usage)
		return exitError
	}
	p, err := policy.Open(c.policy)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitError
	}
	for _, r := range c.roles {
		if _, ok := p.Role(r); !ok {
			fmt.Fprintf(stderr, "rolegate check: %s: unknown role %q%s\n", c.policy, r, p.SuggestRole(r))
			return exitError
		}
	}
	path, err := canon.Path(c.path)
	if err != nil {
		fmt.Fprintf(stdout, "deny: the gateway refuses this path with 400: %v\n", err)
		return exitDeny
	}
	d := decide(p, c, path)
	fmt.Fprintln(stdout, p.Explain(d))
	if !d.Allowed {
		return exitDeny
	}
	return exitOK
}

// decide is what the gateway decides: with no role and no attribute given,
// the request is anonymous and only a public route lets it through.
func decide(p *policy.Policy, c checkArgs, path string) policy.Decision {
	m := p.Match(c.method, path)
	if len(c.roles) == 0 && c.user == nil && !m.Public() {
		return policy.Decision{Match: m, Role: -1, Reason: policy.Unauthenticated}
	}
	flags := map[string]bool{}
	for _, f := range c.features {
		flags[f] = true
	}
	return p.AuthorizeInput(m, p.Earned(c.roles, c.user), &policy.Input{User: c.user, Features: flags})
}

func matrix(args []string, stdout, stderr io.Writer) int {
	format, path := "markdown", ""
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		switch {
		case !strings.HasPrefix(args[i], "-") && path == "":
			path = args[i]
		case name == "format" && hasValue:
			format = value
		case name == "format" && i+1 < len(args):
			i++
			format = args[i]
		default:
			fmt.Fprintf(stderr, "rolegate matrix: unexpected argument %q\n%s", args[i], usage)
			return exitUsage
		}
	}
	if path == "" {
		fmt.Fprintf(stderr, "rolegate matrix: name a policy file\n%s", usage)
		return exitUsage
	}
	p, err := policy.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitError
	}
	m := p.Matrix()
	switch format {
	case "csv":
		err = m.WriteCSV(stdout)
	case "markdown", "md":
		err = m.WriteMarkdown(stdout)
	default:
		fmt.Fprintf(stderr, "rolegate matrix: unknown format %q (csv or markdown)\n", format)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "rolegate matrix: %v\n", err)
		return exitError
	}
	return exitOK
}
