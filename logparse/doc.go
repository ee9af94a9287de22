// Package logparse turns Postfix log lines into typed events.
//
// # Two steps
//
// A line is first split into its envelope, a [Record]: the timestamp as written
// ([Stamp]), the host, the syslog tag ("postfix/submission/smtpd"), the service
// (its last part, "smtpd"), the pid, the severity prefix ("warning:"), the queue
// ID and the message text. The record is then classified into one [Event] of a
// closed set of types ([Delivery], [TLSEstablished], [TLSCertFailure], ...).
//
// # Purity
//
// The package does no I/O and never reads the clock: the year of a year-less
// stamp is decided by a [Resolver] that is given the file's modification time.
// A line that cannot be classified still yields its envelope and becomes
// [Unparsed]; lines from other programs become [Foreign], lines with no syslog
// envelope at all [Malformed]. Nothing is dropped.
//
// # Speed
//
// Classification dispatches on the service and on literal prefixes, and picks
// fields with a small cursor over the line. There are no regular expressions.
// A parsed line costs one string allocation for the line plus the event value.
package logparse
