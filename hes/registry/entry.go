package registry

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/dlms/security"
)

// Entry is one meter of an import file, checked.
type Entry struct {
	Where         string // "FILE:LINE" of the entry, for errors
	Serial        string
	Address       Address
	KeysRef       string
	Group         string
	Tariff        string // tariff name; "" for none
	Firmware      string
	AccuracyClass string
	InstalledAt   time.Time

	lines map[string]string // "FILE:LINE" of each key, where it differs from Where
}

// At returns "FILE:LINE" of the entry's key (a column or TOML key name).
func (e Entry) At(key string) string {
	if w, ok := e.lines[key]; ok {
		return w
	}
	return e.Where
}

// KeySet is the material of one key set of an import file.
type KeySet struct {
	Where    string
	EK, AK   []byte // global unicast encryption and authentication keys
	KEK      []byte // master key, wraps key transfers
	Password []byte // LLS password
}

// fields are an entry's raw values by column or key name.
type fields map[string]string

var entryFields = []string{"serial", "address", "client", "keys", "group", "tariff", "firmware", "title", "network", "installed", "class"}

// entry checks raw fields; problems come back one per reason, without the
// location (the caller adds it).
func (f fields) entry() (Entry, []string) {
	var e Entry
	var bad []string
	e.Serial = strings.TrimSpace(f["serial"])
	if e.Serial == "" {
		bad = append(bad, "serial is empty")
	}
	a, err := ParseAddress(strings.TrimSpace(f["address"]))
	if err != nil {
		bad = append(bad, "address: "+err.Error())
	}
	if v := strings.TrimSpace(f["client"]); v != "" {
		if a.Client, err = ParseClient(v); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if v := strings.TrimSpace(f["title"]); v != "" {
		b, err := hex.DecodeString(v)
		if err != nil || len(b) != 8 {
			bad = append(bad, fmt.Sprintf("title %q is not 8 bytes of hex", v))
		} else {
			copy(a.SystemTitle[:], b)
		}
	}
	if v := strings.TrimSpace(f["network"]); v != "" {
		a.Network = v
	}
	if a.SystemTitle == ([8]byte{}) && e.Serial != "" {
		a.SystemTitle = DefaultSystemTitle(e.Serial)
	}
	e.Address = a
	e.KeysRef = strings.TrimSpace(f["keys"])
	if a.Client == ClientManagement && e.KeysRef == "" {
		bad = append(bad, "keys: the management client needs a key set")
	}
	e.Group, e.Tariff, e.Firmware = strings.TrimSpace(f["group"]), strings.TrimSpace(f["tariff"]), strings.TrimSpace(f["firmware"])
	e.AccuracyClass = strings.TrimSpace(f["class"])
	switch e.AccuracyClass {
	case "", "0.2S", "0.2", "0.5S", "0.5", "1", "2":
	default:
		bad = append(bad, fmt.Sprintf("class %q: want 0.2S, 0.2, 0.5S, 0.5, 1 or 2", e.AccuracyClass))
	}
	if v := strings.TrimSpace(f["installed"]); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.Parse(time.DateOnly, v)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("installed %q: want RFC 3339 or YYYY-MM-DD", v))
		}
		e.InstalledAt = t.UTC()
	}
	return e, bad
}

// keySet checks a key set's hex material.
func (f fields) keySet() (KeySet, []string) {
	var k KeySet
	var bad []string
	for _, p := range []struct {
		name string
		dst  *[]byte
		size int
	}{{"guek", &k.EK, security.KeySize}, {"gak", &k.AK, security.KeySize}, {"kek", &k.KEK, security.KeySize}, {"password", &k.Password, 0}} {
		v := strings.TrimSpace(f[p.name])
		if v == "" {
			continue
		}
		if p.size == 0 {
			*p.dst = []byte(v)
			continue
		}
		b, err := hex.DecodeString(v)
		if err != nil || len(b) != p.size {
			bad = append(bad, fmt.Sprintf("%s is not %d bytes of hex", p.name, p.size))
			continue
		}
		*p.dst = b
	}
	if k.EK == nil && k.AK == nil && k.KEK == nil && k.Password == nil {
		bad = append(bad, "key set holds no key (guek, gak, kek, password)")
	}
	return k, bad
}
