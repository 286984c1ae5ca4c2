// Command catgen turns cosem/catalogue.txt (units, OBIS names, interface
// classes) into the Go tables of cosem/catalogue_gen.go. It runs through
// `go generate ./cosem`; its test checks that the checked-in file is what
// the data file generates.
package main
