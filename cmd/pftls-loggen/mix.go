package main

import (
	"strconv"
)

// The tls-heavy mix (-mix tls-heavy) is the log of an outbound relay: most
// arrivals are submissions and local applications sending to remote
// domains, so that about a third of the lines come from smtp(8); more
// destinations have a TLS policy that needs a match (verify, secure) or
// encryption (encrypt), and those that fail are in the long tail, so that
// about a tenth of the delivery attempts are deferred for TLS
// (TLSFailureShare); domains have several MX hosts, tried in order, and the
// hosts of a lower preference fail now and then (timeouts, 421 greetings,
// lost connections) or always (a host left with an expired certificate):
// Postfix logs the failure, skips to the next host ("QID: reason") and
// delivers there. Remote servers refuse a few recipients with 4xx and 5xx
// replies. Failed mail is retried with the queue manager's backoff until it
// expires, as in the default mix.
//
// Every line has the shape of a Postfix 3.7 line at smtp_tls_loglevel 1
// (testdata/corpus/corpus-a.log; the skip and refusal texts are those of
// Postfix's smtp_trouble.c and smtp_proto.c). The default mix does not draw
// a single random number for any of this: its bytes are those of the
// generator before the mix existed.

// The mixes of -mix.
const (
	MixDefault  = "default"
	MixTLSHeavy = "tls-heavy"
)

// TLSFailureShare is the share of the attempts to deliver to a remote
// domain (the to= lines of smtp, and of error(8) when qmgr has found the
// destination dead) deferred for TLS that the tls-heavy mix aims at;
// TestTLSHeavyMix checks a log is within 3 points of it. (The default mix
// has about 35%: a few failing domains among the most popular.)
const TLSFailureShare = 0.10

// The ranks of heavyFailing's domains.
const (
	heavyFirstRank = 70
	heavyRankStep  = 9
)

// heavyRcpts is the mean number of recipients of a submitted message
// beyond the first (the default mix's: 1.2).
const heavyRcpts = 3.0

// heavyRefusals is the share of a tls-heavy mix's recipients that the
// remote server refuses, temporarily or not, in a session that works.
const heavyRefusals = 0.04

// earlierMX is an MX host of a lower preference value than the domain's
// last one: Postfix tries it first.
type earlierMX struct {
	mxHost
	beh    behaviour // how it fails
	chance float64   // of failing on one attempt; when it does not, it answers as the domain's hosts do
}

// heavyFailing are the destinations that fail TLS in the tls-heavy mix,
// one domain each, in the long tail (where a relay meets most broken
// servers), so that about TLSFailureShare of the attempts fail.
var heavyFailing = []behaviour{
	bFailExpired, bFailMismatch, bNotOffered, bFailIssuer, bStartTLSRefused, bFailHandshake,
	bFailSelfSigned, bFailMismatch, bFallback, bFailExpired, bNotOffered, bFailIssuer,
	bStartTLSRefused, bFailHandshake, bFailMismatch, bFailExpired,
}

// heavyOther are the destinations that defer mail for other reasons.
var heavyOther = []behaviour{bTalk421, bTalk421, bRefused, bGreylist}

// tlsHeavy turns the default world into the tls-heavy one.
func (w *world) tlsHeavy(r *rng) {
	// The default mix's failing destinations work (its greylisting and
	// dead hosts stay); the mix's own fail.
	for i := range w.domains {
		d := &w.domains[i]
		switch d.beh {
		case bFailIssuer, bFailExpired, bFailSelfSigned, bFailMismatch:
			d.beh = bVerified
		case bFailHandshake, bFallback, bNotOffered:
			d.beh = bTrusted
		}
	}
	for i, b := range heavyFailing {
		if rank := heavyFirstRank + i*heavyRankStep + r.intn(3); rank < len(w.domains) {
			w.domains[rank].beh = b
		}
	}
	for i, b := range heavyOther {
		if rank := 20 + i*7 + r.intn(3); rank < len(w.domains) && w.domains[rank].beh != bGreylist && w.domains[rank].beh != bRefused {
			w.domains[rank].beh = b
			if b == bGreylist {
				w.domains[rank].tls = tlsOK[0]
			}
		}
	}
	for i := range w.domains {
		d := &w.domains[i]
		// An outbound relay with an MTA-STS or DANE policy source: more
		// destinations at the verify or secure levels.
		if d.beh == bTrusted && r.chance(0.4) {
			d.beh = bVerified
		}
		if d.software == swExchange {
			continue // one MX host, the cloud's
		}
		n := 1
		switch x := r.float(); {
		case x < 0.15:
			n = 3
		case x < 0.65:
			n = 2
		}
		if n == 1 {
			continue
		}
		for k := 1; k < n; k++ {
			e := earlierMX{mxHost: newMXHost(r, "mx"+strconv.Itoa(k)+"."+d.name)}
			e.beh, e.chance = earlierFailure(r, d.beh)
			d.before = append(d.before, e)
		}
		d.mxHost = newMXHost(r, "mx"+strconv.Itoa(n)+"."+d.name)
	}
}

func newMXHost(r *rng, name string) mxHost {
	h := mxHost{mx: name}
	h.peer = name + "[" + randAddr(r) + "]"
	h.relay = h.peer + ":25"
	return h
}

