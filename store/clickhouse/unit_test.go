package clickhouse

import (
	"bytes"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// The tests in this file need no server; server_test.go's do.

func TestParseURL(t *testing.T) {
	tests := []struct {
		url                     string
		database, cluster, addr string
		user, password          string
		err                     string
	}{
		{url: "clickhouse://127.0.0.1:9000/readings?cluster=amigo", database: "readings", cluster: "amigo", addr: "127.0.0.1:9000"},
		{url: "clickhouse://amigo:s3cret@ch1:9000,ch2:9000", database: "default", addr: "ch1:9000,ch2:9000", user: "amigo", password: "s3cret"},
		{url: "clickhouse://h:9000/db?max_execution_time=60", database: "db", addr: "h:9000"},
		{url: "http://h:8123/db", err: `scheme "http": want clickhouse://`},
		{url: "clickhouse://u:s3cret@h:9000/db;drop", err: `database "db;drop" is not a plain identifier`},
		{url: "clickhouse://h:9000/db?cluster=a-b", err: `cluster "a-b" is not a plain identifier`},
		{url: "clickhouse://u:s3cret@h:9000/%zz", err: "invalid URL escape"},
	}
	for _, tt := range tests {
		got, err := parseURL(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one containing %q", tt.url, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("%s: error %q shows the password", tt.url, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.url, err)
			continue
		}
		if got.database != tt.database || got.cluster != tt.cluster || strings.Join(got.opts.Addr, ",") != tt.addr ||
			got.opts.Auth.Username != tt.user || got.opts.Auth.Password != tt.password || got.opts.Auth.Database != "" {
			t.Errorf("%s: database %q cluster %q addr %v auth %+v", tt.url, got.database, got.cluster, got.opts.Addr, got.opts.Auth)
		}
		if _, ok := got.opts.Settings["cluster"]; ok {
			t.Errorf("%s: cluster passed on as a server setting", tt.url)
		}
	}
	got, _ := parseURL("clickhouse://h:9000/db?max_execution_time=60")
	if got.opts.Settings["max_execution_time"] != 60 {
		t.Errorf("settings %v, want max_execution_time 60", got.opts.Settings)
	}
}

func TestSupportsCodecs(t *testing.T) {
	for v, want := range map[string]bool{"18.16.1": false, "19.17.4.11": false, "20.3.5.21": true, "24.8.1.1": true, "": false, "x": false} {
		if got := supportsCodecs(v); got != want {
			t.Errorf("supportsCodecs(%q) = %v, want %v", v, got, want)
		}
	}
	if ddl := columnsDDL(readingColumns, true); !strings.Contains(ddl, "ts Int64 CODEC(DoubleDelta, LZ4)") {
		t.Errorf("DDL with codecs: %s", ddl)
	}
	if ddl := columnsDDL(readingColumns, false); strings.Contains(ddl, "CODEC") {
		t.Errorf("DDL without codecs: %s", ddl)
	}
}

func TestPackChannel(t *testing.T) {
	chans := []store.Channel{{0, 0, 0, 0, 0, 0}, {1, 0, 1, 8, 0, 255}, {1, 0, 2, 8, 0, 255}, {1, 1, 0, 0, 0, 0}, {255, 255, 255, 255, 255, 255}}
	for i, c := range chans {
		if got := unpackChannel(packChannel(c)); got != c {
			t.Errorf("%s packs and unpacks to %s", c, got)
		}
		if i > 0 && (packChannel(chans[i-1]) < packChannel(c)) != (bytes.Compare(chans[i-1][:], c[:]) < 0) {
			t.Errorf("%s and %s order differently packed", chans[i-1], c)
		}
	}
	if got := packChannel(store.ActiveImport); got != 0x01_00_01_08_00_ff {
		t.Errorf("packChannel(%s) = %#x", store.ActiveImport, got)
	}
}

func ms(t *testing.T, s string) int64 {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixMilli()
}

func TestOffsetChanges(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	type change struct{ at, off int64 }
	var got []change
	offsetChanges(berlin, store.Range{From: ms(t, "2024-01-01T00:00:00Z"), To: ms(t, "2025-01-01T00:00:00Z")}, func(at, off int64) bool {
		got = append(got, change{at, off})
		return true
	})
	want := []change{{ms(t, "2024-01-01T00:00:00Z"), 3600_000}, {ms(t, "2024-03-31T01:00:00Z"), 7200_000}, {ms(t, "2024-10-27T01:00:00Z"), 3600_000}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Berlin 2024: %v, want %v", got, want)
	}
	// Past the zone tables (2037), Go derives changes from the zone's
	// rule; in leap years its bounds stall on 31 December, which
	// offsetChanges steps over.
	var years []int
	offsetChanges(berlin, store.Range{From: ms(t, "2039-01-01T00:00:00Z"), To: ms(t, "2042-01-01T00:00:00Z")}, func(at, off int64) bool {
		years = append(years, time.UnixMilli(at).UTC().Year())
		return true
	})
	if want := []int{2039, 2039, 2039, 2040, 2040, 2041, 2041}; !slices.Equal(years, want) {
		t.Errorf("Berlin 2039–2041 changes in years %v, want %v", years, want)
	}
	if p, ok := zonePieces(time.UTC, store.Range{From: 0, To: store.MaxTime + 1}, 32, 1); !ok || len(p) != 1 || len(p[0].offsets) != 1 {
		t.Errorf("UTC: pieces %+v, %v; want one piece of one offset", p, ok)
	}
}

func TestZonePieces(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	r := store.Range{From: ms(t, "2020-01-01T00:00:00Z"), To: ms(t, "2030-01-01T00:00:00Z")}
	pieces, ok := zonePieces(berlin, r, 3, 100)
	if !ok || len(pieces) != 6 { // 21 offsets (the first and 20 changes), 4 per piece
		t.Fatalf("%d pieces (%v), want 6", len(pieces), ok)
	}
	for i, p := range pieces {
		if p.starts[0] != p.from || len(p.starts) != len(p.offsets) || len(p.starts) > 4 || p.from >= p.to {
			t.Errorf("piece %d: %+v", i, p)
		}
		if i > 0 && p.from != pieces[i-1].to {
			t.Errorf("piece %d starts at %d, the previous ends at %d", i, p.from, pieces[i-1].to)
		}
	}
	if pieces[0].from != r.From || pieces[len(pieces)-1].to != r.To {
		t.Errorf("pieces cover [%d, %d), want [%d, %d)", pieces[0].from, pieces[len(pieces)-1].to, r.From, r.To)
	}
	if _, ok := zonePieces(berlin, r, 3, 5); ok {
		t.Error("6 pieces fit in 5")
	}
}

func TestFoldGroups(t *testing.T) {
	h := int64(time.Hour / time.Millisecond)
	g := func(first, last, count, sum, lo, hi, fv, lv int64) group {
		return group{first: first, last: last, b: store.Bucket{Count: count, Sum: sum, Min: lo, Max: hi, First: fv, Last: lv}}
	}
	tests := []struct {
		name   string
		groups []group
		want   []store.Bucket
		ok     bool
	}{
		{"one group a bucket", []group{g(0, h-1, 2, 3, 1, 2, 1, 2), g(h, h+5, 1, 7, 7, 7, 7, 7)},
			[]store.Bucket{{Meter: 9, Start: 0, Count: 2, Sum: 3, Min: 1, Max: 2, First: 1, Last: 2}, {Meter: 9, Start: h, Count: 1, Sum: 7, Min: 7, Max: 7, First: 7, Last: 7}}, true},
		{"split groups fold", []group{g(0, 10, 2, 3, 1, 2, 1, 2), g(20, 30, 2, 9, 4, 5, 5, 4)},
			[]store.Bucket{{Meter: 9, Start: 0, Count: 4, Sum: 12, Min: 1, Max: 5, First: 1, Last: 4}}, true},
		{"straddling group", []group{g(h-1, h, 2, 3, 1, 2, 1, 2)}, nil, false},
		{"overlapping groups", []group{g(0, 20, 2, 3, 1, 2, 1, 2), g(10, 30, 2, 3, 1, 2, 1, 2)}, nil, false},
	}
	for _, tt := range tests {
		got, ok := foldGroups(9, tt.groups, store.StepHour, time.UTC)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseURL: any string parses or fails without panicking; a parsed URL
// names plain identifiers, and no error shows the URL's password.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"clickhouse://127.0.0.1:9000/readings?cluster=amigo", "clickhouse://u:pw@h1:9000,h2:9000/db?max_execution_time=60",
		"http://h:8123", "clickhouse://u:s3cret@h/%zz", "clickhouse://h/db?cluster=a%20b", "clickhouse://[::1]:9000/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := parseURL(raw)
		if err != nil {
			if u, perr := url.Parse(raw); perr == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok && len(pw) >= 4 && strings.Contains(err.Error(), pw) {
					t.Fatalf("error %q shows the password %q", err, pw)
				}
			}
			return
		}
		if !identifier.MatchString(got.database) || (got.cluster != "" && !identifier.MatchString(got.cluster)) || got.opts.Auth.Database != "" {
			t.Fatalf("%q: database %q cluster %q auth database %q", raw, got.database, got.cluster, got.opts.Auth.Database)
		}
	})
}
