// Package linktest holds what the tests of the DLMS link layers (dlms/wrapper
// and dlms/hdlc) share: APDU patterns, an echoing server loop, a stream
// without deadlines and an endless frame source; the tests of dlms and its
// sub-packages use its Unhex too. Only tests import it.
package linktest
