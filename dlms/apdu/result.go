package apdu

import "fmt"

// DataAccessResult is Data-Access-Result (Green Book §9.5).
type DataAccessResult uint8

const (
	Success                 DataAccessResult = 0
	HardwareFault           DataAccessResult = 1
	TemporaryFailure        DataAccessResult = 2
	ReadWriteDenied         DataAccessResult = 3
	ObjectUndefined         DataAccessResult = 4
	ObjectClassInconsistent DataAccessResult = 9
	ObjectUnavailable       DataAccessResult = 11
	TypeUnmatched           DataAccessResult = 12
	ScopeOfAccessViolated   DataAccessResult = 13
	DataBlockUnavailable    DataAccessResult = 14
	LongGetAborted          DataAccessResult = 15
	NoLongGetInProgress     DataAccessResult = 16
	LongSetAborted          DataAccessResult = 17
	NoLongSetInProgress     DataAccessResult = 18
	DataBlockNumberInvalid  DataAccessResult = 19
	OtherReason             DataAccessResult = 250
)

var dataAccessResultNames = map[DataAccessResult]string{
	Success: "success", HardwareFault: "hardware-fault", TemporaryFailure: "temporary-failure",
	ReadWriteDenied: "read-write-denied", ObjectUndefined: "object-undefined",
	ObjectClassInconsistent: "object-class-inconsistent", ObjectUnavailable: "object-unavailable",
	TypeUnmatched: "type-unmatched", ScopeOfAccessViolated: "scope-of-access-violated",
	DataBlockUnavailable: "data-block-unavailable", LongGetAborted: "long-get-aborted",
	NoLongGetInProgress: "no-long-get-in-progress", LongSetAborted: "long-set-aborted",
	NoLongSetInProgress: "no-long-set-in-progress", DataBlockNumberInvalid: "data-block-number-invalid",
	OtherReason: "other-reason",
}

func (r DataAccessResult) String() string {
	if n, ok := dataAccessResultNames[r]; ok {
		return n
	}
	return fmt.Sprintf("data-access-result-%d", uint8(r))
}

// ActionResult is Action-Result.
type ActionResult uint8

const (
	ActionSuccess                 ActionResult = 0
	ActionHardwareFault           ActionResult = 1
	ActionTemporaryFailure        ActionResult = 2
	ActionReadWriteDenied         ActionResult = 3
	ActionObjectUndefined         ActionResult = 4
	ActionObjectClassInconsistent ActionResult = 9
	ActionObjectUnavailable       ActionResult = 11
	ActionTypeUnmatched           ActionResult = 12
	ActionScopeOfAccessViolated   ActionResult = 13
	ActionDataBlockUnavailable    ActionResult = 14
	ActionLongActionAborted       ActionResult = 15
	ActionNoLongActionInProgress  ActionResult = 16
	ActionOtherReason             ActionResult = 250
)

func (r ActionResult) String() string {
	switch r {
	case ActionLongActionAborted:
		return "long-action-aborted"
	case ActionNoLongActionInProgress:
		return "no-long-action-in-progress"
	}
	if n, ok := dataAccessResultNames[DataAccessResult(r)]; ok && r != 15 && r != 16 {
		return n
	}
	return fmt.Sprintf("action-result-%d", uint8(r))
}
