-- The tls= field of Postfix 3.11 and later (src/global/pol_stats.c) on
-- each delivery attempt, as written ("dane", "may:none", "!secure",
-- "dane:encrypt/requiretls"); '' when the line had none. At
-- smtp_tls_loglevel 0 it is the only TLS evidence of a delivery.
ALTER TABLE attempts ADD COLUMN tls_policy TEXT NOT NULL DEFAULT '';
-- Postfix 3.10's TLSRPT result of the handshake the attempt was the first
-- to use ("success", "failure TYPE[ REASON]"); '' when none was logged.
ALTER TABLE attempts ADD COLUMN tls_rpt TEXT NOT NULL DEFAULT '';
-- The key exchange group ("X25519", "X25519MLKEM768") and the server's
-- signature algorithm and size ("RSA-PSS (2048 bits)", "ECDSA (P-256)")
-- of the attempt's TLS session, as the established line wrote them.
ALTER TABLE attempts ADD COLUMN tls_kex TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN tls_server_sig TEXT NOT NULL DEFAULT '';
-- The key exchange group of inbound TLS sessions: on the notable sessions'
-- rows, and in the key of the per-minute counts of the others (a new key
-- needs a new table; existing counts get '').
ALTER TABLE sessions ADD COLUMN tls_kex TEXT NOT NULL DEFAULT '';
CREATE TABLE session_counts_v7 (
	minute       INTEGER NOT NULL,
	host         TEXT    NOT NULL,
	service      TEXT    NOT NULL,
	tls_trust    TEXT    NOT NULL,
	tls_protocol TEXT    NOT NULL,
	tls_cipher   TEXT    NOT NULL,
	tls_kex      TEXT    NOT NULL,
	sessions     INTEGER NOT NULL,
	first        INTEGER NOT NULL,
	last         INTEGER NOT NULL,
	PRIMARY KEY (minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex)
) WITHOUT ROWID;
INSERT INTO session_counts_v7 SELECT minute, host, service, tls_trust, tls_protocol, tls_cipher, '', sessions, first, last
	FROM session_counts;
DROP TABLE session_counts;
ALTER TABLE session_counts_v7 RENAME TO session_counts;
