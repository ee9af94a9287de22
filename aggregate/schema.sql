-- pftls store, schema version 1.
--
-- Times are INTEGER Unix nanoseconds (UTC); in sqlite3 read them with
--   datetime(time / 1000000000, 'unixepoch').
-- Every row is a fact the correlator derived from the log; nothing is
-- written twice, because each batch of facts is committed in one
-- transaction with the offsets of the log sources it covers.

-- Log sources read so far: a file is recognised by a fingerprint of its
-- first bytes (decompressed), so a rotated or compressed copy is the same
-- source. offset is the count of decompressed bytes consumed.
CREATE TABLE sources (
	id              INTEGER PRIMARY KEY,
	path            TEXT    NOT NULL,
	dev             INTEGER NOT NULL DEFAULT 0,
	inode           INTEGER NOT NULL DEFAULT 0,
	fingerprint     TEXT    NOT NULL,
	fingerprint_len INTEGER NOT NULL,
	compression     TEXT    NOT NULL DEFAULT '',
	offset          INTEGER NOT NULL DEFAULT 0,
	lines           INTEGER NOT NULL DEFAULT 0,
	first_ingest    INTEGER NOT NULL,
	last_ingest     INTEGER NOT NULL
);
CREATE INDEX sources_fingerprint ON sources(fingerprint);

-- The correlator's open state (messages still queued, TLS context of smtp
-- processes, open smtpd sessions), so that an interrupted or later run
-- continues where the last commit left off.
CREATE TABLE correlator_state (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	state BLOB NOT NULL
);

-- One row per message lifetime in a host's queue (queue IDs are reused).
CREATE TABLE messages (
	host        TEXT    NOT NULL,
	queue_id    TEXT    NOT NULL,
	start       INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL,
	origin      TEXT    NOT NULL,
	client      TEXT    NOT NULL,
	client_ip   TEXT    NOT NULL,
	service     TEXT    NOT NULL,
	sender      TEXT    NOT NULL,
	has_sender  INTEGER NOT NULL,
	size        INTEGER NOT NULL,
	nrcpt       INTEGER NOT NULL,
	message_id  TEXT    NOT NULL,
	removed     INTEGER NOT NULL,
	deleted     INTEGER NOT NULL,
	expired     INTEGER NOT NULL,
	PRIMARY KEY (host, queue_id, start)
) WITHOUT ROWID;
CREATE INDEX messages_start ON messages(start);

-- One row per delivery line (one recipient, one status).
CREATE TABLE attempts (
	time          INTEGER NOT NULL,
	host          TEXT    NOT NULL,
	queue_id      TEXT    NOT NULL,
	message_start INTEGER NOT NULL,
	service       TEXT    NOT NULL,
	sender        TEXT    NOT NULL,
	size          INTEGER NOT NULL,
	recipient     TEXT    NOT NULL,
	domain        TEXT    NOT NULL,
	orig_to       TEXT    NOT NULL,
	relay         TEXT    NOT NULL,
	relay_host    TEXT    NOT NULL,
	relay_addr    TEXT    NOT NULL,
	relay_port    INTEGER NOT NULL,
	status        TEXT    NOT NULL,
	dsn           TEXT    NOT NULL,
	delay         REAL    NOT NULL,
	delay_before  REAL    NOT NULL,
	delay_queue   REAL    NOT NULL,
	delay_connect REAL    NOT NULL,
	delay_xmit    REAL    NOT NULL,
	reason        TEXT    NOT NULL,
	reason_class  TEXT    NOT NULL,
	forwarded     INTEGER NOT NULL,
	local_hop     INTEGER NOT NULL,
	tls_trust     TEXT    NOT NULL,
	tls_protocol  TEXT    NOT NULL,
	tls_cipher    TEXT    NOT NULL,
	tls_failure   TEXT    NOT NULL,
	tls_detail    TEXT    NOT NULL
);
CREATE INDEX attempts_time ON attempts(time);

-- One row per failed TLS session (outbound) or failed STARTTLS (inbound).
CREATE TABLE tls_failures (
	time      INTEGER NOT NULL,
	host      TEXT    NOT NULL,
	direction TEXT    NOT NULL,
	peer      TEXT    NOT NULL,
	peer_host TEXT    NOT NULL,
	peer_addr TEXT    NOT NULL,
	domain    TEXT    NOT NULL,
	queue_id  TEXT    NOT NULL,
	recipient TEXT    NOT NULL,
	kind      TEXT    NOT NULL,
	rfc8460   TEXT    NOT NULL,
	detail    TEXT    NOT NULL,
	deferred  INTEGER NOT NULL,
	status    TEXT    NOT NULL
);
CREATE INDEX tls_failures_time ON tls_failures(time);

-- One row per inbound smtpd session.
CREATE TABLE sessions (
	start          INTEGER NOT NULL,
	end            INTEGER NOT NULL,
	host           TEXT    NOT NULL,
	service        TEXT    NOT NULL,
	client         TEXT    NOT NULL,
	client_name    TEXT    NOT NULL,
	client_ip      TEXT    NOT NULL,
	tls_trust      TEXT    NOT NULL,
	tls_protocol   TEXT    NOT NULL,
	tls_cipher     TEXT    NOT NULL,
	starttls       INTEGER NOT NULL,
	tls_failed     INTEGER NOT NULL,
	tls_error      TEXT    NOT NULL,
	lost_after     TEXT    NOT NULL,
	messages       INTEGER NOT NULL,
	rejects        INTEGER NOT NULL,
	commands_ok    INTEGER NOT NULL,
	commands_total INTEGER NOT NULL
);
CREATE INDEX sessions_start ON sessions(start);

-- One row per reject / reject_warning / hold / discard ... line.
CREATE TABLE rejects (
	time         INTEGER NOT NULL,
	host         TEXT    NOT NULL,
	service      TEXT    NOT NULL,
	queue_id     TEXT    NOT NULL,
	action       TEXT    NOT NULL,
	stage        TEXT    NOT NULL,
	client       TEXT    NOT NULL,
	client_name  TEXT    NOT NULL,
	client_ip    TEXT    NOT NULL,
	code         INTEGER NOT NULL,
	dsn          TEXT    NOT NULL,
	reply        TEXT    NOT NULL,
	reason_class TEXT    NOT NULL,
	sender       TEXT    NOT NULL,
	recipient    TEXT    NOT NULL,
	helo         TEXT    NOT NULL
);
CREATE INDEX rejects_time ON rejects(time);

-- One row per warning / error / fatal / panic line.
CREATE TABLE warnings (
	time     INTEGER NOT NULL,
	host     TEXT    NOT NULL,
	program  TEXT    NOT NULL,
	severity TEXT    NOT NULL,
	text     TEXT    NOT NULL,
	class    TEXT    NOT NULL
);
CREATE INDEX warnings_time ON warnings(time);

-- Postfix lines the parser did not understand: counted and shown.
CREATE TABLE unparsed (
	time    INTEGER NOT NULL,
	host    TEXT    NOT NULL,
	program TEXT    NOT NULL,
	text    TEXT    NOT NULL
);
CREATE INDEX unparsed_time ON unparsed(time);

-- Lines read per host, hour and event kind (incl. unparsed, foreign).
CREATE TABLE line_counts (
	host  TEXT    NOT NULL,
	hour  INTEGER NOT NULL,
	kind  TEXT    NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (host, hour, kind)
) WITHOUT ROWID;
