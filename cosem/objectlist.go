package cosem

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// ObjectListEntry is one element of an Association LN object_list: an
// object and the association's rights on it.
type ObjectListEntry struct {
	ObjectID
	Rights Rights
}

// ParseObjectList reads a decoded object_list (Association LN versions 1
// and later; version 0's boolean method access reads as access or not).
// The list comes from a meter: every shape is checked.
func ParseObjectList(v []axdr.Value) ([]ObjectListEntry, error) {
	if len(v) == 0 || v[0].Tag != axdr.TagArray {
		return nil, fmt.Errorf("cosem: object_list: want an array, have %s", describe(v))
	}
	out := make([]ObjectListEntry, 0, min(v[0].N, len(v)))
	i := 1
	for k := 0; k < v[0].N; k++ {
		e, next, err := parseObjectListElement(v, i)
		if err != nil {
			return nil, fmt.Errorf("cosem: object_list[%d]: %w", k, err)
		}
		out = append(out, e)
		i = next
	}
	if i != len(v) {
		return nil, fmt.Errorf("cosem: object_list: %d values after it", len(v)-i)
	}
	return out, nil
}

// parseObjectListElement reads structure {class_id long-unsigned, version
// unsigned, logical_name octet-string(6), access_rights} at v[i].
func parseObjectListElement(v []axdr.Value, i int) (ObjectListEntry, int, error) {
	var e ObjectListEntry
	if i+5 > len(v) || v[i].Tag != axdr.TagStructure || v[i].N != 4 || v[i+1].Tag != axdr.TagUint16 ||
		v[i+2].Tag != axdr.TagUint8 || v[i+3].Tag != axdr.TagOctetString || len(v[i+3].Bytes) != 6 {
		return e, 0, fmt.Errorf("want structure {long-unsigned, unsigned, octet-string(6), access_rights}")
	}
	cls, _ := v[i+1].Uint()
	ver, _ := v[i+2].Uint()
	e.Class, e.Version = ClassID(cls), uint8(ver)
	copy(e.Name[:], v[i+3].Bytes)
	// access_rights: structure {attribute_access array, method_access array}
	j := i + 4
	if v[j].Tag != axdr.TagStructure || v[j].N < 2 || j+1 >= len(v) || v[j+1].Tag != axdr.TagArray {
		return e, 0, fmt.Errorf("%s: access_rights: want structure {array, array}", e.Name)
	}
	j++
	attrs := v[j].N
	j++
	for a := 0; a < attrs; a++ {
		// structure {attribute_id integer, access_mode enum, access_selectors CHOICE {null, array of integer}}
		if j+4 > len(v) || v[j].Tag != axdr.TagStructure || v[j].N != 3 || v[j+1].Tag != axdr.TagInt8 || v[j+2].Tag != axdr.TagEnum {
			return e, 0, fmt.Errorf("%s: attribute_access[%d]: want structure {integer, enum, selectors}", e.Name, a)
		}
		id, _ := v[j+1].Int()
		mode, _ := v[j+2].Uint()
		right := AttributeRight{Access: AttributeAccess(mode)}
		j += 3
		switch v[j].Tag {
		case axdr.TagNull:
			j++
		case axdr.TagArray:
			n := v[j].N
			if j+1+n > len(v) {
				return e, 0, fmt.Errorf("%s: attribute_access[%d]: selectors cut short", e.Name, a)
			}
			for s := 1; s <= n; s++ {
				sel, ok := v[j+s].Int()
				if v[j+s].Tag != axdr.TagInt8 || !ok || sel < 1 || sel > 31 {
					return e, 0, fmt.Errorf("%s: attribute_access[%d]: selector %s", e.Name, a, v[j+s])
				}
				right.Selectors |= 1 << sel
			}
			j += 1 + n
		default:
			return e, 0, fmt.Errorf("%s: attribute_access[%d]: selectors are %s", e.Name, a, v[j].Tag)
		}
		if id >= 1 && id <= 127 {
			for len(e.Rights.Attributes) < int(id) {
				e.Rights.Attributes = append(e.Rights.Attributes, AttributeRight{})
			}
			e.Rights.Attributes[id-1] = right
		}
	}
	if j >= len(v) || v[j].Tag != axdr.TagArray {
		return e, 0, fmt.Errorf("%s: method_access: want an array", e.Name)
	}
	methods := v[j].N
	j++
	for m := 0; m < methods; m++ {
		// structure {method_id integer, access_mode enum (boolean in version 0)}
		if j+3 > len(v) || v[j].Tag != axdr.TagStructure || v[j].N != 2 || v[j+1].Tag != axdr.TagInt8 ||
			(v[j+2].Tag != axdr.TagEnum && v[j+2].Tag != axdr.TagBoolean) {
			return e, 0, fmt.Errorf("%s: method_access[%d]: want structure {integer, enum}", e.Name, m)
		}
		id, _ := v[j+1].Int()
		mode, _ := v[j+2].Uint()
		if b, ok := v[j+2].Bool(); ok && b {
			mode = uint64(MethodAccessible)
		}
		if id >= 1 && id <= 127 {
			for len(e.Rights.Methods) < int(id) {
				e.Rights.Methods = append(e.Rights.Methods, MethodNoAccess)
			}
			e.Rights.Methods[id-1] = MethodAccess(mode)
		}
		j += 3
	}
	// Later versions may add fields to access_rights: skip them.
	for extra := v[i+4].N - 2; extra > 0; extra-- {
		if j = axdr.Next(v, j); j < 0 {
			return e, 0, fmt.Errorf("%s: access_rights cut short", e.Name)
		}
	}
	return e, j, nil
}
