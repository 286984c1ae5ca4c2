// Package tomlkeys maps the keys of a TOML document to the lines that set
// them, so that an error the TOML decoder cannot place — a key it did not
// know, values that are wrong together — still names FILE:LINE; Error is
// that error, shared by the configuration files (amigo.toml, meter.toml).
//
// Keys are spelled as the decoder names them, with the indices of arrays
// of tables: "log.level", "hes.schedule[1]" (the [[hes.schedule]] header
// of the second element), "hes.schedule[1].kind". A key inside an inline
// table maps to the inline table's line. Multi-line strings and arrays are
// skipped well enough for configuration files: their continuation lines do
// not look like keys.
package tomlkeys
