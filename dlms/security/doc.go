// Package security is DLMS/COSEM security suite 0 (DLMS UA 1000-2 "Green
// Book" §9.2.7: AES-128-GCM ciphering of xDLMS APDUs, HLS-GMAC
// authentication, LLS passwords) and the invocation counters it needs. It
// works on encoded APDUs (package apdu gives their layout) and keeps no
// association state beyond one Context's keys and counters.
//
// A Context holds one association's keys (EK, optional broadcast
// and dedicated keys, AK), system titles, policy (SC bits) and counters:
//
//	Protect(dst, pdu, dedicated)   plain APDU → glo-/ded-xxx (or general-glo-ciphering)
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
// Concurrency: a Context is not safe for concurrent use;
// CounterStore implementations are.
package security
