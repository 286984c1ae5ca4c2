package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Error codes of the error body {"error": {"code": …, "message": …}}.
const (
	codeInvalidParameter = "invalid_parameter"
	codeUnknownParameter = "unknown_parameter"
	codeInvalidBody      = "invalid_body"
	codeUnauthenticated  = "unauthenticated"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "conflict"
	codeNotImplemented   = "not_implemented"
	codeInternal         = "internal"
)

// apiError is an error the API reports to the client as it is.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

// errorBody is the JSON every error response carries.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// badParam reports a query or path parameter that cannot be used, naming it.
func badParam(name, format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, codeInvalidParameter, "parameter " + name + ": " + fmt.Sprintf(format, args...)}
}

// badBody reports a request body that cannot be used.
func badBody(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, codeInvalidBody, "request body: " + fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{http.StatusNotFound, codeNotFound, fmt.Sprintf(format, args...)}
}

// backendError turns an error from a backend into what the client sees:
// the sentinels backends wrap become 404, 400 and 409 with the backend's
// message (which names the meter, job …); anything else is a 500 whose
// detail goes to the log only.
func backendError(err error) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, ErrNotFound), errors.Is(err, meta.ErrNotFound):
		return &apiError{http.StatusNotFound, codeNotFound, err.Error()}
	case errors.Is(err, ErrInvalid), errors.Is(err, meta.ErrInvalid), errors.Is(err, store.ErrInvalid):
		return &apiError{http.StatusBadRequest, codeInvalidBody, err.Error()}
	case errors.Is(err, ErrConflict), errors.Is(err, meta.ErrExists):
		return &apiError{http.StatusConflict, codeConflict, err.Error()}
	}
	return &apiError{http.StatusInternalServerError, codeInternal, "internal error"}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v) // the client went away; nothing to tell it
}

// writeError answers with err's status and body, logging server faults.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	ae := backendError(err)
	if ae.status >= 500 {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, ae.status, errorBody{errorDetail{ae.code, ae.message}})
}
