// Package dlms is the DLMS/COSEM application layer (IEC 62056-5-3, DLMS UA
// 1000-2 "Green Book" §9): the ACSE and xDLMS APDUs, and security suite 0.
//
// # APDUs
//
// Every APDU type (AARQ, AARE, RLRQ, RLRE, InitiateRequest/Response,
// GetRequest/Response, SetRequest/Response, ActionRequest/Response,
// DataNotification, EventNotification, ExceptionResponse,
// ConfirmedServiceError, CipheredAPDU) implements APDU:
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
// and server state machines split and join the raw data.
//
// # Security (suite 0)
//
// A SecurityContext holds one association's keys (EK, optional broadcast
// and dedicated keys, AK), system titles, policy (SC bits) and counters:
//
//	Protect(dst, apdu, dedicated)  plain APDU → glo-/ded-xxx (or general-glo-ciphering)
//	Open(dst, ciphered)            ciphered APDU → plain APDU, checking tag, policy, counter
//	HLSResponse(dst, challenge)    f(challenge) = SC ‖ IC ‖ GMAC(SC ‖ AK ‖ challenge)
//	VerifyHLS(challenge, response) checks the peer's f(challenge)
//
// The IV is the sender's system title (8 bytes) and its invocation counter
// (4 bytes); the GCM tag is 12 bytes; the AAD is SC ‖ AK (plus the
// plaintext when only authenticating). Ciphered APDU layout:
//
//	glo-get-request:       C8 L | SC | IC(4) | ciphertext | tag(12)
//	general-glo-ciphering: DB 08 system-title(8) L | SC | IC(4) | ciphertext | tag(12)
//
// Invocation counters live in a CounterStore: FileCounters persists (write,
// fsync, rename, fsync directory) before a counter is used, and rejects a
// received counter not above the last accepted with ErrReplay.
// CheckPassword compares LLS passwords in constant time. Crypto is
// crypto/aes and crypto/cipher only; comparisons use crypto/subtle.
//
// # Client and server
//
// Both run over a Transport (WriteAPDU/ReadAPDU of whole APDUs; dlms/wrapper
// and dlms/hdlc connections are Transports).
//
// Server serves a cosem.Tree: NewServer(ServerConfig) listens, Serve(ctx)
// accepts until ctx is done, ServeConn runs one connection. Each connection
// is an association state machine — none, pending (HLS pass 3 awaited),
// associated — driven by one goroutine. The client's SAP chooses what it must
// do (ClientPolicy: MechanismLowest, MechanismLow with a password, or
// MechanismHighGMAC with keys and suite 0 ciphering). The AARE negotiates
// conformance and PDU sizes; GET, SET and ACTION go through cosem.Get/Set/
// Action, which check the association's view and rights; answers longer
// than the client's PDU go out in blocks, and SET and ACTION may come in
// blocks. Ciphered requests are answered in the same protection; a
// replayed counter is answered with an invocation-counter-error exception
// and counted; APDUs the server cannot take get an ExceptionResponse. A
// connection silent for the inactivity timeout is closed.
//
// Client: Dial or NewClient, Associate (LLS, or HLS-GMAC's four passes),
// Get, GetWithList, Set, Action (blocks both ways), Release. An
// invocation-counter-error exception resynchronises the counter and the
// request is sent once more; ResumeInvocationCounter starts above the
// counter a server shows (0.0.43.1.0.255). TraceWriter renders every APDU
// for --trace. PushListener receives DataNotifications over the TCP wrapper
// or UDP.
//
// Concurrency: APDU values, SecurityContext and Client are not safe for
// concurrent use; CounterStore implementations, Server and PushListener
// are.
package dlms
