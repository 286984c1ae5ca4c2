package web

import (
	"context"
	"errors"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Errors a backend wraps so that the API answers with the right status.
// Backends may equally wrap meta.ErrNotFound, meta.ErrInvalid,
// meta.ErrExists or store.ErrInvalid; see errorStatus.
var (
	// ErrNotFound: the meter, job, campaign … does not exist (404).
	ErrNotFound = errors.New("web: not found")
	// ErrInvalid: the request is well-formed but the backend refuses it,
	// for example a top-up on a post-payment meter (400).
	ErrInvalid = errors.New("web: invalid")
	// ErrConflict: the request clashes with the current state, for example
	// a second campaign for the same meters (409).
	ErrConflict = errors.New("web: conflict")
)

// Authenticator resolves a bearer token to its user; *meta.DB implements
// it. It returns an error wrapping meta.ErrUnauthenticated for a token
// that is unknown, expired or revoked, or whose user is disabled.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (meta.User, error)
}

// Auditor appends to the audit log; *meta.DB implements it.
type Auditor interface {
	Audit(ctx context.Context, e meta.AuditEntry) (int64, error)
	AuditLog(ctx context.Context, f meta.AuditFilter) ([]meta.AuditEntry, error)
}

// Users administers users and their tokens; *meta.DB implements it. The
// token methods write their own audit entries.
type Users interface {
	CreateUser(ctx context.Context, u meta.User) (int64, error)
	User(ctx context.Context, id int64) (meta.User, error)
	SetUserDisabled(ctx context.Context, actor string, id int64, disabled bool) error
	IssueToken(ctx context.Context, actor string, userID int64, label string, ttl time.Duration) (string, meta.Token, error)
	Tokens(ctx context.Context, userID int64) ([]meta.Token, error)
	RevokeToken(ctx context.Context, actor string, id int64) error
}

// Readings is the part of store.Store the API reads; any store.Store
// implements it.
type Readings interface {
	Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error)
	Aggregate(ctx context.Context, q store.AggregateQuery) ([]store.Bucket, error)
}

// Fleet answers what the head-end and the metadata store know about meters
// together: the meter's record and its live status.
type Fleet interface {
	// Meters returns the meters q selects, by ascending id, at most
	// q.Limit of them.
	Meters(ctx context.Context, q MeterQuery) ([]Meter, error)
	// Meter returns one meter; ErrNotFound (or meta.ErrNotFound) if there
	// is none with that id.
	Meter(ctx context.Context, id store.MeterID) (Meter, error)
}

// MeterQuery selects meters. Zero fields select everything.
type MeterQuery struct {
	SerialPrefix string
	Group        string
	Class        string // installed accuracy class, as meta.Meter.AccuracyClass
	// Status selects by a comms state ("online", "offline") or a supply
	// state ("connected", "disconnected", "ready").
	Status string
	After  store.MeterID // page on: meters with larger ids
	Limit  int           // > 0
}

// Meter is a meter's record with its live status.
type Meter struct {
	meta.Meter
	Status MeterStatus
}

// Comms states: whether the head-end reached the meter recently.
const (
	CommsOnline  = "online"
	CommsOffline = "offline"
	CommsUnknown = "unknown"
)

// Supply states of the disconnect control (IC 70 control_state).
const (
	SupplyConnected    = "connected"
	SupplyDisconnected = "disconnected"
	SupplyReady        = "ready" // ready for reconnection by the customer
)

// MeterStatus is what the head-end last learned about a meter.
type MeterStatus struct {
	Comms    string    // CommsOnline, CommsOffline, CommsUnknown
	Supply   string    // SupplyConnected, SupplyDisconnected, SupplyReady; "" unknown
	LastSeen time.Time // last successful exchange; zero if never
	// CommsSuccess is the fraction of scheduled reads that succeeded over
	// the last 24 hours, in [0, 1]; negative when no read was due.
	CommsSuccess float64
	Credit       *Credit // prepayment meters only
}

// Credit is a prepayment meter's account (IC 111/112).
type Credit struct {
	Balance  int64 // millionths of Currency; negative in emergency credit
	Currency string
	Updated  time.Time
}

// Events lists the events meters logged (standard event log, pushes).
type Events interface {
	// Events returns the events q selects, newest first (by descending
	// id), at most q.Limit of them.
	Events(ctx context.Context, q EventQuery) ([]Event, error)
}

