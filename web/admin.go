package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store/meta"
)

type userView struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func viewUser(u meta.User) userView {
	return userView{u.ID, u.Name, string(u.Role), u.Disabled, u.CreatedAt}
}

type sessionBody struct {
	Token string `json:"token"`
}

// postSession checks a token and hands it back as the console's session
// cookie: HttpOnly, so that script injected into the page cannot read it;
// SameSite=Strict, so that other sites cannot make the browser send it;
// Secure when served over TLS. A session cookie (no Max-Age) ends with the
// browser session, as sessionStorage would.
func (s *Server) postSession(w http.ResponseWriter, r *request) error {
	var b sessionBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	b.Token = strings.TrimSpace(b.Token)
	if b.Token == "" {
		return badBody("token is empty")
	}
	probe := r.Clone(r.Context())
	probe.Header.Set("Authorization", "Bearer "+b.Token)
	u, err := s.authenticate(probe)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: b.Token, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	writeJSON(w, http.StatusOK, viewUser(u))
	return nil
}

func (s *Server) deleteSession(w http.ResponseWriter, r *request) error {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// meView is the signed-in user and the system's clock, which the console
// shows and measures ages against (in the demo it runs faster than real
// time).
type meView struct {
	userView
	ServerTime time.Time `json:"server_time"`
}

func (s *Server) getMe(r *request) (any, error) {
	return meView{viewUser(r.user), s.cfg.Now().UTC()}, nil
}

var roleNames = []string{string(meta.RoleViewer), string(meta.RoleOperator), string(meta.RoleAdmin)}

type userBody struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

func (s *Server) postUser(r *request) (any, error) {
	var b userBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if strings.TrimSpace(b.Name) == "" {
		return nil, badBody("name is empty")
	}
	if !slices.Contains(roleNames, b.Role) {
		return nil, badBody("role %q is not one of %s", b.Role, strings.Join(roleNames, ", "))
	}
	if s.cfg.Users == nil {
		return nil, unavailable("users")
	}
	var id int64
	err := s.audited(r, "user.create", b.Name, b, func(ctx context.Context) (map[string]any, error) {
		var err error
		id, err = s.cfg.Users.CreateUser(ctx, meta.User{Name: b.Name, Role: meta.Role(b.Role)})
		return map[string]any{"user": id}, err
	})
	if err != nil {
		return nil, err
	}
	u, err := s.cfg.Users.User(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return viewUser(u), nil
}

func (s *Server) getUser(r *request) (any, error) {
	if s.cfg.Users == nil {
		return nil, unavailable("users")
	}
	u, err := s.cfg.Users.User(r.Context(), r.int("id"))
	if err != nil {
		return nil, err
	}
	return viewUser(u), nil
}

type userPatchBody struct {
	Disabled *bool `json:"disabled"`
}

// patchUser enables or disables a user (meta audits it).
func (s *Server) patchUser(r *request) (any, error) {
	var b userPatchBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.Disabled == nil {
		return nil, badBody("disabled is missing; it is the only field a user can change")
	}
	if s.cfg.Users == nil {
		return nil, unavailable("users")
	}
	id := r.int("id")
	if err := s.cfg.Users.SetUserDisabled(r.Context(), r.user.Name, id, *b.Disabled); err != nil {
		return nil, err
	}
	u, err := s.cfg.Users.User(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return viewUser(u), nil
}

type tokenBody struct {
	Label    string `json:"label"`
	TTLHours int    `json:"ttl_hours"`
}

// maxTokenTTL bounds a token's life; a longer-lived credential should be
// reissued rather than kept.
const maxTokenTTL = 366 * 24

type tokenView struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Label     string     `json:"label"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// issuedTokenView carries the token itself, shown this once.
type issuedTokenView struct {
	Token string    `json:"token"`
	Info  tokenView `json:"info"`
}

func viewToken(t meta.Token) tokenView {
	return tokenView{t.ID, t.UserID, t.Label, t.CreatedAt, t.ExpiresAt, opt(t.RevokedAt)}
}

// postToken issues a token (meta audits it, without the token).
func (s *Server) postToken(r *request) (any, error) {
	var b tokenBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.TTLHours <= 0 || b.TTLHours > maxTokenTTL {
		return nil, badBody("ttl_hours %d is outside [1, %d]", b.TTLHours, maxTokenTTL)
	}
	if s.cfg.Users == nil {
		return nil, unavailable("users")
	}
	token, t, err := s.cfg.Users.IssueToken(r.Context(), r.user.Name, r.int("id"), b.Label, time.Duration(b.TTLHours)*time.Hour)
	if err != nil {
		return nil, err
	}
	return issuedTokenView{token, viewToken(t)}, nil
}

func (s *Server) listTokens(r *request) (any, error) {
	if s.cfg.Users == nil {
		return nil, unavailable("users")
	}
	id := r.int("id")
	if _, err := s.cfg.Users.User(r.Context(), id); err != nil {
		return nil, err
	}
	ts, err := s.cfg.Users.Tokens(r.Context(), id)
	if err != nil {
		return nil, err
	}
	views := viewsOf(ts, viewToken)
	return page[tokenView]{Items: views}, nil
}

func (s *Server) revokeToken(r *request) (any, error) {
	if s.cfg.Users == nil {
		return nil, unavailable("users")
	}
	id := r.int("id")
	if err := s.cfg.Users.RevokeToken(r.Context(), r.user.Name, id); err != nil {
		return nil, err
	}
	return struct {
		ID      int64 `json:"id"`
		Revoked bool  `json:"revoked"`
	}{id, true}, nil
}

type auditView struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Detail json.RawMessage `json:"detail"`
}

// listAudit pages the audit log oldest first, by id.
func (s *Server) listAudit(r *request) (any, error) {
	after, err := r.cursor()
	if err != nil {
		return nil, err
	}
	since, until := r.time("since"), r.time("until")
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return nil, badParam("since", "%s is not before until %s", since.Format(time.RFC3339Nano), until.Format(time.RFC3339Nano))
	}
	es, err := s.cfg.Audit.AuditLog(r.Context(), meta.AuditFilter{Since: since, Until: until, Actor: r.str("actor"), AfterID: after, Limit: r.limit() + 1})
	if err != nil {
		return nil, err
	}
	views := viewsOf(es, func(e meta.AuditEntry) auditView { return auditView(e) })
	return pageOf(views, r.limit(), func(e auditView) int64 { return e.ID }), nil
}
