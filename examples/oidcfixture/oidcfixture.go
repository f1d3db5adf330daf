// Package oidcfixture runs a real, certified OpenID provider for tests: the
// oidc-provider library (Node.js), through examples/oidc-provider/server.mjs,
// on http://127.0.0.1 with the development personas (alice, sam, bob, mona,
// tess; see examples/oidc-provider/personas.json).
//
// It needs node and the provider's dependencies:
//
//	npm ci --prefix examples/oidc-provider
//
// Without them the tests that use it are skipped, or fail when the
// environment variable CI is set.
//
// Behaviour of the provider, for the tests that drive it:
//   - Sign-in is the library's development login form: a login id, which must
//     be a persona's id, and any non-empty password. Other ids are refused
//     with 403 and the form again; no authorization code is issued.
//   - No consent screen: the client is first-party, every scope it asks for is
//     granted. Scopes: openid, profile (name), email (email), roles (roles),
//     offline_access. The scope claims are in the ID token too.
//   - PKCE with S256 is required. The client authenticates with
//     client_secret_basic. Refresh tokens are always issued.
//   - RP-initiated logout shows the library's confirmation page; submit its
//     form (Logout does) to end the session. Back-channel logout is sent to
//     Options.BackchannelLogoutURI, if set, with a sid.
//   - The provider's cookies are named devop_*; cookies are per host, not per
//     port, so the application under test on 127.0.0.1 receives them too.
package oidcfixture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// InstallCommand installs the provider's dependencies, from the repository root.
const InstallCommand = "npm ci --prefix examples/oidc-provider"

// Defaults for the Options left empty.
const (
	DefaultClientID     = "rolegate"
	DefaultClientSecret = "rolegate-development-client-secret"
)

// readyTimeout bounds the wait for the provider's READY line.
const readyTimeout = 20 * time.Second

// Options configure the provider's only client.
type Options struct {
	ClientID               string   // DefaultClientID if empty
	ClientSecret           string   // DefaultClientSecret if empty
	RedirectURIs           []string // at least one
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string // optional; logout tokens are POSTed there
}

// Provider is a running OpenID provider.
type Provider struct {
	Issuer       string // http://127.0.0.1:<port>, also the discovery base
	ClientID     string
	ClientSecret string

	issuerURL *url.URL
	stderr    *lockedBuffer
}

// Start runs the provider and stops it when the test ends. It fails the test
// (with the provider's stderr) if the provider is not ready in time.
func Start(t testing.TB, opts Options) *Provider {
	t.Helper()
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if len(opts.RedirectURIs) == 0 {
		t.Fatal("oidcfixture: Options.RedirectURIs is empty")
	}

	node, script := prerequisites(t)

	args := []string{script, "--port", "0", "--host", "127.0.0.1", "--exit-with-stdin",
		"--client-id", opts.ClientID, "--client-secret", opts.ClientSecret}
	for _, u := range opts.RedirectURIs {
		args = append(args, "--redirect-uri", u)
	}
	for _, u := range opts.PostLogoutRedirectURIs {
		args = append(args, "--post-logout-redirect-uri", u)
	}
	if opts.BackchannelLogoutURI != "" {
		args = append(args, "--backchannel-logout-uri", opts.BackchannelLogoutURI)
	}

	cmd := exec.Command(node, args...)
	cmd.Dir = filepath.Dir(script)
	stderr := &lockedBuffer{}
	stdout := &readyWriter{ready: make(chan string, 1), log: stderr}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.WaitDelay = 2 * time.Second
	// The provider exits when this pipe closes: when the cleanup closes it, or
	// when the test binary dies without running its cleanups.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("oidcfixture: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("oidcfixture: start %s: %v", node, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()

	stop := func() {
		_ = stdin.Close()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			_ = cmd.Process.Kill()
		}
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	var issuer string
	select {
	case issuer = <-stdout.ready:
	case <-exited:
		t.Fatalf("oidcfixture: the provider exited before it was ready (%v); its stderr:\n%s", waitErr, stderr.String())
	case <-time.After(readyTimeout):
		stop()
		t.Fatalf("oidcfixture: the provider was not ready after %s; its stderr:\n%s", readyTimeout, stderr.String())
	}

	p := &Provider{Issuer: issuer, ClientID: opts.ClientID, ClientSecret: opts.ClientSecret, stderr: stderr}
	p.issuerURL, err = url.Parse(issuer)
	if err != nil || p.issuerURL.Host == "" {
		stop()
		t.Fatalf("oidcfixture: bad issuer %q in the READY line", issuer)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("oidcfixture: the provider's stderr:\n%s", stderr.String())
		}
	})
	return p
}

