// Command portal serves the example customer portals on their own:
//
//	go run ./examples/portal -listen 127.0.0.1:9002
//
// It serves three legacy customer portals side by side: the iXpole VIP
// portal under /vip/, a hosting provider's account portal under /hosting/
// and a vTiger CRM customer portal under /crm/. It has no authentication
// code: put rolegate in front of it.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/rolegate/rolegate/examples/portal/app"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9002", "address to listen on")
	flag.Parse()
	h := app.New()
	logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s user=%q", r.Method, r.URL.Path, r.Header.Get("X-Rolegate-User"))
		h.ServeHTTP(w, r)
	})
	log.Printf("example customer portals on http://%s/vip/, /hosting/ and /crm/ (no authentication: put rolegate in front)", *listen)
	srv := &http.Server{Addr: *listen, Handler: logged, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
