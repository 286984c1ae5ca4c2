package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// obj is a JSON object of the OpenAPI document.
type obj = map[string]any

// openAPIDocument describes routes as an OpenAPI 3.1 document. Schemas are
// derived from the Go types the handlers encode and decode, so the
// document follows the code.
func openAPIDocument(routes []*route) ([]byte, error) {
	g := &schemas{defs: obj{}}
	paths := obj{}
	for _, rt := range routes {
		item, _ := paths[rt.Path].(obj)
		if item == nil {
			item = obj{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = g.operation(rt)
	}
	g.defs["ErrorBody"] = g.schema(reflect.TypeFor[errorBody]())
	doc := obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":       "amigo API",
			"version":     "1",
			"description": "Meters, readings, commands and jobs, billing, analytics and NILM of an amigo AMI. Errors answer {\"error\": {\"code\", \"message\"}}; unknown query parameters are refused.",
		},
		"paths": paths,
		"components": obj{
			"schemas": g.defs,
			"securitySchemes": obj{
				"bearer":  obj{"type": "http", "scheme": "bearer", "description": "API token from amigo demo or POST /api/v1/users/{id}/tokens"},
				"session": obj{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "the console's session, set by POST /api/v1/session"},
			},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("web: OpenAPI document: %w", err)
	}
	return b, nil
}

func (g *schemas) operation(rt *route) obj {
	op := obj{"operationId": rt.ID, "summary": rt.Summary, "tags": []string{rt.Tag}}
	if rt.Role != "" {
		op["security"] = []obj{{"bearer": []string{}}, {"session": []string{}}}
		op["x-amigo-role"] = string(rt.Role)
	} else {
		op["security"] = []obj{}
	}
	var ps []obj
	for _, p := range rt.Params {
		ps = append(ps, paramDoc(p))
	}
	if ps != nil {
		op["parameters"] = ps
	}
	if rt.Body != nil {
		op["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": g.schema(reflect.TypeOf(rt.Body))}}}
	}
	responses := obj{}
	ok := obj{"description": http.StatusText(rt.status())}
	if rt.Result != nil {
		ct := rt.ContentType
		if ct == "" {
			ct = "application/json"
		}
		ok["content"] = obj{ct: obj{"schema": g.schema(reflect.TypeOf(rt.Result))}}
	}
	responses[strconv.Itoa(rt.status())] = ok
	for _, code := range errorStatuses(rt) {
		responses[strconv.Itoa(code)] = obj{
			"description": http.StatusText(code),
			"content":     obj{"application/json": obj{"schema": obj{"$ref": "#/components/schemas/ErrorBody"}}},
		}
	}
	op["responses"] = responses
	return op
}

// errorStatuses are the error statuses rt may answer: 400 for every route
// (unknown parameters are refused everywhere), 401/403 for routes that
// need a role, 500 always, and the route's own.
func errorStatuses(rt *route) []int {
	codes := []int{http.StatusBadRequest, http.StatusInternalServerError}
	if rt.Role != "" {
		codes = append(codes, http.StatusUnauthorized, http.StatusForbidden)
	}
	for _, c := range rt.Errors {
		if !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	return codes
}

func paramDoc(p param) obj {
	s := obj{}
	switch p.Type {
	case "date-time":
		s["type"], s["format"] = "string", "date-time"
	case "integer":
		s["type"], s["format"] = "integer", "int64"
		if p.Max > 0 {
			s["minimum"], s["maximum"] = p.Min, p.Max
		}
	default:
		s["type"] = p.Type
	}
	if p.Enum != nil {
		s["enum"] = p.Enum
	}
	if p.Default != "" {
		switch p.Type {
		case "integer":
			n, _ := strconv.ParseInt(p.Default, 10, 64)
			s["default"] = n
		case "boolean":
			s["default"] = p.Default == "true"
		default:
			s["default"] = p.Default
		}
	}
	return obj{"name": p.Name, "in": p.In, "required": p.Required, "description": p.Desc, "schema": s}
}

// schemas derives JSON Schemas from Go types, collecting named structs
// under components/schemas.
type schemas struct {
	defs obj
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func (g *schemas) schema(t reflect.Type) obj {
	switch t {
	case timeType:
		return obj{"type": "string", "format": "date-time"}
	case rawType:
		return obj{"description": "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Slice, reflect.Array:
		return obj{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		name := schemaName(t)
		if name == "" {
			return g.object(t)
		}
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = obj{} // placeholder: stops recursion on cyclic types
			g.defs[name] = g.object(t)
		}
		return obj{"$ref": "#/components/schemas/" + name}
	}
	panic(fmt.Sprintf("web: no JSON schema for %v", t))
}

func (g *schemas) object(t reflect.Type) obj {
	props := obj{}
	var req []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			// encoding/json promotes an embedded struct's fields.
			inner := g.object(f.Type)
			maps.Copy(props, inner["properties"].(obj))
			if r, ok := inner["required"].([]string); ok {
				req = append(req, r...)
			}
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") {
			req = append(req, name)
		}
	}
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if req != nil {
		o["required"] = req
	}
	return o
}

// schemaName names a struct's schema: meterView → Meter,
// page[…meterView] → MeterPage; "" for an anonymous struct.
func schemaName(t reflect.Type) string {
	n := t.Name()
	if base, arg, ok := strings.Cut(n, "["); ok {
		arg = strings.TrimSuffix(arg, "]")
		arg = arg[strings.LastIndexByte(arg, '.')+1:]
		return exported(arg) + exported(base)
	}
	return exported(n)
}

func exported(n string) string {
	n = strings.TrimSuffix(n, "View")
	if n == "" {
		return ""
	}
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
