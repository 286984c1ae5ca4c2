package config

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/amigo-ami/amigo/meter"
)

// ErrConfig is wrapped by every error of a configuration file.
var ErrConfig = errors.New("meter.toml")

// Error is an error at a line of a configuration file: "FILE:LINE: key:
// reason".
type Error struct {
	File string
	Line int // 0 when the error is about the file as a whole
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return ErrConfig }

// File is a loaded meter.toml: the meter's configuration and what the
// DLMS server of `amigo meter` needs besides.
type File struct {
	Meter meter.Config
	// Security is the DLMS security of the meter's associations.
	Security Security
	// Listen and HDLC are the server's defaults (flags override them).
	Listen string
	HDLC   bool
	// NILM is the NILM expansion module ([modules.nilm]).
	NILM NILM
}

// Security holds the keys and secrets of the three associations.
type Security struct {
	EncryptionKey, AuthenticationKey []byte // management client (HLS-GMAC)
	ClientTitle                      []byte // the management client's system title
	Password                         []byte // reader client (LLS)
	// MasterKey is the key-encrypting key (KEK) that unwraps the keys a
	// security setup key_transfer brings (RFC 3394).
	MasterKey   []byte
	FirmwareKey *ecdsa.PublicKey
}

// Demo returns the configuration of ARCHITECTURE §4's demo meter: the
// Green Book example keys, LLS password 00000000, serial 0000000001.
func Demo() File {
	f, err := Parse("demo", []byte(`serial = "0000000001"`))
	if err != nil {
		panic(err) // a constant that parses
	}
	return f
}

// Load reads and checks a configuration file.
func Load(path string) (File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return File{}, &Error{File: path, Msg: err.Error()}
	}
	return Parse(path, b)
}

var lineInMessage = regexp.MustCompile(`line (\d+)`)

// Parse reads a configuration from b; name is the file name errors show.
func Parse(name string, b []byte) (File, error) {
	var doc document
	md, err := toml.Decode(string(b), &doc)
	if err != nil {
		e := &Error{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: ")}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			e.Line, e.Key, e.Msg = pe.Position.Line, pe.LastKey, pe.Message
		} else if m := lineInMessage.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		}
		return File{}, e
	}
	c := &converter{file: name, lines: keyLines(b)}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		return File{}, c.errorf(k, "unknown key")
	}
	f, err := c.convert(&doc)
	if err != nil {
		return File{}, err
	}
	if err := f.Meter.Validate(); err != nil {
		return File{}, &Error{File: name, Msg: err.Error()}
	}
	return f, nil
}

// converter turns the decoded document into meter types, naming the line
// of the key at fault.
type converter struct {
	file  string
	lines map[string]int
}

func (c *converter) errorf(key, format string, args ...any) error {
	return &Error{File: c.file, Line: c.line(key), Key: key, Msg: fmt.Sprintf(format, args...)}
}

var arrayIndex = regexp.MustCompile(`\[\d+\]`)

// line finds the line of key, or of the nearest enclosing table. A key
// without array indices (as the TOML decoder names them) matches the first
// element that has it.
func (c *converter) line(key string) int {
	for k := key; k != ""; {
		if l, ok := c.lines[k]; ok {
			return l
		}
		best := 0
		for name, l := range c.lines {
			if arrayIndex.ReplaceAllString(name, "") == k && (best == 0 || l < best) {
				best = l
			}
		}
		if best > 0 {
			return best
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

var (
	tableHeader = regexp.MustCompile(`^\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?`)
	keyLine     = regexp.MustCompile(`^([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=`)
)

// keyLines maps every key of a configuration file to its line:
// "tariff.tier[1].price" → 42. It follows table headers and arrays of
// tables; a key inside an inline table maps to the line of the inline
// table. Multi-line strings and arrays are skipped well enough for the
// files this package reads (their continuation lines do not look like
// keys).
func keyLines(b []byte) map[string]int {
	out := map[string]int{}
	counts := map[string]int{}
	prefix := ""
	for i, line := range strings.Split(string(b), "\n") {
		s := strings.TrimSpace(line)
		if m := tableHeader.FindStringSubmatch(s); m != nil {
			name := m[1]
			if strings.HasPrefix(s, "[[") {
				name = fmt.Sprintf("%s[%d]", name, counts[name])
				counts[m[1]]++
			}
			prefix = name
			out[prefix] = i + 1
			continue
		}
		if m := keyLine.FindStringSubmatch(s); m != nil {
			k := strings.ReplaceAll(m[1], " ", "")
			if prefix != "" {
				k = prefix + "." + k
			}
			if _, dup := out[k]; !dup {
				out[k] = i + 1
			}
		}
	}
	return out
}
