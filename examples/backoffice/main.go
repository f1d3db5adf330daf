// Command backoffice serves the example legacy back-office on its own:
//
//	go run ./examples/backoffice -listen 127.0.0.1:9001
//
// It has no authentication code: put rolegate in front of it.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/rolegate/rolegate/examples/backoffice/app"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9001", "address to listen on")
	flag.Parse()
	h := app.New()
	logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s user=%q", r.Method, r.URL.Path, r.Header.Get("X-Rolegate-User"))
		h.ServeHTTP(w, r)
	})
	log.Printf("example back-office on http://%s (no authentication: put rolegate in front)", *listen)
	srv := &http.Server{Addr: *listen, Handler: logged, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
