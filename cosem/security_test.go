package cosem_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

func TestKeyTransfer(t *testing.T) {
	kek := unhex(t, "000102030405060708090A0B0C0D0E0F")
	oldAK := unhex(t, "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyMaster: kek, cosem.KeyAuthentication: oldAK})
	s := cosem.NewSecuritySetup(cosem.MustOBIS("0.0.43.0.0.255"), cosem.PolicyAuthenticatedEncrypted, 0, nil, nil, keys)
	ctx := context.Background()

	newEK := unhex(t, "00112233445566778899AABBCCDDEEFF")
	newAK := unhex(t, "FFEEDDCCBBAA99887766554433221100")
	param, err := cosem.AppendKeyTransfer(nil, kek, map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: newEK, cosem.KeyAuthentication: newAK})
	if err != nil {
		t.Fatal(err)
	}
	// The wrapped unicast key is RFC 3394's vector 4.1.
	if !bytes.Contains(param, unhex(t, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")) {
		t.Fatalf("parameter % X lacks the RFC 3394 4.1 wrapping", param)
	}
	vals, err := axdr.Decode(nil, param)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Action(ctx, nil, 2, vals); err != nil {
		t.Fatalf("key_transfer: %v", err)
	}
	for id, want := range map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: newEK, cosem.KeyAuthentication: newAK, cosem.KeyMaster: kek} {
		if got, err := keys.Key(id); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s = % X, %v; want % X", id, got, err, want)
		}
	}

	// Wrapped with another KEK: refused, and no key changes.
	bad, _ := cosem.AppendKeyTransfer(nil, unhex(t, "0F0E0D0C0B0A09080706050403020100"), map[cosem.KeyID][]byte{cosem.KeyAuthentication: oldAK})
	vals, _ = axdr.Decode(nil, bad)
	if _, err := s.Action(ctx, nil, 2, vals); !errors.Is(err, cosem.ErrDenied) {
		t.Errorf("key_transfer with a foreign KEK: %v, want ErrDenied", err)
	}
	if got, _ := keys.Key(cosem.KeyAuthentication); !bytes.Equal(got, newAK) {
		t.Errorf("authentication key changed to % X by a refused transfer", got)
	}
	if _, err := cosem.AppendKeyTransfer(nil, kek, map[cosem.KeyID][]byte{7: newAK}); err == nil {
		t.Error("AppendKeyTransfer took key id 7")
	}
	if _, err := cosem.NewMemKeys(nil).Key(cosem.KeyMaster); !errors.Is(err, cosem.ErrNoKey) {
		t.Errorf("missing key: %v, want ErrNoKey", err)
	}
}
