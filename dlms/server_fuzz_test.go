package dlms

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
)

// loopback is a Transport straight into a server session: what the client
// writes is handled at once and the answer is what it reads next.
type loopback struct {
	sess   *session
	client uint16
	resp   []byte
}

func (l *loopback) WriteAPDU(ctx context.Context, apdu []byte) error {
	l.sess.client = l.client
	l.resp = bytes.Clone(l.sess.handle(ctx, apdu))
	return nil
}

func (l *loopback) ReadAPDU(context.Context) ([]byte, error) {
	if l.resp == nil {
		return nil, errors.New("no answer")
	}
	r := l.resp
	l.resp = nil
	return r, nil
}

func (l *loopback) Close() error { return nil }

var (
	fuzzEK    = bytes.Repeat([]byte{0x11}, 16)
	fuzzAK    = bytes.Repeat([]byte{0x22}, 16)
	fuzzTitle = []byte("FUZZCLNT")
)

// fuzzServer returns a server over the test tree with the three clients.
func fuzzServer(t testing.TB) *Server {
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: fuzzEK, cosem.KeyAuthentication: fuzzAK})
	tree, err := cosemtest.New(cosemtest.Options{Now: func() time.Time { return time.Unix(1.7e9, 0) }, Rows: 50, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(ServerConfig{Listen: "127.0.0.1:0", Tree: tree, SystemTitle: []byte("FUZZSRVR"),
		Clients: map[uint16]ClientPolicy{
			cosemtest.Public:     {Mechanism: MechanismLowest},
			cosemtest.Reader:     {Mechanism: MechanismLow, Password: []byte("pw")},
			cosemtest.Management: {Mechanism: MechanismHighGMAC, Keys: keys},
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// FuzzServerRequest feeds arbitrary APDUs to a server session in each
// state: no association, associated as the public client, and associated
// with HLS-GMAC, where the input is also sent ciphered so that the
// deciphered request reaches the service handlers. No input may panic,
// and every APDU is answered.
func FuzzServerRequest(f *testing.F) {
	for _, seed := range []string{
		"C001C100030100010800FF0200",                                       // GET register
		"C001C100070100630100FF020101020406000000010600000000120001120000", // GET profile with entry access
		"C002C100000001", // GET next
		"C003C10200030100010800FF020000080000010000FF0200",               // GET with list
		"C101C100030100010800FF020006000000FF",                           // SET
		"C102C100010000800000FF020000000000010548656C6C6F",               // SET first datablock
		"C301C10008000001000000FF0601100005",                             // ACTION
		"C304C10001000080000000FF0100000000010548656C6C6F",               // ACTION first pblock
		"601DA109060760857405080101BE10040E01000000065F1F040000781F0400", // AARQ
		"6200",
		"",
	} {
		for state := range byte(3) {
			f.Add(state, unhexString(seed))
		}
	}
	srv := fuzzServer(f)
	f.Fuzz(func(t *testing.T, state byte, apdu []byte) {
		ctx := context.Background()
		sess := newSession(srv)
		lb := &loopback{sess: sess}
		var c *Client
		switch state % 3 {
		case 1:
			lb.client = cosemtest.Public
			c, _ = NewClient(lb, ClientConfig{Client: cosemtest.Public})
		case 2:
			lb.client = cosemtest.Management
			c, _ = NewClient(lb, ClientConfig{Client: cosemtest.Management, Mechanism: MechanismHighGMAC,
				EncryptionKey: fuzzEK, AuthenticationKey: fuzzAK, SystemTitle: fuzzTitle})
		}
		if c != nil {
			// A fresh client counter per input: the server's store must
			// forget the last one too.
			srv.cfg.Counters = NewMemoryCounters()
			if err := c.Associate(ctx); err != nil {
				t.Fatalf("associate: %v", err)
			}
		}
		lb.client = sess.assocClient
		if resp := sess.handle(ctx, apdu); resp == nil && len(apdu) > 0 && apdu[0] != TagSetRequest && apdu[0] != TagActionRequest {
			t.Fatalf("% X went unanswered", apdu)
		}
		if c != nil && c.sec != nil && len(apdu) > 0 {
			wire, err := c.sec.Protect(nil, apdu, false)
			if err != nil {
				return // no ciphered form (an unknown tag goes general-glo, which needs a title: fine either way)
			}
			sess.handle(ctx, wire)
		}
	})
}

func unhexString(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
