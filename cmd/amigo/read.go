package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
)

// readOptions are the flags of `amigo read`.
type readOptions struct {
	addr      string
	client    uint16
	auth      string
	password  string
	keys      string
	hdlc      bool
	set       string
	setGiven  bool
	action    bool
	param     string
	from, to  string
	asJSON    bool
	trace     bool
	timeout   time.Duration
	maxPDU    uint16
	clientSet bool
}

func newReadCmd() *cobra.Command {
	var o readOptions
	cmd := &cobra.Command{
		Use:   "read --addr HOST:PORT [flags] OBIS[:attr]...",
		Short: "Read (or write, or invoke) COSEM objects of a DLMS/COSEM server",
		Long: `read associates with a DLMS/COSEM server and reads each OBIS[:attr] (attribute 2,
the value, when omitted), printing values with their names and units, scaled.
With --set it writes the value, with --action it invokes method attr (1 when
omitted). A profile's buffer is read whole, or from --from to --to.

Clients (ARCHITECTURE §4): --auth none is client 16, --auth low (LLS,
--password) client 32, --auth high-gmac (HLS-GMAC, --keys FILE) client 1,
unless --client says otherwise. The keys file is TOML:

  system_title       = "4D4D4D0000000001"
  encryption_key     = "000102030405060708090A0B0C0D0E0F"
  authentication_key = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
  counters           = "counters.json"   # optional: persisted invocation counters

--keys demo uses the demo values above (never in a deployment). Without
persisted counters, read first asks the public client for the invocation
counter the server expects (0.0.43.1.0.255) and resumes above it.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.clientSet = cmd.Flags().Changed("client")
			o.setGiven = cmd.Flags().Changed("set")
			ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
			defer cancel()
			return runRead(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), o, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "", "server address HOST:PORT")
	f.Uint16Var(&o.client, "client", 16, "client SAP (16 public, 32 reader, 1 management; by --auth when omitted)")
	f.StringVar(&o.auth, "auth", "none", "authentication: none, low (LLS) or high-gmac")
	f.StringVar(&o.password, "password", "", "LLS password (--auth low)")
	f.StringVar(&o.keys, "keys", "", "HLS-GMAC keys file (TOML), or \"demo\"")
	f.BoolVar(&o.hdlc, "hdlc", false, "HDLC over TCP instead of the wrapper")
	f.StringVar(&o.set, "set", "", "write VALUE (TYPE:VALUE to give the Data type)")
	f.BoolVar(&o.action, "action", false, "invoke method attr instead of reading")
	f.StringVar(&o.param, "param", "", "method parameter TYPE:VALUE for --action (integer 0 when omitted)")
	f.StringVar(&o.from, "from", "", "profile range start (RFC 3339, or YYYY-MM-DD)")
	f.StringVar(&o.to, "to", "", "profile range end (RFC 3339, or YYYY-MM-DD)")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON document")
	f.BoolVar(&o.trace, "trace", false, "trace every APDU (hex and decoded) on stderr")
	f.DurationVar(&o.timeout, "timeout", 60*time.Second, "give up after this long")
	f.Uint16Var(&o.maxPDU, "max-pdu", 0, "largest APDU to receive (0: 65535)")
	cmd.MarkFlagRequired("addr")
	return cmd
}

// target is one OBIS[:attr] argument.
type target struct {
	arg  string
	obis cosem.OBIS
	id   int8
}

// parseTarget reads OBIS[:attr]; the IEC notation has a colon of its own.
func parseTarget(arg string, action bool) (target, error) {
	t := target{arg: arg, id: 2}
	if action {
		t.id = 1
	}
	if o, err := cosem.ParseOBIS(arg); err == nil {
		t.obis = o
		return t, nil
	}
	i := strings.LastIndexByte(arg, ':')
	if i < 0 {
		_, err := cosem.ParseOBIS(arg)
		return t, err
	}
	o, err := cosem.ParseOBIS(arg[:i])
	if err != nil {
		return t, err
	}
	id, err := strconv.ParseInt(arg[i+1:], 10, 8)
	if err != nil || id < 1 {
		return t, fmt.Errorf("%s: attribute or method %q is not 1…127", arg, arg[i+1:])
	}
	t.obis, t.id = o, int8(id)
	return t, nil
}

// result is what read prints for one target.
type result struct {
	OBIS      cosem.OBIS `json:"obis"`
	Attribute int8       `json:"attribute,omitempty"`
	Method    int8       `json:"method,omitempty"`
	Class     uint16     `json:"class"`
	Name      string     `json:"name,omitempty"`
	Value     any        `json:"value,omitempty"`
	Unit      string     `json:"unit,omitempty"`
	Text      string     `json:"text"`
	Columns   []column   `json:"columns,omitempty"`
	Rows      [][]any    `json:"rows,omitempty"`
	rowText   [][]string
}

type column struct {
	OBIS      cosem.OBIS `json:"obis"`
	Attribute int8       `json:"attribute"`
	Name      string     `json:"name,omitempty"`
	Unit      string     `json:"unit,omitempty"`
}

func runRead(ctx context.Context, stdout, stderr io.Writer, o readOptions, args []string) error {
	targets := make([]target, 0, len(args))
	for _, a := range args {
		t, err := parseTarget(a, o.action)
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	cfg, err := clientConfigFor(o)
	if err != nil {
		return err
	}
	if o.trace {
		cfg.Trace = dlms.TraceWriter(stderr)
	}
	var resume uint32
	if cfg.Mechanism == apdu.MechanismHighGMAC && !o.persistentCounters() {
		resume = serverCounter(ctx, o, cfg.Trace)
	}
	c, err := dlms.Dial(ctx, o.addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if resume > 0 {
		if err := c.ResumeInvocationCounter(resume); err != nil {
			return err
		}
	}
	if err := c.Associate(ctx); err != nil {
		return fmt.Errorf("%s: client %d: %w", o.addr, cfg.Client, err)
	}
	view, err := c.ObjectList(ctx)
	if err != nil {
		return fmt.Errorf("%s: association view: %w", o.addr, err)
	}
	r := &reader{c: c, o: o, view: map[cosem.OBIS]cosem.ObjectListEntry{}}
	for _, e := range view {
		r.view[e.Name] = e
	}
	var results []result
	for _, t := range targets {
		res, err := r.do(ctx, t)
		if err != nil {
			return fmt.Errorf("%s: %w", t.arg, err)
		}
		results = append(results, res)
	}
	if err := c.Release(ctx); err != nil {
		return fmt.Errorf("%s: release: %w", o.addr, err)
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"addr": o.addr, "client": cfg.Client, "results": results})
	}
	for _, res := range results {
		printResult(stdout, res)
	}
	return nil
}

func (o readOptions) persistentCounters() bool {
	return o.keys != "" && o.keys != "demo" && o.countersPath() != ""
}

func (o readOptions) countersPath() string {
	kf, err := readKeyFile(o.keys)
	if err != nil || kf.Counters == "" {
		return ""
	}
	return kf.Counters
}

// clientConfigFor turns the flags into a client configuration.
func clientConfigFor(o readOptions) (dlms.ClientConfig, error) {
	cfg := dlms.ClientConfig{Client: o.client, HDLC: o.hdlc, MaxPDU: o.maxPDU}
	defaultClient := uint16(16)
	switch o.auth {
	case "none":
	case "low":
		if o.password == "" {
			return cfg, errors.New("--auth low needs --password")
		}
		cfg.Mechanism, cfg.Password, defaultClient = apdu.MechanismLow, []byte(o.password), 32
	case "high-gmac":
		if o.keys == "" {
			return cfg, errors.New("--auth high-gmac needs --keys FILE (or --keys demo)")
		}
		kf, err := readKeyFile(o.keys)
		if err != nil {
			return cfg, err
		}
		cfg.Mechanism, defaultClient = apdu.MechanismHighGMAC, 1
		cfg.SystemTitle, cfg.EncryptionKey, cfg.AuthenticationKey = kf.title, kf.ek, kf.ak
		if kf.Counters != "" {
			store, err := security.OpenFileCounters(kf.Counters, 1)
			if err != nil {
				return cfg, fmt.Errorf("%s: %w", o.keys, err)
			}
			cfg.Counters = store
		}
	default:
		return cfg, fmt.Errorf("--auth %q: want none, low or high-gmac", o.auth)
	}
	if !o.clientSet {
		cfg.Client = defaultClient
	}
	return cfg, nil
}

// keyFile is the TOML of --keys.
type keyFile struct {
	SystemTitle       string `toml:"system_title"`
	EncryptionKey     string `toml:"encryption_key"`
	AuthenticationKey string `toml:"authentication_key"`
	Counters          string `toml:"counters"`

	title, ek, ak []byte
}

// demoKeys are the demo values of ARCHITECTURE §4 (the Green Book's).
var demoKeys = keyFile{SystemTitle: "4D4D4D0000000001", EncryptionKey: "000102030405060708090A0B0C0D0E0F",
	AuthenticationKey: "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"}

func readKeyFile(path string) (keyFile, error) {
	kf := demoKeys
	if path != "demo" {
		kf = keyFile{}
		md, err := toml.DecodeFile(path, &kf)
		if err != nil {
			return kf, err // toml's errors name the line
		}
		if und := md.Undecoded(); len(und) > 0 {
			return kf, fmt.Errorf("%s: unknown key %q", path, und[0].String())
		}
		if kf.Counters != "" && !filepath.IsAbs(kf.Counters) {
			kf.Counters = filepath.Join(filepath.Dir(path), kf.Counters)
		}
	}
	for _, f := range []struct {
		name string
		hex  string
		size int
		out  *[]byte
	}{{"system_title", kf.SystemTitle, 8, &kf.title}, {"encryption_key", kf.EncryptionKey, 16, &kf.ek}, {"authentication_key", kf.AuthenticationKey, 16, &kf.ak}} {
		b, err := hex.DecodeString(f.hex)
		if err != nil || len(b) != f.size {
			return kf, fmt.Errorf("%s: %s: want %d hex digits", path, f.name, 2*f.size)
		}
		*f.out = b
	}
	return kf, nil
}

// serverCounter reads, as the public client, the invocation counter the
// server last accepted from the management client, so that a reader
// without persisted counters resumes above it. It is best effort: 0 when
// the server does not show it.
func serverCounter(ctx context.Context, o readOptions, trace dlms.Tracer) uint32 {
	c, err := dlms.Dial(ctx, o.addr, dlms.ClientConfig{Client: 16, HDLC: o.hdlc, Trace: trace, MaxPDU: o.maxPDU})
	if err != nil {
		return 0
	}
	defer c.Close()
	if c.Associate(ctx) != nil {
		return 0
	}
	defer c.Release(ctx)
	v, err := c.Get(ctx, cosem.Ref{Class: cosem.ClassData, Name: cosem.OBIS{0, 0, 43, 1, 0, 255}, ID: 2}, nil)
	if err != nil || len(v) != 1 {
		return 0
	}
	if ic, ok := v[0].Uint(); ok && ic <= 0xFFFFFFFF {
		return uint32(ic)
	}
	return 0
}

// reader does the work of one target on an association.
type reader struct {
	c    *dlms.Client
	o    readOptions
	view map[cosem.OBIS]cosem.ObjectListEntry
}

func (r *reader) do(ctx context.Context, t target) (result, error) {
	e, ok := r.view[t.obis]
	if !ok {
		return result{}, fmt.Errorf("%s is not in the association view", t.obis)
	}
	res := result{OBIS: t.obis, Class: uint16(e.Class), Name: t.obis.Name()}
	if res.Name == "" {
		res.Name = e.Class.String()
	}
	ref := cosem.Ref{Class: e.Class, Name: t.obis, ID: t.id}
	switch {
	case r.o.action:
		res.Method = t.id
		return res, r.invoke(ctx, ref, &res)
	case r.o.setGiven:
		res.Attribute = t.id
		return res, r.write(ctx, ref, &res)
	case e.Class == cosem.ClassProfileGeneric && t.id == 2:
		res.Attribute = t.id
		return res, r.profile(ctx, ref, &res)
	}
	res.Attribute = t.id
	v, su, err := r.get(ctx, ref)
	if err != nil {
		return res, err
	}
	fill(&res, v, su)
	return res, nil
}

func fill(res *result, v []axdr.Value, su *cosem.ScalerUnit) {
	res.Text, res.Value = cosem.Text(v, su), cosem.JSON(v, su)
	if su != nil {
		res.Unit = su.Unit.Symbol()
	}
}

// scalerOf names the scaler_unit attribute that goes with attribute id of
// a class, 0 for none.
func scalerOf(class cosem.ClassID, id int8) int8 {
	switch {
	case (class == cosem.ClassRegister || class == cosem.ClassExtendedRegister) && id == 2:
		return 3
	case class == cosem.ClassDemandRegister && (id == 2 || id == 3):
		return 4
	}
	return 0
}

// get reads an attribute and, for register values, its scaler_unit (in
// one request when the association allows lists).
func (r *reader) get(ctx context.Context, ref cosem.Ref) ([]axdr.Value, *cosem.ScalerUnit, error) {
	s := scalerOf(ref.Class, ref.ID)
	if s == 0 {
		v, err := r.c.Get(ctx, ref, nil)
		return v, nil, err
	}
	suRef := cosem.Ref{Class: ref.Class, Name: ref.Name, ID: s}
	var v, suv []axdr.Value
	var err error
	if r.c.Conformance()&apdu.ConformanceMultipleReferences != 0 {
		var res []dlms.Result
		if res, err = r.c.GetWithList(ctx, []dlms.AttributeRequest{{Ref: ref}, {Ref: suRef}}); err != nil {
			return nil, nil, err
		}
		if res[0].Err != nil {
			return nil, nil, res[0].Err
		}
		v, suv = res[0].Value, res[1].Value
	} else {
		if v, err = r.c.Get(ctx, ref, nil); err != nil {
			return nil, nil, err
		}
		suv, _ = r.c.Get(ctx, suRef, nil)
	}
	su, err := cosem.ParseScalerUnit(suv)
	if err != nil {
		return v, nil, nil // no readable scaler: the raw value
	}
	return v, &su, nil
}

// write sets an attribute from --set, typed like its current value.
func (r *reader) write(ctx context.Context, ref cosem.Ref, res *result) error {
	like, su, err := r.get(ctx, ref)
	if err != nil && !strings.Contains(r.o.set, ":") {
		return fmt.Errorf("reading the current value for its type: %w (give TYPE:VALUE)", err)
	}
	v, err := cosem.ParseText(r.o.set, like, su)
	if err != nil {
		return err
	}
	if err := r.c.Set(ctx, ref, v); err != nil {
		return err
	}
	fill(res, v, su)
	res.Text = "set to " + res.Text
	return nil
}

// invoke runs --action with --param (or integer 0).
func (r *reader) invoke(ctx context.Context, ref cosem.Ref, res *result) error {
	params := []axdr.Value{axdr.Int8(0)}
	if r.o.param != "" {
		var err error
		if params, err = cosem.ParseText(r.o.param, nil, nil); err != nil {
			return err
		}
	}
	ret, err := r.c.Action(ctx, ref, params)
	if err != nil {
		return err
	}
	if ret == nil {
		res.Text = "done"
		return nil
	}
	fill(res, ret, nil)
	return nil
}

// profile reads a profile's buffer, over --from…--to when given, and the
// units of its register columns.
func (r *reader) profile(ctx context.Context, ref cosem.Ref, res *result) error {
	capv, err := r.c.Get(ctx, cosem.Ref{Class: ref.Class, Name: ref.Name, ID: 3}, nil)
	if err != nil {
		return fmt.Errorf("capture objects: %w", err)
	}
	cols, err := captureObjects(capv)
	if err != nil {
		return err
	}
	var sel *cosem.Selector
	if r.o.from != "" || r.o.to != "" {
		if sel, err = rangeSelector(r.o.from, r.o.to, cols); err != nil {
			return err
		}
	}
	buf, err := r.c.Get(ctx, ref, sel)
	if err != nil {
		return err
	}
	scalers := make([]*cosem.ScalerUnit, len(cols))
	for i, c := range cols {
		col := column{OBIS: c.Name, Attribute: c.Attribute, Name: c.Name.Name()}
		if s := scalerOf(c.Class, c.Attribute); s != 0 {
			if suv, err := r.c.Get(ctx, cosem.Ref{Class: c.Class, Name: c.Name, ID: s}, nil); err == nil {
				if su, err := cosem.ParseScalerUnit(suv); err == nil {
					scalers[i], col.Unit = &su, su.Unit.Symbol()
				}
			}
		}
		res.Columns = append(res.Columns, col)
	}
	if len(buf) == 0 || buf[0].Tag != axdr.TagArray {
		return fmt.Errorf("buffer is %s, not an array", buf[0].Tag)
	}
	for row, k := 1, 0; k < buf[0].N && row > 0; row, k = axdr.Next(buf, row), k+1 {
		var jsonRow []any
		var textRow []string
		for c, j := row+1, 0; j < buf[row].N && c > 0; c, j = axdr.Next(buf, c), j+1 {
			var su *cosem.ScalerUnit
			if j < len(scalers) {
				su = scalers[j]
			}
			jsonRow = append(jsonRow, cosem.JSON(buf[c:], su))
			textRow = append(textRow, cosem.Text(buf[c:], su))
		}
		res.Rows, res.rowText = append(res.Rows, jsonRow), append(res.rowText, textRow)
	}
	res.Text = fmt.Sprintf("%d rows", len(res.Rows))
	return nil
}

// captureObjects reads a profile's capture_objects.
func captureObjects(v []axdr.Value) ([]cosem.CaptureObject, error) {
	if len(v) == 0 || v[0].Tag != axdr.TagArray {
		return nil, errors.New("capture objects: not an array")
	}
	var out []cosem.CaptureObject
	for e, k := 1, 0; k < v[0].N; e, k = axdr.Next(v, e), k+1 {
		if e < 0 || e+5 > len(v) || v[e].Tag != axdr.TagStructure || v[e].N != 4 || len(v[e+2].Bytes) != 6 {
			return nil, fmt.Errorf("capture objects[%d]: not a capture_object_definition", k)
		}
		cls, _ := v[e+1].Uint()
		attr, _ := v[e+3].Int()
		idx, _ := v[e+4].Uint()
		c := cosem.CaptureObject{Class: cosem.ClassID(cls), Attribute: int8(attr), DataIndex: uint16(idx)}
		copy(c.Name[:], v[e+2].Bytes)
		out = append(out, c)
	}
	return out, nil
}

// rangeSelector restricts on the profile's clock column (the first
// column that captures a clock's time).
func rangeSelector(from, to string, cols []cosem.CaptureObject) (*cosem.Selector, error) {
	restricting := cosem.ClockTime
	for _, c := range cols {
		if c.Class == cosem.ClassClock && c.Attribute == 2 {
			restricting = c
			break
		}
	}
	bound := func(s string, dflt time.Time) (axdr.Value, error) {
		t := dflt
		if s != "" {
			var err error
			if t, err = time.Parse(time.RFC3339, s); err != nil {
				if t, err = time.Parse(time.DateOnly, s); err != nil {
					return axdr.Value{}, fmt.Errorf("%q: want an RFC 3339 time or YYYY-MM-DD", s)
				}
			}
		}
		return axdr.OctetString(axdr.FromTime(t).Append(nil)), nil
	}
	f, err := bound(from, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, fmt.Errorf("--from %w", err)
	}
	t, err := bound(to, time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC))
	if err != nil {
		return nil, fmt.Errorf("--to %w", err)
	}
	return cosem.RangeDescriptor{Restricting: restricting, From: f, To: t}.Selector(), nil
}

// printResult prints one result: "OBIS[:attr]  name  value".
func printResult(w io.Writer, res result) {
	id := res.OBIS.String()
	switch {
	case res.Method != 0:
		id += fmt.Sprintf(":%d", res.Method)
	case res.Attribute != 2:
		id += fmt.Sprintf(":%d", res.Attribute)
	}
	fmt.Fprintf(w, "%s  %s  %s\n", id, res.Name, res.Text)
	if len(res.Columns) == 0 {
		return
	}
	head := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		head[i] = c.OBIS.String()
		if c.Unit != "" {
			head[i] += " [" + c.Unit + "]"
		}
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(head, "  "))
	for _, row := range res.rowText {
		fmt.Fprintf(w, "  %s\n", strings.Join(row, "  "))
	}
}
