package aggregate

import (
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/logparse"
)

// This file is the one place that says what a fact counts as. The report
// builder, the live window, the event stream, the alerter and explain all
// ask these methods; none of them decides for itself (README: "How pftls
// counts").

// Outcome is what a delivery attempt counts as.
type Outcome uint8

// Outcomes of a delivery attempt.
const (
	// OutcomeOther is a status that is no delivery: deliverable and
	// undeliverable (address verification probes).
	OutcomeOther Outcome = iota
	// OutcomeDelivered is status=sent to the recipient: pflogsumm's
	// "delivered".
	OutcomeDelivered
	// OutcomeForwarded is status=sent by local(8) "forwarded as QID": the
	// forwarded copy is delivered (and counted) in its own right.
	OutcomeForwarded
	// OutcomeDeferred is one status=deferred line: a deferral. A
	// status=SOFTBOUNCE line (soft_bounce = yes) is one too: Postfix keeps
	// the recipient queued and tries again.
	OutcomeDeferred
	// OutcomeBounced is status=bounced: the recipient is returned.
	OutcomeBounced
)

// Outcome is what the attempt counts as.
func (a *Attempt) Outcome() Outcome {
	switch a.Status {
	case logparse.StatusSent:
		if a.Forwarded {
			return OutcomeForwarded
		}
		return OutcomeDelivered
	case logparse.StatusDeferred, logparse.StatusSoftBounce:
		return OutcomeDeferred
	case logparse.StatusBounced:
		return OutcomeBounced
	}
	return OutcomeOther
}

// Sent reports whether the outcome is a status=sent line (delivered or
// forwarded).
func (o Outcome) Sent() bool { return o == OutcomeDelivered || o == OutcomeForwarded }

// Problem reports whether the outcome is a deferral or a bounce.
func (o Outcome) Problem() bool { return o == OutcomeDeferred || o == OutcomeBounced }

// ForDomain reports whether the attempt counts for its recipient domain:
// a hop to a local content filter does not (the real delivery follows).
func (a *Attempt) ForDomain() bool { return !a.LocalHop }

// InTLSMix reports whether the attempt counts in the outbound TLS mix: an
// SMTP or LMTP delivery that reached a server address, or one that its
// TLS policy (tls= of Postfix 3.11+, "!dane") stopped before any server
// was reached.
func (a *Attempt) InTLSMix() bool {
	return (a.Service == "smtp" || a.Service == "lmtp") && (a.RelayAddr != "" || a.TLSPolicy.Violated())
}

// GoodTLS reports whether the attempt is a good TLS delivery: sent over a
// TLS session with no TLS failure (a session known from the tls= field of
// Postfix 3.11+ counts: TLSPolicy.Encrypted). A domain's TLS "started failing" after
// its last good TLS delivery. goodTLSCondition is the same rule in SQL;
// TestGoodTLSRuleInSQL keeps the two equal.
func (a *Attempt) GoodTLS() bool {
	return a.Status == logparse.StatusSent && a.TLSFailure == "" &&
		(a.TLSTrust != logparse.TrustNone || a.TLSPolicy.Encrypted())
}

// goodTLSCondition is GoodTLS as an SQL condition on the attempts table.
// Queries are single literals (TestSQLOnlyWithParameters), so it is
// written out again in lastGoodPartQuery and the rollups' schema step,
// and a test keeps those copies equal to it.
const goodTLSCondition = `status = 'sent' AND tls_failure = '' AND (tls_trust != '' OR (tls_policy != ''
		AND tls_policy NOT LIKE '!%' AND tls_policy NOT LIKE 'requiretls%'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT IN ('none', 'unknown')
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%?'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:none'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:unknown'))`

// TLSRPTSuccess reports whether the attempt counts as a successful TLS
// session in an RFC 8460 report (pftls tlsrpt): an attempt in the TLS mix
// made over TLS of any trust (or TLS known from tls=) with no TLS failure.
// A plaintext delivery is neither a success nor a failure there: the log
// does not say whether the server offered no STARTTLS or the policy was
// "none". Failures are the TLS failure facts (TLSFailure.TLSRPTFailure).
func (a *Attempt) TLSRPTSuccess() bool {
	if !a.InTLSRPT() || a.TLSFailure != "" {
		return false
	}
	switch a.TLSPosture() {
	case PosturePlaintext, PostureTLSFailed:
		return false
	}
	return true
}

// InTLSRPT reports whether the attempt is one an RFC 8460 report can
// speak of: SMTP (not LMTP) in the TLS mix, to port 25 (or to no server,
// stopped by its policy). A relay on another port (a submission
// relayhost on 587, a content filter) is not the recipient domain's MX.
func (a *Attempt) InTLSRPT() bool {
	return a.InTLSMix() && a.Service == "smtp" && (a.RelayPort == 25 || a.RelayPort == 0)
}

