-- The tls= field of Postfix 3.11 and later (src/global/pol_stats.c) on
-- each delivery attempt, as written ("dane", "may:none", "!secure",
-- "dane:encrypt/requiretls"); '' when the line had none. At
-- smtp_tls_loglevel 0 it is the only TLS evidence of a delivery.
ALTER TABLE attempts ADD COLUMN tls_policy TEXT NOT NULL DEFAULT '';
-- Postfix 3.10's TLSRPT result of the handshake the attempt was the first
-- to use ("success", "failure TYPE[ REASON]"); '' when none was logged.
ALTER TABLE attempts ADD COLUMN tls_rpt TEXT NOT NULL DEFAULT '';
