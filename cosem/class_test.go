package cosem_test

import (
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
)

// TestCatalogueShapes pins the number of attributes and methods of each
// class of the catalogue in the version amigo implements (Blue Book §4).
func TestCatalogueShapes(t *testing.T) {
	for _, tc := range []struct {
		id             cosem.ClassID
		version, attrs int
		methods        int
	}{
		{cosem.ClassData, 0, 2, 0}, {cosem.ClassRegister, 0, 3, 1}, {cosem.ClassExtendedRegister, 0, 5, 1},
		{cosem.ClassDemandRegister, 0, 9, 2}, {cosem.ClassProfileGeneric, 1, 8, 2}, {cosem.ClassClock, 0, 9, 6},
		{cosem.ClassScriptTable, 0, 2, 1}, {cosem.ClassSpecialDaysTable, 0, 2, 2}, {cosem.ClassAssociationLN, 1, 9, 4},
		{cosem.ClassSAPAssignment, 0, 2, 1}, {cosem.ClassImageTransfer, 0, 7, 4}, {cosem.ClassActivityCalendar, 0, 10, 1},
		{cosem.ClassSingleActionSchedule, 0, 4, 0}, {cosem.ClassPushSetup, 0, 7, 1}, {cosem.ClassSecuritySetup, 1, 6, 8},
		{cosem.ClassDisconnectControl, 0, 4, 2}, {cosem.ClassLimiter, 0, 11, 0}, {cosem.ClassAccount, 0, 19, 3},
		{cosem.ClassCredit, 0, 11, 3}, {cosem.ClassCharge, 0, 13, 5},
	} {
		c := cosem.LookupClass(tc.id)
		if c == nil {
			t.Errorf("class %d missing", tc.id)
			continue
		}
		if int(c.Version) != tc.version || len(c.Attributes) != tc.attrs || len(c.Methods) != tc.methods {
			t.Errorf("%s: version %d, %d attributes, %d methods; want %d, %d, %d", c.Name, c.Version,
				len(c.Attributes), len(c.Methods), tc.version, tc.attrs, tc.methods)
		}
		if a := c.Attribute(1); a == nil || a.Name != "logical_name" || !a.Static {
			t.Errorf("%s: attribute 1 is %+v, want static logical_name", c.Name, a)
		}
	}
	if n := len(cosem.Classes()); n != 20 {
		t.Errorf("%d classes, want 20", n)
	}
	pg := cosem.LookupClass(cosem.ClassProfileGeneric)
	if buf := pg.Attribute(2); buf.Name != "buffer" || buf.Static || buf.Selectors != 1<<1|1<<2 {
		t.Errorf("profile buffer %+v, want dynamic with selectors 1 and 2", buf)
	}
	if m := cosem.LookupClass(cosem.ClassAssociationLN).Method(1); m.Name != "reply_to_HLS_authentication" {
		t.Errorf("IC 15 method 1 is %q", m.Name)
	}
	if cosem.LookupClass(2) != nil || cosem.LookupClass(cosem.ClassRegister).Attribute(4) != nil || pg.Method(3) != nil {
		t.Error("lookups beyond the catalogue returned something")
	}
	if s := cosem.ClassID(3).String(); s != "Register" {
		t.Errorf("ClassID(3) = %q", s)
	}
	if s := cosem.ClassID(9999).String(); s != "class 9999" {
		t.Errorf("ClassID(9999) = %q", s)
	}
}

func TestRights(t *testing.T) {
	reg := cosem.LookupClass(cosem.ClassRegister)
	full := cosem.FullAccess(reg)
	if a := full.Attribute(1).Access; a != cosem.Read {
		t.Errorf("full access on the logical name is %s, want read-only", a)
	}
	auth := cosem.NewRights(cosem.LookupClass(cosem.ClassProfileGeneric), cosem.AuthReadWrite, cosem.MethodAuthAccess)
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"read full", full.CheckGet(2, 0, false), nil},
		{"write full", full.CheckSet(2, false), nil},
		{"write logical name", full.CheckSet(1, true), cosem.ErrDenied},
		{"reset full", full.CheckAction(1, false), nil},
		{"attribute beyond rights", full.CheckGet(9, 0, true), cosem.ErrDenied},
		{"method beyond rights", full.CheckAction(2, true), cosem.ErrDenied},
		{"auth read unauthenticated", auth.CheckGet(2, 0, false), cosem.ErrDenied},
		{"auth read authenticated", auth.CheckGet(2, 1, true), nil},
		{"auth read selector 3", auth.CheckGet(2, 3, true), cosem.ErrScopeOfAccess},
		{"auth read selector 200", auth.CheckGet(2, 200, true), cosem.ErrScopeOfAccess},
		{"auth write authenticated", auth.CheckSet(3, true), nil},
		{"auth method unauthenticated", auth.CheckAction(1, false), cosem.ErrDenied},
		{"auth method authenticated", auth.CheckAction(1, true), nil},
		{"nil rights", (*cosem.Rights)(nil).CheckGet(2, 0, true), cosem.ErrDenied},
	} {
		if (tc.want == nil) != (tc.err == nil) || (tc.want != nil && !errors.Is(tc.err, tc.want)) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	for a := cosem.NoAccess; a <= cosem.AuthReadWrite+1; a++ {
		if a.String() == "" {
			t.Errorf("access %d has no name", a)
		}
	}
	if !cosem.Write.CanWrite(false) || cosem.Write.CanRead(true) || cosem.AuthWrite.CanWrite(false) {
		t.Error("write-only modes wrong")
	}
}

func TestMemTreeRejectsDuplicateNames(t *testing.T) {
	tree := cosem.NewMemTree()
	d1, _ := cosem.NewData(cosem.MustOBIS("0.0.96.1.0.255"))
	d2, _ := cosem.NewData(cosem.MustOBIS("0.0.96.1.0.255"))
	if err := tree.Add(d1, cosem.Grants{16: cosem.ReadOnly(cosem.LookupClass(cosem.ClassData))}); err != nil {
		t.Fatal(err)
	}
	if err := tree.Add(d2, nil); err == nil {
		t.Error("second object of the same name accepted")
	}
	if _, ok := tree.View(32); ok {
		t.Error("client 32, granted nothing, has a view")
	}
	v, ok := tree.View(16)
	if !ok {
		t.Fatal("client 16 has no view")
	}
	n := 0
	for o := range v.Objects() {
		if o != d1 {
			t.Errorf("view yields %v", o.ID())
		}
		n++
	}
	if n != 1 {
		t.Errorf("view has %d objects", n)
	}
}
