package registry

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ErrAddress is wrapped by errors about a meter address.
var ErrAddress = errors.New("registry: bad address")

// Client SAPs (ARCHITECTURE §4).
const (
	ClientManagement uint16 = 1
	ClientPublic     uint16 = 16
	ClientReader     uint16 = 32
)

// Address is how the head-end reaches a meter (see the package doc).
type Address struct {
	HostPort    string // "127.0.0.7:4059"
	HDLC        bool
	Client      uint16  // client SAP; ClientManagement when parsed without one
	SystemTitle [8]byte // the meter's server system title; zero: unknown
	Network     string  // target network; the host when parsed without one
}

// ParseAddress reads an address as the package doc describes it.
func ParseAddress(s string) (Address, error) {
	a := Address{Client: ClientManagement}
	rest := s
	switch {
	case strings.HasPrefix(rest, "tcp://"):
		rest = rest[len("tcp://"):]
	case strings.HasPrefix(rest, "hdlc://"):
		rest, a.HDLC = rest[len("hdlc://"):], true
	case strings.Contains(rest, "://"):
		return a, fmt.Errorf("%w %q: scheme is not tcp or hdlc", ErrAddress, s)
	}
	hostPort, query, _ := strings.Cut(rest, "?")
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil || host == "" {
		return a, fmt.Errorf("%w %q: want host:port", ErrAddress, s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return a, fmt.Errorf("%w %q: port %q", ErrAddress, s, port)
	}
	a.HostPort, a.Network = hostPort, host
	q, err := url.ParseQuery(query)
	if err != nil {
		return a, fmt.Errorf("%w %q: %v", ErrAddress, s, err)
	}
	for k, v := range q {
		if len(v) != 1 {
			return a, fmt.Errorf("%w %q: %s given %d times", ErrAddress, s, k, len(v))
		}
		switch k {
		case "client":
			if a.Client, err = ParseClient(v[0]); err != nil {
				return a, fmt.Errorf("%w %q: %v", ErrAddress, s, err)
			}
		case "title":
			b, err := hex.DecodeString(v[0])
			if err != nil || len(b) != 8 {
				return a, fmt.Errorf("%w %q: title %q is not 8 bytes of hex", ErrAddress, s, v[0])
			}
			copy(a.SystemTitle[:], b)
		case "network":
			if v[0] == "" {
				return a, fmt.Errorf("%w %q: empty network", ErrAddress, s)
			}
			a.Network = v[0]
		default:
			return a, fmt.Errorf("%w %q: unknown parameter %q", ErrAddress, s, k)
		}
	}
	return a, nil
}

// String writes a in the form ParseAddress reads, leaving out what is the
// default.
func (a Address) String() string {
	var b strings.Builder
	if a.HDLC {
		b.WriteString("hdlc://")
	}
	b.WriteString(a.HostPort)
	q := url.Values{}
	if a.Client != ClientManagement {
		q.Set("client", strconv.Itoa(int(a.Client)))
	}
	if a.SystemTitle != ([8]byte{}) {
		q.Set("title", strings.ToUpper(hex.EncodeToString(a.SystemTitle[:])))
	}
	if host, _, err := net.SplitHostPort(a.HostPort); err == nil && a.Network != "" && a.Network != host {
		q.Set("network", a.Network)
	}
	if len(q) > 0 {
		b.WriteByte('?')
		b.WriteString(q.Encode())
	}
	return b.String()
}

// ParseClient reads a client level: a name (management, reader, public) or
// a SAP number 1…0x7F.
func ParseClient(s string) (uint16, error) {
	switch strings.ToLower(s) {
	case "", "management":
		return ClientManagement, nil
	case "reader":
		return ClientReader, nil
	case "public":
		return ClientPublic, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 0x7F {
		return 0, fmt.Errorf("client %q: want management, reader, public or a SAP 1…127", s)
	}
	return uint16(n), nil
}

// titlePrefix is "AMG", the first three bytes of every amigo meter's
// system title (ARCHITECTURE §4).
var titlePrefix = [3]byte{'A', 'M', 'G'}

// DefaultSystemTitle is the server system title of an amigo meter with
// serial: "AMG" and 5 bytes of the serial (ARCHITECTURE §4) — the serial
// as a 40-bit big-endian number when it is decimal and fits, otherwise the
// first 5 bytes of its SHA-256. A meter whose title is otherwise is given
// one with title= in its address.
func DefaultSystemTitle(serial string) [8]byte {
	var t [8]byte
	copy(t[:3], titlePrefix[:])
	if n, err := strconv.ParseUint(serial, 10, 64); err == nil && n < 1<<40 {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], n)
		copy(t[3:], b[3:])
		return t
	}
	sum := sha256.Sum256([]byte(serial))
	copy(t[3:], sum[:5])
	return t
}
