// Package aggregate correlates parsed Postfix events into facts and keeps
// them in an embedded SQLite database.
//
// # Correlation
//
// A [Correlator] takes [logparse.Line] values and emits facts: messages
// (keyed by host, queue ID and lifetime, because short queue IDs are reused),
// delivery attempts, TLS failures, inbound smtpd sessions, rejects and
// warnings. TLS lines carry no queue ID: the correlator keeps the TLS state
// of each smtp process (host, program, pid) and hands it to the delivery
// line that follows from the same process, refining a bare "Server
// certificate not verified" by what the summary line said (Trusted means a
// name mismatch). It holds only open state and prunes it by age.
//
// # Store
//
// A [Store] owns the schema (schema.sql, versioned with PRAGMA
// user_version), WAL mode and a busy timeout so that reports can read while
// tail writes. Each batch of facts is committed in one transaction together
// with the correlator's open state and the byte offsets of the sources it
// covers, which makes ingest idempotent and resumable after a crash.
//
// # Pump
//
// A [Pump] is the one path from a source to the store; ingest and tail
// differ only in where lines come from and when they commit.
package aggregate
