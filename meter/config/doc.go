// Package config reads meter.toml, the configuration of one software
// meter, into a meter.Config and the DLMS security the meter's server
// needs. example.toml documents every key.
//
// Errors name the file and line of the key at fault ("meter.toml:42:
// tariff.tier[1].up_to_kwh: …"): syntax and type errors from the TOML
// decoder's positions, unknown keys and bad values from an index of the
// file's keys.
package config
