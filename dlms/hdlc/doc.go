// Package hdlc is the DLMS/COSEM data link layer over HDLC: IEC 62056-46
// (2002, with Amd. 1 2006), which is chapter 8 of the DLMS UA Green Book
// (DLMS UA 1000-2 Ed. 10), built on ISO/IEC 13239. It moves whole APDUs as
// opaque bytes over a serial line, TCP, or any io.ReadWriter.
//
// # Frame layout (Green Book 8.4.1, HDLC frame format type 3)
//
//	+------+--------+--------+--------+---------+-----+------------------+-----+------+
//	| flag | format | dest.  | source | control | HCS | information      | FCS | flag |
//	| 7E   | 2      | 1,2,4  | 1,2,4  | 1       | 2   | n                | 2   | 7E   |
//	+------+--------+--------+--------+---------+-----+------------------+-----+------+
//	        <---------------------- frame length (11 bits) -------------------->
//
// The format field is 1010 S LLLLLLLLLLL: type 3, the segmentation bit S
// (more segments of this APDU follow) and the frame length, which counts
// the bytes between the flags. There is no byte stuffing: 0x7E may appear
// inside a frame, which the length delimits. A frame without information
// field has no HCS. Two frames may share one flag.
//
// Addresses (the MAC addressing scheme): seven bits per byte, the low bit set in the last byte
// only. A client address is one byte, the client SAP (16 public, 32 reader,
// 1 management). A server address is the upper HDLC address (logical
// device) alone in one byte, or upper and lower (physical device) address
// in two bytes (7 bits each) or four (14 bits each):
//
//	1 byte:  UUUUUUU1
//	2 bytes: UUUUUUU0 LLLLLLL1
//	4 bytes: UUUUUUU0 uuuuuuu0 LLLLLLL0 lllllll1   (upper = U<<7|u, lower = L<<7|l)
//
// Control field, bit 7 first, P/F the poll (command) or final
// (response) bit, N(S) and N(R) the send and receive sequence numbers:
//
//	I     R R R P S S S 0        RR    R R R P/F 0 0 0 1
//	RNR   R R R P/F 0 1 0 1      SNRM  1 0 0 P 0 0 1 1
//	DISC  0 1 0 P 0 0 1 1        UA    0 1 1 F 0 0 1 1
//	DM    0 0 0 F 1 1 1 1        FRMR  1 0 0 F 0 1 1 1
//	UI    0 0 0 P/F 0 0 1 1
//
// HCS and FCS: CRC-16/X.25 (the 16-bit FCS of ISO/IEC 13239 and RFC 1662:
// polynomial 0x1021 reflected, preset 0xFFFF, complemented, low byte
// first), the HCS over format…control, the FCS over format…information.
// The table comes from the bitwise definition (gen_fcs_table.go).
//
// SNRM and UA information field (the HDLC parameter negotiation of
// ISO/IEC 13239 as the Green Book profiles it):
//
//	81 80 LL  05 n <max info field length transmit>
//	          06 n <max info field length receive>
//	          07 n <window size transmit>
//	          08 n <window size receive>
//
// Each station states its own view; a parameter left out is 128 (lengths)
// or 1 (windows). The server answers with the smaller of the client's
// proposal and its own limits.
//
// LLC sublayer: every APDU is preceded by E6 E6 00 from the client and
// E6 E7 00 from the server; this package adds and strips it. A long APDU
// is cut into segments of the agreed information field length, sent as I
// frames with S set in all but the last.
//
// # Contract
//
// DecodeFrame, DecodeParams and Reader reject any input they cannot take
// with an error and never panic; no length field sizes a buffer (the
// Reader's is fixed at twice the largest frame, reassembly stops at
// MaxAPDU).
//
// A Conn is one end of a link in normal response mode: Dial or
// Connect for the client (primary station), which opens the link with
// SNRM; NewServer for the server (secondary station), which answers SNRM
// with UA and sends only when the client's poll bit gives it the turn.
// WriteAPDU and ReadAPDU move whole APDUs with windowing (go-back-N on
// N(R)), RR/RNR acknowledgement of segments, and recovery from lost or
// corrupt frames: the client polls with RR after ResponseTimeout and gives
// up after MaxRetries (ErrTimeout); the server drops the link after
// InactivityTimeout (ErrInactive). Close sends DISC from a client. A
// server reports the client SAP that selected the association through
// ClientAddress. One goroutine drives a Conn at a time.
//
// Not done: UI frames are decoded but a Conn ignores them; the inter-octet
// timeout of serial lines is not applied (a false frame start is caught by
// the early HCS check instead).
package hdlc
