package sim

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Entry is one meter as the head-end's registry imports it (hes/registry:
// CSV or TOML).
type Entry struct {
	Serial  string
	Address string // [hdlc://]host:port, the meter's own
	Client  string // "management": the head-end associates with HLS-GMAC
	KeySet  string // the name of the meter's key set
	Group   string
	Tariff  string // "" for none
	Keys    Keys
}

// KeySetName is the key set of every meter with the demo keys; a meter
// with its own keys has "sim-" and its serial.
const KeySetName = "sim-demo"

// Registry returns every meter's entry, in fleet order.
func (f *Fleet) Registry() []Entry {
	out := make([]Entry, len(f.units))
	for k, u := range f.units {
		addr := u.addr
		if f.cfg.HDLC {
			addr = "hdlc://" + addr
		}
		set := KeySetName
		if f.cfg.Keys == PerMeterKeys {
			set = "sim-" + u.serial
		}
		out[k] = Entry{Serial: u.serial, Address: addr, Client: "management", KeySet: set, Group: f.cfg.Group, Tariff: f.cfg.Tariff, Keys: u.keys}
	}
	return out
}

// WriteCSV writes entries as a registry CSV file: serial, address, client,
// keys, group, tariff. The key material is not in it: the key sets it names
// come from WriteTOML (or exist already).
func WriteCSV(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"serial", "address", "client", "keys", "group", "tariff"})
	for _, e := range entries {
		cw.Write([]string{e.Serial, e.Address, e.Client, e.KeySet, e.Group, e.Tariff})
	}
	cw.Flush()
	return cw.Error()
}

// WriteTOML writes entries as a registry TOML file: a [keys.NAME] table per
// key set (guek, gak, kek, password) and a [[meter]] table per meter.
func WriteTOML(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# amigo sim fleet registry (hes/registry TOML import)")
	written := map[string]bool{}
	for _, e := range entries {
		if written[e.KeySet] {
			continue
		}
		written[e.KeySet] = true
		k := e.Keys
		fmt.Fprintf(bw, "\n[keys.%s]\nguek = %q\ngak = %q\nkek = %q\n", quoteKey(e.KeySet), hexUpper(k.EK), hexUpper(k.AK), hexUpper(k.KEK))
		if len(k.Password) > 0 {
			fmt.Fprintf(bw, "password = %s\n", strconv.Quote(string(k.Password)))
		}
	}
	for _, e := range entries {
		fmt.Fprintf(bw, "\n[[meter]]\nserial = %q\naddress = %q\nclient = %q\nkeys = %q\ngroup = %q\n", e.Serial, e.Address, e.Client, e.KeySet, e.Group)
		if e.Tariff != "" {
			fmt.Fprintf(bw, "tariff = %q\n", e.Tariff)
		}
	}
	return bw.Flush()
}

func hexUpper(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// quoteKey writes a TOML table key, bare when it can be.
func quoteKey(k string) string {
	if k != "" && !bytes.ContainsFunc([]byte(k), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return k
	}
	return strconv.Quote(k)
}
