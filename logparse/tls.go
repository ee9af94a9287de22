package logparse

import "strings"

// classifyTLS handles the lines of Postfix's TLS library, logged by smtp,
// lmtp, smtpd and tlsproxy: session summaries, certificate verification,
// handshake errors, OpenSSL errors, DANE, TLSRPT, peer names and caches.
func classifyTLS(rec *Record) Event {
	t := rec.Text
	switch {
	case strings.Contains(t, "TLS connection established ") || strings.Contains(t, "TLS connection reused "):
		if ev, ok := parseEstablished(t); ok {
			return ev
		}
	case strings.HasPrefix(t, "TLS library problem: "):
		return TLSLibraryProblem{Detail: t[len("TLS library problem: "):]}
	case strings.HasPrefix(t, "SSL_connect error to "):
		return parseHandshakeError("SSL_connect", DirOutbound, t[len("SSL_connect error to "):])
	case strings.HasPrefix(t, "SSL_accept error from "):
		return parseHandshakeError("SSL_accept", DirInbound, t[len("SSL_accept error from "):])
	case strings.HasPrefix(t, "SSL_set_fd error to "):
		return parseHandshakeError("SSL_set_fd", DirOutbound, t[len("SSL_set_fd error to "):])
	case strings.HasPrefix(t, "TLSRPT: "):
		return parseTLSRPT(t[len("TLSRPT: "):])
	case strings.HasPrefix(t, "DANE TLSA lookup problem"), strings.HasPrefix(t, "DNSSEC status lookup error"):
		return DANE{Detail: t, TLSFailure: TLSDNSSECInvalid, RFC8460: TLSDNSSECInvalid.RFC8460()}
	case strings.HasPrefix(t, "OpenSSL DANE initialization failed"):
		return DANE{Detail: t}
	}
	if i := strings.Index(t, "certificate verification failed for "); i >= 0 && i <= 7 {
		return parseCertFailure(t[:i], t[i+len("certificate verification failed for "):])
	}
	if strings.HasPrefix(t, "certificate peer name verification failed for ") {
		if p, rest, ok := cutPeerOrHost(t[len("certificate peer name verification failed for "):]); ok {
			return TLSCertFailure{Peer: p, TLSFailure: TLSNameMismatch, RFC8460: TLSNameMismatch.RFC8460(), Detail: strings.TrimPrefix(rest, ": ")}
		}
	}
	for _, p := range cachePrefixes {
		if strings.HasPrefix(t, p) {
			return TLSCache{Detail: t}
		}
	}
	if strings.HasPrefix(t, "setting up TLS connection ") || strings.HasPrefix(t, "SSL_connect:") ||
		strings.HasPrefix(t, "SSL_accept:") || strings.HasPrefix(t, "read from ") || strings.HasPrefix(t, "write to ") {
		return Notice{Detail: t}
	}
	return classifyPeerLine(t)
}

var cachePrefixes = []string{
	"looking for session ", "reloaded session ", "save session ", "remove session ",
	"open smtp TLS cache", "open smtpd TLS cache", "open lmtp TLS cache", "close smtp TLS cache",
	"close smtpd TLS cache", "problem talking to server private/tlsmgr",
}

// parseEstablished reads "[Trust ]TLS connection established|reused to|from
// PEER[ to SNI]: PROTO with cipher CIPHER (n/m bits)[ key-exchange ...]".
func parseEstablished(t string) (TLSEstablished, bool) {
	var e TLSEstablished
	i := strings.Index(t, "TLS connection ")
	switch t[:i] {
	case "":
	case "Anonymous ":
		e.Trust = TrustAnonymous
	case "Untrusted ":
		e.Trust = TrustUntrusted
	case "Trusted ":
		e.Trust = TrustTrusted
	case "Verified ":
		e.Trust = TrustVerified
	default:
		return e, false
	}
	rest := t[i+len("TLS connection "):]
	switch {
	case strings.HasPrefix(rest, "established "):
		rest = rest[len("established "):]
	case strings.HasPrefix(rest, "reused "):
		e.Reused = true
		rest = rest[len("reused "):]
	default:
		return e, false
	}
	switch {
	case strings.HasPrefix(rest, "to "):
		e.Direction, rest = DirOutbound, rest[3:]
	case strings.HasPrefix(rest, "from "):
		e.Direction, rest = DirInbound, rest[5:]
	default:
		return e, false
	}
	p, after, ok := cutPeer(rest)
	if !ok {
		// Postfix 2.2-2.4 logged the host name alone.
		c := strings.Index(rest, ": ")
		if c < 0 {
			return e, false
		}
		p, after = Peer{Host: rest[:c]}, rest[c:]
	}
	rest = after
	e.Peer = p
	if strings.HasPrefix(rest, " to ") {
		c := strings.Index(rest, ": ")
		if c < 0 {
			return e, false
		}
		e.SNI, rest = rest[4:c], rest[c:]
	}
	if !strings.HasPrefix(rest, ": ") {
		return e, false
	}
	rest = rest[2:]
	w := strings.Index(rest, " with cipher ")
	if w < 0 {
		return e, false
	}
	e.Protocol, rest = rest[:w], rest[w+len(" with cipher "):]
	sp := strings.Index(rest, " (")
	if sp < 0 {
		return e, false
	}
	e.Cipher, rest = rest[:sp], rest[sp+2:]
	e.Bits, rest = leadingInt(rest)
	if strings.HasPrefix(rest, "/") {
		e.AlgBits, rest = leadingInt(rest[1:])
	}
	rest = strings.TrimPrefix(rest, " bits)")
	parseTLSTail(rest, &e)
	return e, true
}

