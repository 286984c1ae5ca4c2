package dlms_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/dlms"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Green Book security material (DLMS UA 1000-2 Ed. 8, §9.2.7: the examples
// of §9.2.7.3 and Table 43 "HLS example using authentication-mechanism 5
// with GMAC"; ARCHITECTURE §4 uses the same values as demo keys).
const (
	gbEK           = "000102030405060708090A0B0C0D0E0F"
	gbAK           = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
	gbClientTitle  = "4D4D4D0000000001"
	gbServerTitle  = "4D4D4D0000BC614E"
	gbServerIC     = 0x01234567
	gbCtoS         = "4B35366956616759" // "K56iVagY"
	gbStoC         = "503677524A323146" // "P6wRJ21F"
	gbClientFStoC  = "10 00000001 1A52FE7DD3E72748973C1E28"
	gbServerFCtoS  = "10 01234567 FE1466AFB3DBCD4F9389E2B7"
	gbInitiateReq  = "01 01 10 00112233445566778899AABBCCDDEEFF 00 00 06 5F1F04 00 007E1F 04B0"
	gbGloInitReq   = "21 30 30 01234567 801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855"
	gbInitiateResp = "08 00 06 5F1F04 00 007C1F 0400 0007"
	gbGloInitResp  = "28 1F 30 01234567 891214A0845E475714383F65BC19745CA235906525E4F3E1C893"
)

