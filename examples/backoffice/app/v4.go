package app

import (
	"net/http"
	"strings"

	"github.com/rolegate/rolegate/examples/internal/legacy"
)

// v4Handler serves the V4 back-office under /v4.
func v4Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v4/{$}", func(w http.ResponseWriter, r *http.Request) { renderV4(w, r, nil, "") })
	for i := range v4Pages {
		pg := &v4Pages[i]
		for _, a := range pg.Actions {
			done := ""
			if a.Method == http.MethodPost {
				done = a.Label + ": done"
			}
			mux.HandleFunc(a.Method+" "+a.Path, func(w http.ResponseWriter, r *http.Request) { renderV4(w, r, pg, done) })
		}
	}
	return mux
}

// v4View is what the V4 screens show: the page, its controls with example
// parameters filled in, and the common frame.
type v4View struct {
	Frame    *view
	V4       *v4Page
	V4Pages  []v4Page
	Controls []v4Control
	Done     string
}

type v4Control struct {
	DataAction, Label, Method, URL string
}

func renderV4(w http.ResponseWriter, r *http.Request, pg *v4Page, done string) {
	v := &v4View{Frame: newView(r, nil), V4: pg, V4Pages: v4Pages, Done: done}
	if pg != nil {
		if actions, ok := r.Header[actionsHeader]; ok {
			v.Frame.Allowed, v.Frame.Marks = legacy.Marks(pg.ID, strings.Join(actions, ","))
		}
		for _, a := range pg.Actions {
			v.Controls = append(v.Controls, v4Control{DataAction: pg.ID + "." + a.Name, Label: a.Label, Method: a.Method, URL: example(a.Path)})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := tmpl.ExecuteTemplate(w, "v4", v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// example fills a route's parameters with example values.
func example(path string) string {
	return strings.NewReplacer("{id}", "42", "{type}", "activation").Replace(path)
}
