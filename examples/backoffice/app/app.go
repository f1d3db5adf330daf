// Package app is the example legacy back-office: a stand-in for the TIXNGO
// ticketing back-office with a page for every screen of its documentation
// and a button for every action. It has no authentication or authorization
// code at all and trusts whatever reaches it, like the applications rolegate
// is put in front of. Each page shows who the gateway says is signed in and
// what identity headers the request carried.
package app

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/rolegate/rolegate/examples/internal/legacy"
)

//go:embed templates/*.html static
var files embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{
	// pair and rowOf bundle arguments for the "button" and "row-buttons"
	// templates.
	"pair":  func(b *button, id string) buttonAt { return buttonAt{b, id} },
	"rowOf": func(p *page, id string) pageRow { return pageRow{p, id} },
}).ParseFS(files, "templates/*.html"))

type buttonAt struct {
	B  *button
	ID string
}

type pageRow struct {
	P  *page
	ID string
}

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

// New returns the back-office.
func New() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes() {
		mux.HandleFunc(rt.pattern, rt.handler)
	}
	// The V4 back-office lives beside V3, under /v4.
	mux.Handle("/v4/", v4Handler())
	return mux
}

// route is one ServeMux pattern and the policy route it serves ("" when a
// policy route of another entry already covers it).
type route struct {
	pattern, policy string
	handler         http.HandlerFunc
}

// routes lists everything the application serves, built from the page
// catalogue. (Tests compare it with the policy's routes.)
func routes() []route {
	static, _ := fs.Sub(files, "static")
	fileServer := http.FileServerFS(static)
	rs := []route{
		{"GET /{$}", "GET /", func(w http.ResponseWriter, r *http.Request) { render(w, r, "home", newView(r, nil)) }},
		{"GET /static/{file...}", "GET /static/**", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
				http.NotFound(w, r)
				return
			}
			http.StripPrefix("/static", fileServer).ServeHTTP(w, r)
		}},
		{"GET /favicon.ico", "GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/favicon.ico"
			fileServer.ServeHTTP(w, r2)
		}},
	}
	for _, p := range pages {
		rs = append(rs, pageRoutes(p)...)
	}
	return rs
}

// pageRoutes are the routes of one page: its list, detail, search and
// export screens and its buttons.
func pageRoutes(p *page) []route {
	list := func(w http.ResponseWriter, r *http.Request) { render(w, r, "list", newView(r, p)) }
	rs := []route{{"GET " + p.Base, "GET " + p.Base, list}}
	if p.Tree {
		rs[0].policy = "" // the tree's ** also matches its root
		rs = append(rs, route{"GET " + p.Base + "/{doc...}", "GET " + p.Base + "/**", func(w http.ResponseWriter, r *http.Request) {
			v := newView(r, p)
			v.ID = r.PathValue("doc")
			render(w, r, "doc", v)
		}})
	}
	if p.Detail {
		rs = append(rs, route{"GET " + p.Base + "/{id}", "GET " + p.Base + "/{id}", func(w http.ResponseWriter, r *http.Request) {
			v := newView(r, p)
			v.ID = r.PathValue("id")
			render(w, r, "item", v)
		}})
	}
	if p.Search {
		rs = append(rs, route{"GET " + p.Base + "/search", "GET " + p.Base + "/search", func(w http.ResponseWriter, r *http.Request) {
			v := newView(r, p)
			v.Query = r.URL.Query().Get("q")
			render(w, r, "search", v)
		}})
	}
	if p.Export {
		rs = append(rs, route{"GET " + p.Base + "/export", "GET " + p.Base + "/export", func(w http.ResponseWriter, r *http.Request) {
			v := newView(r, p)
			v.CSV = exportCSV(p)
			if r.URL.Query().Get("download") == "csv" {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", `attachment; filename="`+p.ID+`.csv"`)
				_, _ = w.Write([]byte(v.CSV))
				return
			}
			render(w, r, "export", v)
		}})
	}
	for _, b := range p.Buttons {
		rs = append(rs, route{b.Pattern(), b.Pattern(), func(w http.ResponseWriter, r *http.Request) {
			v := newView(r, p)
			v.Button = b
			v.ID = r.PathValue("id") + r.PathValue("key")
			if b.Post() {
				r.Body = http.MaxBytesReader(w, r.Body, maxForm)
				if err := r.ParseForm(); err != nil {
					http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
					return
				}
				v.Fields = fields(legacy.Posted(r))
				render(w, r, "done", v)
				return
			}
			v.Forms = b.forms()
			v.Info = screenInfo[b.DataAction()]
			render(w, r, "screen", v)
		}})
	}
	return rs
}

// screenInfo is the fake content of GET screens that have no form.
var screenInfo = map[string][]field{
	"events.security": {{"Rotating barcode", "on, every 30 s"}, {"Screenshot protection", "on"}, {"Offline validation key", "example-only"}},
}

func exportCSV(p *page) string {
	var b strings.Builder
	b.WriteString("id,description\n")
	for _, id := range p.Rows() {
		b.WriteString(id + ",example " + p.Noun + " " + id + "\n")
	}
	return b.String()
}

// view is what every template gets.
type view struct {
	Page     *page
	Pages    []*page
	Button   *button   // the button a screen or confirmation is about
	Forms    []*button // forms a GET screen shows
	Info     []field   // fake details a GET screen shows
	ID       string    // the row (id or key) or document
	Query    string
	CSV      string
	Fields   []field // what a POST sent
	Docs     []string
	User     string
	Roles    string
	Allowed  []string     // the page's actions the gateway says the user may use
	Marks    template.CSS // greys out the page's other controls
	Method   string
	Path     string
	Received []field
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

func newView(r *http.Request, p *page) *view {
	v := &view{Page: p, Pages: pages, Docs: docs, Method: r.Method, Path: r.URL.Path,
		User: r.Header.Get(userHeader), Roles: strings.Join(r.Header.Values(rolesHeader), ", "),
		Received: fields(legacy.Received(r))}
	if p != nil {
		if actions, ok := r.Header[actionsHeader]; ok {
			v.Allowed, v.Marks = legacy.Marks(p.ID, strings.Join(actions, ","))
		}
	}
	return v
}

func render(w http.ResponseWriter, r *http.Request, name string, v *view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := tmpl.ExecuteTemplate(w, name, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
