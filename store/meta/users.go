package meta

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Role is what a user may do through the API (ARCHITECTURE §8).
type Role string

// Roles, from least to most.
const (
	RoleViewer   Role = "viewer"
	RoleOperator Role = "operator"
	RoleAdmin    Role = "admin"
)

var roles = []Role{RoleViewer, RoleOperator, RoleAdmin}

// User is a person or system that holds API tokens.
type User struct {
	ID        int64
	Name      string
	Role      Role
	Disabled  bool
	CreatedAt time.Time
}

// CreateUser adds u and returns its id.
func (d *DB) CreateUser(ctx context.Context, u User) (int64, error) {
	if u.Name == "" || !slices.Contains(roles, u.Role) {
		return 0, fmt.Errorf("user %q: empty name or role %q not one of %q: %w", u.Name, u.Role, roles, ErrInvalid)
	}
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO users (name, role, disabled, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		u.Name, string(u.Role), boolInt(u.Disabled), d.nowMs()).Scan(&id)
	return id, d.classify(err, "user "+u.Name)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var role string
	var disabled int
	var created int64
	err := row.Scan(&u.ID, &u.Name, &role, &disabled, &created)
	u.Role, u.Disabled, u.CreatedAt = Role(role), disabled != 0, msTime(created)
	return u, err
}

// User returns user id.
func (d *DB) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT id, name, role, disabled, created_at FROM users WHERE id = $1`, id))
	return u, d.classify(err, fmt.Sprintf("user %d", id))
}

// UserByName returns the user called name (ErrNotFound if none is).
func (d *DB) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, `SELECT id, name, role, disabled, created_at FROM users WHERE name = $1`, name))
	return u, d.classify(err, "user "+name)
}

// SetUserDisabled disables or enables user id; a disabled user's tokens
// stop authenticating.
func (d *DB) SetUserDisabled(ctx context.Context, actor string, id int64, disabled bool) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, boolInt(disabled), id)
		if err := d.affected(res, err, fmt.Sprintf("user %d", id)); err != nil {
			return err
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		return insertAudit(ctx, tx, AuditEntry{At: d.now(), Actor: actor, Action: action, Target: fmt.Sprint(id)})
	})
	return d.classify(err, fmt.Sprintf("user %d", id))
}

// Token describes an issued API token; the token itself is shown once,
// by IssueToken, and stored only as its SHA-256.
type Token struct {
	ID        int64
	UserID    int64
	Label     string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
}

const tokenPrefix = "amigo_"

// IssueToken creates a bearer token for user valid for ttl and returns it
// with its record. The token carries 256 random bits; only its SHA-256 is
// stored, since a token is high-entropy and needs no slow hash.
func (d *DB) IssueToken(ctx context.Context, actor string, userID int64, label string, ttl time.Duration) (string, Token, error) {
	if ttl <= 0 {
		return "", Token{}, fmt.Errorf("token for user %d: ttl %v: %w", userID, ttl, ErrInvalid)
	}
	raw := make([]byte, 32)
	if err := d.rand(raw); err != nil {
		return "", Token{}, fmt.Errorf("token for user %d: %w", userID, err)
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	now := d.now()
	t := Token{UserID: userID, Label: label, CreatedAt: now.UTC().Truncate(time.Millisecond), ExpiresAt: now.Add(ttl).UTC().Truncate(time.Millisecond)}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO tokens (user_id, hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			userID, sum[:], label, t.CreatedAt.UnixMilli(), t.ExpiresAt.UnixMilli()).Scan(&t.ID); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{At: now, Actor: actor, Action: "token.issue", Target: fmt.Sprintf("user %d token %d", userID, t.ID)})
	})
	if err != nil {
		return "", Token{}, d.classify(err, fmt.Sprintf("token for user %d", userID))
	}
	return token, t, nil
}

// Authenticate returns the user a bearer token belongs to, or
// ErrUnauthenticated if the token is unknown, expired or revoked or the
// user disabled.
func (d *DB) Authenticate(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return User{}, ErrUnauthenticated
	}
	sum := sha256.Sum256([]byte(token))
	var stored []byte
	var expires int64
	var revoked sql.NullInt64
	row := d.db.QueryRowContext(ctx, `SELECT t.hash, t.expires_at, t.revoked_at, u.id, u.name, u.role, u.disabled, u.created_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, sum[:])
	var u User
	var role string
	var disabled int
	var created int64
	err := row.Scan(&stored, &expires, &revoked, &u.ID, &u.Name, &role, &disabled, &created)
	if err == sql.ErrNoRows {
		return User{}, ErrUnauthenticated
	}
	if err != nil {
		return User{}, d.classify(err, "authenticate")
	}
	u.Role, u.Disabled, u.CreatedAt = Role(role), disabled != 0, msTime(created)
	if subtle.ConstantTimeCompare(stored, sum[:]) != 1 || revoked.Valid || d.nowMs() >= expires || u.Disabled {
		return User{}, ErrUnauthenticated
	}
	return u, nil
}

// RevokeToken stops token id from authenticating.
func (d *DB) RevokeToken(ctx context.Context, actor string, id int64) error {
	err := d.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, d.nowMs(), id)
		if err := d.affected(res, err, fmt.Sprintf("token %d", id)); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{At: d.now(), Actor: actor, Action: "token.revoke", Target: fmt.Sprintf("token %d", id)})
	})
	return d.classify(err, fmt.Sprintf("token %d", id))
}

// Tokens lists the tokens of user id, oldest first.
func (d *DB) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, user_id, label, created_at, expires_at, revoked_at FROM tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, d.classify(err, fmt.Sprintf("tokens of user %d", userID))
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created, expires int64
		var revoked sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Label, &created, &expires, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt, t.ExpiresAt, t.RevokedAt = msTime(created), msTime(expires), nullMs(revoked)
		out = append(out, t)
	}
	return out, d.classify(rows.Err(), fmt.Sprintf("tokens of user %d", userID))
}
