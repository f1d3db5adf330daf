// Package app is the example legacy back-office: a stand-in for the TIXNGO
// ticketing back-office with a page for every screen of its documentation
// and a button for every action. It has no authentication or authorization
// code at all and trusts whatever reaches it, like the applications rolegate
// is put in front of. Each page shows who the gateway says is signed in.
package app

import (
	"embed"
	"html/template"
	"net/http"
	"strings"
)

//go:embed templates/*.html static
var files embed.FS

var tmpl = template.Must(template.ParseFS(files, "templates/*.html"))

// Identity headers set by the gateway. The application only displays them.
const (
	userHeader  = "X-Rolegate-User"
	rolesHeader = "X-Rolegate-Roles"
)

// New returns the back-office.
func New() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { render(w, r, "home", nil, "") })
	mux.Handle("GET /static/", http.FileServerFS(files))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/x-icon")
	})
	for i := range pages {
		register(mux, &pages[i])
	}
	return mux
}

// register adds the routes of one page.
func register(mux *http.ServeMux, p *page) {
	mux.HandleFunc("GET "+p.Base, func(w http.ResponseWriter, r *http.Request) { render(w, r, "page", p, "") })
	if p.ID == "documentation" {
		mux.HandleFunc("GET "+p.Base+"/", func(w http.ResponseWriter, r *http.Request) { render(w, r, "page", p, "") })
	}
	if p.Detail {
		mux.HandleFunc("GET "+p.Base+"/{id}", func(w http.ResponseWriter, r *http.Request) { render(w, r, "item", p, r.PathValue("id")) })
	}
	if p.Search {
		mux.HandleFunc("GET "+p.Base+"/search", func(w http.ResponseWriter, r *http.Request) {
			render(w, r, "done", p, "Search results for "+quote(r.URL.Query().Get("q")))
		})
	}
	if p.Export {
		mux.HandleFunc("GET "+p.Base+"/export", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", "attachment; filename="+p.ID+".csv")
			_, _ = w.Write([]byte("id,title\n42,example\n7,example\n1001,example\n"))
		})
	}
	if p.Create != "" {
		mux.HandleFunc("GET "+p.Base+"/new", func(w http.ResponseWriter, r *http.Request) { render(w, r, "new", p, "") })
		mux.HandleFunc("POST "+p.Base, func(w http.ResponseWriter, r *http.Request) { render(w, r, "done", p, p.Create+": done") })
	}
	for _, b := range p.Buttons {
		path := p.Base + "/{id}" + b.Path
		if b.OnPage {
			path = p.Base + b.Path
		}
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			render(w, r, "done", p, b.Label+": done"+itemSuffix(r))
		})
	}
	for _, l := range p.Links {
		mux.HandleFunc("GET "+p.Base+"/{id}"+l.Path, func(w http.ResponseWriter, r *http.Request) {
			render(w, r, "done", p, l.Label+itemSuffix(r))
		})
	}
}

func itemSuffix(r *http.Request) string {
	if id := r.PathValue("id"); id != "" {
		return " (item " + id + ")"
	}
	return ""
}

func quote(s string) string { return "\u201c" + s + "\u201d" }

// view is what every template gets.
type view struct {
	Page     *page
	Pages    []page
	Items    []string
	Item     string
	Message  string
	User     string
	Roles    string
	Method   string
	Path     string
	Received []header
}

type header struct{ Name, Value string }

func render(w http.ResponseWriter, r *http.Request, name string, p *page, arg string) {
	v := view{Page: p, Pages: pages, Items: items, Method: r.Method, Path: r.URL.Path,
		User: r.Header.Get(userHeader), Roles: r.Header.Get(rolesHeader), Received: received(r)}
	if name == "item" {
		v.Item = arg
	} else {
		v.Message = arg
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := tmpl.ExecuteTemplate(w, name, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// received lists the identity-related headers the request carried. The
// Authorization header's value is never shown, only whether it was there.
func received(r *http.Request) []header {
	var out []header
	for name, values := range r.Header {
		if strings.HasPrefix(name, "X-Rolegate-") {
			out = append(out, header{name, strings.Join(values, ", ")})
		}
	}
	auth := "absent"
	if r.Header.Get("Authorization") != "" {
		auth = "present"
	}
	return append(out, header{"Authorization", auth})
}
