package apdu

import (
	"fmt"
	"strings"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// node is one line of an APDU's trace tree: a text, then either children or
// a Data value drawn as its own subtree.
type node struct {
	text    string
	kids    []node
	data    []axdr.Value
	hasData bool
	// rendered holds the lines after the first of a subtree rendered
	// elsewhere (an APDU nested in user-information).
	rendered []string
}

func leaf(format string, args ...any) node { return node{text: fmt.Sprintf(format, args...)} }

func dataNode(label string, vals []axdr.Value) node {
	return node{text: label, data: vals, hasData: true}
}

func (n node) String() string {
	var b strings.Builder
	n.write(&b, "")
	return b.String()
}

func (n node) write(b *strings.Builder, indent string) {
	b.WriteString(n.text)
	if n.hasData {
		b.WriteString(": ")
		axdr.WriteTree(b, n.data, indent)
		return
	}
	b.WriteByte('\n')
	for _, l := range n.rendered {
		b.WriteString(indent)
		b.WriteString(l)
		b.WriteByte('\n')
	}
	for i, k := range n.kids {
		b.WriteString(indent)
		if i == len(n.kids)-1 {
			b.WriteString("└── ")
			k.write(b, indent+"    ")
		} else {
			b.WriteString("├── ")
			k.write(b, indent+"│   ")
		}
	}
}

func selectionNode(label string, s AttributeSelection) node {
	n := leaf("%s: %s", label, s.Attribute)
	if s.Access.Selector != 0 {
		n.kids = append(n.kids, dataNode(fmt.Sprintf("access selector=%d", s.Access.Selector), s.Access.Params))
	}
	return n
}

func blockNode(label string, last bool, number uint32, raw []byte) node {
	return leaf("%s last=%t number=%d raw[%d] %X", label, last, number, len(raw), raw)
}

// renderedNode nests an already rendered tree under label.
func renderedNode(label, tree string) node {
	lines := strings.Split(strings.TrimSuffix(tree, "\n"), "\n")
	return node{text: label + lines[0], rendered: lines[1:]}
}
