package meter

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// metrologyReadOnly lists the identifiers of package metrology the
// management core may use: the read-only View and the plain values it
// returns. Anything else — Core, Accumulator, New, Calibrate, Calibration,
// Integrate, Process, configuration — could write registers or
// calibration, and is the business of the hardware side (the metrology
// driver in cmd/amigo or the simulator), never of the management core.
var metrologyReadOnly = map[string]bool{
	"View": true, "Registers": true, "Energy": true, "Power": true, "PhasePower": true,
	"Identity": true, "Measurement": true, "PhaseValues": true, "Harmonic": true, "Totals": true,
	"Freeze": true, "Hex": true, "QI": true, "QII": true, "QIII": true, "QIV": true, "SoftwareID": true,
}

// driverPackages may run a metrology core (they are the meter's hardware
// side); no management package may import them.
var driverPackages = map[string]bool{
	"github.com/amigo-ami/amigo/meter/feed":   true,
	"github.com/amigo-ami/amigo/meter/device": true,
}

// TestLegalSeparation parses every non-test Go file under meter/ and fails
// if management-core code imports anything of the metrology tree but
// package metrology itself, imports a driver package, or names a
// metrology identifier outside the read-only set (IR46 / WELMEC 7.2).
func TestLegalSeparation(t *testing.T) {
	const module = "github.com/amigo-ami/amigo/"
	files, modules := 0, 0 // files checked, of which expansion modules'
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && driverPackages[module+"meter/"+filepath.ToSlash(path)] {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		if strings.HasPrefix(filepath.ToSlash(path), "module/") {
			modules++
		}
		names := map[string]bool{} // local names of package metrology
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case driverPackages[p]:
				t.Errorf("%s imports the metrology driver %s", path, p)
			case p == module+"metrology":
				name := "metrology"
				if imp.Name != nil {
					name = imp.Name.Name
				}
				if name == "." || name == "_" {
					t.Errorf("%s imports metrology as %q", path, name)
				}
				names[name] = true
			case strings.HasPrefix(p, module+"metrology/"):
				t.Errorf("%s imports %s", path, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && names[id.Name] && !metrologyReadOnly[sel.Sel.Name] {
				t.Errorf("%s: uses metrology.%s, which the management core must not", path, sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("checked only %d files: is the walk rooted at meter/?", files)
	}
	// The expansion modules (meter/module/...) hear the sample path
	// through a tap and are held to the same rule.
	if modules == 0 {
		t.Fatal("no file of meter/module checked")
	}
}

// TestMetrologyInterfaceIsReadOnly pins the method set the management
// core sees: adding a method to Metrology needs a look at this test.
func TestMetrologyInterfaceIsReadOnly(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "meter.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Metrology" {
			return true
		}
		for _, m := range ts.Type.(*ast.InterfaceType).Methods.List {
			methods = append(methods, m.Names[0].Name)
		}
		return false
	})
	if got := strings.Join(methods, ","); got != "Registers,Instant,Identity" {
		t.Fatalf("Metrology has methods %s", got)
	}
}
