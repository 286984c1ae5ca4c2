package dlms_test

import (
	"bytes"
	"context"
	"net"
	"testing"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// meterSide is the security context a meter pushes with.
func meterSide(t *testing.T) *security.Context {
	t.Helper()
	sec, err := security.NewContext(security.Config{EncryptionKey: demoEK, AuthenticationKey: demoAK,
		LocalTitle: demoServerTitle, PeerTitle: demoClientTitle, Policy: apdu.SecurityAuthenticatedEncryption,
		Counters: security.NewMemoryCounters(), SendKey: "push", ReceiveKey: "unused"})
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func notification(t *testing.T, id uint32, energy uint32) []byte {
	t.Helper()
	n := apdu.DataNotification{InvokeID: apdu.LongInvokeIDAndPriority(id),
		Body: []axdr.Value{axdr.Structure(2), axdr.OctetString([]byte{0, 0, 25, 9, 0, 255}), axdr.Uint32(energy)}}
	b, err := n.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func frame(t *testing.T, pdu []byte) []byte {
	t.Helper()
	b, err := wrapper.AppendFrame(nil, wrapper.Frame{Source: 1, Dest: 102, APDU: pdu})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPushListener(t *testing.T) {
	for _, udp := range []bool{false, true} {
		name := map[bool]string{false: "tcp", true: "udp"}[udp]
		t.Run(name, func(t *testing.T) {
			hes := security.NewMemoryCounters()
			l, err := dlms.ListenPush(dlms.PushConfig{Listen: "127.0.0.1:0", UDP: udp,
				Security: func(title []byte) (*security.Context, error) {
					return security.NewContext(security.Config{EncryptionKey: demoEK, AuthenticationKey: demoAK,
						LocalTitle: demoClientTitle, PeerTitle: title, Policy: apdu.SecurityAuthenticatedEncryption,
						Counters: hes, SendKey: "unused", ReceiveKey: string(title)})
				}})
			if err != nil {
				t.Fatal(err)
			}
			got := make(chan dlms.Notification, 4)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- l.Serve(ctx, func(n dlms.Notification) { got <- n }) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}()

			network := map[bool]string{false: "tcp", true: "udp"}[udp]
			conn, err := net.Dial(network, l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ciphered, err := meterSide(t).ProtectGeneral(nil, notification(t, 2, 2000), false)
			if err != nil {
				t.Fatal(err)
			}
			for _, pdu := range [][]byte{notification(t, 1, 1000), {0xFF, 0x00}, ciphered} {
				if _, err := conn.Write(frame(t, pdu)); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range []struct {
				id     uint32
				energy uint64
				title  []byte
			}{{1, 1000, nil}, {2, 2000, demoServerTitle}} {
				n := <-got
				e, _ := n.Body[2].Uint()
				if n.InvokeID.ID() != want.id || e != want.energy || !bytes.Equal(n.SystemTitle, want.title) || n.Source != 1 || n.Dest != 102 {
					t.Errorf("push %d: %+v", i, n)
				}
			}
		})
	}
}