// Stderr returns what the provider logged so far.
func (p *Provider) Stderr() string { return p.stderr.String() }

// prerequisites finds node and server.mjs, or skips (fails, under CI) the test.
func prerequisites(t testing.TB) (node, script string) {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("oidcfixture: %v", err)
	}
	dir := filepath.Join(root, "examples", "oidc-provider")
	script = filepath.Join(dir, "server.mjs")
	missing := func(what string) {
		t.Helper()
		msg := fmt.Sprintf("oidcfixture: %s; install with: %s (Node.js 20 or later)", what, InstallCommand)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		missing("examples/oidc-provider/node_modules is missing")
	}
	return node, script
}

// repoRoot walks up from the working directory to the directory with go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Login signs persona in, without a browser. It GETs authURL (an
// authorization request for this provider) and follows the provider's own
// redirects, fills in and submits the login form, and returns the first
// response that leaves the provider: the redirect to the client's
// redirect_uri, with code and state (or error) in its Location, not followed.
// If the sign-in does not get that far, it returns the response where it
// stopped; a refused (unknown) persona gets the login page again, status 403.
//
// The client's cookie jar keeps the provider's session. A client without a
// jar is given a fresh one for this call only. If the jar already holds a
// session, the provider shows no form and the signed-in persona is reused
// (add prompt=login to the authorization request to force a new sign-in).
// The returned body must be closed by the caller.
func (p *Provider) Login(t testing.TB, client *http.Client, authURL, persona string) *http.Response {
	t.Helper()
	c := p.noRedirects(t, client)
	req, err := http.NewRequest(http.MethodGet, authURL, nil)
	if err != nil {
		t.Fatalf("oidcfixture: Login: %v", err)
	}
	submitted := false
	for range 20 {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("oidcfixture: Login: %s %s: %v", req.Method, req.URL, err)
		}
		if next, leaves := p.redirect(t, resp); next != nil {
			if leaves {
				return resp
			}
			drain(resp)
			req, _ = http.NewRequest(http.MethodGet, next.String(), nil)
			continue
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || submitted {
			return resp
		}
		f := findForm(body, func(f *form) bool { return f.has("login") })
		if f == nil {
			return resp // neither a redirect nor a login form: the caller looks
		}
		f.values.Set("login", persona)
		f.values.Set("password", "any-password")
		req = f.request(t, resp.Request.URL)
		submitted = true
	}
	t.Fatalf("oidcfixture: Login: too many redirects from %s", authURL)
	return nil
}

// Logout ends the provider session of the client's cookie jar: it GETs
// endSessionURL (the end_session_endpoint with id_token_hint and
// post_logout_redirect_uri, or client_id), confirms on the confirmation page
// ("Yes, sign me out"), and returns the first response that leaves the
// provider, the redirect to the post_logout_redirect_uri, not followed; or,
// without a post_logout_redirect_uri, the provider's success page. Back-channel
// logout requests are sent before the confirmation's response. The returned
// body must be closed by the caller.
func (p *Provider) Logout(t testing.TB, client *http.Client, endSessionURL string) *http.Response {
	t.Helper()
	c := p.noRedirects(t, client)
	req, err := http.NewRequest(http.MethodGet, endSessionURL, nil)
	if err != nil {
		t.Fatalf("oidcfixture: Logout: %v", err)
	}
	submitted := false
	for range 20 {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("oidcfixture: Logout: %s %s: %v", req.Method, req.URL, err)
		}
		if next, leaves := p.redirect(t, resp); next != nil {
			if leaves {
				return resp
			}
			drain(resp)
			req, _ = http.NewRequest(http.MethodGet, next.String(), nil)
			continue
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || submitted {
			return resp
		}
		f := findForm(body, func(f *form) bool { return f.id == "op.logoutForm" })
		if f == nil {
			return resp
		}
		f.values.Set("logout", "yes")
		req = f.request(t, resp.Request.URL)
		submitted = true
	}
	t.Fatalf("oidcfixture: Logout: too many redirects from %s", endSessionURL)
	return nil
}

