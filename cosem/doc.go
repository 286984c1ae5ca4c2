// Package cosem is the COSEM object model (IEC 62056-6-1/-6-2, the DLMS UA
// Blue Book): OBIS codes, units and scaler-units, the catalogue of
// interface classes, access rights, and the object tree a DLMS server
// exposes. It knows nothing of APDUs or transports; package dlms serves a
// Tree over them.
//
// # Names and units
//
// OBIS is the six-byte logical name; ParseOBIS reads "1-0:1.8.0*255",
// "1.0.1.8.0.255" and twelve hex digits, String prints the dotted form and
// Name the descriptive name of well-known codes. Unit is the unit enum of
// scal_unit_type; ScalerUnit.Format scales integers exactly in decimal.
//
// # Catalogue
//
// catalogue.txt lists units, OBIS names and the interface classes amigo
// uses (attributes with names, types, static/dynamic and access selectors;
// methods); `go generate` renders it into catalogue_gen.go (see
// internal/catgen, whose test keeps the two in step). LookupClass returns a
// class.
//
// # The object tree
//
// A server sees a Tree: per client SAP a View, the objects of that
// association's object_list with its Rights on each. An Object answers
// Get (appending already-encoded A-XDR to the caller's buffer, so a server
// can cut a long answer into blocks without re-encoding), Set (taking the
// decoded value) and Action (taking decoded parameters, appending encoded
// return data). The package functions Get, Set and Action do what every
// server must before calling an object — find it in the view, check the
// class, the attribute or method id and the rights, answer the logical
// name — and report failures as the sentinel errors (ErrUndefined,
// ErrDenied, ErrScopeOfAccess, …) that stand for Data-Access-Result codes.
//
// Implementations here, in memory, serve tests, the test server
// (cosemtest) and as models for the meter: Data, DataFunc, Register,
// Clock, ProfileGeneric (range and entry selective access), SecuritySetup
// (key_transfer with RFC 3394 key wrap over crypto/aes), and
// AssociationLN, the per-association object that is also the association's
// View.
//
// # Concurrency
//
// Catalogue tables and a built MemTree are read-only and safe for
// concurrent use. The in-memory objects lock around their state; an
// AssociationLN belongs to the one goroutine serving its association.
// Decoded values passed into objects alias the request and are valid only
// during the call.
package cosem