// TLSRPTFailure reports whether the failure counts as a failed session in
// an RFC 8460 report: an outbound one with a result type. A local fault
// (no CA bundle, a broken policy table: RFC8460 "") is not the receiving
// domain's to hear of.
func (f *TLSFailure) TLSRPTFailure() bool { return f.Outbound() && f.RFC8460 != "" }

// TLSPosture is how an attempt in the outbound TLS mix went: the trust of
// its TLS session, "tls-failed" when TLS failed and nothing was sent, or
// "plaintext".
type TLSPosture string

// TLS postures, strongest first.
const (
	PostureVerified  TLSPosture = "verified"
	PostureTrusted   TLSPosture = "trusted"
	PostureUntrusted TLSPosture = "untrusted"
	PostureAnonymous TLSPosture = "anonymous"
	// PostureEncrypted is TLS known only from tls= (Postfix 3.11+ at
	// smtp_tls_loglevel 0) at a level that does not say whether the
	// certificate was trusted: may, encrypt, halfdane.
	PostureEncrypted TLSPosture = "encrypted"
	PosturePlaintext TLSPosture = "plaintext"
	PostureTLSFailed TLSPosture = "tls-failed" // refused for TLS before any mail was sent
	// PostureNotLogged is a delivery with no TLS line and no tls= field
	// from a host whose log has neither for any delivery (TLSLogged): at
	// smtp_tls_loglevel = 0, Postfix's default, before 3.11 added tls=,
	// Postfix logs no TLS at all, so the delivery went over TLS or in
	// plaintext and the log does not say which. Attempt.TLSPosture never
	// returns it: whoever counts decides it per host.
	PostureNotLogged TLSPosture = "not-logged"
)

// Postures lists every TLSPosture in the order reports show them.
var Postures = []TLSPosture{PostureVerified, PostureTrusted, PostureUntrusted, PostureAnonymous, PostureEncrypted,
	PosturePlaintext, PostureTLSFailed, PostureNotLogged}

// TLSLogged reports whether the attempt's line, or a TLS line before it,
// says how its TLS went: a "TLS connection established" line, or the
// tls= field of Postfix 3.11+. A host with no such attempt in a window's
// span (InTLSLoggedSpan) logs no TLS, and its plaintext attempts in the window are
// PostureNotLogged.
func (a *Attempt) TLSLogged() bool { return tlsLogged(a.TLSTrust, a.TLSPolicy) }

// TLSLogged is Attempt.TLSLogged of the group's deliveries.
func (g *DeliveredGroup) TLSLogged() bool { return tlsLogged(g.TLSTrust, g.TLSPolicy) }

// tlsLogged is the rule of Attempt.TLSLogged: a trust from an established
// line, or a tls= field.
func tlsLogged(trust logparse.Trust, policy logparse.TLSPolicy) bool {
	return trust != logparse.TrustNone || !policy.IsZero()
}

// TLSLoggedLookback is how long before a window a delivery whose TLS was
// logged still shows that its host logs TLS: a short window, or one
// domain's, may hold no such delivery of a host that logs TLS.
const TLSLoggedLookback = 7 * 24 * time.Hour

// tlsLoggedSpan is when the deliveries of a host tell whether it logs TLS,
// for the window [from, to) (zero: unbounded): the window and the
// TLSLoggedLookback before it, every domain's deliveries.
func tlsLoggedSpan(from, to time.Time) (time.Time, time.Time) {
	if !from.IsZero() {
		from = from.Add(-TLSLoggedLookback)
	}
	return from, to
}

