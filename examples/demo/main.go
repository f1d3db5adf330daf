// Command demo runs rolegate in front of the example back-office, with the
// development identity provider, in one process:
//
//	go run ./examples/demo
//
// It starts the identity provider, the example back-office (an app with no
// authentication code at all), and Caddy with the root Caddyfile, then prints
// the URLs: open the gateway in a browser and sign in as any persona. For API
// clients it prints, for each persona, a command that calls the back-office
// with that persona's bearer token. Ctrl-C stops everything.
//
// DEVELOPMENT ONLY: the identity provider issues tokens to anyone who asks.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/rolegate/rolegate/caddymodule"
	"github.com/rolegate/rolegate/examples/backoffice/app"
	"github.com/rolegate/rolegate/examples/devidp"
	portal "github.com/rolegate/rolegate/examples/portal/app"
)

func main() {
	if err := run(); err != nil {
		log.Fatalf("demo: %v", err)
	}
}

func run() error {
	caddyfile := flag.String("caddyfile", "Caddyfile", "the Caddyfile to run (its site addresses must match the ports below)")
	idpAddr := flag.String("idp", "127.0.0.1:9000", "address of the development identity provider")
	appAddr := flag.String("app", "127.0.0.1:9001", "address of the example back-office")
	portalAddr := flag.String("portal", "127.0.0.1:9002", "address of the example customer portals")
	portalCaddyfile := flag.String("portal-caddyfile", "examples/portal/Caddyfile", "the customer portals' Caddyfile, run beside the first (\"\" for none)")
	gateway := flag.String("gateway", "http://127.0.0.1:8080", "the gateway's URL, as the Caddyfile serves it")
	nonLoopback := flag.Bool("allow-non-loopback", false, "let the development identity provider listen on a non-loopback address (never do this on a shared network)")
	external := flag.String("issuer", "", "use this OpenID provider instead of the built-in development one (its client tixngo-backoffice must accept the gateway's callback; the secret comes from ROLEGATE_CLIENT_SECRET)")
	flag.Parse()

	if *external != "" {
		return runExternal(*external, *appAddr, *caddyfile, *gateway)
	}

	if err := checkLoopback(*idpAddr, *nonLoopback); err != nil {
		return err
	}
	idp, err := devidp.New("http://"+*idpAddr, "tixngo-backoffice", "customer-portal")
	if err != nil {
		return err
	}
	stopIDP, err := serve(*idpAddr, idp.Handler())
	if err != nil {
		return fmt.Errorf("identity provider: %w", err)
	}
	defer stopIDP()
	stopApp, err := serve(*appAddr, app.New())
	if err != nil {
		return fmt.Errorf("example back-office: %w", err)
	}
	defer stopApp()
	stopPortal, err := serve(*portalAddr, portal.New())
	if err != nil {
		return fmt.Errorf("example customer portal: %w", err)
	}
	defer stopPortal()

	os.Setenv("ROLEGATE_ISSUER", "http://"+*idpAddr)
	os.Setenv("ROLEGATE_UPSTREAM", *appAddr)
	os.Setenv("ROLEGATE_PORTAL", *portalAddr)
	if err := startCaddy(*caddyfile, *portalCaddyfile); err != nil {
		return err
	}
	defer caddy.Stop()

	printWelcome(idp, *gateway, *idpAddr, *appAddr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	log.Print("demo: stopping")
	return nil
}

func checkLoopback(addr string, allowed bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" && !allowed {
		return fmt.Errorf("the development identity provider issues tokens to anyone: it listens on loopback only, not %q (see -allow-non-loopback)", addr)
	}
	return nil
}

// serve listens on addr and serves h until the returned stop is called.
func serve(addr string, h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("demo: %s: %v", addr, err)
		}
	}()
	return func() { _ = srv.Close() }, nil
}

// startCaddy adapts the Caddyfiles and runs them in this process, as the
// caddy binary of cmd/caddy would run each; the HTTP servers of the second
// join those of the first.
func startCaddy(path, more string) error {
	cfg, err := adapt(path)
	if err != nil {
		return err
	}
	if more != "" {
		extra, err := adapt(more)
		if err != nil {
			return err
		}
		servers := cfg["apps"].(map[string]any)["http"].(map[string]any)["servers"].(map[string]any)
		for name, srv := range extra["apps"].(map[string]any)["http"].(map[string]any)["servers"].(map[string]any) {
			servers["portal-"+name] = srv
		}
	}
	body, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return caddy.Load(body, true)
}

func adapt(path string) (map[string]any, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run the demo from the repository root)", err)
	}
	raw, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(body, map[string]any{"filename": path})
	if err != nil {
		return nil, fmt.Errorf("adapting %s: %w", path, err)
	}
	for _, w := range warnings {
		log.Printf("demo: %s:%d: %s", w.File, w.Line, w.Message)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

func printWelcome(idp *devidp.Provider, gateway, idpAddr, appAddr string) {
	fmt.Printf(`
rolegate demo (DEVELOPMENT ONLY)
  gateway:            %s  (rolegate + reverse_proxy, from ./Caddyfile)
  example back-office %s  (no authentication code; do not expose)
  identity provider:  http://%s  (development only: issues tokens to anyone)

The customer portals (iXpole VIP, hosting account, vTiger) are at
  http://vip.localhost:8081/vip/  http://hosting.localhost:8081/hosting/  http://crm.localhost:8081/crm/

Open %s/ in a browser: you are sent to the development sign-in page, where
you pick a persona (one per role), and come back signed in. The back-office
shows who the gateway says you are; a button your role may not use answers
with the gateway's 403 page. Sign out at %s/.rolegate/logout .

API clients send a bearer token instead; as each persona:
`, gateway, appAddr, idpAddr, gateway, gateway)
	personas, _ := devidp.Personas()
	for _, p := range personas {
		tok, err := idp.Token(p.ID, 12*time.Hour)
		if err != nil {
			continue
		}
		fmt.Printf("\n  # %s %v\n  curl -i -H 'Authorization: Bearer %s' %s/tickets/42\n", p.Name, p.Claims["roles"], tok, gateway)
	}
	fmt.Printf("\nA token is also at http://%s/dev/token?persona=bob . Stop with Ctrl-C.\n", idpAddr)
}

// runExternal runs the gateway and the back-office against another OpenID
// provider, such as the certified one the integration tests start.
func runExternal(issuer, appAddr, caddyfile, gateway string) error {
	stopApp, err := serve(appAddr, app.New())
	if err != nil {
		return fmt.Errorf("example back-office: %w", err)
	}
	defer stopApp()
	os.Setenv("ROLEGATE_ISSUER", issuer)
	os.Setenv("ROLEGATE_UPSTREAM", appAddr)
	if err := startCaddy(caddyfile, ""); err != nil {
		return err
	}
	defer caddy.Stop()
	fmt.Printf("\nrolegate demo (DEVELOPMENT ONLY) with the OpenID provider %s\n  gateway: %s\n", issuer, gateway)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
