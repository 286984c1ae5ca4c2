package eventlog

import "fmt"

// Log names one of the event logs.
type Log uint8

// The logs.
const (
	Standard Log = iota
	Tamper
	Disconnect
	PowerQuality
	Communication
	Firmware
	NumLogs
)

var logInfo = [NumLogs]struct {
	name string
	e    byte // OBIS value group E of the log and its code object
}{
	{"standard", 0}, {"tamper", 1}, {"disconnect", 2}, {"power-quality", 4}, {"communication", 5}, {"firmware", 6},
}

func (l Log) String() string {
	if l >= NumLogs {
		return fmt.Sprintf("log-%d", uint8(l))
	}
	return logInfo[l].name
}

// Profile is the logical name of the log's profile generic (IC 7).
func (l Log) Profile() [6]byte { return [6]byte{0, 0, 99, 98, logInfo[l].e, 255} }

// CodeObject is the logical name of the log's event code object (IC 1).
func (l Log) CodeObject() [6]byte { return [6]byte{0, 0, 96, 11, logInfo[l].e, 255} }

// Code is an event code.
type Code uint16

// Event codes (see the package documentation for their origin).
const (
	PowerDown              Code = 1
	PowerUp                Code = 2
	DSTChanged             Code = 3
	ClockAdjustedOld       Code = 4
	ClockAdjustedNew       Code = 5
	ClockInvalid           Code = 6
	TOUActivated           Code = 9
	MeasurementSystemError Code = 16 // metrology self-check: measured and reference channels disagree
	FirmwareReady          Code = 17
	FirmwareActivated      Code = 18
	PassiveTOUProgrammed   Code = 19

	TerminalCoverOpened Code = 40
	TerminalCoverClosed Code = 41
	MagneticField       Code = 42
	MagneticFieldGone   Code = 43
	MeterCoverOpened    Code = 44
	MeterCoverClosed    Code = 45
	AssociationFailed   Code = 46
	DecryptionFailed    Code = 47
	ReplayRejected      Code = 48

	ManualDisconnection Code = 60
	ManualConnection    Code = 61
	RemoteDisconnection Code = 62
	RemoteConnection    Code = 63
	LocalDisconnection  Code = 64
	LimiterExceeded     Code = 65
	LimiterOK           Code = 66
	LimiterChanged      Code = 67

	VoltageSagL1   Code = 76
	VoltageSagL2   Code = 77
	VoltageSagL3   Code = 78
	VoltageSwellL1 Code = 79
	VoltageSwellL2 Code = 80
	VoltageSwellL3 Code = 81

	TerminalOverTemperature Code = 200
	TerminalTemperatureOK   Code = 201
	MeasurementSystemOK     Code = 202
	ReverseCurrentL1        Code = 203
	ReverseCurrentL2        Code = 204
	ReverseCurrentL3        Code = 205
	MetrologyChanged        Code = 206 // the metrology core's parameter checksum changed (calibration)
	ParameterChanged        Code = 210
	BillingPeriodReset      Code = 211
	LocalConnection         Code = 212
	CreditLow               Code = 220
	CreditExhausted         Code = 221
	EmergencyCreditInvoked  Code = 222
	TokenAccepted           Code = 223
	TokenRejected           Code = 224
	CreditRestored          Code = 225
	FirmwareTransferStarted Code = 230
	FirmwareVerifyFailed    Code = 231
	FirmwareRolledBack      Code = 232
	FirmwareCommitted       Code = 233
	NILMLibraryActivated    Code = 234 // the NILM module's feature library was replaced
	NILMLibraryRefused      Code = 235 // a NILM feature library was malformed or its signature did not verify
	NILMLibraryStale        Code = 236 // a NILM feature library was not newer than the active one
	PushFailed              Code = 240
)

type codeInfo struct {
	log  Log
	name string
}

