package ami

import (
	"context"
	"errors"
	"time"

	"github.com/amigo-ami/amigo/store/meta"
)

// AdminUser is the user `amigo serve` creates on a new system and `amigo
// demo` signs in as.
const AdminUser = "admin"

// AdminToken issues a token of the admin user, valid for ttl, creating
// the user if there is none. With onlyNew it issues nothing ("") when the
// user existed: `amigo serve` shows a token once, on the first start.
func (s *System) AdminToken(ctx context.Context, label string, ttl time.Duration, onlyNew bool) (string, error) {
	u, err := s.meta.UserByName(ctx, AdminUser)
	switch {
	case err == nil && onlyNew:
		return "", nil
	case errors.Is(err, meta.ErrNotFound):
		if u.ID, err = s.meta.CreateUser(ctx, meta.User{Name: AdminUser, Role: meta.RoleAdmin}); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	}
	token, _, err := s.meta.IssueToken(ctx, "amigo", u.ID, label, ttl)
	return token, err
}
