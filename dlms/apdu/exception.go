package apdu

import "fmt"

// ExceptionResponse is the Exception-Response APDU (tag 0xD8), a server's
// answer to an APDU it cannot process at all:
//
//	D8 state-error service-error [invocation-counter(4) when service-error is 6]
type ExceptionResponse struct {
	StateError   StateError
	ServiceError ServiceError
	// InvocationCounter is the server's expected counter, sent with
	// ServiceInvocationCounterError.
	InvocationCounter uint32
}

// StateError is the state-error of an Exception-Response.
type StateError uint8

const (
	StateServiceNotAllowed StateError = 1
	StateServiceUnknown    StateError = 2
)

// ServiceError is the service-error of an Exception-Response.
type ServiceError uint8

const (
	ServiceOperationNotPossible   ServiceError = 1
	ServiceNotSupported           ServiceError = 2
	ServiceOtherReason            ServiceError = 3
	ServicePDUTooLong             ServiceError = 4
	ServiceDecipheringError       ServiceError = 5
	ServiceInvocationCounterError ServiceError = 6
)

func (s StateError) String() string {
	switch s {
	case StateServiceNotAllowed:
		return "service-not-allowed"
	case StateServiceUnknown:
		return "service-unknown"
	}
	return fmt.Sprintf("state-error-%d", uint8(s))
}

func (s ServiceError) String() string {
	names := [...]string{"", "operation-not-possible", "service-not-supported", "other-reason", "pdu-too-long",
		"deciphering-error", "invocation-counter-error"}
	if int(s) < len(names) && s != 0 {
		return names[s]
	}
	return fmt.Sprintf("service-error-%d", uint8(s))
}

// Append appends the encoded response to dst.
func (r *ExceptionResponse) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagExceptionResponse, byte(r.StateError), byte(r.ServiceError))
	if r.ServiceError == ServiceInvocationCounterError {
		dst = appendU32(dst, r.InvocationCounter)
	}
	return dst, nil
}

// Decode replaces r with the response in b.
func (r *ExceptionResponse) Decode(b []byte) error {
	d := newDecoder(b, "ExceptionResponse")
	if t := d.Uint8(); t != TagExceptionResponse && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X", ErrUnknown, t))
	}
	r.StateError = StateError(d.Uint8())
	r.ServiceError = ServiceError(d.Uint8())
	r.InvocationCounter = 0
	if r.ServiceError == ServiceInvocationCounterError {
		r.InvocationCounter = d.Uint32()
	}
	return d.end()
}

func (r *ExceptionResponse) String() string {
	s := fmt.Sprintf("exception-response state-error=%s service-error=%s", r.StateError, r.ServiceError)
	if r.ServiceError == ServiceInvocationCounterError {
		s += fmt.Sprintf(" invocation-counter=%d", r.InvocationCounter)
	}
	return s + "\n"
}

// Error makes an ExceptionResponse usable as an error.
func (r *ExceptionResponse) Error() string {
	return fmt.Sprintf("dlms: exception-response %s, %s", r.StateError, r.ServiceError)
}

// ConfirmedServiceError is the ConfirmedServiceError APDU (tag 0x0E): the
// service that failed (1 = initiateError, 5 = read, 6 = write, …), the
// ServiceError CHOICE (6 = initiate, 5 = access, …) and its enumerated
// value, e.g. 0E 01 06 01 = initiate error, dlms-version-too-low.
type ConfirmedServiceError struct {
	Service   uint8
	ErrorType uint8
	Value     uint8
}

// ConfirmedServiceError services and error types used by COSEM.
const (
	ServiceInitiateError uint8 = 1
	ServiceRead          uint8 = 5
	ServiceWrite         uint8 = 6

	ErrorTypeApplicationReference uint8 = 0
	ErrorTypeHardwareResource     uint8 = 1
	ErrorTypeVDEStateError        uint8 = 2
	ErrorTypeService              uint8 = 3
	ErrorTypeDefinition           uint8 = 4
	ErrorTypeAccess               uint8 = 5
	ErrorTypeInitiate             uint8 = 6
	ErrorTypeLoadDataSet          uint8 = 7
	ErrorTypeTask                 uint8 = 9
	ErrorTypeOther                uint8 = 10

	// Values of ErrorTypeInitiate.
	InitiateOther                   uint8 = 0
	InitiateDLMSVersionTooLow       uint8 = 1
	InitiateIncompatibleConformance uint8 = 2
	InitiatePDUSizeTooShort         uint8 = 3
	InitiateRefusedByVDEHandler     uint8 = 4
)

// Append appends the encoded error to dst.
func (e *ConfirmedServiceError) Append(dst []byte) ([]byte, error) {
	return append(dst, TagConfirmedServiceError, e.Service, e.ErrorType, e.Value), nil
}

// Decode replaces e with the error in b.
func (e *ConfirmedServiceError) Decode(b []byte) error {
	d := newDecoder(b, "ConfirmedServiceError")
	if t := d.Uint8(); t != TagConfirmedServiceError && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X", ErrUnknown, t))
	}
	e.Service, e.ErrorType, e.Value = d.Uint8(), d.Uint8(), d.Uint8()
	return d.end()
}

func (e *ConfirmedServiceError) String() string {
	return fmt.Sprintf("confirmed-service-error service=%d error-type=%d value=%d\n", e.Service, e.ErrorType, e.Value)
}

func (e *ConfirmedServiceError) Error() string {
	return fmt.Sprintf("dlms: confirmed-service-error service=%d error-type=%d value=%d", e.Service, e.ErrorType, e.Value)
}
