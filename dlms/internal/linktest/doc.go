// Package linktest holds what the tests of the DLMS link layers (dlms/wrapper
// and dlms/hdlc) share: APDU patterns, an echoing server loop, a stream
// without deadlines and an endless frame source. Only tests import it.
package linktest