// EventQuery selects events. Zero fields select everything.
type EventQuery struct {
	Meter    store.MeterID
	Kind     string
	From, To time.Time // [From, To) on the event time
	Before   int64     // page on: events with smaller ids
	Limit    int       // > 0
}

// Event is one entry of a meter's event log.
type Event struct {
	ID      int64
	Meter   store.MeterID
	Time    time.Time
	Code    int    // event code of the log (IEC 62056-6-2 standard event log)
	Kind    string // "power-down", "tamper", "firmware-activated", …
	Message string
}

// Alarms lists and acknowledges alarms; *meta.DB implements it.
type Alarms interface {
	Alarms(ctx context.Context, f meta.AlarmFilter) ([]meta.Alarm, error)
	AcknowledgeAlarm(ctx context.Context, id int64, user string) error
}

// Command kinds, as they appear in the API and in the audit log
// (action "meter." + kind).
const (
	CmdReadNow      = "read-now"
	CmdConnect      = "connect"
	CmdDisconnect   = "disconnect"
	CmdCreditTopUp  = "credit-top-up"
	CmdClockSync    = "clock-sync"
	CmdTariffUpdate = "tariff-update"
)

// Command is an operator's request to act on one meter.
type Command struct {
	Kind  string        // one of the Cmd constants
	Meter store.MeterID // the meter it acts on
	Actor string        // the user name, for the job record
	// Amount is the top-up in millionths of the meter's currency
	// (CmdCreditTopUp only; > 0).
	Amount int64
	// TariffID is the tariff to activate (CmdTariffUpdate only; > 0).
	TariffID int64
}

// Commands queues commands for the head-end.
type Commands interface {
	// Submit queues c and returns the id of the job that carries it out.
	// It returns once the job is recorded, not when it has run.
	Submit(ctx context.Context, c Command) (jobID int64, err error)
}

// Job states, as meta.JobState.
const (
	JobQueued  = string(meta.JobQueued)
	JobRunning = string(meta.JobRunning)
	JobDone    = string(meta.JobDone)
	JobFailed  = string(meta.JobFailed)
)

// Jobs reads the head-end's and the MDM's jobs with their progress.
type Jobs interface {
	Job(ctx context.Context, id int64) (Job, error)
	// Jobs returns the jobs q selects, newest first (by descending id), at
	// most q.Limit of them.
	Jobs(ctx context.Context, q JobQuery) ([]Job, error)
}

// JobQuery selects jobs. Zero fields select everything.
type JobQuery struct {
	Meter  store.MeterID
	State  string // JobQueued, JobRunning, JobDone, JobFailed
	Kind   string
	Before int64 // page on: jobs with smaller ids
	Limit  int   // > 0
}

// Job is a unit of work with its progress.
type Job struct {
	meta.Job
	Progress float64 // fraction done in [0, 1]
}

// Campaigns runs firmware campaigns: one image to many meters in waves.
type Campaigns interface {
	CreateCampaign(ctx context.Context, spec CampaignSpec) (Campaign, error)
	Campaign(ctx context.Context, id int64) (Campaign, error)
	// Campaigns returns every campaign, newest first.
	Campaigns(ctx context.Context) ([]Campaign, error)
}

// CampaignSpec is what an operator asks for.
type CampaignSpec struct {
	Name  string
	Image string // the firmware image's identifier (version) known to the head-end
	// Group selects the group's meters; Meters lists meters explicitly.
	// One of the two is set.
	Group  string
	Meters []store.MeterID
	Actor  string
}

// Campaign states.
const (
	CampaignRunning   = "running"
	CampaignDone      = "done"
	CampaignCancelled = "cancelled"
)

