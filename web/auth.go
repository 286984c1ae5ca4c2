package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/amigo-ami/amigo/store/meta"
)

// sessionCookie carries the console's token. See doc.go for why a cookie
// and not sessionStorage.
const sessionCookie = "amigo_session"

// rank orders roles; 0 is no role.
func rank(r meta.Role) int {
	switch r {
	case meta.RoleViewer:
		return 1
	case meta.RoleOperator:
		return 2
	case meta.RoleAdmin:
		return 3
	}
	return 0
}

// bearer returns the token a request presents: the Authorization header
// first, else the console's session cookie.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token)
		}
		return ""
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// authenticate returns the user behind the request's token, or a 401 whose
// WWW-Authenticate header (RFC 6750 §3) the caller sets.
func (s *Server) authenticate(r *http.Request) (meta.User, error) {
	token := bearer(r)
	if token == "" {
		return meta.User{}, &apiError{http.StatusUnauthorized, codeUnauthenticated, "no bearer token: send Authorization: Bearer <token>"}
	}
	u, err := s.cfg.Auth.Authenticate(r.Context(), token)
	if errors.Is(err, meta.ErrUnauthenticated) {
		return meta.User{}, &apiError{http.StatusUnauthorized, codeUnauthenticated, "token is unknown, expired or revoked"}
	}
	if err != nil {
		return meta.User{}, err
	}
	return u, nil
}

// authorize checks that u may use rt.
func authorize(u meta.User, rt *route) error {
	if rank(u.Role) < rank(rt.Role) {
		return &apiError{http.StatusForbidden, codeForbidden, "role " + string(u.Role) + " may not " + rt.Method + " " + rt.Path + "; it needs " + string(rt.Role) + " or above"}
	}
	return nil
}

// challenge sets the RFC 6750 challenge of a 401 or 403.
func challenge(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		return
	}
	switch {
	case ae.status == http.StatusUnauthorized && bearer(r) != "":
		w.Header().Set("WWW-Authenticate", `Bearer realm="amigo", error="invalid_token"`)
	case ae.status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="amigo"`)
	case ae.status == http.StatusForbidden:
		w.Header().Set("WWW-Authenticate", `Bearer realm="amigo", error="insufficient_scope"`)
	}
}
