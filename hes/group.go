package hes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/registry"
)

// DemandParams are DemandResponse's parameters: the limiter's threshold
// in W (threshold_normal, attribute 4, the one a meter lets a head-end
// write; its threshold_active follows it outside emergencies), and
// optionally further attributes to set on every meter (a price, a tariff
// switch), as SetAttribute does.
type DemandParams struct {
	LimitW int32       `json:"limit_w"`
	Also   []SetParams `json:"also,omitempty"`
}

// DemandResult says who confirmed: the meters that took every setting and
// read the threshold back equal, and why the others did not.
type DemandResult struct {
	Confirmed []string          `json:"confirmed"`
	Failed    map[string]string `json:"failed,omitempty"` // serial → reason
}

func runDemandResponse(ctx context.Context, h *HeadEnd, j Job, meters []registry.Meter) (any, error) {
	p, err := decodeParams[DemandParams](j.Params)
	if err != nil {
		return nil, err
	}
	also := make([][]axdr.Value, len(p.Also))
	for i, a := range p.Also {
		if also[i], err = a.values(); err != nil {
			return nil, conn.Permanent(err)
		}
	}
	res := DemandResult{Failed: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, m := range meters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
				ref := cosem.Ref{Class: cosem.ClassLimiter, Name: LimiterObject, ID: 4}
				if err := s.Client.Set(ctx, ref, []axdr.Value{axdr.Int32(p.LimitW)}); err != nil {
					return err
				}
				for i, a := range p.Also {
					if err := s.Client.Set(ctx, cosem.Ref{Class: a.Class, Name: a.OBIS, ID: a.Attribute}, also[i]); err != nil {
						return err
					}
				}
				v, err := s.Client.Get(ctx, ref, nil)
				if err != nil {
					return err
				}
				if got, ok := v[0].Int(); !ok || got != int64(p.LimitW) {
					return conn.Permanent(fmt.Errorf("threshold reads back %v, not %d", v[0], p.LimitW))
				}
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Failed[m.Serial] = conn.Reason(err) + ": " + err.Error()
				return
			}
			res.Confirmed = append(res.Confirmed, m.Serial)
		}()
	}
	wg.Wait()
	sort.Strings(res.Confirmed)
	h.progress(ctx, j.ID, Progress{Total: len(meters), Done: len(res.Confirmed), Failed: len(res.Failed)})
	if len(res.Confirmed) == 0 {
		return res, errors.New("no meter confirmed")
	}
	return res, nil
}

// FirmwareParams are FirmwareCampaign's parameters.
type FirmwareParams struct {
	// Identifier is the image's image_identifier, which is the version the
	// meter reports once it runs it (the management core firmware id,
	// 1.1.0.2.0.255). Image is the image (base64 in JSON); when empty it
	// is read from Config.ImageDir/<Identifier>.
	Identifier string `json:"identifier"`
	Image      []byte `json:"image,omitempty"`
	// Version is what the meter reports running once activated (the
	// Identifier when empty; a signed image names its own).
	Version string `json:"version,omitempty"`
	// Meters, when set, limits the campaign to these serials of the group
	// (submit on AllMeters for an explicit list).
	Meters []string `json:"meters,omitempty"`
	// WaveSize is how many meters are upgraded at once (10 when 0).
	WaveSize int `json:"wave_size,omitempty"`
	// FailureThreshold halts the campaign once more than this fraction of
	// the meters tried so far failed (0.1 when 0; 1 never halts).
	FailureThreshold float64 `json:"failure_threshold,omitempty"`
}

func checkFirmware(raw json.RawMessage) error {
	p, err := decodeParams[FirmwareParams](raw)
	switch {
	case err != nil:
		return err
	case p.Identifier == "" || strings.ContainsAny(p.Identifier, "/\\") || p.Identifier == "." || p.Identifier == "..":
		return errors.New("a campaign needs an image identifier that is also a file name")
	case p.WaveSize < 0 || p.FailureThreshold < 0 || p.FailureThreshold > 1:
		return errors.New("wave_size ≥ 0 and failure_threshold in [0, 1]")
	}
	return nil
}

// CampaignResult is where a firmware campaign got to.
type CampaignResult struct {
	Waves     int               `json:"waves"`    // waves run
	Upgraded  []string          `json:"upgraded"` // confirmed on the new version
	Skipped   []string          `json:"skipped,omitempty"`
	Failed    map[string]string `json:"failed,omitempty"` // serial → reason
	Halted    bool              `json:"halted,omitempty"`
	Remaining int               `json:"remaining,omitempty"` // not tried because the campaign halted
}

// Image transfer (IC 18) objects and methods.
var (
	ImageTransferObject = cosem.OBIS{0, 0, 44, 0, 0, 255}
	FirmwareVersion     = cosem.OBIS{1, 1, 0, 2, 0, 255} // management core firmware id
)

