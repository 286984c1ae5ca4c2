// Command amigo is the one binary of the amigo smart-metering system: the
// software meter, the DLMS/COSEM client, the metrology tools, the fleet
// simulator and the AMI. Each sub-command only parses flags and calls the
// package that owns the work (ARCHITECTURE §3).
package main