var tlsTailKeys = []string{" key-exchange ", " server-signature ", " server-digest ", " client-signature ", " client-digest "}

// parseTLSTail reads the TLS 1.3 extras: each key's value runs to the next key.
func parseTLSTail(rest string, e *TLSEstablished) {
	for rest != "" {
		key := ""
		for _, k := range tlsTailKeys {
			if strings.HasPrefix(rest, k) {
				key = k
				break
			}
		}
		if key == "" {
			return
		}
		rest = rest[len(key):]
		end := len(rest)
		for _, k := range tlsTailKeys {
			if j := strings.Index(rest, k); j >= 0 && j < end {
				end = j
			}
		}
		val := rest[:end]
		rest = rest[end:]
		switch key {
		case " key-exchange ":
			e.KeyExchange = val
		case " server-signature ":
			e.ServerSignature = val
		case " server-digest ":
			e.ServerDigest = val
		case " client-signature ":
			e.ClientSignature = val
		case " client-digest ":
			e.ClientDigest = val
		}
	}
}

// parseCertFailure reads "PEER: DETAIL" after "[ROLE ]certificate
// verification failed for ".
func parseCertFailure(role, t string) Event {
	p, rest, ok := cutPeerOrHost(t)
	if !ok {
		return nil
	}
	detail := strings.TrimPrefix(strings.TrimPrefix(rest, ":"), " ")
	kind, issuer := certFailureKind(detail)
	f := TLSCertFailure{
		Role:       strings.TrimSuffix(role, " "),
		Peer:       p,
		TLSFailure: kind,
		RFC8460:    kind.RFC8460(),
		Detail:     detail,
		Issuer:     issuer,
	}
	if kind == TLSExternalPolicy {
		f.RFC8460 = externalPolicyRFC(detail)
	}
	return f
}

func parseHandshakeError(op string, dir Direction, t string) Event {
	p, rest, ok := cutPeer(t)
	if !ok {
		return nil
	}
	return TLSHandshakeError{Op: op, Direction: dir, Peer: p, Detail: strings.TrimPrefix(rest, ": ")}
}

// parseTLSRPT reads "status=failure, domain=d, receiving_mx=h[a],
// failure_type=t, failure_reason=r".
func parseTLSRPT(t string) Event {
	var r TLSRPT
	for f := range strings.SplitSeq(t, ", ") {
		key, val, _ := strings.Cut(f, "=")
		switch key {
		case "status":
			r.Status = val
		case "domain":
			r.Domain = val
		case "receiving_mx":
			r.ReceivingMX = val
		case "failure_type":
			r.FailureType = RFC8460(strings.ReplaceAll(val, "_", "-"))
		case "failure_reason":
			r.FailureReason = val
		}
	}
	if r.Status == "" {
		return nil
	}
	return r
}

