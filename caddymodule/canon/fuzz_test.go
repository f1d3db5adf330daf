package canon

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPath checks the canonicalizer's invariants on arbitrary input: a
// refusal is always an *Error; an accepted path is absolute, has no empty,
// dot-only or otherwise ambiguous segment, and is a fixed point: escaping it
// for the upstream and canonicalizing again gives it back unchanged.
func FuzzPath(f *testing.F) {
	for _, s := range []string{"/", "/a/b", "//a//b/", "/a%2Fb", "/%2e%2e/", "/a;b", "/a%252e", "/caf%C3%A9", "/a\\b", "/a%00", "/a/../b", "/.well-known/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Path(in)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.Reason == "" {
				t.Fatalf("Path(%q): error %v is not a *canon.Error", in, err)
			}
			return
		}
		if !strings.HasPrefix(out, "/") || strings.Contains(out, "//") || strings.ContainsAny(out, "\\;%\x00\x7f") || !utf8.ValidString(out) {
			t.Fatalf("Path(%q) = %q: ambiguous result", in, out)
		}
		for _, c := range out {
			if c < 0x20 {
				t.Fatalf("Path(%q) = %q: control character", in, out)
			}
		}
		for _, seg := range strings.Split(out[1:], "/") {
			if seg != "" && strings.Trim(seg, ".") == "" {
				t.Fatalf("Path(%q) = %q: dot segment", in, out)
			}
		}
		again, err := Path((&url.URL{Path: out}).EscapedPath())
		if err != nil || again != out {
			t.Fatalf("Path(%q) = %q, but its escaped form gives %q, %v", in, out, again, err)
		}
	})
}
