package dlms_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
)

// pipeEnd is one end of an in-memory APDU transport: what one end writes
// the other reads, whole.
type pipeEnd struct {
	in     <-chan []byte
	out    chan<- []byte
	done   chan struct{}
	once   *sync.Once
	client uint16
}

// pipe returns the two ends of a transport whose client is client.
func pipe(client uint16) (*pipeEnd, *pipeEnd) {
	a, b := make(chan []byte), make(chan []byte)
	done, once := make(chan struct{}), &sync.Once{}
	return &pipeEnd{in: b, out: a, done: done, once: once, client: client},
		&pipeEnd{in: a, out: b, done: done, once: once, client: client}
}

func (p *pipeEnd) WriteAPDU(ctx context.Context, pdu []byte) error {
	select {
	case p.out <- bytes.Clone(pdu):
		return nil
	case <-p.done:
		return io.ErrClosedPipe
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pipeEnd) ReadAPDU(ctx context.Context) ([]byte, error) {
	select {
	case b := <-p.in:
		return b, nil
	case <-p.done:
		return nil, io.EOF
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *pipeEnd) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}

func (p *pipeEnd) ClientAddress() uint16 { return p.client }

// Demo security material of ARCHITECTURE §4 (the Green Book's example
// values).
var (
	demoEK          = cosemtest.DemoEncryptionKey
	demoAK          = cosemtest.DemoAuthenticationKey
	demoKEK         = []byte("KEK-0123456789AB")
	demoClientTitle = cosemtest.DemoClientTitle
	demoServerTitle = cosemtest.DemoServerTitle
	demoPassword    = cosemtest.DemoPassword
	testNow         = time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)
)

// env is a server over the test tree, with the three clients of
// ARCHITECTURE §4.
type env struct {
	t    *testing.T
	srv  *dlms.Server
	tree *cosemtest.Tree
	keys *cosem.MemKeys
	ctx  context.Context
	// counters are the management client's invocation counters, shared
	// by its connections as a head-end's are.
	counters *security.MemoryCounters
}

type envOption func(*dlms.ServerConfig)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, ctx: t.Context(), counters: security.NewMemoryCounters()}
	e.keys = cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: demoEK, cosem.KeyAuthentication: demoAK, cosem.KeyMaster: demoKEK})
	var err error
	e.tree, err = cosemtest.New(cosemtest.Options{Now: func() time.Time { return testNow }, Keys: e.keys,
		ClientTitle: demoClientTitle, ServerTitle: demoServerTitle,
		InvocationCounter: func(context.Context) (uint32, error) { return e.srv.InvocationCounter(cosemtest.Management), nil }})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.tree.Add(&echo{}, cosem.Grants{cosemtest.Management: cosem.FullAccess(cosem.LookupClass(cosem.ClassRegister))}); err != nil {
		t.Fatal(err)
	}
	cfg := dlms.ServerConfig{
		Listen: "127.0.0.1:0",
		Tree:   e.tree,
		Clients: map[uint16]dlms.ClientPolicy{
			cosemtest.Public:     {Mechanism: apdu.MechanismLowest},
			cosemtest.Reader:     {Mechanism: apdu.MechanismLow, Password: demoPassword},
			cosemtest.Management: {Mechanism: apdu.MechanismHighGMAC, Keys: e.keys},
		},
		SystemTitle: demoServerTitle,
		Rand:        bytes.NewReader(bytes.Repeat([]byte("challenge-bytes!"), 1<<12)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if e.srv, err = dlms.NewServer(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

// serveTCP runs the server's listener until the test ends.
func (e *env) serveTCP() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("Serve: %v", err)
		}
	})
}

// connect serves one in-memory connection of client and returns its
// client end and a channel that reports when the server's side ends.
func (e *env) connect(client uint16) (*pipeEnd, <-chan error) {
	c, s := pipe(client)
	done, ended := make(chan error, 1), make(chan struct{})
	go func() {
		done <- e.srv.ServeConn(e.ctx, s)
		close(ended)
	}()
	e.t.Cleanup(func() {
		c.Close()
		<-ended
	})
	return c, done
}

// clientConfig is what each kind of client of ARCHITECTURE §4 uses.
func (e *env) clientConfig(sap uint16) dlms.ClientConfig {
	switch sap {
	case cosemtest.Reader:
		return dlms.ClientConfig{Client: sap, Mechanism: apdu.MechanismLow, Password: demoPassword}
	case cosemtest.Management:
		return dlms.ClientConfig{Client: sap, Mechanism: apdu.MechanismHighGMAC, EncryptionKey: demoEK,
			AuthenticationKey: demoAK, SystemTitle: demoClientTitle, Counters: e.counters}
	}
	return dlms.ClientConfig{Client: sap}
}

// client associates a client of kind sap over a new in-memory connection.
func (e *env) client(sap uint16, edit ...func(*dlms.ClientConfig)) *dlms.Client {
	e.t.Helper()
	c, err := e.dial(sap, edit...)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := c.Associate(e.ctx); err != nil {
		e.t.Fatalf("associate client %d: %v", sap, err)
	}
	return c
}

func (e *env) dial(sap uint16, edit ...func(*dlms.ClientConfig)) (*dlms.Client, error) {
	cfg := e.clientConfig(sap)
	for _, f := range edit {
		f(&cfg)
	}
	end, _ := e.connect(sap)
	return dlms.NewClient(end, cfg)
}

// echo is a test object (a register at 0.0.128.0.1.255) whose method 1
// returns its parameter, for long ACTIONs both ways.
type echo struct{ cosem.Unimplemented }

var echoName = cosem.OBIS{0, 0, 128, 0, 1, 255}

func (*echo) ID() cosem.ObjectID { return cosem.ObjectID{Class: cosem.ClassRegister, Name: echoName} }

func (*echo) Get(_ context.Context, dst []byte, _ int8, _ *cosem.Selector) ([]byte, error) {
	return axdr.AppendNull(dst), nil
}

func (*echo) Action(_ context.Context, dst []byte, _ int8, params []axdr.Value) ([]byte, error) {
	if params == nil {
		return dst, nil
	}
	return axdr.Append(dst, params)
}

// dataAccess returns the Data-Access-Result err carries, or -1.
func dataAccess(err error) int {
	var ae dlms.AccessError
	if errors.As(err, &ae) {
		return int(ae.Result)
	}
	return -1
}
