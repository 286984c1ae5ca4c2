package web

import (
	"encoding/json"
	"net/http"

	"github.com/amigo-ami/amigo/store/meta"
)

const (
	viewer   = meta.RoleViewer
	operator = meta.RoleOperator
	admin    = meta.RoleAdmin
)

var (
	meterFilter = queryInt("meter", "only this meter's", 1, 1<<53-1)
	fromParam   = queryTime("from", "start of the range (RFC 3339), inclusive")
	toParam     = queryTime("to", "end of the range (RFC 3339), exclusive; now if absent")
	classes     = []string{"0.2S", "0.2", "0.5S", "0.5", "1", "2"}
)

func params(ps ...[]param) []param {
	var out []param
	for _, p := range ps {
		out = append(out, p...)
	}
	return out
}

func one(ps ...param) []param { return ps }

// routeTable is the API. Order is the order of the OpenAPI document.
func (s *Server) routeTable() []*route {
	id := pathID("id", "meter id")
	return []*route{
		{Method: "GET", Path: "/api/v1/openapi.json", ID: "getOpenAPI", Tag: "meta", Summary: "This API's OpenAPI 3 document",
			Result: json.RawMessage(nil), Handle: func(*request) (any, error) { return json.RawMessage(s.openapi), nil }},
		{Method: "POST", Path: "/api/v1/session", ID: "createSession", Tag: "auth", Summary: "Check a token and set it as the console's session cookie",
			Body: sessionBody{}, Result: userView{}, Errors: []int{401}, Stream: s.postSession},
		{Method: "DELETE", Path: "/api/v1/session", ID: "deleteSession", Tag: "auth", Summary: "Clear the console's session cookie",
			Status: http.StatusNoContent, Stream: s.deleteSession},
		{Method: "GET", Path: "/api/v1/me", ID: "getMe", Tag: "auth", Summary: "The user the token belongs to, and the system's clock", Role: viewer,
			Result: meView{}, Handle: s.getMe},

		{Method: "GET", Path: "/api/v1/fleet", ID: "getFleet", Tag: "meters", Summary: "Fleet summary: counts by comms and supply state, per group", Role: viewer,
			Result: fleetView{}, Errors: []int{501}, Handle: s.getFleet},
		{Method: "GET", Path: "/api/v1/meters", ID: "listMeters", Tag: "meters", Summary: "List meters, by id", Role: viewer,
			Params: params(one(
				queryString("serial", "serial number prefix"),
				queryString("group", "group (feeder, district)"),
				queryEnum("class", "installed accuracy class", classes...),
				queryEnum("status", describeStatusFilter(), meterStatuses...),
			), pageParams),
			Result: page[meterView]{}, Errors: []int{501}, Handle: s.listMeters},
		{Method: "GET", Path: "/api/v1/meters/{id}", ID: "getMeter", Tag: "meters", Summary: "One meter with its status", Role: viewer,
			Params: one(id), Result: meterView{}, Errors: []int{404, 501}, Handle: s.getMeter},
		{Method: "GET", Path: "/api/v1/meters/{id}/status", ID: "getMeterStatus", Tag: "meters", Summary: "A meter's comms, supply and credit status", Role: viewer,
			Params: one(id), Result: statusView{}, Errors: []int{404, 501}, Handle: s.getMeterStatus},
		{Method: "GET", Path: "/api/v1/meters/{id}/registers", ID: "getRegisters", Tag: "readings", Summary: "Latest reading of each channel", Role: viewer,
			Params: one(id), Result: registersView{}, Errors: []int{404, 501}, Handle: s.getRegisters},
		{Method: "GET", Path: "/api/v1/meters/{id}/readings", ID: "getReadings", Tag: "readings", Summary: "A channel's readings or their aggregates over a range", Role: viewer,
			Params: one(id,
				required(queryString("channel", "OBIS code (1.0.1.8.0.255 or 1-0:1.8.0*255) or channel name")),
				fromParam, toParam,
				param{Name: "step", In: "query", Type: "string", Enum: stepNames, Default: "raw", Desc: "raw readings (at most 31 days), or buckets of 15 minutes, an hour, a day or a month"},
				queryString("tz", "IANA time zone the day and month buckets align to; UTC if absent"),
			),
			Result: readingsView{}, Errors: []int{404, 501}, Handle: s.getReadings},
		{Method: "GET", Path: "/api/v1/meters/{id}/power-quality", ID: "getPowerQuality", Tag: "readings", Summary: "Voltage, THD, harmonics and a captured waveform", Role: viewer,
			Params: one(id), Result: powerQualityView{}, Errors: []int{404, 501}, Handle: s.getPowerQuality},
		{Method: "POST", Path: "/api/v1/meters/{id}/commands", ID: "postCommand", Tag: "commands", Summary: "Send a command to a meter; answers with the job that carries it out", Role: operator,
			Params: one(id), Body: commandBody{}, Result: jobView{}, Status: http.StatusAccepted, Errors: []int{404, 409, 501}, Handle: s.postCommand},
		{Method: "GET", Path: "/api/v1/meters/{id}/bills", ID: "listBills", Tag: "billing", Summary: "A meter's bills whose period starts in the range", Role: viewer,
			Params: one(id, queryTime("from", "periods starting at or after (RFC 3339); a year before to if absent"), toParam),
			Result: page[billView]{}, Errors: []int{404, 501}, Handle: s.listBills},
		{Method: "GET", Path: "/api/v1/meters/{id}/nilm/events", ID: "listApplianceEvents", Tag: "nilm", Summary: "Appliance switching events a meter's NILM module recognised", Role: viewer,
			Params: one(id, fromParam, toParam), Result: page[applianceEventView]{}, Errors: []int{404, 501}, Handle: s.listApplianceEvents},
		{Method: "GET", Path: "/api/v1/meters/{id}/nilm/breakdown", ID: "getBreakdown", Tag: "nilm", Summary: "Energy per appliance", Role: viewer,
			Params: one(id, fromParam, toParam), Result: breakdownView{}, Errors: []int{404, 501}, Handle: s.getBreakdown},

		{Method: "GET", Path: "/api/v1/events", ID: "listEvents", Tag: "events", Summary: "Meter events, newest first", Role: viewer,
			Params: params(one(meterFilter, queryString("kind", "event kind"), fromParam, queryTime("to", "end of the range (RFC 3339), exclusive")), pageParams),
			Result: page[eventView]{}, Errors: []int{501}, Handle: s.listEvents},
		{Method: "GET", Path: "/api/v1/events/stream", ID: "streamEvents", Tag: "events", Summary: "Live updates as server-sent events", Role: viewer,
			Params: one(meterFilter, queryString("topics", "comma-separated topics: readings, job, alarm, meter; all if absent")),
			Result: Update{}, ContentType: "text/event-stream", Stream: s.stream},
		{Method: "GET", Path: "/api/v1/alarms", ID: "listAlarms", Tag: "events", Summary: "Alarms, newest first", Role: viewer,
			Params: params(one(meterFilter, param{Name: "state", In: "query", Type: "string", Enum: []string{"open", "all"}, Default: "all", Desc: "open: not cleared"}), pageParams),
			Result: page[alarmView]{}, Errors: []int{501}, Handle: s.listAlarms},
		{Method: "POST", Path: "/api/v1/alarms/{id}/acknowledge", ID: "acknowledgeAlarm", Tag: "events", Summary: "Acknowledge an alarm", Role: operator,
			Params: one(pathID("id", "alarm id")), Result: struct {
				ID           int64 `json:"id"`
				Acknowledged bool  `json:"acknowledged"`
			}{}, Errors: []int{404, 501}, Handle: s.acknowledgeAlarm},

		{Method: "GET", Path: "/api/v1/jobs", ID: "listJobs", Tag: "commands", Summary: "Jobs, newest first", Role: viewer,
			Params: params(one(meterFilter, queryEnum("state", "job state", jobStates...), queryString("kind", "job kind, such as disconnect or firmware")), pageParams),
			Result: page[jobView]{}, Errors: []int{501}, Handle: s.listJobs},
		{Method: "GET", Path: "/api/v1/jobs/{id}", ID: "getJob", Tag: "commands", Summary: "A job with its state, progress and result", Role: viewer,
			Params: one(pathID("id", "job id")), Result: jobView{}, Errors: []int{404, 501}, Handle: s.getJob},

		{Method: "GET", Path: "/api/v1/campaigns", ID: "listCampaigns", Tag: "firmware", Summary: "Firmware campaigns, newest first", Role: viewer,
			Result: page[campaignView]{}, Errors: []int{501}, Handle: s.listCampaigns},
		{Method: "POST", Path: "/api/v1/campaigns", ID: "createCampaign", Tag: "firmware", Summary: "Start a firmware campaign", Role: admin,
			Body: campaignBody{}, Result: campaignView{}, Status: http.StatusCreated, Errors: []int{404, 409, 501}, Handle: s.postCampaign},
		{Method: "GET", Path: "/api/v1/campaigns/{id}", ID: "getCampaign", Tag: "firmware", Summary: "A firmware campaign with its counts", Role: viewer,
			Params: one(pathID("id", "campaign id")), Result: campaignView{}, Errors: []int{404, 501}, Handle: s.getCampaign},

		{Method: "GET", Path: "/api/v1/bills/{id}", ID: "getBill", Tag: "billing", Summary: "A bill with its lines", Role: viewer,
			Params: one(pathID("id", "bill id")), Result: billView{}, Errors: []int{404, 501}, Handle: s.getBill},

		{Method: "GET", Path: "/api/v1/analytics/class-recommendations", ID: "listClassRecommendations", Tag: "analytics", Summary: "Accuracy class each meter's load calls for", Role: viewer,
			Params: one(param{Name: "mismatch", In: "query", Type: "boolean", Default: "false", Desc: "only meters whose installed class differs"}),
			Result: page[classRecommendationView]{}, Errors: []int{501}, Handle: s.listClassRecommendations},
		{Method: "GET", Path: "/api/v1/analytics/load-curve-alarms", ID: "listLoadCurveAlarms", Tag: "analytics", Summary: "Load-curve anomalies found in the range", Role: viewer,
			Params: one(queryTime("from", "start of the range (RFC 3339); a week before to if absent"), toParam),
			Result: page[loadCurveAlarmView]{}, Errors: []int{501}, Handle: s.listLoadCurveAlarms},
		{Method: "GET", Path: "/api/v1/analytics/quality", ID: "getQuality", Tag: "analytics", Summary: "Fleet data quality: completeness, validation, estimation, ingest lag", Role: viewer,
			Params: one(queryTime("from", "start of the range (RFC 3339); a week before to if absent"), toParam),
			Result: qualityView{}, Errors: []int{501}, Handle: s.getQuality},

		{Method: "POST", Path: "/api/v1/users", ID: "createUser", Tag: "admin", Summary: "Create a user", Role: admin,
			Body: userBody{}, Result: userView{}, Status: http.StatusCreated, Errors: []int{409, 501}, Handle: s.postUser},
		{Method: "GET", Path: "/api/v1/users/{id}", ID: "getUser", Tag: "admin", Summary: "A user", Role: admin,
			Params: one(pathID("id", "user id")), Result: userView{}, Errors: []int{404, 501}, Handle: s.getUser},
		{Method: "PATCH", Path: "/api/v1/users/{id}", ID: "patchUser", Tag: "admin", Summary: "Disable or enable a user", Role: admin,
			Params: one(pathID("id", "user id")), Body: userPatchBody{}, Result: userView{}, Errors: []int{404, 501}, Handle: s.patchUser},
		{Method: "GET", Path: "/api/v1/users/{id}/tokens", ID: "listTokens", Tag: "admin", Summary: "A user's tokens (never the tokens themselves)", Role: admin,
			Params: one(pathID("id", "user id")), Result: page[tokenView]{}, Errors: []int{404, 501}, Handle: s.listTokens},
		{Method: "POST", Path: "/api/v1/users/{id}/tokens", ID: "createToken", Tag: "admin", Summary: "Issue a token; the answer is the only time it is shown", Role: admin,
			Params: one(pathID("id", "user id")), Body: tokenBody{}, Result: issuedTokenView{}, Status: http.StatusCreated, Errors: []int{404, 501}, Handle: s.postToken},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", ID: "revokeToken", Tag: "admin", Summary: "Revoke a token", Role: admin,
			Params: one(pathID("id", "token id")), Result: struct {
				ID      int64 `json:"id"`
				Revoked bool  `json:"revoked"`
			}{}, Errors: []int{404, 501}, Handle: s.revokeToken},
		{Method: "GET", Path: "/api/v1/audit", ID: "listAudit", Tag: "admin", Summary: "The audit log, oldest first", Role: admin,
			Params: params(one(queryTime("since", "entries at or after (RFC 3339)"), queryTime("until", "entries before (RFC 3339)"), queryString("actor", "user name")), pageParams),
			Result: page[auditView]{}, Handle: s.listAudit},
	}
}
