// Package dlms is the DLMS/COSEM application layer (IEC 62056-5-3, DLMS UA
// 1000-2 "Green Book" §9): the client and server association state
// machines, their glue to the transports, and the push listener. The APDU
// codecs are in dlms/apdu, security suite 0 and invocation counters in
// dlms/security; this package only drives them.
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
// Concurrency: a Client is not safe for concurrent use; Server and
// PushListener are.
package dlms