// runFirmware upgrades a group wave by wave: each meter gets the image in
// blocks, verifies and activates it, and is confirmed only when it then
// reports the new version. After each wave the failure rate so far is
// checked against the threshold; beyond it the campaign halts. Meters
// already on the version are skipped.
func runFirmware(ctx context.Context, h *HeadEnd, j Job, meters []registry.Meter) (any, error) {
	p, err := decodeParams[FirmwareParams](j.Params)
	if err != nil {
		return nil, err
	}
	if err := checkFirmware(j.Params); err != nil {
		return nil, conn.Permanent(fmt.Errorf("%w: %v", ErrBadRequest, err))
	}
	if len(p.Image) == 0 {
		if h.cfg.ImageDir == "" {
			return nil, conn.Permanent(fmt.Errorf("%w: no image given and no image directory", ErrBadRequest))
		}
		if p.Image, err = os.ReadFile(filepath.Join(h.cfg.ImageDir, p.Identifier)); err != nil {
			return nil, conn.Permanent(fmt.Errorf("image %q: %w", p.Identifier, err))
		}
	}
	if len(p.Meters) > 0 {
		meters = slices.DeleteFunc(slices.Clone(meters), func(m registry.Meter) bool { return !slices.Contains(p.Meters, m.Serial) })
		if len(meters) != len(p.Meters) {
			return nil, conn.Permanent(fmt.Errorf("%w: %d of the %d meters named are not in the group", ErrBadRequest, len(p.Meters)-len(meters), len(p.Meters)))
		}
	}
	if p.WaveSize == 0 {
		p.WaveSize = 10
	}
	if p.Version == "" {
		p.Version = p.Identifier
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 0.1
	}
	res := CampaignResult{Failed: map[string]string{}}
	var todo []registry.Meter
	for _, m := range meters {
		if m.Firmware == p.Version {
			res.Skipped = append(res.Skipped, m.Serial)
		} else {
			todo = append(todo, m)
		}
	}
	tried := 0
	for start := 0; start < len(todo); start += p.WaveSize {
		wave := todo[start:min(start+p.WaveSize, len(todo))]
		res.Waves++
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, m := range wave {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := h.upgrade(ctx, m, p)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					res.Failed[m.Serial] = conn.Reason(err) + ": " + err.Error()
				} else {
					res.Upgraded = append(res.Upgraded, m.Serial)
				}
			}()
		}
		wg.Wait()
		tried += len(wave)
		sort.Strings(res.Upgraded)
		h.progress(ctx, j.ID, Progress{Total: len(todo), Done: len(res.Upgraded), Failed: len(res.Failed), Note: fmt.Sprintf("wave %d", res.Waves)})
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if rate := float64(len(res.Failed)) / float64(tried); rate > p.FailureThreshold {
			res.Halted, res.Remaining = true, len(todo)-tried
			return res, fmt.Errorf("campaign halted after wave %d: %d of %d meters failed (%.0f%% > %.0f%%)",
				res.Waves, len(res.Failed), tried, 100*rate, 100*p.FailureThreshold)
		}
	}
	return res, nil
}

// upgrade transfers, verifies and activates the image on one meter, then
// confirms the version it reports and records it.
func (h *HeadEnd) upgrade(ctx context.Context, m registry.Meter, p FirmwareParams) error {
	img := func(id int8) cosem.Ref {
		return cosem.Ref{Class: cosem.ClassImageTransfer, Name: ImageTransferObject, ID: id}
	}
	err := h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		v, err := s.Client.Get(ctx, img(2), nil)
		if err != nil {
			return err
		}
		bs, ok := v[0].Uint()
		if !ok || bs == 0 || bs > 1<<16 {
			return conn.Permanent(fmt.Errorf("image_block_size %v", v[0]))
		}
		if _, err := s.Client.Action(ctx, img(1), []axdr.Value{axdr.Structure(2), axdr.OctetString([]byte(p.Identifier)), axdr.Uint32(uint32(len(p.Image)))}); err != nil {
			return err
		}
		for n, off := uint32(0), 0; off < len(p.Image); n, off = n+1, off+int(bs) {
			block := p.Image[off:min(off+int(bs), len(p.Image))]
			if _, err := s.Client.Action(ctx, img(2), []axdr.Value{axdr.Structure(2), axdr.Uint32(n), axdr.OctetString(block)}); err != nil {
				return fmt.Errorf("block %d: %w", n, err)
			}
		}
		if _, err := s.Client.Action(ctx, img(3), []axdr.Value{axdr.Int8(0)}); err != nil {
			return conn.Permanent(fmt.Errorf("image_verify: %w", err))
		}
		if _, err := s.Client.Action(ctx, img(4), []axdr.Value{axdr.Int8(0)}); err != nil {
			return conn.Permanent(fmt.Errorf("image_activate: %w", err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The meter restarts on the new image: a new association confirms it.
	var version string
	err = h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		v, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassData, Name: FirmwareVersion, ID: 2}, nil)
		if err != nil {
			return err
		}
		version = string(v[0].Bytes)
		return nil
	}, conn.Fresh())
	if err != nil {
		return fmt.Errorf("confirming the version: %w", err)
	}
	if version != p.Version {
		return conn.Permanent(fmt.Errorf("meter runs %q after activation, not %q", version, p.Version))
	}
	m.Firmware = version
	return h.reg.Update(ctx, m)
}