// InTLSLoggedSpan reports whether an attempt at t is in tlsLoggedSpan of
// the window [from, to).
func InTLSLoggedSpan(t, from, to time.Time) bool {
	from, to = tlsLoggedSpan(from, to)
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// TLSPosture is how the attempt's TLS went. The "TLS connection
// established" line decides; without one (smtp_tls_loglevel 0) the tls=
// field of Postfix 3.11+ does: a level that authenticates the server
// (dane, dane-only, fingerprint, verify, secure) is verified, another that
// encrypts is encrypted, "none" and "may:none" are plaintext, and a
// violation ("!dane") that sent nothing is tls-failed.
func (a *Attempt) TLSPosture() TLSPosture {
	switch a.TLSTrust {
	case logparse.TrustVerified:
		return PostureVerified
	case logparse.TrustTrusted:
		return PostureTrusted
	case logparse.TrustUntrusted:
		return PostureUntrusted
	case logparse.TrustAnonymous:
		return PostureAnonymous
	}
	if (a.TLSFailure != "" || a.TLSPolicy.Level.Violated) && a.Status != logparse.StatusSent {
		return PostureTLSFailed
	}
	switch {
	case a.TLSPolicy.Verified():
		return PostureVerified
	case a.TLSPolicy.Encrypted():
		return PostureEncrypted
	}
	return PosturePlaintext
}

// InboundPosture is how an inbound session's TLS went, for the metrics:
// "tls-failed" when STARTTLS was asked for and failed, "plaintext" without
// a TLS session, else the trust of its client certificate.
func InboundPosture(trust logparse.Trust, protocol string, failed bool) TLSPosture {
	switch {
	case failed:
		return PostureTLSFailed
	case protocol == "" || trust == logparse.TrustNone:
		return PosturePlaintext
	}
	return TLSPosture(trust)
}

// Outbound reports whether the failure was with a server this host
// delivered to. Inbound failures are counted from the sessions instead.
func (f *TLSFailure) Outbound() bool { return f.Direction == logparse.DirOutbound }

// RejectClass is what a reject fact counts as.
type RejectClass uint8

// Reject classes.
const (
	RejectOther     RejectClass = iota // filter, redirect, warn, info, ...: shown, not counted apart
	RejectRejected                     // reject and milter-reject: pflogsumm's "rejected"
	RejectWarned                       // reject_warning: would have been rejected
	RejectHeld                         // hold and milter-hold
	RejectDiscarded                    // discard and milter-discard
)

// Class is what the reject counts as.
func (r *Reject) Class() RejectClass {
	switch r.Action {
	case logparse.ActionReject, logparse.ActionMilterReject:
		return RejectRejected
	case logparse.ActionRejectWarning:
		return RejectWarned
	case logparse.ActionHold, logparse.ActionMilterHold:
		return RejectHeld
	case logparse.ActionDiscard, logparse.ActionMilterDiscard:
		return RejectDiscarded
	}
	return RejectOther
}

// SeverityRank orders severities from the least (warning, 1) to the most
// severe (panic, 4).
func SeverityRank(s logparse.Severity) int {
	switch s {
	case logparse.SevPanic:
		return 4
	case logparse.SevFatal:
		return 3
	case logparse.SevError:
		return 2
	}
	return 1
}

// The meanings of a notable tls= outcome (PolicyMeaning).
const (
	PolicyViolation  = "violation"  // "!dane": the policy was not met and the delivery blocked
	PolicyDowngrade  = "downgrade"  // "may:none", "dane:halfdane", "dane:encrypt"
	PolicyUndecided  = "undecided"  // "dane?": lost connection, or "unknown?": the policy lookup failed
	PolicyRequireTLS = "requiretls" // the sender asked for REQUIRETLS (RFC 8689)
)

// PolicyMeaning says what a tls= outcome (Postfix 3.11+) amounts to, or ""
// when it is plain compliance (or absent): a violation first, then a
// downgrade, an undecided policy, and any REQUIRETLS outcome.
func PolicyMeaning(p logparse.TLSPolicy) string {
	switch {
	case p.Violated():
		return PolicyViolation
	case p.Level.Downgraded():
		return PolicyDowngrade
	case p.Level.Undecided || p.RequireTLS.Undecided:
		return PolicyUndecided
	case p.RequireTLS.Name != "":
		return PolicyRequireTLS
	}
	return ""
}

// Line-count kinds of master(8)'s notices, pflogsumm's "Master daemon
// messages": the correlator counts these lines under them instead of
// "notice", so that a report can say when Postfix started, reloaded and
// stopped without a fact of their own.
const (
	KindMasterStarted  logparse.Kind = "master-started"
	KindMasterReloaded logparse.Kind = "master-reloaded"
	KindMasterStopped  logparse.Kind = "master-stopped"
)

// LineKind is the kind a line is counted under: its event's, or a
// master kind for master(8)'s "daemon started", "reload" and
// "terminating on signal" notices.
func LineKind(l *logparse.Line) logparse.Kind {
	kind := l.Event.Kind()
	if kind != logparse.KindNotice || l.Service != "master" {
		return kind
	}
	switch t := l.Text; {
	case strings.HasPrefix(t, "daemon started"):
		return KindMasterStarted
	case strings.HasPrefix(t, "reload"):
		return KindMasterReloaded
	case strings.HasPrefix(t, "terminating on signal"):
		return KindMasterStopped
	}
	return kind
}

// NotUnderstoodKinds are the kinds of the lines pftls did not understand:
// Postfix lines the parser could not read (unparsed), and lines without
// an envelope pftls knows (malformed). Every output counts these.
var NotUnderstoodKinds = []logparse.Kind{logparse.KindUnparsed, logparse.KindMalformed}

// NotUnderstood reports whether a line of kind k is one pftls did not
// understand (NotUnderstoodKinds).
func NotUnderstood(k logparse.Kind) bool { return slices.Contains(NotUnderstoodKinds, k) }