// Campaign is a firmware campaign with its counts.
type Campaign struct {
	ID        int64
	Name      string
	Image     string
	Group     string
	State     string // CampaignRunning, CampaignDone, CampaignCancelled
	Total     int    // meters in the campaign
	Done      int    // meters running the new image
	Failed    int    // meters that failed (image refused, verification failed, gave up)
	Jobs      []int64
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Bills reads bills; *meta.DB implements it.
type Bills interface {
	Bills(ctx context.Context, meter store.MeterID, from, to time.Time) ([]meta.Bill, error)
	Bill(ctx context.Context, id int64) (meta.Bill, error)
}

// Analytics answers the MDM's fleet analyses.
type Analytics interface {
	// ClassRecommendations returns, per meter, the accuracy class its
	// load calls for and whether the installed class differs.
	ClassRecommendations(ctx context.Context) ([]ClassRecommendation, error)
	// LoadCurveAlarms returns the load-curve anomalies found in [from, to).
	LoadCurveAlarms(ctx context.Context, from, to time.Time) ([]LoadCurveAlarm, error)
	// FleetQuality returns data-quality figures for [from, to).
	FleetQuality(ctx context.Context, from, to time.Time) (FleetQuality, error)
}

// ClassRecommendation is the accuracy class a meter's load calls for.
type ClassRecommendation struct {
	Meter       store.MeterID
	Installed   string  // accuracy class installed
	Recommended string  // accuracy class the load calls for
	Mismatch    bool    // Installed differs from Recommended
	AnnualWh    int64   // energy over the last year, extrapolated
	PeakW       int64   // largest 15-minute demand
	Reason      string  // why, in a sentence
	Confidence  float64 // in [0, 1]
}

// LoadCurveAlarm is one anomaly in a meter's load curve.
type LoadCurveAlarm struct {
	Meter    store.MeterID
	Kind     string // "flat-line", "spike", "night-load", "reverse-flow", "zero-consumption", …
	Severity string // "info", "warning", "critical"
	From, To time.Time
	Score    float64 // how far from normal; larger is worse
	Message  string
}

// FleetQuality is the data quality over a period.
type FleetQuality struct {
	From, To  time.Time
	Meters    int
	Expected  int64 // interval readings due
	Received  int64 // of which received
	Valid     int64 // of which passed validation
	Suspect   int64
	Estimated int64 // gaps filled by the VEE
	Missing   int64 // neither received nor estimated
	// IngestLag is the delay between a reading's time and its storage:
	// median and 95th percentile.
	IngestLagP50, IngestLagP95 time.Duration
	Groups                     []GroupQuality
}

// GroupQuality is the data quality of one group of meters.
type GroupQuality struct {
	Group        string
	Meters       int
	Completeness float64 // received / expected
	CommsSuccess float64
}

// NILM answers what the meters' NILM modules recognised.
type NILM interface {
	// ApplianceEvents returns the switching events of meter in [from, to),
	// oldest first.
	ApplianceEvents(ctx context.Context, meter store.MeterID, from, to time.Time) ([]ApplianceEvent, error)
	// Breakdown returns the energy per appliance of meter in [from, to),
	// largest first.
	Breakdown(ctx context.Context, meter store.MeterID, from, to time.Time) ([]ApplianceEnergy, error)
}

// ApplianceEvent is one recognised appliance switching.
type ApplianceEvent struct {
	Time       time.Time
	Appliance  string // label from the feature library, "unknown" if none fits
	On         bool
	DeltaW     float64 // active power step, W
	Confidence float64 // in [0, 1]
}

// ApplianceEnergy is one appliance's share of a meter's energy.
type ApplianceEnergy struct {
	Appliance string
	EnergyWh  float64
	Share     float64 // of the meter's total in the period
	Events    int
}

// PowerQuality reads a meter's instantaneous power-quality values.
type PowerQuality interface {
	// Snapshot reads the meter now (or returns its latest capture).
	Snapshot(ctx context.Context, meter store.MeterID) (PQSnapshot, error)
}

// PQSnapshot is one power-quality capture.
type PQSnapshot struct {
	Time        time.Time
	FrequencyHz float64
	Phases      []PQPhase
	Waveform    *Waveform // nil if the meter captured none
}

// PQPhase is one phase's quantities (IEEE 1459, ARCHITECTURE §5).
type PQPhase struct {
	Phase     string // "a", "b", "c"
	URMS      float64
	IRMS      float64
	PW        float64
	PF        float64
	THDU      float64 // fraction
	THDI      float64 // fraction
	Harmonics []Harmonic
}

// Harmonic is one harmonic order's RMS values.
type Harmonic struct {
	H    int
	URMS float64
	IRMS float64
}

// Waveform is a captured stretch of samples.
type Waveform struct {
	RateHz float64
	U, I   map[string][]float64 // by phase
}
