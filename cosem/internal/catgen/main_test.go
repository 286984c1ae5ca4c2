package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestGeneratedFileIsCurrent fails when catalogue.txt and the checked-in
// catalogue_gen.go disagree: run `go generate ./cosem`.
func TestGeneratedFileIsCurrent(t *testing.T) {
	src, err := os.ReadFile("../../catalogue.txt")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(src, "catalogue.txt")
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../../catalogue_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Fatal("cosem/catalogue_gen.go is out of date: run `go generate ./cosem`")
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"unknown record", "bogus 1", "x.txt:1: unknown record"},
		{"attribute outside class", "attr 1 logical_name octet-string static", "x.txt:1: want: attr"},
		{"gap in attribute ids", "class 1 0 Data\nattr 2 value any dynamic", "x.txt:2: id \"2\": want 1"},
		{"bad OBIS", "obis 1.0.1.8.0 Energy", "x.txt:1: OBIS \"1.0.1.8.0\""},
		{"unit twice", "unit 27 W power\nunit 27 W power", "x.txt:2: unit id"},
		{"classes out of order", "class 3 0 Register\nclass 1 0 Data", "x.txt:2: class 1 after class 3"},
		{"bad selector", "class 7 1 P\nattr 1 buffer array dynamic sel=0", "x.txt:2: attribute buffer: selector"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := generate([]byte(tc.src), "x.txt")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
