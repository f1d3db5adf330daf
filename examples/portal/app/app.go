// Package app is a set of example legacy customer portals, served side by
// side: the iXpole VIP portal (/vip/), a hosting provider's account portal
// (/hosting/) and a vTiger CRM customer portal (/crm/). Each has a page for
// every screen its documentation describes and a control for every action.
// None of them has any authentication or authorization code: they trust
// whatever reaches them, like the applications rolegate is put in front of.
// Each page shows who the gateway says is signed in and what identity
// headers the request carried.
package app

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"github.com/rolegate/rolegate/examples/internal/legacy"
)

//go:embed templates/*.html static
var files embed.FS

var tmpl = template.Must(template.New("").ParseFS(files, "templates/*.html"))

// Identity headers set by the gateway. The application only displays them.
const (
	userHeader  = "X-Rolegate-User"
	rolesHeader = "X-Rolegate-Roles"
	// actionsHeader lists the "page.action" IDs of the requested page that
	// the user may use.
	actionsHeader = "X-Rolegate-Actions"
	identPrefix   = "X-Rolegate-"
)

// maxForm bounds the body of a POST.
const maxForm = 64 << 10

// portal is one customer portal under its own prefix.
type portal struct {
	Name, Prefix, Intro string
	// Titles are the page titles by page ID; every screen of a page has its
	// title as <h1>.
	Titles map[string]string
	// Nav is the navigation bar for a request.
	Nav    func(r *http.Request) []control
	Routes []route
}

// route is one screen or action of a portal.
type route struct {
	// Pattern is a ServeMux pattern, method included.
	Pattern string
	// Page and Action name the route as the rolegate policy does; both are
	// empty for the portal's home.
	Page, Action string
	// Label names a POST action on its confirmation.
	Label string
	// Build fills in the screen (or the confirmation of a POST).
	Build func(r *http.Request, v *view)
}

func (rt route) post() bool { return strings.HasPrefix(rt.Pattern, "POST ") }

var portals = []*portal{vip, hosting, crm}

// New returns the portals.
func New() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(files, "static")
	fileServer := http.FileServerFS(static)
	mux.HandleFunc("GET /static/{file...}", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		http.StripPrefix("/static", fileServer).ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/favicon.ico"
		fileServer.ServeHTTP(w, r2)
	})
	mux.HandleFunc("GET /vip/api/users/{sub}", lookupUser)
	for _, pt := range portals {
		for _, rt := range pt.Routes {
			mux.HandleFunc(rt.Pattern, pt.handler(rt))
		}
	}
	return mux
}

var paramName = regexp.MustCompile(`\{([a-z_]+)\}`)

func (pt *portal) handler(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := newView(r, pt, rt)
		for _, m := range paramName.FindAllStringSubmatch(rt.Pattern, -1) {
			v.Params = append(v.Params, field{m[1], r.PathValue(m[1])})
		}
		if rt.post() {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
				return
			}
			v.Fields = fields(legacy.Posted(r))
			v.Done = rt.Page + "." + rt.Action
			v.DoneLabel = rt.Label
		}
		if rt.Build != nil {
			rt.Build(r, v)
		}
		render(w, v)
	}
}

// view is what the page template gets.
type view struct {
	Portal *portal
	Title  string // the <h1>: the page title, or the portal's name on its home
	Sub    string // the <h2>
	Text   string
	Params []field // the path parameters of the request
	Info   []field
	Tools  []control // the page's controls
	Table  *table
	Links  []control // further pages
	Back   *control
	Nav    []control

	Done, DoneLabel string  // a POST's page.action and label
	Fields          []field // what a POST sent

	User, Roles string
	Allowed     []string     // the page's actions the gateway says the user may use
	Marks       template.CSS // greys out the page's other controls
	Method      string
	Path        string
	Received    []field
}

type field struct{ Name, Value string }

// fields converts the shared helpers' fields.
func fields(in []legacy.Field) []field {
	out := make([]field, len(in))
	for i, f := range in {
		out[i] = field(f)
	}
	return out
}

// control is a link (GET) or a form (POST) marked data-action="page.action".
type control struct {
	Label, Href, Action, ID string
	Post                    bool
	Inputs                  []input
}

// input is one form field: a text input, a hidden field or (with Options)
// a select.
type input struct {
	Name, Value string
	Hidden      bool
	Options     []string
}

type table struct {
	Head []string
	Rows []row
}

// row is one table row: a link to the item, more cells, and the row's
// controls.
type row struct {
	Link  control
	Cells []string
	Tools []control
}

func link(label, href, action string) control {
	return control{Label: label, Href: href, Action: action}
}

func form(label, href, action string, inputs ...input) control {
	return control{Label: label, Href: href, Action: action, Post: true, Inputs: inputs}
}

func text(name string) input { return input{Name: name} }

func hidden(name, value string) input { return input{Name: name, Value: value, Hidden: true} }

func newView(r *http.Request, pt *portal, rt route) *view {
	v := &view{Portal: pt, Title: pt.Name, Method: r.Method, Path: r.URL.Path,
		User: r.Header.Get(userHeader), Roles: strings.Join(r.Header.Values(rolesHeader), ", "),
		Received: fields(legacy.Received(r)), Nav: pt.Nav(r)}
	if rt.Page != "" {
		v.Title = pt.Titles[rt.Page]
		if actions, ok := r.Header[actionsHeader]; ok {
			v.Allowed, v.Marks = legacy.Marks(rt.Page, strings.Join(actions, ","))
		}
	}
	return v
}

func render(w http.ResponseWriter, v *view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := tmpl.ExecuteTemplate(w, "page", v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// done sets the confirmation's back link.
func (v *view) back(label, href, action string) {
	c := link(label, href, action)
	v.Back = &c
}
