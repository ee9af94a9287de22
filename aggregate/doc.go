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
// name mismatch). With smtp_tls_connection_reuse the handshake is
// tlsproxy's: its TLS lines are kept per server address and adopted by the
// smtp delivery to that address. The smtp process's TLS policy warnings
// (a socketmap that did not answer, DANE lookups) explain the relay=none
// deferral that follows them. A failure is filed under the TLS policy's
// next hop when the log names it (TLSRPT domain=, the policy lookup
// warning, the session cache key). It holds only open state and prunes
// it by age; past Options.MaxOpenMessages, the open messages idle longest
// are spilled to the store and read back when a line names them
// (spill.go).
//
// # Store
//
// A [Store] owns the schema (schema.sql, versioned with PRAGMA
// user_version), WAL mode and a busy timeout so that reports can read while
// tail writes. Each batch of facts is committed in one transaction together
// with the correlator's open state and the byte offsets of the sources it
// covers, which makes ingest idempotent and resumable after a crash.
//
// Since schema step 12 the fact tables are stored compactly (dict.go): a
// text the writer has seen twice in a column no query filters on (a
// reason, a relay, a cipher, a reject's reply) is stored once, in the
// dictionary table, and the rows hold its id; delays are hundredths of a
// second. Reads give back exactly what was written.
//
// Facts are written and read in packed rows, a tag byte per value, so
// that neither side makes a driver call per row or a Go value per
// column: the writer stores a batch with one INSERT ... SELECT from
// pftls_rows (rows.go, rowsvtab.c); a report reads a query's rows from
// pftls_chunks (chunks.go, chunksvtab.c), which runs the query inside
// SQLite and hands its rows back 64 KiB at a time, read on a goroutine of
// their own while the report counts the chunks before. vtab.c is what
// the two C functions share.
//
// The store opened for writing holds the one-writer lock, an flock on
// PATH.lock next to the database, until Close (lock.go): two writers would
// each restore the correlator's state and the second would undo the first.
// A store opened as a Ledger (tlsrpt.go) takes no lock: it writes only the
// sent_reports table of pftls tlsrpt --send, which no ingest touches.
// [Store.ScanTLSRPT] streams a day's facts for RFC 8460 reports.
//
// # Pump
//
// A [Pump] (pump.go) is the one path from a [source.Reader] through the
// parser (the one call of logparse.Parse, in parse) and the correlator to
// the store and to its [FactConsumer]s: ingest, tail and report --db
// :memory: all drive it, and differ only in the source, the commit
// cadence, whether the end of the input ends the reading, and the
// consumers (the report builder; tail's live view, event stream and
// alerter).
//
//   - ingest.go: a [Run] is the reading of one source (its stored record
//     and offset, the late fingerprint of a source too short to recognise
//     at first); commits are packed on another goroutine, two in flight.
//     [Pump.IngestReader] reads a source to its end; standard input is
//     fingerprinted by its head read ahead, and resumed by reading
//     through the bytes already stored.
//   - parseahead.go: a regular file is read and parsed ahead on a goroutine
//     of its own; [EachLine] is that reading without the correlator
//     (pftls parse).
//   - tail.go: [Pump.Tail] follows a file (or reads standard input),
//     committing after each burst; route.go decides which run each line
//     belongs to across rotation, and when the consumers start to see facts;
//     window.go reads a file back from its end to where its last window
//     of log time begins (ShowWindow).
//   - rotated.go: [Pump.RotatedBefore] finds the rotated copy of a path's
//     log that was read last time (the cron line names only mail.log), to
//     be finished before the new log; gaps.go: when that copy is gone, the
//     gap it leaves ([Gap]: the lines after the last one read), recorded
//     ([Store.RecordGap]) for every report over its time ([Store.Gaps]),
//     and filled when the copy is read to its end after all.
//   - [Pump.IngestJournal] and TailOptions.Journal read the systemd
//     journal; its source's place is the cursor of its last line stored
//     (Source.Cursor), committed with the facts like an offset.
//   - [Pump.Flush] hands the consumers the messages still open after the
//     last source (KeepOpen).
package aggregate
