package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/security"
)

// Errors callers branch on, for errors.Is.
var (
	// ErrWrongKey: the meter refused the association for authentication
	// even after the invocation counter was resynchronised: it holds other
	// keys than the registry. Retrying cannot help.
	ErrWrongKey = errors.New("conn: meter refuses our keys")
	// ErrPermanent marks failures retrying cannot help: a refused access,
	// an unknown object, a malformed answer.
	ErrPermanent = errors.New("conn: permanent failure")
	// ErrUnreachable: the meter could not be reached (dial failed,
	// connection lost).
	ErrUnreachable = errors.New("conn: meter unreachable")
)

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil || errors.Is(err, ErrPermanent) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// retryable reports whether another attempt might succeed.
func retryable(err error) bool {
	switch {
	case errors.Is(err, ErrWrongKey), errors.Is(err, ErrPermanent), errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, ErrUnreachable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrClosedPipe):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ae dlms.AccessError
	var acte dlms.ActionError
	if errors.As(err, &ae) || errors.As(err, &acte) {
		// temporary-failure (2) is worth another try; the rest is a refusal.
		return ae.Result == 2 || acte.Result == 2
	}
	var ex *apdu.ExceptionResponse
	return errors.As(err, &ex)
}

// Reason names the kind of a failure for metrics and job results:
// "wrong-key", "unreachable", "timeout", "refused", "canceled",
// "protocol" or "other".
func Reason(err error) string {
	var ae dlms.AccessError
	var acte dlms.ActionError
	var asse *dlms.AssociationError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrWrongKey):
		return "wrong-key"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, ErrUnreachable), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, io.ErrClosedPipe):
		return "unreachable"
	case errors.As(err, &ae), errors.As(err, &acte), errors.As(err, &asse):
		return "refused"
	case errors.Is(err, dlms.ErrResponse), errors.Is(err, security.ErrReplay), errors.Is(err, security.ErrAuthentication), errors.Is(err, security.ErrPolicy):
		return "protocol"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return "timeout"
		}
		return "unreachable"
	}
	return "other"
}

// authRefused reports an association refused for authentication: the
// AARE's diagnostic, HLS pass 3 refused, or pass 4 not verifying.
func authRefused(err error) bool {
	var ae *dlms.AssociationError
	var acte dlms.ActionError
	var acce dlms.AccessError
	return errors.As(err, &ae) && ae.Diagnostic == apdu.DiagAuthenticationFailure ||
		errors.Is(err, security.ErrAuthentication) || errors.As(err, &acte) || errors.As(err, &acce)
}
