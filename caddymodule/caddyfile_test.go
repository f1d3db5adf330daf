package caddymodule

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddytest"
)

// TestCaddyfileAdapt runs the golden files in testdata/caddyfile_adapt, as
// Caddy's own caddyfile_adapt tests do: a Caddyfile, a line of dashes, and
// the JSON it must adapt to.
func TestCaddyfileAdapt(t *testing.T) {
	files, err := filepath.Glob("testdata/caddyfile_adapt/*.caddyfiletest")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			input, want, ok := strings.Cut(string(data), "----------")
			if !ok {
				t.Fatalf("%s: no ---------- separator", file)
			}
			if !caddytest.CompareAdapt(t, file, strings.TrimSpace(input)+"\n", "caddyfile", strings.TrimSpace(want)) {
				t.Errorf("%s does not adapt to its golden JSON", file)
			}
		})
	}
}

// TestRootCaddyfileAdapts keeps the reference Caddyfile and its golden JSON
// in step, so the README's configuration cannot drift.
func TestRootCaddyfileAdapts(t *testing.T) {
	for _, name := range []string{"ROLEGATE_ISSUER", "ROLEGATE_UPSTREAM", "ROLEGATE_PORTAL", "ROLEGATE_CLIENT_SECRET", "ROLEGATE_SESSION_KEY"} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)  // so the Caddyfile's defaults apply
	}
	for file, golden := range map[string]string{"../Caddyfile": "testdata/Caddyfile.golden.json", "../examples/portal/Caddyfile": "testdata/portal.golden.json"} {
		input, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !caddytest.CompareAdapt(t, file, string(input), "caddyfile", strings.TrimSpace(string(want))) {
			t.Errorf("%s does not adapt to %s", file, golden)
		}
	}
}

func TestCaddyfileErrors(t *testing.T) {
	cases := map[string]string{
		"rolegate":                          "a policy file is required",
		"rolegate p.yaml extra":             "wrong argument count",
		"rolegate p.yaml {\n nonsense 1\n}": `unknown option "nonsense"`,
		"rolegate p.yaml {\n user_header A\n user_header B\n}":                                                                 `option "user_header" given twice`,
		"rolegate p.yaml {\n policy q.yaml\n}":                                                                                 "policy given twice",
		"rolegate {\n policy\n}":                                                                                               "policy needs a value",
		"rolegate {\n policy p.yaml\n bearer {\n audiences a\n }\n}":                                                           "bearer: issuer is required",
		"rolegate {\n policy p.yaml\n bearer {\n issuer https://i\n }\n}":                                                      "bearer: audiences is required",
		"rolegate p.yaml {\n bearer {\n issuer https://i\n audiences a\n color red\n }\n}":                                     `bearer: unknown option "color"`,
		"rolegate p.yaml {\n strip_headers\n}":                                                                                 "strip_headers needs at least one value",
		"rolegate p.yaml {\n deny_mode respond error\n}":                                                                       "deny_mode takes one value",
		"rolegate p.yaml {\n bearer {\n issuer https://i\n issuer https://j\n }\n}":                                            `bearer: option "issuer" given twice`,
		"rolegate p.yaml {\n bearer {\n issuer https://i\n audiences a\n clock_skew soon\n }\n}":                               "clock_skew",
		"rolegate p.yaml {\n bearer {\n issuer https://i\n audiences a\n }\n bearer {\n issuer https://i\n audiences a\n }\n}": `option "bearer" given twice`,
		"rolegate p.yaml {\n bearer extra {\n issuer https://i\n audiences a\n }\n}":                                           "wrong argument count",
	}
	for input, want := range cases {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(input))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", input, err, want)
		}
	}
}

func TestCaddyfileOneLiner(t *testing.T) {
	var h Handler
	if err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser("rolegate policies/app.yaml")); err != nil {
		t.Fatal(err)
	}
	if h.Policy != "policies/app.yaml" || h.Bearer != nil {
		t.Fatalf("%+v", h)
	}
}
