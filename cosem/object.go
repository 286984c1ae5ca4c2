package cosem

import (
	"context"
	"errors"
	"iter"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Errors objects return, each standing for a Data-Access-Result (and the
// Action-Result of the same number) of the Green Book §9.5. Wrap them with
// context; the server matches them with errors.Is and answers any other
// error with other-reason.
var (
	ErrHardwareFault     = errors.New("cosem: hardware fault")            // hardware-fault (1)
	ErrTemporaryFailure  = errors.New("cosem: temporary failure")         // temporary-failure (2)
	ErrDenied            = errors.New("cosem: read-write denied")         // read-write-denied (3)
	ErrUndefined         = errors.New("cosem: object undefined")          // object-undefined (4)
	ErrClassInconsistent = errors.New("cosem: object class inconsistent") // object-class-inconsistent (9)
	ErrUnavailable       = errors.New("cosem: object unavailable")        // object-unavailable (11)
	ErrTypeUnmatched     = errors.New("cosem: type unmatched")            // type-unmatched (12)
	ErrScopeOfAccess     = errors.New("cosem: scope of access violated")  // scope-of-access-violated (13)
)

// ObjectID identifies a COSEM object: its class (in the version the object
// implements) and its logical name.
type ObjectID struct {
	Class   ClassID
	Version uint8
	Name    OBIS
}

// Selector is the selective access of a GET (Green Book
// Selective-Access-Descriptor): an access selector (1…) and its
// parameters, one decoded Data tree. Params aliases the request and is
// valid only during the call.
type Selector struct {
	ID     uint8
	Params []axdr.Value
}

// Object is one COSEM object as a server exposes it. A server calls an
// object from one goroutine per association; an object shared between
// associations must be safe for concurrent use.
//
// Attribute and method ids are those of the object's class. The server has
// checked, before calling, that the id exists in the class (ErrUndefined
// otherwise) and that the association may use it (ErrDenied,
// ErrScopeOfAccess); it answers attribute 1, the logical name, itself.
// Errors are those of this package, wrapped.
type Object interface {
	// ID returns the object's class, version and logical name. It never
	// changes.
	ID() ObjectID
	// Get appends the A-XDR encoding of attribute attr to dst, whole:
	// a server splits long results into blocks itself. sel is nil
	// without selective access. On error dst is returned as it was.
	Get(ctx context.Context, dst []byte, attr int8, sel *Selector) ([]byte, error)
	// Set writes attribute attr. value is one decoded Data tree; it
	// aliases the request, so an object keeping it must copy.
	Set(ctx context.Context, attr int8, value []axdr.Value) error
	// Action invokes method and appends the encoding of its return data
	// to dst, or nothing when the method returns none. params is the
	// decoded parameter (nil when the request has none), valid only
	// during the call.
	Action(ctx context.Context, dst []byte, method int8, params []axdr.Value) ([]byte, error)
}

// View is what one association sees: the objects of its object_list and
// its rights on each. A server looks up every request in it, so lookups
// of a real meter's thousands of objects should be a map access.
type View interface {
	// Lookup returns the object named name and the association's rights
	// on it, or a nil Object when the association sees no such object.
	Lookup(name OBIS) (Object, *Rights)
	// Objects yields the view's objects in object_list order.
	Objects() iter.Seq2[Object, *Rights]
}

// Tree is everything a server exposes: one View per association, chosen
// by the client's SAP (ARCHITECTURE §4: 16 public, 32 reader, 1
// management).
type Tree interface {
	// View returns the view of the association with client SAP client,
	// and false when the server offers that client no association.
	View(client uint16) (View, bool)
}

// Unimplemented answers every attribute and method with ErrUnavailable; an
// object embeds it and overrides what it implements.
type Unimplemented struct{}

func (Unimplemented) Get(_ context.Context, dst []byte, _ int8, _ *Selector) ([]byte, error) {
	return dst, ErrUnavailable
}
func (Unimplemented) Set(context.Context, int8, []axdr.Value) error { return ErrUnavailable }
func (Unimplemented) Action(_ context.Context, dst []byte, _ int8, _ []axdr.Value) ([]byte, error) {
	return dst, ErrUnavailable
}