var codes = map[Code]codeInfo{
	PowerDown:               {Standard, "power down"},
	PowerUp:                 {Standard, "power up"},
	DSTChanged:              {Standard, "daylight saving changed"},
	ClockAdjustedOld:        {Standard, "clock adjusted (old time)"},
	ClockAdjustedNew:        {Standard, "clock adjusted (new time)"},
	ClockInvalid:            {Standard, "clock invalid"},
	TOUActivated:            {Standard, "passive calendar activated"},
	MeasurementSystemError:  {Standard, "metrology self-check failed"},
	MeasurementSystemOK:     {Standard, "metrology self-check passed again"},
	MetrologyChanged:        {Standard, "metrology parameters changed"},
	PassiveTOUProgrammed:    {Standard, "passive calendar programmed"},
	ParameterChanged:        {Standard, "parameter changed"},
	BillingPeriodReset:      {Standard, "billing period reset"},
	CreditLow:               {Standard, "low credit"},
	CreditExhausted:         {Standard, "credit exhausted"},
	EmergencyCreditInvoked:  {Standard, "emergency credit invoked"},
	TokenAccepted:           {Standard, "token accepted"},
	TokenRejected:           {Standard, "token rejected"},
	CreditRestored:          {Standard, "credit restored"},
	TerminalCoverOpened:     {Tamper, "terminal cover opened"},
	TerminalCoverClosed:     {Tamper, "terminal cover closed"},
	MagneticField:           {Tamper, "strong magnetic field"},
	MagneticFieldGone:       {Tamper, "strong magnetic field gone"},
	MeterCoverOpened:        {Tamper, "meter cover opened"},
	MeterCoverClosed:        {Tamper, "meter cover closed"},
	ReverseCurrentL1:        {Tamper, "reverse current L1"},
	ReverseCurrentL2:        {Tamper, "reverse current L2"},
	ReverseCurrentL3:        {Tamper, "reverse current L3"},
	TerminalOverTemperature: {Tamper, "terminal over-temperature"},
	TerminalTemperatureOK:   {Tamper, "terminal temperature normal"},
	ManualDisconnection:     {Disconnect, "manual disconnection"},
	ManualConnection:        {Disconnect, "manual connection"},
	RemoteDisconnection:     {Disconnect, "remote disconnection"},
	RemoteConnection:        {Disconnect, "remote connection"},
	LocalDisconnection:      {Disconnect, "local disconnection"},
	LocalConnection:         {Disconnect, "local connection"},
	LimiterExceeded:         {Disconnect, "limiter threshold exceeded"},
	LimiterOK:               {Disconnect, "limiter threshold ok"},
	LimiterChanged:          {Disconnect, "limiter threshold changed"},
	VoltageSagL1:            {PowerQuality, "voltage sag L1"},
	VoltageSagL2:            {PowerQuality, "voltage sag L2"},
	VoltageSagL3:            {PowerQuality, "voltage sag L3"},
	VoltageSwellL1:          {PowerQuality, "voltage swell L1"},
	VoltageSwellL2:          {PowerQuality, "voltage swell L2"},
	VoltageSwellL3:          {PowerQuality, "voltage swell L3"},
	AssociationFailed:       {Communication, "association failed"},
	DecryptionFailed:        {Communication, "decryption or authentication failed"},
	ReplayRejected:          {Communication, "replay rejected"},
	PushFailed:              {Communication, "push failed"},
	FirmwareTransferStarted: {Firmware, "image transfer initiated"},
	FirmwareReady:           {Firmware, "image verified, ready for activation"},
	FirmwareVerifyFailed:    {Firmware, "image verification failed"},
	FirmwareActivated:       {Firmware, "image activated"},
	FirmwareCommitted:       {Firmware, "image committed after self-test"},
	FirmwareRolledBack:      {Firmware, "image rolled back"},
	NILMLibraryActivated:    {Firmware, "NILM feature library activated"},
	NILMLibraryRefused:      {Firmware, "NILM feature library refused (malformed or bad signature)"},
	NILMLibraryStale:        {Firmware, "NILM feature library refused (not newer)"},
}

// Log returns the log the code is recorded in.
func (c Code) Log() Log {
	if i, ok := codes[c]; ok {
		return i.log
	}
	return Standard
}

// Known reports whether c is in the table.
func (c Code) Known() bool { _, ok := codes[c]; return ok }

func (c Code) String() string {
	if i, ok := codes[c]; ok {
		return i.name
	}
	return fmt.Sprintf("event-%d", uint16(c))
}

// Codes returns every known code.
func Codes() []Code {
	out := make([]Code, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	return out
}
