package cosemtest

import "github.com/amigo-ami/amigo/cosem"

// Grants builds the rights of the clients of ARCHITECTURE §4 for a test
// tree, one shared *cosem.Rights per class and level, as a meter's tree
// would hold them.
type Grants struct {
	read, full, auth map[cosem.ClassID]*cosem.Rights
}

// NewGrants returns an empty Grants.
func NewGrants() *Grants {
	return &Grants{map[cosem.ClassID]*cosem.Rights{}, map[cosem.ClassID]*cosem.Rights{}, map[cosem.ClassID]*cosem.Rights{}}
}

func memo(m map[cosem.ClassID]*cosem.Rights, id cosem.ClassID, mk func(*cosem.Class) *cosem.Rights) *cosem.Rights {
	if r := m[id]; r != nil {
		return r
	}
	r := mk(cosem.LookupClass(id))
	m[id] = r
	return r
}

func (g *Grants) readOnly(id cosem.ClassID) *cosem.Rights { return memo(g.read, id, cosem.ReadOnly) }

func (g *Grants) fullAccess(id cosem.ClassID) *cosem.Rights {
	return memo(g.full, id, cosem.FullAccess)
}

// Authenticated is full access to class id with authenticated (HLS)
// attribute and method access only: the security setup's rights.
func (g *Grants) Authenticated(id cosem.ClassID) *cosem.Rights {
	return memo(g.auth, id, func(c *cosem.Class) *cosem.Rights {
		return cosem.NewRights(c, cosem.AuthReadWrite, cosem.MethodAuthAccess)
	})
}

// Public lets every client read an object of class id, and management
// write and invoke it too.
func (g *Grants) Public(id cosem.ClassID) cosem.Grants {
	return cosem.Grants{Public: g.readOnly(id), Reader: g.readOnly(id), Management: g.fullAccess(id)}
}

// Metered lets the reader read an object of class id, and management
// read, write and invoke it.
func (g *Grants) Metered(id cosem.ClassID) cosem.Grants {
	return cosem.Grants{Reader: g.readOnly(id), Management: g.fullAccess(id)}
}