// earlierFailure says how an MX host tried before a domain's last one
// fails, and how often. A failing destination's hosts share its
// certificate and its configuration: they fail the same way, always.
func earlierFailure(r *rng, beh behaviour) (behaviour, float64) {
	switch beh {
	case bFailIssuer, bFailExpired, bFailSelfSigned, bFailMismatch, bFailHandshake, bNotOffered, bStartTLSRefused, bRefused:
		return beh, 1
	}
	switch x := r.float(); {
	case x < 0.10 && beh == bVerified:
		// Left behind when the certificates were renewed.
		return pick(r, []behaviour{bFailExpired, bFailMismatch, bFailHandshake}), 1
	case x < 0.10:
		return bRefused, 1 // down for good
	case x < 0.35:
		return bTimeout, 0.05
	case x < 0.55:
		return bTalk421, 0.10
	case x < 0.65:
		return bLost, 0.04
	}
	return bTimeout, 0.005
}

// startHeavyFlow is startFlow for the tls-heavy mix: mostly mail going out.
func startHeavyFlow(s *sim, h *host, x float64) {
	switch {
	case x < 0.12:
		newSession(s, h, kInbound)
	case x < 0.68:
		newSession(s, h, kSubmission)
	case x < 0.80:
		newPickup(s, h)
	case x < 0.90:
		newSession(s, h, kReject)
	case x < 0.96:
		newSession(s, h, kGuesser)
	case x < 0.97:
		newSession(s, h, kTLSFail)
	default:
		newSession(s, h, kProbe)
	}
}

// tryEarlier decides which of the domain's earlier MX hosts fail in this
// attempt, up to the first that answers (j.via), and returns the time the
// failures took.
func (j *job) tryEarlier(s *sim) int64 {
	d := &s.w.domains[j.dom]
	j.tried = j.tried[:0]
	var took int64
	for i := range d.before {
		e := &d.before[i]
		if e.chance < 1 && !s.r.chance(e.chance) {
			j.via = &e.mxHost
			break
		}
		j.tried = append(j.tried, e)
		switch e.beh {
		case bTimeout:
			took += 30 * sec
		case bRefused:
			took += s.r.between(1*ms, 8*ms)
		case bLost:
			took += s.r.between(100*ms, 5*sec)
		default:
			took += s.r.between(15*ms, 350*ms)
		}
	}
	return took
}

// earlierLines writes what the smtp client logs for each MX host that
// failed before the one it delivers to (or fails at last): the failure,
// and for a failed session, "QID: reason" (smtp_trouble.c: a soft error
// with more hosts to try is not a delivery status).
func (j *job) earlierLines(s *sim) {
	for _, e := range j.tried {
		at := &e.mxHost
		switch e.beh {
		case bRefused, bTimeout:
			j.connectFailed(s, at, e.beh == bTimeout)
			continue
		case bFailIssuer, bFailExpired, bFailSelfSigned, bFailMismatch:
			j.certFailed(s, at, e.beh)
		case bFailHandshake:
			j.handshake(s, at)
		}
		s.qline(j.m.h, j.prog, j.pid, j.m.qid)
		switch e.beh {
		case bFailHandshake:
			s.str("Cannot start TLS: handshake failure")
		case bNotOffered:
			s.str("TLS is required, but was not offered by host ")
			s.str(at.peer)
		case bStartTLSRefused:
			s.buf = appendStartTLSRefused(s.buf, at)
		case bTalk421:
			s.buf = appendTalk421(s.buf, at)
		case bLost:
			s.str("lost connection with ")
			s.str(at.peer)
			s.str(" while receiving the initial server greeting")
		default:
			s.str("Server certificate not verified")
		}
		s.end()
	}
}

// appendStartTLSRefused is the reason of a server that offers STARTTLS
// and then refuses it, at a level that requires TLS (smtp_proto.c).
func appendStartTLSRefused(b []byte, at *mxHost) []byte {
	b = append(b, "TLS is required, but host "...)
	b = append(b, at.peer...)
	return append(b, " refused to start TLS: 454 4.7.0 TLS not available due to local problem"...)
}

// appendTalk421 is the reason of a server that greets with 421.
func appendTalk421(b []byte, at *mxHost) []byte {
	b = append(b, "host "...)
	b = append(b, at.peer...)
	b = append(b, " refused to talk to me: 421 4.7.0 "...)
	b = append(b, at.mx...)
	return append(b, " Error: too many connections, try again later"...)
}

// refusedReply is a remote server's refusal of one recipient (or of the
// message, after DATA) in a session that works: 4xx defers it, 5xx
// bounces it.
func refusedReply(s *sim, d *domain, peer, addr string, b []byte) (status, dsn string, _ []byte) {
	said := func(reply string) {
		b = append(b, "host "...)
		b = append(b, peer...)
		b = append(b, " said: "...)
		b = append(b, reply...)
	}
	switch x := s.r.float(); {
	case x < 0.30:
		dsn, b = bounceReason(s, d, peer, addr, b)
		return "bounced", dsn, b
	case x < 0.45:
		said("452 4.2.2 <")
		b = append(b, addr...)
		b = append(b, ">: Recipient address rejected: Mailbox over quota (in reply to RCPT TO command)"...)
		return "deferred", "4.2.2", b
	case x < 0.65:
		said("421 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address; mail has been temporarily rate limited (in reply to end of DATA command)")
		return "deferred", "4.7.28", b
	case x < 0.80:
		said("550 5.7.1 Message rejected as spam by Content Filtering. (in reply to end of DATA command)")
		return "bounced", "5.7.1", b
	case x < 0.90:
		said("554 5.7.1 <")
		b = append(b, addr...)
		b = append(b, ">: Relay access denied (in reply to RCPT TO command)"...)
		return "bounced", "5.7.1", b
	}
	b = append(b, "lost connection with "...)
	b = append(b, peer...)
	b = append(b, " while sending end of data -- message may be sent more than once"...)
	return "deferred", "4.4.2", b
}