// noRedirects copies client so that it does not follow redirects, and gives
// it a cookie jar if it has none.
func (p *Provider) noRedirects(t testing.TB, client *http.Client) *http.Client {
	t.Helper()
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.Jar == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatalf("oidcfixture: %v", err)
		}
		c.Jar = jar
	}
	return &c
}

// redirect reports where a redirect response goes (nil if resp is not a
// redirect) and whether that is outside the provider.
func (p *Provider) redirect(t testing.TB, resp *http.Response) (*url.URL, bool) {
	t.Helper()
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, false
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("oidcfixture: %d from %s without a usable Location: %v", resp.StatusCode, resp.Request.URL, err)
	}
	leaves := loc.Scheme != p.issuerURL.Scheme || loc.Host != p.issuerURL.Host
	return loc, leaves
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}

// readBody reads resp's body and puts it back, for the caller to read again.
func readBody(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	_ = resp.Body.Close()
	if err != nil {
		t.Fatalf("oidcfixture: read %s: %v", resp.Request.URL, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// form is an HTML form: its action, method and the values it would submit
// (hidden and text inputs with their values; buttons are left out).
type form struct {
	id, action, method string
	names              map[string]bool
	values             url.Values
}

func (f *form) has(name string) bool { return f.names[name] }

// request builds the form's submission, relative to the page at base.
func (f *form) request(t testing.TB, base *url.URL) *http.Request {
	t.Helper()
	action, err := base.Parse(f.action)
	if err != nil {
		t.Fatalf("oidcfixture: form action %q: %v", f.action, err)
	}
	if strings.EqualFold(f.method, http.MethodPost) {
		req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(f.values.Encode()))
		if err != nil {
			t.Fatalf("oidcfixture: %v", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	action.RawQuery = f.values.Encode()
	req, err := http.NewRequest(http.MethodGet, action.String(), nil)
	if err != nil {
		t.Fatalf("oidcfixture: %v", err)
	}
	return req
}

// findForm returns the first form of page that match accepts.
func findForm(page []byte, match func(*form) bool) *form {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil
	}
	var found *form
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			f := &form{id: attr(n, "id"), action: attr(n, "action"), method: attr(n, "method"),
				names: map[string]bool{}, values: url.Values{}}
			collectInputs(n, f)
			if match(f) {
				found = f
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

func collectInputs(n *html.Node, f *form) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "input" {
			if name := attr(c, "name"); name != "" {
				f.names[name] = true
				switch strings.ToLower(attr(c, "type")) {
				case "submit", "button", "image", "reset", "checkbox", "radio", "file":
				default:
					f.values.Set(name, attr(c, "value"))
				}
			}
		}
		collectInputs(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// lockedBuffer is a bytes.Buffer safe for the process's writes and our reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// readyWriter takes the provider's stdout: it reports the issuer of the
// first "READY <issuer>" line and copies everything to log.
type readyWriter struct {
	ready chan string
	log   io.Writer

	mu      sync.Mutex
	partial []byte
	done    bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	_, _ = w.log.Write(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return len(p), nil
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimSpace(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
		if issuer, ok := strings.CutPrefix(line, "READY "); ok {
			w.done = true
			w.partial = nil
			w.ready <- strings.TrimSpace(issuer)
			return len(p), nil
		}
	}
}
