package config

import (
	"crypto/ecdsa"
	"os"
	"path/filepath"
	"time"

	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/nilm"
)

// NILM is [modules.nilm]: the NILM expansion module (meter/module/nilm),
// which recognises appliances in a waveform-mode meter's samples.
type NILM struct {
	Enabled bool
	// Library is the signed feature library's content (it verifies
	// against PublicKey); nil when none is configured.
	Library   []byte
	PublicKey *ecdsa.PublicKey
	// Push is where appliance events are pushed (no address: nowhere),
	// with its retries and repetition delay.
	Push        push.Setup
	LogCapacity int
	MinStepW    float64
}

// NILMPush is the module's push to address with amigo meter's defaults
// (where [modules.nilm] names no push_retries or push_repetition_delay):
// three retries a minute apart.
func NILMPush(address string) push.Setup {
	return push.Setup{Destination: push.Destination{Address: address}, Retries: 3, RepetitionDelay: time.Minute}
}

// nilm reads [modules.nilm]; a disabled module's keys are not read.
// Relative paths are from the configuration file's directory.
func (c *converter) nilm(d *nilmDoc) (NILM, error) {
	if !d.Enabled {
		return NILM{}, nil
	}
	n := NILM{Enabled: true, LogCapacity: d.LogCapacity, MinStepW: d.MinStepW}
	read := func(key, path string) ([]byte, error) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(c.file), path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, c.errorf(key, "%v", err)
		}
		return b, nil
	}
	if d.PublicKey == "" {
		return n, c.errorf("modules.nilm.public_key", "required: the key that verifies feature libraries")
	}
	kb, err := read("modules.nilm.public_key", d.PublicKey)
	if err != nil {
		return n, err
	}
	if n.PublicKey, err = nilm.PublicKeyFromPEM(kb); err != nil {
		return n, c.errorf("modules.nilm.public_key", "%s: %v", d.PublicKey, err)
	}
	if d.Library != "" {
		if n.Library, err = read("modules.nilm.library", d.Library); err != nil {
			return n, err
		}
		if _, err := nilm.Load(n.Library, n.PublicKey); err != nil {
			return n, c.errorf("modules.nilm.library", "%s: %v", d.Library, err)
		}
	}
	if d.LogCapacity < 0 || d.LogCapacity > 100_000 {
		return n, c.errorf("modules.nilm.log_capacity", "%d: want 1…100000 (0: 1000)", d.LogCapacity)
	}
	if d.MinStepW < 0 {
		return n, c.errorf("modules.nilm.min_step_w", "%v W", d.MinStepW)
	}
	n.Push = NILMPush(d.Push)
	if d.PushRetries != nil {
		n.Push.Retries = *d.PushRetries
	}
	if d.PushRepetitionDelay != 0 {
		n.Push.RepetitionDelay = time.Duration(d.PushRepetitionDelay)
	}
	if err := n.Push.Validate(); err != nil {
		return n, c.errorf("modules.nilm.push_repetition_delay", "%v", err)
	}
	return n, nil
}
