package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// route is one operation of the API. The route table (routes.go) is the
// single description of the API: the mux, the role checks, the parameter
// checks and the OpenAPI document all come from it, so they cannot
// disagree.
type route struct {
	Method  string
	Path    string // "/api/v1/meters/{id}": Go mux and OpenAPI syntax alike
	ID      string // OpenAPI operationId
	Summary string
	Tag     string
	Role    meta.Role // least role; "" for a public route
	Params  []param
	Body    any // zero value of the JSON request body; nil if none
	Result  any // zero value of the success body; nil if none
	Status  int // success status; 200 if zero
	// Errors lists the statuses besides 401/403/500 the operation answers.
	Errors []int
	// ContentType of the success body; JSON if empty.
	ContentType string
	// Handle answers a JSON operation: the value is written with Status.
	Handle func(*request) (any, error)
	// Stream answers an operation that writes its own response.
	Stream func(http.ResponseWriter, *request) error
}

func (rt *route) status() int {
	if rt.Status == 0 {
		return http.StatusOK
	}
	return rt.Status
}

// param describes a path or query parameter. The server checks the type,
// range and enum before the handler runs, so handlers read values that are
// known to parse.
type param struct {
	Name     string
	In       string // "path" or "query"
	Type     string // "integer", "string", "boolean", "date-time"
	Required bool
	Enum     []string
	Min, Max int64 // integers: inclusive bounds when Max > 0
	Default  string
	Desc     string
}

func pathID(name, desc string) param {
	return param{Name: name, In: "path", Type: "integer", Required: true, Min: 1, Max: 1<<53 - 1, Desc: desc}
}

func queryString(name, desc string) param {
	return param{Name: name, In: "query", Type: "string", Desc: desc}
}

func queryEnum(name, desc string, values ...string) param {
	return param{Name: name, In: "query", Type: "string", Enum: values, Desc: desc}
}

func queryTime(name, desc string) param {
	return param{Name: name, In: "query", Type: "date-time", Desc: desc}
}

func queryInt(name, desc string, lo, hi int64) param {
	return param{Name: name, In: "query", Type: "integer", Min: lo, Max: hi, Desc: desc}
}

func required(p param) param { p.Required = true; return p }

const (
	defaultLimit = 100
	maxLimit     = 1000
)

// pageParams are the paging parameters of every list.
var pageParams = []param{
	{Name: "limit", In: "query", Type: "integer", Min: 1, Max: maxLimit, Default: strconv.Itoa(defaultLimit), Desc: "items per page"},
	queryString("cursor", "the next_cursor of the previous page; absent for the first page"),
}

// page is one page of a list. NextCursor is empty on the last page.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// request is what a handler sees: the HTTP request, the route it matched
// and the authenticated user.
type request struct {
	*http.Request
	route *route
	user  meta.User
}

// declared returns the route's parameter name; asking for an undeclared
// one is a programmer's mistake that the route table test catches.
func (r *request) declared(name string) param {
	for _, p := range r.route.Params {
		if p.Name == name {
			return p
		}
	}
	panic(fmt.Sprintf("web: route %s %s reads undeclared parameter %q", r.route.Method, r.route.Path, name))
}

// str returns a parameter's value, its default if absent.
func (r *request) str(name string) string {
	p := r.declared(name)
	var v string
	if p.In == "path" {
		v = r.PathValue(name)
	} else {
		v = r.URL.Query().Get(name)
	}
	if v == "" {
		return p.Default
	}
	return v
}

// int returns an integer parameter (checked by checkParams); 0 if absent.
func (r *request) int(name string) int64 {
	v, _ := strconv.ParseInt(r.str(name), 10, 64)
	return v
}

// time returns a date-time parameter (checked by checkParams); the zero
// time if absent.
func (r *request) time(name string) time.Time {
	v := r.str(name)
	if v == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

func (r *request) bool(name string) bool { return r.str(name) == "true" }

// limit returns the page size.
func (r *request) limit() int { return int(r.int("limit")) }

// cursor returns the position the client's cursor stands for; 0 when the
// client asks for the first page.
func (r *request) cursor() (int64, error) {
	c := r.str("cursor")
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if v, err := strconv.ParseInt(string(b), 10, 64); err == nil && v > 0 {
			return v, nil
		}
	}
	return 0, badParam("cursor", "%q is not a cursor returned by this API", c)
}

func encodeCursor(v int64) string {
	return base64.RawURLEncoding.EncodeToString(strconv.AppendInt(nil, v, 10))
}

// viewsOf converts what a backend returned into what the API shows; never
// nil, so that an empty list is [] in JSON.
func viewsOf[T, V any](xs []T, view func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = view(x)
	}
	return out
}

// pageOf cuts items (fetched with limit+1) to a page; key gives the cursor
// of the last item shown.
func pageOf[T any](items []T, limit int, key func(T) int64) page[T] {
	p := page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextCursor = encodeCursor(key(p.Items[limit-1]))
	}
	return p
}

// checkParams rejects unknown and repeated query parameters and values
// that do not fit their declaration, naming the parameter.
func checkParams(r *http.Request, rt *route) error {
	q := r.URL.Query()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	}) {
		i := slices.IndexFunc(rt.Params, func(p param) bool { return p.Name == name && p.In == "query" })
		if i < 0 {
			return &apiError{http.StatusBadRequest, codeUnknownParameter, fmt.Sprintf("parameter %s: not a parameter of %s %s", name, rt.Method, rt.Path)}
		}
		if len(q[name]) > 1 {
			return badParam(name, "given %d times", len(q[name]))
		}
	}
	for _, p := range rt.Params {
		v := q.Get(p.Name)
		if p.In == "path" {
			v = r.PathValue(p.Name)
		}
		if v == "" {
			if p.Required {
				return badParam(p.Name, "required")
			}
			continue
		}
		if err := p.check(v); err != nil {
			return err
		}
	}
	return nil
}

func (p param) check(v string) error {
	switch p.Type {
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return badParam(p.Name, "%q is not an integer", v)
		}
		if p.Max > 0 && (n < p.Min || n > p.Max) {
			return badParam(p.Name, "%d is outside [%d, %d]", n, p.Min, p.Max)
		}
	case "boolean":
		if v != "true" && v != "false" {
			return badParam(p.Name, "%q is not true or false", v)
		}
	case "date-time":
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return badParam(p.Name, "%q is not an RFC 3339 time such as 2026-01-02T15:04:05Z", v)
		}
		// The range readings can have (store.MinTime … MaxTime).
		if ms := t.UnixMilli(); ms < store.MinTime || ms > store.MaxTime {
			return badParam(p.Name, "%s is outside 1970-01-01 … 9999-12-31", v)
		}
	}
	if len(p.Enum) > 0 && !slices.Contains(p.Enum, v) {
		return badParam(p.Name, "%q is not one of %s", v, strings.Join(p.Enum, ", "))
	}
	return nil
}

const maxBody = 1 << 20

// decodeBody reads a JSON body into v, refusing unknown fields and
// trailing data.
func decodeBody(r *request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if err == io.EOF {
			return badBody("empty; want a JSON object")
		}
		return badBody("%v", err)
	}
	if dec.More() {
		return badBody("more than one JSON value")
	}
	return nil
}
