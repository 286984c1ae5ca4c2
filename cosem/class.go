package cosem

//go:generate go run ./internal/catgen -in catalogue.txt -out catalogue_gen.go

// ClassID is a COSEM interface class identifier (Blue Book §4).
type ClassID uint16

// Interface classes of the catalogue.
const (
	ClassData                 ClassID = 1
	ClassRegister             ClassID = 3
	ClassExtendedRegister     ClassID = 4
	ClassDemandRegister       ClassID = 5
	ClassProfileGeneric       ClassID = 7
	ClassClock                ClassID = 8
	ClassScriptTable          ClassID = 9
	ClassSpecialDaysTable     ClassID = 11
	ClassAssociationLN        ClassID = 15
	ClassSAPAssignment        ClassID = 17
	ClassImageTransfer        ClassID = 18
	ClassActivityCalendar     ClassID = 20
	ClassSingleActionSchedule ClassID = 22
	ClassPushSetup            ClassID = 40
	ClassSecuritySetup        ClassID = 64
	ClassDisconnectControl    ClassID = 70
	ClassLimiter              ClassID = 71
	ClassAccount              ClassID = 111
	ClassCredit               ClassID = 112
	ClassCharge               ClassID = 113
)

// Class describes one interface class in the version amigo implements.
type Class struct {
	ID         ClassID
	Version    uint8
	Name       string
	Attributes []Attribute // Attributes[i] has ID i+1
	Methods    []Method    // Methods[i] has ID i+1
}

// Attribute describes one attribute of a class.
type Attribute struct {
	ID   int8
	Name string
	// Type is the Blue Book's type of the attribute ("double-long-unsigned",
	// "scal_unit_type", "any" for a CHOICE); it documents, it is not checked.
	Type string
	// Static attributes change only by configuration; dynamic ones by the
	// process (Blue Book §4.1.2).
	Static bool
	// Selectors is the set of access selectors the attribute supports, bit
	// s for selector s (profile generic buffer: 1 range, 2 entry).
	Selectors uint32
}

// Method describes one method of a class.
type Method struct {
	ID        int8
	Name      string
	Parameter string // type of the method's parameter, as Type above
}

// LookupClass returns the catalogue entry of class id, or nil.
func LookupClass(id ClassID) *Class {
	for i := range classes {
		if classes[i].ID == id {
			return &classes[i]
		}
	}
	return nil
}

// Classes returns every class of the catalogue, by class id. The slice is
// the catalogue itself: do not modify it.
func Classes() []Class { return classes[:] }

// Attribute returns attribute id, or nil when the class has none by that id.
func (c *Class) Attribute(id int8) *Attribute {
	if c == nil || id < 1 || int(id) > len(c.Attributes) {
		return nil
	}
	return &c.Attributes[id-1]
}

// Method returns method id, or nil when the class has none by that id.
func (c *Class) Method(id int8) *Method {
	if c == nil || id < 1 || int(id) > len(c.Methods) {
		return nil
	}
	return &c.Methods[id-1]
}

// String returns the class name ("Register"), or "class N" for a class the
// catalogue does not know.
func (id ClassID) String() string {
	if c := LookupClass(id); c != nil {
		return c.Name
	}
	return "class " + itoa(int(id))
}
