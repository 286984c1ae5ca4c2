package config

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/amigo-ami/amigo/internal/tomlkeys"

	"github.com/BurntSushi/toml"

	"github.com/amigo-ami/amigo/meter"
)

// ErrConfig is wrapped by every error of a configuration file.
var ErrConfig = errors.New("meter.toml")

// Error is an error at a line of a configuration file: "FILE:LINE: key:
// reason"; it wraps ErrConfig.
type Error = tomlkeys.Error

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
		return File{}, &Error{File: path, Msg: err.Error(), Kind: ErrConfig}
	}
	return Parse(path, b)
}

var lineInMessage = regexp.MustCompile(`line (\d+)`)

// Parse reads a configuration from b; name is the file name errors show.
func Parse(name string, b []byte) (File, error) {
	var doc document
	md, err := toml.Decode(string(b), &doc)
	if err != nil {
		e := &Error{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: "), Kind: ErrConfig}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			e.Line, e.Key, e.Msg = pe.Position.Line, pe.LastKey, pe.Message
		} else if m := lineInMessage.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
		}
		return File{}, e
	}
	c := &converter{file: name, lines: tomlkeys.Index(b)}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		return File{}, c.errorf(k, "unknown key")
	}
	f, err := c.convert(&doc)
	if err != nil {
		return File{}, err
	}
	if err := f.Meter.Validate(); err != nil {
		return File{}, &Error{File: name, Msg: err.Error(), Kind: ErrConfig}
	}
	return f, nil
}

// converter turns the decoded document into meter types, naming the line
// of the key at fault.
type converter struct {
	file  string
	lines tomlkeys.Lines
}

func (c *converter) errorf(key, format string, args ...any) error {
	return &Error{File: c.file, Line: c.lines.Find(key), Key: key, Msg: fmt.Sprintf(format, args...), Kind: ErrConfig}
}