// side builds a security context for one end of the Green Book example:
// sendNext is the first invocation counter it will send.
func side(t *testing.T, local, peer string, sendNext uint32, policy dlms.SecurityControl) *dlms.SecurityContext {
	t.Helper()
	store := dlms.NewMemoryCounters()
	if sendNext > 1 {
		if err := store.Raise("send", sendNext-1); err != nil {
			t.Fatal(err)
		}
	}
	c, err := dlms.NewSecurityContext(dlms.SecurityConfig{
		EncryptionKey: unhex(t, gbEK), AuthenticationKey: unhex(t, gbAK),
		LocalTitle: unhex(t, local), PeerTitle: unhex(t, peer), Policy: policy,
		Counters: store, SendKey: "send", ReceiveKey: "receive",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHLSGMACGreenBookTable43(t *testing.T) {
	client := side(t, gbClientTitle, gbServerTitle, 1, dlms.SecurityAuthenticatedEncryption)
	server := side(t, gbServerTitle, gbClientTitle, gbServerIC, dlms.SecurityAuthenticatedEncryption)

	// Pass 3: the client answers StoC.
	fStoC, err := client.HLSResponse(nil, unhex(t, gbStoC))
	if want := unhex(t, gbClientFStoC); err != nil || !bytes.Equal(fStoC, want) {
		t.Fatalf("client f(StoC) = %X, %v; want %X", fStoC, err, want)
	}
	if err := server.VerifyHLS(unhex(t, gbStoC), fStoC); err != nil {
		t.Errorf("server rejects the client's f(StoC): %v", err)
	}
	// Pass 4: the server answers CtoS.
	fCtoS, err := server.HLSResponse(nil, unhex(t, gbCtoS))
	if want := unhex(t, gbServerFCtoS); err != nil || !bytes.Equal(fCtoS, want) {
		t.Fatalf("server f(CtoS) = %X, %v; want %X", fCtoS, err, want)
	}
	if err := client.VerifyHLS(unhex(t, gbCtoS), fCtoS); err != nil {
		t.Errorf("client rejects the server's f(CtoS): %v", err)
	}
	// A response is bound to its challenge: f(CtoS) does not answer StoC.
	if err := client.VerifyHLS(unhex(t, gbStoC), fCtoS); !errors.Is(err, dlms.ErrAuthentication) {
		t.Errorf("f(CtoS) offered for StoC: %v, want ErrAuthentication", err)
	}
	// A flipped tag bit, a wrong challenge, a short response fail.
	bad := bytes.Clone(unhex(t, gbClientFStoC))
	bad[16] ^= 1
	fresh := side(t, gbServerTitle, gbClientTitle, 1, dlms.SecurityAuthenticatedEncryption)
	for name, tc := range map[string]struct{ challenge, resp []byte }{
		"flipped tag":     {unhex(t, gbStoC), bad},
		"other challenge": {unhex(t, gbCtoS), unhex(t, gbClientFStoC)},
		"short":           {unhex(t, gbStoC), unhex(t, gbClientFStoC)[:16]},
	} {
		if err := fresh.VerifyHLS(tc.challenge, tc.resp); !errors.Is(err, dlms.ErrAuthentication) {
			t.Errorf("%s: VerifyHLS = %v, want ErrAuthentication", name, err)
		}
	}
}

func TestGreenBookCipheredInitiate(t *testing.T) {
	for _, tc := range []struct {
		name           string
		plain, cipher  string
		sender, reader string
	}{
		// Green Book §9.2.7.3 authenticated encryption example: the
		// client's InitiateRequest with a dedicated key, as
		// glo-initiate-request.
		{"glo-initiate-request", gbInitiateReq, gbGloInitReq, gbServerTitle, gbClientTitle},
		// The matching glo-initiate-response example (IEC 62056-5-3
		// Annex E, same keys, title and counter).
		{"glo-initiate-response", gbInitiateResp, gbGloInitResp, gbServerTitle, gbClientTitle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sender := side(t, tc.sender, tc.reader, gbServerIC, dlms.SecurityAuthenticatedEncryption)
			got, err := sender.Protect(nil, unhex(t, tc.plain), false)
			if want := unhex(t, tc.cipher); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Protect = %X, %v\nwant      %X", got, err, want)
			}
			reader := side(t, tc.reader, tc.sender, 1, dlms.SecurityAuthenticatedEncryption)
			plain, err := reader.Open(nil, got)
			if err != nil || !bytes.Equal(plain, unhex(t, tc.plain)) {
				t.Fatalf("Open = %X, %v; want %s", plain, err, tc.plain)
			}
			if _, err := reader.Open(nil, got); !errors.Is(err, dlms.ErrReplay) {
				t.Errorf("second Open of the same APDU: %v, want ErrReplay", err)
			}
			tampered := bytes.Clone(got)
			tampered[10] ^= 0x01
			if _, err := side(t, tc.reader, tc.sender, 1, dlms.SecurityAuthenticatedEncryption).Open(nil, tampered); !errors.Is(err, dlms.ErrAuthentication) {
				t.Errorf("Open of a tampered APDU: %v, want ErrAuthentication", err)
			}
		})
	}
	var req dlms.InitiateRequest
	if err := req.Decode(unhex(t, gbInitiateReq)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(req.DedicatedKey, unhex(t, "00112233445566778899AABBCCDDEEFF")) || req.Conformance != 0x007E1F ||
		req.MaxPDUSize != 0x04B0 || req.DLMSVersion != 6 || !req.ResponseAllowed {
		t.Errorf("Green Book InitiateRequest decoded as %+v", req)
	}
}

// The Green Book specifies encryption-only APDUs as GCM's ciphertext
// without a tag, and authentication-only as the plaintext followed by
// GMAC(SC ‖ AK ‖ plaintext): so an encryption-only ciphertext equals the
// leading bytes of the authenticated-encryption one under the same IV.
func TestSecurityControlModes(t *testing.T) {
	plain := unhex(t, gbInitiateReq)
	gbCipher := unhex(t, gbGloInitReq)[7 : 7+len(plain)]
	for _, tc := range []struct {
		name   string
		policy dlms.SecurityControl
		check  func(t *testing.T, payload []byte)
	}{
		{"encryption only", dlms.SecurityEncryption, func(t *testing.T, p []byte) {
			if !bytes.Equal(p, gbCipher) {
				t.Errorf("ciphertext %X, want the Green Book's %X", p, gbCipher)
			}
		}},
		{"authentication only", dlms.SecurityAuthentication, func(t *testing.T, p []byte) {
			if len(p) != len(plain)+dlms.TagSize || !bytes.Equal(p[:len(plain)], plain) {
				t.Errorf("payload %X, want the plaintext and a 12-byte tag", p)
			}
		}},
		{"none", 0, func(t *testing.T, p []byte) {
			if !bytes.Equal(p, plain) {
				t.Errorf("payload %X, want the plaintext", p)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sender := side(t, gbServerTitle, gbClientTitle, gbServerIC, tc.policy)
			out, err := sender.Protect(nil, plain, false)
			if err != nil {
				t.Fatal(err)
			}
			var ca dlms.CipheredAPDU
			if err := ca.Decode(out); err != nil {
				t.Fatal(err)
			}
			if ca.Tag != 0x21 || ca.SecurityControl != tc.policy || ca.InvocationCounter != gbServerIC {
				t.Errorf("header tag=%X sc=%s ic=%X", ca.Tag, ca.SecurityControl, ca.InvocationCounter)
			}
			tc.check(t, ca.Payload)
			reader := side(t, gbClientTitle, gbServerTitle, 1, tc.policy)
			back, err := reader.Open(nil, out)
			if err != nil || !bytes.Equal(back, plain) {
				t.Errorf("Open = %X, %v", back, err)
			}
		})
	}
	// A reader that requires authenticated encryption refuses less.
	weak, _ := side(t, gbServerTitle, gbClientTitle, 5, dlms.SecurityEncryption).Protect(nil, plain, false)
	if _, err := side(t, gbClientTitle, gbServerTitle, 1, dlms.SecurityAuthenticatedEncryption).Open(nil, weak); !errors.Is(err, dlms.ErrSecurityPolicy) {
		t.Errorf("encryption-only APDU under an A+E policy: %v, want ErrSecurityPolicy", err)
	}
}

func TestGeneralGloCipheringAndDedicatedKey(t *testing.T) {
	sender := side(t, gbServerTitle, gbClientTitle, 7, dlms.SecurityAuthenticatedEncryption)
	reader := side(t, gbClientTitle, gbServerTitle, 1, dlms.SecurityAuthenticatedEncryption)
	notification := unhex(t, "0F 00000001 00 06 00000005")
	out, err := sender.Protect(nil, notification, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, unhex(t, "DB 08 "+gbServerTitle)) {
		t.Errorf("DataNotification protected as % X, want general-glo-ciphering with the sender's title", out)
	}
	if back, err := reader.Open(nil, out); err != nil || !bytes.Equal(back, notification) {
		t.Errorf("Open general-glo-ciphering = %X, %v", back, err)
	}
	// From a meter whose title is not the peer's.
	stranger := side(t, "4D4D4D00000000FF", gbClientTitle, 1, dlms.SecurityAuthenticatedEncryption)
	foreign, _ := stranger.Protect(nil, notification, false)
	if _, err := reader.Open(nil, foreign); !errors.Is(err, dlms.ErrSecurityPolicy) {
		t.Errorf("general-glo-ciphering from another title: %v, want ErrSecurityPolicy", err)
	}

	get := unhex(t, "C0 01 C1 0008 0000010000FF 02 00")
	if _, err := sender.Protect(nil, get, true); !errors.Is(err, dlms.ErrSecurityPolicy) {
		t.Errorf("ded- without a dedicated key: %v, want ErrSecurityPolicy", err)
	}
	key := unhex(t, "00112233445566778899AABBCCDDEEFF")
	if err := sender.SetDedicatedKey(key); err != nil {
		t.Fatal(err)
	}
	ded, err := sender.Protect(nil, get, true)
	if err != nil || ded[0] != 0xD0 {
		t.Fatalf("ded-get-request = % X, %v", ded, err)
	}
	if _, err := reader.Open(nil, ded); !errors.Is(err, dlms.ErrSecurityPolicy) {
		t.Errorf("ded- APDU at a reader without the key: %v, want ErrSecurityPolicy", err)
	}
	if err := reader.SetDedicatedKey(key); err != nil {
		t.Fatal(err)
	}
	if back, err := reader.Open(nil, ded); err != nil || !bytes.Equal(back, get) {
		t.Errorf("Open ded-get-request = %X, %v", back, err)
	}
}

func TestCheckPassword(t *testing.T) {
	if err := dlms.CheckPassword([]byte("00000000"), []byte("00000000")); err != nil {
		t.Errorf("right password: %v", err)
	}
	for _, got := range []string{"00000001", "0000000", "", "000000000"} {
		if err := dlms.CheckPassword([]byte("00000000"), []byte(got)); !errors.Is(err, dlms.ErrAuthentication) {
			t.Errorf("password %q: %v, want ErrAuthentication", got, err)
		}
	}
	if err := dlms.CheckPassword(nil, nil); !errors.Is(err, dlms.ErrAuthentication) {
		t.Errorf("empty configured password accepted")
	}
}

func TestFileCountersNeverReuseAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counters.json")
	s, err := dlms.OpenFileCounters(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	for want := uint32(1); want <= 3; want++ {
		if got, err := s.Next("meter"); err != nil || got != want {
			t.Fatalf("Next = %d, %v; want %d", got, err, want)
		}
	}
	if ic, ok := s.LastAccepted("peer"); ok || ic != 0 {
		t.Fatalf("LastAccepted before any = %d, %t; want 0, false", ic, ok)
	}
	if err := s.Accept("peer", 41); err != nil {
		t.Fatal(err)
	}
	// "Crash": drop s without any close and reopen from the file. The
	// rest of the reserved window (4–10) is skipped, never reused.
	s2, err := dlms.OpenFileCounters(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Next("meter"); err != nil || got != 11 {
		t.Errorf("Next after reopen = %d, %v; want 11", got, err)
	}
	if ic, ok := s2.LastAccepted("peer"); !ok || ic != 41 {
		t.Errorf("LastAccepted after reopen = %d, %t; want 41, true", ic, ok)
	}
	if err := s2.Accept("peer", 41); !errors.Is(err, dlms.ErrReplay) {
		t.Errorf("Accept(41) after reopen: %v, want ErrReplay", err)
	}
	if err := s2.Accept("peer", 42); err != nil {
		t.Errorf("Accept(42): %v", err)
	}
	if err := s2.Raise("meter", 1000); err != nil {
		t.Fatal(err)
	}
	if got, _ := s2.Next("meter"); got != 1001 {
		t.Errorf("Next after Raise(1000) = %d, want 1001", got)
	}
	s3, err := dlms.OpenFileCounters(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ic, ok := s3.LastAccepted("peer"); !ok || ic != 42 {
		t.Errorf("LastAccepted after a second reopen = %d, %t; want 42, true", ic, ok)
	}
	if ic, ok := s3.LastAccepted("meter"); ok {
		t.Errorf("LastAccepted of a send-only key = %d, want none", ic)
	}
	if got, _ := s3.Next("meter"); got != 1011 {
		t.Errorf("Next after Raise and reopen = %d, want 1011", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files, want only the store (temporary files left behind?)", len(entries))
	}
}

func TestFileCountersFailToPersistMeansNoCounter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "counters.json") // directory missing: writes fail
	s, err := dlms.OpenFileCounters(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ic, err := s.Next("k"); err == nil {
		t.Errorf("Next = %d with an unwritable store, want an error", ic)
	}
	if err := s.Accept("k", 5); err == nil {
		t.Error("Accept with an unwritable store: no error")
	}
}

func TestCountersExhaust(t *testing.T) {
	s := dlms.NewMemoryCounters()
	if err := s.Raise("k", 0xFFFFFFFE); err != nil {
		t.Fatal(err)
	}
	if ic, err := s.Next("k"); err != nil || ic != 0xFFFFFFFF {
		t.Fatalf("Next = %X, %v; want FFFFFFFF", ic, err)
	}
	if _, err := s.Next("k"); !errors.Is(err, dlms.ErrCounterExhausted) {
		t.Errorf("Next past 2³²−1: %v, want ErrCounterExhausted", err)
	}
}

func TestInvocationCounterObject(t *testing.T) {
	got := dlms.InvocationCounterObject(0)
	if got.ClassID != 1 || got.Instance != (dlms.InstanceID{0, 0, 43, 1, 0, 255}) || got.Attribute != 2 {
		t.Errorf("InvocationCounterObject(0) = %v", got)
	}
}

// Regression (found by FuzzOpen): the glo- tag is outside the GCM
// authentication, so a glo-initiate-request relabelled 0x28
// (glo-initiate-response) decrypted fine; Open now checks that the tag
// matches the plaintext's service.
func TestOpenRejectsRelabelledTag(t *testing.T) {
	relabelled := unhex(t, gbGloInitReq)
	relabelled[0] = 0x28
	reader := side(t, gbClientTitle, gbServerTitle, 1, dlms.SecurityAuthenticatedEncryption)
	if _, err := reader.Open(nil, relabelled); !errors.Is(err, dlms.ErrSecurityPolicy) {
		t.Errorf("relabelled APDU: %v, want ErrSecurityPolicy", err)
	}
	// The untouched APDU still opens: a rejected relabelling did not
	// consume its counter.
	if _, err := reader.Open(nil, unhex(t, gbGloInitReq)); err != nil {
		t.Errorf("original APDU after the relabelled one: %v", err)
	}
}

// Green Book Table 40, "Example: glo-get-request xDLMS APDU" (Ed. 7 p. 285):
// GET of the clock's time, system title 4D4D4D0000BC614E ("MMM" 12345678),
// IC 01234567, the Table 43 keys, under each security control.
func TestGreenBookGloGetRequestTable40(t *testing.T) {
	plain := unhex(t, "C0 01 00 0008 0000010000FF 02 00")
	for _, tc := range []struct {
		name   string
		policy dlms.SecurityControl
		want   string
	}{
		{"authenticated", dlms.SecurityAuthentication, "C8 1E 10 01234567 C0010000080000010000FF0200 06725D910F9221D263877516"},
		{"encrypted", dlms.SecurityEncryption, "C8 12 20 01234567 411312FF935A47566827C467BC"},
		{"authenticated and encrypted", dlms.SecurityAuthenticatedEncryption, "C8 1E 30 01234567 411312FF935A47566827C467BC 7D825C3BE4A77C3FCC056B6B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := side(t, gbServerTitle, gbClientTitle, gbServerIC, tc.policy)
			got, err := client.Protect(nil, plain, false)
			if want := unhex(t, tc.want); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Protect = %X, %v\nwant      %X", got, err, want)
			}
			server := side(t, gbClientTitle, gbServerTitle, 1, tc.policy)
			back, err := server.Open(nil, got)
			if err != nil || !bytes.Equal(back, plain) {
				t.Errorf("Open = %X, %v", back, err)
			}
		})
	}
}
