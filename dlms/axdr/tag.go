package axdr

import "strconv"

// Tag is the CHOICE tag of a COSEM Data value (IEC 62056-6-2 §4.1.5, the
// Blue Book's "Data" type), the first byte of every encoded value.
type Tag uint8

// The Data CHOICE tags. Names follow the Blue Book's ASN.1 where Go allows;
// the integer types are named by width ("double-long" is Int32).
const (
	TagNull          Tag = 0   // null-data
	TagArray         Tag = 1   // array: SEQUENCE OF Data
	TagStructure     Tag = 2   // structure: SEQUENCE OF Data
	TagBoolean       Tag = 3   // boolean
	TagBitString     Tag = 4   // bit-string
	TagInt32         Tag = 5   // double-long
	TagUint32        Tag = 6   // double-long-unsigned
	TagOctetString   Tag = 9   // octet-string
	TagVisibleString Tag = 10  // visible-string
	TagUTF8String    Tag = 12  // utf8-string
	TagBCD           Tag = 13  // bcd (one byte)
	TagInt8          Tag = 15  // integer
	TagInt16         Tag = 16  // long
	TagUint8         Tag = 17  // unsigned
	TagUint16        Tag = 18  // long-unsigned
	TagCompactArray  Tag = 19  // compact-array
	TagInt64         Tag = 20  // long64
	TagUint64        Tag = 21  // long64-unsigned
	TagEnum          Tag = 22  // enum
	TagFloat32       Tag = 23  // float32
	TagFloat64       Tag = 24  // float64
	TagDateTime      Tag = 25  // date-time (12 bytes)
	TagDate          Tag = 26  // date (5 bytes)
	TagTime          Tag = 27  // time (4 bytes)
	TagDontCare      Tag = 255 // dont-care
)

var tagNames = [256]string{
	TagNull: "null-data", TagArray: "array", TagStructure: "structure", TagBoolean: "boolean",
	TagBitString: "bit-string", TagInt32: "double-long", TagUint32: "double-long-unsigned",
	TagOctetString: "octet-string", TagVisibleString: "visible-string", TagUTF8String: "utf8-string",
	TagBCD: "bcd", TagInt8: "integer", TagInt16: "long", TagUint8: "unsigned", TagUint16: "long-unsigned",
	TagCompactArray: "compact-array", TagInt64: "long64", TagUint64: "long64-unsigned", TagEnum: "enum",
	TagFloat32: "float32", TagFloat64: "float64", TagDateTime: "date-time", TagDate: "date", TagTime: "time",
	TagDontCare: "dont-care",
}

// String returns the Blue Book name of the tag ("double-long-unsigned"), or
// "tag-N" for a byte that is not a Data tag.
func (t Tag) String() string {
	if n := tagNames[t]; n != "" {
		return n
	}
	return "tag-" + strconv.Itoa(int(t))
}

// Valid reports whether t is one of the Data CHOICE tags.
func (t Tag) Valid() bool { return tagNames[t] != "" }

// kind groups tags by how their contents are laid out.
type kind uint8

const (
	kindInvalid kind = iota
	kindFixed        // fixed-size contents (size in fixedSize)
	kindString       // A-XDR length, then that many bytes
	kindBits         // A-XDR length in bits, then ceil(bits/8) bytes
	kindList         // A-XDR count, then that many Data values
	kindCompact      // type description, then length-prefixed contents
)

var tagKind = [256]kind{
	TagNull: kindFixed, TagBoolean: kindFixed, TagInt32: kindFixed, TagUint32: kindFixed,
	TagBCD: kindFixed, TagInt8: kindFixed, TagInt16: kindFixed, TagUint8: kindFixed, TagUint16: kindFixed,
	TagInt64: kindFixed, TagUint64: kindFixed, TagEnum: kindFixed, TagFloat32: kindFixed,
	TagFloat64: kindFixed, TagDateTime: kindFixed, TagDate: kindFixed, TagTime: kindFixed,
	TagDontCare:  kindFixed,
	TagBitString: kindBits, TagOctetString: kindString, TagVisibleString: kindString, TagUTF8String: kindString,
	TagArray: kindList, TagStructure: kindList, TagCompactArray: kindCompact,
}

// fixedSize is the contents size of each fixed-size type.
var fixedSize = [256]uint8{
	TagBoolean: 1, TagInt32: 4, TagUint32: 4, TagBCD: 1, TagInt8: 1, TagInt16: 2, TagUint8: 1,
	TagUint16: 2, TagInt64: 8, TagUint64: 8, TagEnum: 1, TagFloat32: 4, TagFloat64: 8,
	TagDateTime: DateTimeSize, TagDate: DateSize, TagTime: TimeSize,
}

// signed reports whether the tag is a two's complement integer whose bits
// are sign-extended into Value's 64-bit payload.
func (t Tag) signed() bool {
	switch t {
	case TagInt8, TagInt16, TagInt32, TagInt64:
		return true
	}
	return false
}
