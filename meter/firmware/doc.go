// Package firmware is the management core's firmware upgrade: a small
// signed image format, the image transfer state machine of IC 18 (initiate,
// block transfer with a block bitmap, verify, activate, status) and the
// active/passive image slots with rollback.
//
// # Signed image
//
//	offset  size  field
//	     0     8  magic "AMIGOFW1"
//	     8    32  target id, ASCII, NUL-padded: the device type the image is for
//	    40    32  version, ASCII, NUL-padded
//	    72     8  payload length, big-endian
//	    80    32  SHA-256 of the payload
//	   112     2  signature length L (1…72), big-endian
//	   114     L  ECDSA P-256 signature (ASN.1 DER, crypto/ecdsa) over
//	              SHA-256 of bytes 0…111
//	 114+L     …  payload
//
// The signature covers the header, which holds the payload's hash, so one
// signature check and one hash authenticate the whole image. Parse never
// panics and never allocates from the length fields; Verify checks the
// target, the payload length and hash and the signature against the
// vendor's public key.
//
// # Transfer (IC 18)
//
// Initiate announces an identifier and a size (bounded by the transfer's
// maximum), blocks of image_block_size arrive in any order (the bitmap is
// image_transferred_blocks_status, the first hole
// image_first_not_transferred_block_number), Verify parses and verifies
// the assembled image (a missing block, a wrong signature or a wrong
// target fails it: status verification failed), and Activate installs it.
//
// # Slots
//
// Two slots: the active image runs, the passive one keeps the previous
// image. An activated image runs on trial until the meter's self-test
// after the next start commits it, or fails and rolls back to the passive
// slot. The metrology core is not in these slots: its software and
// checksum never change with a management-core upgrade.
//
// Not safe for concurrent use; the meter serialises access.
package firmware
