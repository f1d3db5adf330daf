package canon

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestPathAccepts(t *testing.T) {
	cases := map[string]string{
		"/":                 "/",
		"/tickets/42":       "/tickets/42",
		"/tickets/42/":      "/tickets/42/",
		"//tickets///42":    "/tickets/42",
		"/a%20b":            "/a b",
		"/caf%C3%A9":        "/café",
		"/a+b":              "/a+b",
		"/file.txt":         "/file.txt",
		"/.well-known/x":    "/.well-known/x",
		"/a..b/c.":          "/a..b/c.",
		"/%41%42":           "/AB",
		"/tickets/%7Bid%7D": "/tickets/{id}",
		"/a/b:c@d!$&'()*,=": "/a/b:c@d!$&'()*,=",
	}
	for in, want := range cases {
		got, err := Path(in)
		if err != nil || got != want {
			t.Errorf("Path(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestPathRefuses(t *testing.T) {
	cases := map[string]string{
		"":                                "not absolute",
		"tickets":                         "not absolute",
		"*":                               "not absolute",
		"/" + strings.Repeat("a", MaxLen): "too long",
		"/a%2Fb":                          "encoded slash",
		"/a%2fb":                          "encoded slash",
		"/a%5Cb":                          "encoded backslash",
		"/a%5cb":                          "encoded backslash",
		"/a%zz":                           "malformed escape",
		"/a%4":                            "malformed escape",
		"/a%":                             "malformed escape",
		"/a\\b":                           "backslash",
		"/a%00":                           "control character",
		"/a%0d%0aX-Injected:1":            "control character",
		"/a\x7f":                          "control character",
		"/a;jsessionid=1":                 "path parameter",
		"/public;/../admin":               "path parameter",
		"/a%3bb":                          "path parameter",
		"/a%252e%252e/admin":              "double encoding",
		"/a%25":                           "double encoding",
		"/a%ff":                           "invalid utf-8",
		"/a/../admin":                     "dot segment",
		"/a/./b":                          "dot segment",
		"/..":                             "dot segment",
		"/a/%2e%2e/admin":                 "dot segment",
		"/a/%2E./admin":                   "dot segment",
		"/a/.../b":                        "dot segment",
		"/tickets/42/..":                  "dot segment",
	}
	for in, reason := range cases {
		got, err := Path(in)
		var ce *Error
		if !errors.As(err, &ce) || ce.Reason != reason {
			t.Errorf("Path(%q) = %q, %v; want refusal %q", in, got, err, reason)
		}
	}
}

func TestPathDoesNotAllocateWhenClean(t *testing.T) {
	in := "/support/spectator/7/resend"
	allocs := testing.AllocsPerRun(100, func() {
		if out, err := Path(in); err != nil || out != in {
			t.Fatal(out, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations for a clean path", allocs)
	}
}

func TestMethodOverride(t *testing.T) {
	for _, name := range []string{"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override", "x-http-method-override"} {
		h := http.Header{}
		h.Set(name, "DELETE")
		if _, ok := MethodOverride(h); !ok {
			t.Errorf("%s not detected", name)
		}
	}
	if name, ok := MethodOverride(http.Header{"Accept": {"*/*"}}); ok {
		t.Errorf("false positive %s", name)
	}
}

func TestMethodOverrideParam(t *testing.T) {
	yes := []string{"_method=DELETE", "a=1&_method=PUT", "_METHOD=put", "%5Fmethod=DELETE", "%5fMethod=x", "a=1;_method=x", "_method", "%zz=1"}
	no := []string{"", "a=1", "method=DELETE", "x_method=1", "q=_method", "a=%zz"}
	for _, q := range yes {
		if !MethodOverrideParam(q) {
			t.Errorf("%q: not detected", q)
		}
	}
	for _, q := range no {
		if MethodOverrideParam(q) {
			t.Errorf("%q: false positive", q)
		}
	}
	if a := testing.AllocsPerRun(100, func() { MethodOverrideParam("page=2&sort=date") }); a != 0 {
		t.Errorf("%v allocations for an ordinary query", a)
	}
}

func BenchmarkPath(b *testing.B) {
	for _, in := range []string{"/support/spectator/7/resend", "/caf%C3%A9/tickets//42"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Path(in)
			}
		})
	}
}
