// Package apdu holds the DLMS/COSEM APDU codecs (IEC 62056-5-3, DLMS UA
// 1000-2 "Green Book" §9, xDLMS and ACSE): pure encode and decode, no
// state, no I/O, no keys. Package security protects and opens the bytes
// these codecs produce; package dlms drives them in its association state
// machines.
//
// Every APDU type (AARQ, AARE, RLRQ, RLRE, InitiateRequest/Response,
// GetRequest/Response, SetRequest/Response, ActionRequest/Response,
// DataNotification, EventNotification, ExceptionResponse,
// ConfirmedServiceError, Ciphered) implements APDU:
//
//	Append(dst []byte) ([]byte, error)  // appends the encoding
//	Decode(b []byte) error              // replaces the receiver, reusing its slices
//	String() string                     // readable tree for traces and tests
//
// xDLMS APDUs are A-XDR: a tag byte, a CHOICE byte for the service form,
// then the fields in order (see each type's doc for its layout); Data
// values are axdr trees ([]axdr.Value, preorder). ACSE APDUs (AARQ, AARE,
// RLRQ, RLRE) are BER, with the xDLMS InitiateRequest/Response (possibly
// ciphered) as an octet string inside user-information:
//
//	60 L | A1 09 06 07 60 85 74 05 08 01 cc | [A6 L 04 L title] | [8A 02 07 80]
//	     | [8B 07 60 85 74 05 08 02 mm] | [AC L 80 L auth-value] | BE L 04 L InitiateRequest
//
// Decoders never panic, check every length against the bytes left, and
// name the place of an error: "GetResponse.result[3]: offset 41: axdr:
// truncated" (errors.Is finds axdr.ErrTruncated; the offset is from the
// APDU's first byte). Decoded byte slices and Data alias the input. A typed
// APDU kept and reused decodes without allocating once its slices have
// grown; Decode (the function) allocates a fresh APDU for callers that do
// not know what comes.
//
// Block transfer is carried, not driven: GetResponse.Block, SetRequest.Block
// and ActionRequest/Response.Block hold DataBlock-G/-SA fields; the client
// and server state machines of package dlms split and join the raw data.
//
// Ciphered only splits a protected APDU into tag, security header and
// payload (CipheredTag and PlainTag map glo-/ded- tags to plain ones);
// package security does the cryptography.
//
// Concurrency: APDU values are not safe for concurrent use; the package
// has no other state.
package apdu
