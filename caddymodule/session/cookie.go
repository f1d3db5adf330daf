package session

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ChunkSize is the most bytes of sealed value one cookie carries, leaving
// room under browsers' 4096-byte limit for the name and attributes.
const ChunkSize = 3800

// ErrTooLarge is returned when a value needs more chunks than allowed.
var ErrTooLarge = errors.New("session: value too large for its cookies")

// Jar writes a sealed value as one cookie, or as numbered chunks when it is
// larger than ChunkSize: NAME, NAME-1, NAME-2 ... Chunks are only
// concatenated and opened together, so a reordered, missing or foreign
// chunk fails authentication like any tampering.
type Jar struct {
	// Name is the cookie name, normally with the __Host- prefix, which
	// browsers accept only when Secure, with Path=/ and no Domain.
	Name string
	// MaxChunks bounds the number of cookies, and so the session's size.
	MaxChunks int
	// Insecure drops the Secure attribute (and must then drop the __Host-
	// prefix): only for plain-HTTP development on loopback.
	Insecure bool
}

func (j *Jar) chunkName(i int) string {
	if i == 0 {
		return j.Name
	}
	return j.Name + "-" + strconv.Itoa(i)
}

func (j *Jar) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: !j.Insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// Write sets the cookies for value, lasting ttl, and expires chunks left
// over from a previous, larger value.
func (j *Jar) Write(w http.ResponseWriter, r *http.Request, value string, ttl time.Duration) error {
	n := (len(value) + ChunkSize - 1) / ChunkSize
	if n > j.MaxChunks {
		return fmt.Errorf("%w: %d bytes need %d cookies, at most %d are allowed", ErrTooLarge, len(value), n, j.MaxChunks)
	}
	maxAge := max(int(ttl/time.Second), 1)
	for i := range n {
		end := min((i+1)*ChunkSize, len(value))
		http.SetCookie(w, j.cookie(j.chunkName(i), value[i*ChunkSize:end], maxAge))
	}
	j.expireFrom(w, r, n)
	return nil
}

// Clear expires every chunk the request carries.
func (j *Jar) Clear(w http.ResponseWriter, r *http.Request) { j.expireFrom(w, r, 0) }

func (j *Jar) expireFrom(w http.ResponseWriter, r *http.Request, from int) {
	for i := from; i < j.MaxChunks; i++ {
		if _, err := r.Cookie(j.chunkName(i)); err != nil {
			continue
		}
		http.SetCookie(w, j.cookie(j.chunkName(i), "", -1))
	}
}

// Read reassembles the sealed value from the request's cookies. It returns
// http.ErrNoCookie when there is none. A name sent twice is refused, since
// which copy a browser sends first is not something to bet a session on.
func (j *Jar) Read(r *http.Request) (string, error) {
	var chunks []string
	for i := range j.MaxChunks + 1 {
		name := j.chunkName(i)
		cs := cookiesNamed(r, name)
		if len(cs) == 0 {
			break
		}
		if len(cs) > 1 {
			return "", fmt.Errorf("session: cookie %s sent %d times", name, len(cs))
		}
		if i == j.MaxChunks {
			return "", fmt.Errorf("%w: more than %d cookies", ErrTooLarge, j.MaxChunks)
		}
		chunks = append(chunks, cs[0])
	}
	if len(chunks) == 0 {
		return "", http.ErrNoCookie
	}
	return strings.Join(chunks, ""), nil
}

func cookiesNamed(r *http.Request, name string) []string {
	var out []string
	for _, c := range r.CookiesNamed(name) {
		out = append(out, c.Value)
	}
	return out
}
