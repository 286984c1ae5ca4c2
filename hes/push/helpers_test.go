package push

import (
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

func wrapperFrame(apdu []byte) []byte {
	f, _ := wrapper.AppendFrame(nil, wrapper.Frame{Source: 1, Dest: 1, APDU: apdu})
	return f
}
