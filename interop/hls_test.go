package interop

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/Gurux/gxdlms-go/enums"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
)

// TestGuruxHLSGMAC records what Gurux's HLS-GMAC with ciphering does
// against our server (README.md, "HLS-GMAC"): gxdlms-go v1.0.16 sends an
// AARQ whose user-information holds an empty octet-string where the
// glo-initiate-request belongs, and our server refuses it with the
// ConfirmedServiceError the Green Book gives for a missing InitiateRequest.
// If Gurux fixes this, the test fails and the README needs updating.
func TestGuruxHLSGMAC(t *testing.T) {
	var blocks atomic.Int64
	var aarq []byte
	addr := startServerTraced(t, false, &blocks, func(ev dlms.TraceEvent) {
		if !ev.Sent && len(ev.Wire) > 0 && ev.Wire[0] == apdu.TagAARQ {
			aarq = bytes.Clone(ev.Wire)
		}
	})
	g := dialGurux(t, addr, false, 1, enums.AuthenticationHighGMAC, "")
	cip := g.c.Settings().Cipher
	if err := cip.SetSecurity(enums.SecurityAuthenticationEncryption); err != nil {
		t.Fatal(err)
	}
	if err := cip.SetSystemTitle(demoClientTitle); err != nil {
		t.Fatal(err)
	}
	if err := cip.SetBlockCipherKey(demoEK); err != nil {
		t.Fatal(err)
	}
	if err := cip.SetAuthenticationKey(demoAK); err != nil {
		t.Fatal(err)
	}
	err := g.connect()
	if err == nil || !strings.Contains(err.Error(), "Initiate") {
		t.Fatalf("Gurux HLS-GMAC connect: %v; the peer's ciphering may be fixed: check README.md", err)
	}
	var rq apdu.AARQ
	if derr := rq.Decode(aarq); derr != nil {
		t.Fatalf("the AARQ Gurux sent does not decode: %v", derr)
	}
	if rq.Context != apdu.ContextLNCiphered || rq.Mechanism != apdu.MechanismHighGMAC || !bytes.Equal(rq.CallingAPTitle, demoClientTitle) || len(rq.UserInformation) != 0 {
		t.Errorf("AARQ %s: expected the ciphered context, HLS-GMAC, our title and an empty user-information", rq.String())
	}
	t.Logf("Gurux HLS-GMAC: %v", err)

	// The server is none the worse: our own HLS-GMAC client associates.
	c, err := dlms.Dial(context.Background(), addr, dlms.ClientConfig{Client: 1, Mechanism: apdu.MechanismHighGMAC,
		EncryptionKey: demoEK, AuthenticationKey: demoAK, SystemTitle: demoClientTitle})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Associate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}, nil); err != nil {
		t.Fatal(err)
	}
}
