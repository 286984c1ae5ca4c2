package web

import "github.com/amigo-ami/amigo/store/meta"

// RouteInfo exposes a route's declaration to the external tests.
type RouteInfo struct {
	Method, Path, ID string
	Role             meta.Role
	PathParams       []string
	QueryParams      []string
	HasBody          bool
	Status           int
	Errors           []int // every documented error status
}

// Routes lists s's route table.
func Routes(s *Server) []RouteInfo {
	var out []RouteInfo
	for _, rt := range s.routes {
		ri := RouteInfo{Method: rt.Method, Path: rt.Path, ID: rt.ID, Role: rt.Role, HasBody: rt.Body != nil, Status: rt.status(), Errors: errorStatuses(rt)}
		for _, p := range rt.Params {
			if p.In == "path" {
				ri.PathParams = append(ri.PathParams, p.Name)
			} else {
				ri.QueryParams = append(ri.QueryParams, p.Name)
			}
		}
		out = append(out, ri)
	}
	return out
}

// OnStreamEnd makes s call f each time a live stream ends.
func OnStreamEnd(s *Server, f func()) { s.streamEnded.Store(&f) }
