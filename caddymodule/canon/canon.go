// Package canon turns a request path into the one form rolegate matches and
// forwards, and refuses the paths that different HTTP stacks would read
// differently.
//
// The gateway authorizes a path and the legacy application then serves a
// path; if the two can differ, an attacker asks for a page they may see and
// gets one they may not. So the gateway decodes once, and refuses rather than
// repairs anything ambiguous, and the upstream receives exactly the canonical
// path that was decided:
//
//   - an encoded slash or backslash (%2F, %5C): one stack splits on it, the
//     other does not;
//   - a backslash: IIS and other Windows servers treat it as a separator;
//   - ';': Tomcat and Jetty strip ";params" from segments, so
//     /public;/../admin reaches /admin;
//   - a '%' left after decoding: the application may decode a second time
//     (%252e%252e becomes ".." there);
//   - "." and ".." segments, also when they only appear after decoding
//     (%2e%2e): the upstream would resolve them to another page;
//   - NUL and other control characters, and invalid UTF-8, which stacks
//     truncate or replace in different ways.
//
// The one repair made is collapsing repeated slashes ("//a///b" is "/a/b"),
// which every stack agrees on. A trailing slash is kept: "/a/" and "/a" are
// different routes. Segments ending in '.' or ' ', which Windows strips, are
// not refused by this first version.
package canon

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// MaxLen is the longest escaped path accepted, in bytes.
const MaxLen = 8 << 10

// Error is a refused path; the gateway answers it with 400.
type Error struct {
	// Reason is a short phrase such as "encoded slash".
	Reason string
}

func (e *Error) Error() string { return "ambiguous request path: " + e.Reason }

// Refusal reasons, one per rule.
var (
	errNotAbsolute    = &Error{"not absolute"}
	errTooLong        = &Error{"too long"}
	errEncodedSlash   = &Error{"encoded slash"}
	errEncodedBslash  = &Error{"encoded backslash"}
	errMalformed      = &Error{"malformed escape"}
	errBackslash      = &Error{"backslash"}
	errControl        = &Error{"control character"}
	errPathParam      = &Error{"path parameter"}
	errDoubleEncoding = &Error{"double encoding"}
	errUTF8           = &Error{"invalid utf-8"}
	errDotSegment     = &Error{"dot segment"}
)

// Path returns the canonical, decoded form of an escaped request path (as
// from (*url.URL).EscapedPath). A path that needs neither decoding nor
// cleaning is returned as it is, without allocating.
func Path(escaped string) (string, error) {
	if escaped == "" || escaped[0] != '/' {
		return "", errNotAbsolute
	}
	if len(escaped) > MaxLen {
		return "", errTooLong
	}
	decoded, err := decode(escaped)
	if err != nil {
		return "", err
	}
	if err := check(decoded); err != nil {
		return "", err
	}
	return collapseSlashes(decoded), nil
}

// decode undoes percent-escapes once, refusing encoded separators and
// malformed escapes. '+' stays '+': it means a space only in queries.
func decode(s string) (string, error) {
	first := strings.IndexByte(s, '%')
	if first < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:first])
	for i := first; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", errMalformed
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		switch c {
		case '/':
			return "", errEncodedSlash
		case '\\':
			return "", errEncodedBslash
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), nil
}

// check refuses what a legacy stack could read as another path.
func check(s string) error {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			return errBackslash
		case c < 0x20 || c == 0x7f:
			return errControl
		case c == ';':
			return errPathParam
		case c == '%':
			return errDoubleEncoding
		}
	}
	if !utf8.ValidString(s) {
		return errUTF8
	}
	for seg := range strings.SplitSeq(s[1:], "/") {
		if seg != "" && strings.Trim(seg, ".") == "" {
			return errDotSegment
		}
	}
	return nil
}

// collapseSlashes merges runs of '/' into one.
func collapseSlashes(s string) string {
	if !strings.Contains(s, "//") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i > 0 && s[i-1] == '/' {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// overrideHeaders are the headers frameworks read to replace the request
// method. A request carrying one is refused: the gateway decides the real
// method, and the application must not act on another.
var overrideHeaders = []string{"X-Http-Method-Override", "X-Http-Method", "X-Method-Override"}

// MethodOverride reports the name of the first method-override header
// present in h, if any.
func MethodOverride(h http.Header) (string, bool) {
	for _, name := range overrideHeaders {
		if _, ok := h[name]; ok {
			return name, true
		}
	}
	return "", false
}

// MethodOverrideParam reports whether a raw query string has a "_method"
// parameter (Rails, Laravel, Express method-override), whatever the case of
// its name and however it is escaped. It does not allocate for a query with
// no '_' and no '%'.
func MethodOverrideParam(rawQuery string) bool {
	if !strings.ContainsAny(rawQuery, "_%") {
		return false
	}
	for pair := range strings.SplitSeq(rawQuery, "&") {
		for sub := range strings.SplitSeq(pair, ";") {
			name, _, _ := strings.Cut(sub, "=")
			if decodedName, err := decodeQueryName(name); err != nil || strings.EqualFold(decodedName, "_method") {
				return true // an undecodable name is refused too: fail closed
			}
		}
	}
	return false
}

func decodeQueryName(name string) (string, error) {
	if !strings.Contains(name, "%") {
		return name, nil
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] != '%' {
			b.WriteByte(name[i])
			continue
		}
		if i+2 >= len(name) || !isHex(name[i+1]) || !isHex(name[i+2]) {
			return "", errMalformed
		}
		b.WriteByte(unhex(name[i+1])<<4 | unhex(name[i+2]))
		i += 2
	}
	return b.String(), nil
}
