// Package legacy holds what the example legacy applications share: showing
// what a request carried, and marking the controls the gateway says the
// user may not use. It knows nothing of authorization; it only displays
// the gateway's trusted headers.
package legacy

import (
	"html/template"
	"net/http"
	"sort"
	"strings"
)

// IdentityPrefix starts the names of the headers the gateway sets.
const IdentityPrefix = "X-Rolegate-"

// Field is a name and a value shown on a page.
type Field struct{ Name, Value string }

// Received lists the gateway's identity headers the request carried, sorted,
// then whether Authorization and Cookie were present: never their values.
func Received(r *http.Request) []Field {
	var out []Field
	for name, values := range r.Header {
		if len(name) > len(IdentityPrefix) && strings.EqualFold(name[:len(IdentityPrefix)], IdentityPrefix) {
			out = append(out, Field{name, strings.Join(values, ", ")})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for _, name := range []string{"Authorization", "Cookie"} {
		seen := "absent"
		if _, ok := r.Header[name]; ok {
			seen = "present"
		}
		out = append(out, Field{name, seen})
	}
	return out
}

// Posted lists the form fields of a POST, sorted.
func Posted(r *http.Request) []Field {
	var out []Field
	for name, values := range r.PostForm {
		out = append(out, Field{name, strings.Join(values, ", ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Marks reads the gateway's list of the page's actions the user may use
// and returns them, with CSS that greys out and labels every other control
// of the page. The apps still render every control: pressing a locked one
// shows the gateway's 403 page, which is the point of the demo.
func Marks(pageID, header string) ([]string, template.CSS) {
	var allowed, selectors []string
	for _, id := range strings.Split(header, ",") {
		id = strings.TrimSpace(id)
		if id == "" || !safeName(id) {
			continue
		}
		allowed = append(allowed, id)
		selectors = append(selectors, `[data-action="`+id+`"]`)
	}
	if !safeName(pageID) {
		return allowed, ""
	}
	locked := `.tools [data-action^="` + pageID + `."]`
	if len(selectors) > 0 {
		locked += ":not(" + strings.Join(selectors, ",") + ")"
	}
	css := locked + "{opacity:.5}" + locked + " button::after," + locked + ".button::after{content:\" \\B7  locked\"}"
	return allowed, template.CSS(css)
}

// safeName accepts the characters of page and action IDs, and nothing that
// could end a CSS string.
func safeName(s string) bool {
	for _, c := range s {
		if !(c == '.' || c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return s != ""
}
