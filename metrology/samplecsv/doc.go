// Package samplecsv reads and writes the sample files of `amigo metrology`
// (ARCHITECTURE §5):
//
//	ua,ia,ub,ib          ← header: channel names, any order, whole phases only
//	325.2,7.07,-162.6,…  ← one line per sampling instant, volts and amperes
//
// Channel names are ua, ia, ub, ib, uc, ic; each wired phase needs both its
// u and its i. Values are decimal numbers as strconv.ParseFloat reads them
// (spaces around them are ignored, CRLF line ends too); NaN and infinities
// are refused. The sample rate is not in the file.
//
// A Reader hands out frames in the metrology core's order — u then i of
// every present phase, a, b, c — whatever the column order. Every problem is
// an *Error naming the file and line; the Reader never panics on any input.
// A Writer writes the same format with the shortest decimal that reads back
// to the identical float64. Lines are limited to 1 MiB. Readers and
// Writers are not safe for concurrent use.
package samplecsv
