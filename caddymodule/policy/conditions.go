package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// Conditions are CEL expressions, compiled and type-checked when the policy
// is compiled, over three variables:
//
//	user      map(string, dyn)   the user's attributes: claims, enriched data
//	path      map(string, string) the route's {params}
//	features  map(string, bool)  feature flags; write feature('name')
//
// A condition must be a bool. One that fails at run time (a missing
// attribute, a wrong type) is false: a grant does not hold, a role is not
// earned, and a refusal refuses.
type condition struct {
	src  string
	line int
	prg  cel.Program
}

// Input is what conditions see of a request.
type Input struct {
	// User holds the user's attributes.
	User map[string]any
	// Features holds the feature flags in force; a flag not in the map is
	// off.
	Features map[string]bool
}

// newEnv declares the variables and the feature() macro, which accepts
// only the names the policy declares.
func newEnv(features map[string]bool) (*cel.Env, error) {
	feature := cel.GlobalMacro("feature", 1, func(eh cel.MacroExprFactory, _ ast.Expr, args []ast.Expr) (ast.Expr, *common.Error) {
		name, ok := literalString(args[0])
		if !ok {
			return nil, eh.NewError(args[0].ID(), "feature() takes a flag name in quotes")
		}
		if !features[name] {
			return nil, eh.NewError(args[0].ID(), fmt.Sprintf("unknown feature %q (declare it under features:)", name))
		}
		// features[name] is an error for a flag absent at run time, and so
		// false: 'in' first makes an absent flag plainly off.
		has := eh.NewCall(operators.In, eh.Copy(args[0]), eh.NewIdent("features"))
		get := eh.NewCall(operators.Index, eh.NewIdent("features"), eh.Copy(args[0]))
		return eh.NewCall(operators.LogicalAnd, has, get), nil
	})
	return cel.NewEnv(
		cel.Variable("user", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("path", cel.MapType(cel.StringType, cel.StringType)),
		cel.Variable("features", cel.MapType(cel.StringType, cel.BoolType)),
		cel.Macros(feature),
	)
}

func literalString(e ast.Expr) (string, bool) {
	if e.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}

// compileCondition compiles src, reporting problems at line.
func (c *compiler) compileCondition(src Pos[string], what string) *condition {
	if c.env == nil {
		return nil
	}
	checked, iss := c.env.Compile(src.Value)
	if iss != nil && iss.Err() != nil {
		c.errorf(src.Line, "%s: condition %q: %s", what, src.Value, oneLine(iss.Err().Error()))
		return nil
	}
	if checked.OutputType() != cel.BoolType {
		c.errorf(src.Line, "%s: condition %q is a %s, not a bool", what, src.Value, checked.OutputType())
		return nil
	}
	prg, err := c.env.Program(checked)
	if err != nil {
		c.errorf(src.Line, "%s: condition %q: %v", what, src.Value, err)
		return nil
	}
	return &condition{src: src.Value, line: src.Line, prg: prg}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// eval runs the condition; any error is false.
func (cd *condition) eval(vars map[string]any) bool {
	out, _, err := cd.prg.Eval(vars)
	if err != nil {
		return false
	}
	b, ok := out.Value().(bool)
	return ok && b
}

// vars builds the activation for one request.
func vars(m Match, in *Input) map[string]any {
	path := make(map[string]string, m.n)
	for i := range int(m.n) {
		path[m.ep.params[i]] = m.values[i]
	}
	user, features := map[string]any{}, map[string]bool{}
	if in != nil {
		if in.User != nil {
			user = in.User
		}
		if in.Features != nil {
			features = in.Features
		}
	}
	return map[string]any{"user": user, "path": path, "features": features}
}

// structuredOps are the operators of structured role conditions.
var structuredOps = []string{"equals", "not_equals", "in", "contains", "starts_with", "exists"}

// structuredToCEL translates one {attribute: a.b, <op>: value} test into
// CEL over user.
func structuredToCEL(attr string, op string, value any) (string, error) {
	if attr == "" {
		return "", fmt.Errorf("attribute is required")
	}
	parts := strings.Split(attr, ".")
	ref := "user"
	guard := []string{}
	for _, p := range parts {
		guard = append(guard, strconv.Quote(p)+" in "+ref)
		ref += "[" + strconv.Quote(p) + "]"
	}
	lit, err := celLiteral(value)
	if err != nil && op != "exists" {
		return "", err
	}
	switch op {
	case "equals":
		return ref + " == " + lit, nil
	case "not_equals":
		return ref + " != " + lit, nil
	case "in":
		return ref + " in " + lit, nil
	case "contains":
		return lit + " in " + ref, nil
	case "starts_with":
		return ref + ".startsWith(" + lit + ")", nil
	case "exists":
		return strings.Join(guard, " && "), nil
	}
	return "", fmt.Errorf("unknown operator %q%s", op, suggest(op, structuredOps))
}

func celLiteral(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case []any:
		items := make([]string, len(v))
		for i, e := range v {
			s, err := celLiteral(e)
			if err != nil {
				return "", err
			}
			items[i] = s
		}
		return "[" + strings.Join(items, ", ") + "]", nil
	}
	return "", fmt.Errorf("value %v: use a string, number, bool or a list of them", v)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