// classifyPeerLine handles "PEER: text" lines: certificate names logged at
// TLS loglevel 2 and DANE/fingerprint results. PEER may be a next-hop name
// without brackets for DANE warnings ("mx.example.net: all TLSA records
// unusable").
func classifyPeerLine(t string) Event {
	subject, rest, ok := cutPeer(t)
	if ok {
		switch {
		case strings.HasPrefix(rest, ": subjectAltName: "):
			return TLSPeerNames{Peer: subject, Names: rest[len(": subjectAltName: "):]}
		case strings.HasPrefix(rest, ": Matched subjectAltName: "):
			return TLSPeerNames{Peer: subject, Names: rest[len(": Matched subjectAltName: "):], Matched: true}
		case strings.HasPrefix(rest, ": matched peername: "):
			return TLSPeerNames{Peer: subject, Names: rest[len(": matched peername: "):], Matched: true}
		case strings.HasPrefix(rest, " CommonName "):
			return TLSPeerNames{Peer: subject, SubjectCN: rest[len(" CommonName "):]}
		case strings.HasPrefix(rest, " Matched CommonName "):
			return TLSPeerNames{Peer: subject, SubjectCN: rest[len(" Matched CommonName "):], Matched: true}
		case strings.HasPrefix(rest, ": subject_CN="):
			return parseSubjectLine(subject, rest[len(": subject_CN="):])
		case strings.HasPrefix(rest, ": depth="):
			if s := strings.Index(rest, " subject="); s >= 0 {
				return TLSPeerNames{Peer: subject, SubjectCN: rest[s+len(" subject="):]}
			}
		case strings.HasPrefix(rest, ": Matched DANE"), strings.HasPrefix(rest, ": Matched trust anchor"),
			strings.HasPrefix(rest, ": Matched fingerprint"):
			return DANE{Subject: subject.String(), Detail: rest[2:]}
		case strings.HasPrefix(rest, ": re-using session with untrusted"):
			return TLSCertFailure{Peer: subject, TLSFailure: TLSNotTrusted, RFC8460: TLSNotTrusted.RFC8460(), Detail: rest[2:]}
		case strings.HasPrefix(rest, ": Reusing old session"), strings.HasPrefix(rest, ": SNI hostname: "),
			strings.HasPrefix(rest, ": TLS cipher list "), strings.HasPrefix(rest, ": Issuing session ticket"),
			strings.HasPrefix(rest, ": Decrypting session ticket"), strings.HasPrefix(rest, ": Matched "):
			return Notice{Detail: t}
		}
	}
	// DANE and fingerprint lines: "<subject>: <message>".
	c := strings.Index(t, ": ")
	if c < 0 {
		return nil
	}
	msg := t[c+2:]
	d := DANE{Subject: t[:c], Detail: msg}
	switch {
	case strings.HasPrefix(msg, "all TLSA records unusable"):
		d.TLSFailure = TLSTLSAInvalid
	case strings.HasPrefix(msg, "all fingerprints unusable"):
		d.TLSFailure = TLSFingerprint
	case strings.HasPrefix(msg, "all trust anchors unusable"):
		d.TLSFailure = TLSUntrustedIssuer
	case strings.HasPrefix(msg, "Matched DANE"), strings.HasPrefix(msg, "Matched trust anchor"),
		strings.HasPrefix(msg, "Matched fingerprint"), strings.HasPrefix(msg, "error enabling DANE"),
		strings.Contains(msg, "configured, but no requisite library support"),
		strings.Contains(msg, "configured with dnssec lookups disabled"),
		strings.Contains(msg, "configured with MX lookup errors ignored"),
		strings.Contains(msg, "incompatible with") && strings.Contains(msg, "TLS"),
		strings.Contains(msg, "truncated TLSA RR"):
	default:
		return nil
	}
	d.RFC8460 = d.TLSFailure.RFC8460()
	return d
}

// parseSubjectLine reads "cn, issuer=...[, cert fingerprint=...]" or the
// older "cn, issuer_CN=...".
func parseSubjectLine(p Peer, t string) Event {
	n := TLSPeerNames{Peer: p}
	cn, rest, _ := strings.Cut(t, ", ")
	n.SubjectCN = cn
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "issuer_CN="), "issuer=")
	// 3.9+: ", cert fingerprint=", ", pkey fingerprint="; older:
	// ", fingerprint=", ", pkey_fingerprint=".
	for _, tail := range []string{", cert fingerprint=", ", pkey fingerprint=", ", fingerprint=", ", pkey_fingerprint="} {
		if i := strings.Index(rest, tail); i >= 0 {
			rest = rest[:i]
		}
	}
	n.Issuer = rest
	return n
}

// cutPeerOrHost is cutPeer that also accepts the bare host name Postfix
// 2.2-2.4 logged ("mx.example.net: reason", or "mx.example.net:reason").
func cutPeerOrHost(t string) (Peer, string, bool) {
	if p, rest, ok := cutPeer(t); ok {
		return p, rest, true
	}
	c := strings.IndexByte(t, ':')
	if c <= 0 || strings.ContainsAny(t[:c], " []") {
		return Peer{}, "", false
	}
	return Peer{Host: t[:c]}, t[c:], true
}
