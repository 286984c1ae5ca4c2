package meta

// schemaV1 is the first schema. Instants are BIGINT Unix milliseconds (0
// or NULL: unknown), money BIGINT millionths of the currency unit, flags
// SMALLINT 0/1, documents TEXT holding JSON. The {{…}} placeholders are
// the dialect's (dialect.ddl); on SQLite the script reads as it did
// before they were added.
const schemaV1 = `
CREATE TABLE tariffs (
	id {{ID}},
	name {{SORTED_TEXT}} NOT NULL UNIQUE,
	currency TEXT NOT NULL,
	definition TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE TABLE meters (
	id {{ID}},
	serial TEXT NOT NULL UNIQUE,
	address TEXT NOT NULL,
	keys_ref TEXT NOT NULL,
	group_name TEXT NOT NULL,
	tariff_id BIGINT REFERENCES tariffs (id),
	firmware TEXT NOT NULL,
	accuracy_class TEXT NOT NULL,
	installed_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX meters_group ON meters (group_name, id);
CREATE TABLE meter_keys (
	keys_ref TEXT NOT NULL,
	kind {{SORTED_TEXT}} NOT NULL,
	material {{BYTES}} NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (keys_ref, kind)
);
CREATE TABLE bills (
	id {{ID}},
	meter_id BIGINT NOT NULL REFERENCES meters (id),
	period_from BIGINT NOT NULL,
	period_to BIGINT NOT NULL,
	currency TEXT NOT NULL,
	total BIGINT NOT NULL,
	status TEXT NOT NULL,
	supersedes BIGINT REFERENCES bills (id),
	created_at BIGINT NOT NULL
);
CREATE INDEX bills_meter ON bills (meter_id, period_from);
CREATE TABLE bill_lines (
	bill_id BIGINT NOT NULL REFERENCES bills (id),
	line INTEGER NOT NULL,
	description TEXT NOT NULL,
	quantity BIGINT NOT NULL,
	unit TEXT NOT NULL,
	unit_price BIGINT NOT NULL,
	amount BIGINT NOT NULL,
	PRIMARY KEY (bill_id, line)
);
CREATE TABLE alarms (
	id {{ID}},
	meter_id BIGINT REFERENCES meters (id),
	kind TEXT NOT NULL,
	severity TEXT NOT NULL,
	message TEXT NOT NULL,
	raised_at BIGINT NOT NULL,
	acknowledged_at BIGINT,
	acknowledged_by TEXT NOT NULL,
	cleared_at BIGINT
);
CREATE INDEX alarms_meter ON alarms (meter_id, raised_at);
CREATE TABLE jobs (
	id {{ID}},
	kind TEXT NOT NULL,
	meter_id BIGINT REFERENCES meters (id),
	params TEXT NOT NULL,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	due_at BIGINT NOT NULL,
	lease_until BIGINT,
	result TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, due_at);
CREATE TABLE users (
	id {{ID}},
	name TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	disabled SMALLINT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE tokens (
	id {{ID}},
	user_id BIGINT NOT NULL REFERENCES users (id),
	hash {{BYTES}} NOT NULL UNIQUE,
	label TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT
);
CREATE TABLE audit (
	id {{ID}},
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at, id);
`

// schemaV2 gives a job its progress: a short text the running job updates
// ("blocks 120/500", "wave 2 of 5").
const schemaV2 = `
ALTER TABLE jobs ADD COLUMN progress TEXT NOT NULL DEFAULT '';
`
