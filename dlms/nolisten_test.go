package dlms

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// A server made with NoListen opens no socket and serves the connections
// handed to ServeConn: a fleet simulator accepts for its meters itself.
func TestNoListenServesHandedConnections(t *testing.T) {
	srv, err := NewServer(ServerConfig{Listen: NoListen, Tree: fuzzServer(t).cfg.Tree,
		Clients: map[uint16]ClientPolicy{16: {Mechanism: apdu.MechanismLowest}}})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Addr() != nil || srv.Close() != nil {
		t.Fatalf("addr %v without a listener", srv.Addr())
	}
	if err := srv.Serve(t.Context()); !errors.Is(err, ErrNoListener) {
		t.Fatalf("Serve: %v, want ErrNoListener", err)
	}
	meterEnd, clientEnd := net.Pipe()
	st, err := wrapper.NewServer(meterEnd, wrapper.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.ServeConn(ctx, st) }()
	ct, err := wrapper.NewClient(clientEnd, wrapper.Config{Client: 16})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ct, ClientConfig{Client: 16})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Associate(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := c.Get(ctx, cosem.Ref{Class: cosem.ClassAssociationLN, Name: cosem.CurrentAssociation, ID: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 1 || !bytes.Equal(v[0].Bytes, cosem.CurrentAssociation[:]) {
		t.Fatalf("logical name %v", v)
	}
	cancel()
	<-done
	if st := srv.Stats(); st.Associations != 1 {
		t.Fatalf("stats %+v", st)
	}
}
