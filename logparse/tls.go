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
	case strings.HasPrefix(t, "TLS handshake failed for service="):
		return parseProxyHandshake(t)
	case strings.HasPrefix(t, "using DANE RR: "):
		// tls_dane.c 2.11-3.5: "using DANE RR: %s%s%s IN TLSA %u %u %u %s"
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
	if ev := classifyTrace(t); ev != nil {
		return ev
	}
	return classifyPeerLine(t)
}

// tracePrefixes start the peerless TLS lines of tls_loglevel 2 and more
// (tls_client.c, tls_server.c, tls_misc.c, tls_verify.c, tls_stream.c;
// 2.2-2.4 wording where it differs).
var tracePrefixes = []string{
	"initializing the client-side TLS engine", "initializing the server-side TLS engine",
	"SSL_connect:", "SSL_accept:", "SSL3 alert read:", "SSL3 alert write:",
	"skipping TLS trace output", "TLS protocol trace ",
	"verify return: ", "subject=", "issuer=", "fingerprint=",
	"Re-used session without peer certificate removed",
}

// classifyTrace recognises a TLS trace line that does not start with a peer.
func classifyTrace(t string) Event {
	switch {
	case strings.HasPrefix(t, "setting up TLS connection to "):
		return traceWithPeer(t, t[len("setting up TLS connection to "):])
	case strings.HasPrefix(t, "setting up TLS connection from "):
		return traceWithPeer(t, t[len("setting up TLS connection from "):])
	case strings.HasPrefix(t, "TLS SNI "):
		// tls_misc.c: "TLS SNI %s from %s not matched, using default chain"
		if i := strings.Index(t, " from "); i >= 0 && strings.HasSuffix(t, " not matched, using default chain") {
			return traceWithPeer(t, t[i+len(" from "):])
		}
	case strings.HasPrefix(t, "read from "), strings.HasPrefix(t, "write to "):
		// tls_misc.c tls_bio_dump_cb: "read from %08lX [%08lX] (...)"
		_, rest, _ := strings.Cut(t, " ")
		_, rest, _ = strings.Cut(rest, " ")
		if isHexWord(rest) {
			return TLSTrace{Detail: t}
		}
	case isDumpLine(t):
		return TLSTrace{Detail: t}
	case t == "Reusing old session":
		// 2.2-2.4 (tls_client.c, tls_server.c): a Notice, as with a peer.
		return Notice{Detail: t}
	case strings.HasPrefix(t, "Verified: subject_CN="), strings.HasPrefix(t, "Unverified: subject_CN="):
		// 2.2-2.4 tls_client.c/tls_server.c: "Verified: subject_CN=%s, issuer=%s"
		_, rest, _ := strings.Cut(t, "subject_CN=")
		n := parseSubjectLine(Peer{}, rest).(TLSPeerNames)
		n.Matched = t[0] == 'V'
		return n
	case strings.HasPrefix(t, "certificate verification depth="),
		strings.HasPrefix(t, "server certificate verification depth="),
		strings.HasPrefix(t, "client certificate verification depth="):
		// 2.2-2.4 tls_verify.c: "certificate verification depth=%d subject=%s"
		if i := strings.Index(t, " subject="); i >= 0 {
			return TLSPeerNames{SubjectCN: t[i+len(" subject="):]}
		}
		return TLSTrace{Detail: t}
	}
	for _, p := range tracePrefixes {
		if strings.HasPrefix(t, p) {
			return TLSTrace{Detail: t}
		}
	}
	return nil
}

// traceWithPeer is a TLSTrace whose peer starts s ("host[addr]:port", or
// the host alone as 2.2-2.4 wrote it).
func traceWithPeer(t, s string) Event {
	tr := TLSTrace{Detail: t}
	if p, _, ok := cutPeer(s); ok {
		tr.Peer = p
	} else if h, _, _ := strings.Cut(s, " "); h != "" && !strings.ContainsAny(h, "[]:,") {
		tr.Peer = Peer{Host: h}
	}
	return tr
}

// isHexWord reports whether s starts with a hex number followed by a space
// or the end: the BIO address of a packet dump header.
func isHexWord(s string) bool {
	i := 0
	for i < len(s) && isHex(s[i]) {
		i++
	}
	return i > 0 && (i == len(s) || s[i] == ' ')
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isDumpLine reports whether t is a row of tls_dump_buffer (tls_misc.c):
// "%04lx " then hex bytes ("0000 16 03 01 00 c8 ..."), or the
// "%04lx - <SPACES/NULLS>" trailer.
func isDumpLine(t string) bool {
	if len(t) < 7 || t[4] != ' ' {
		return false
	}
	for i := 0; i < 4; i++ {
		if !isHex(t[i]) {
			return false
		}
	}
	if strings.HasPrefix(t[5:], "- <SPACES/NULLS>") {
		return true
	}
	return isHex(t[5]) && isHex(t[6]) && (len(t) == 7 || t[7] == ' ' || t[7] == '|')
}

// parseProxyHandshake reads tlsproxy's "TLS handshake failed for
// service=%s peer=%s" (tlsproxy_state.c). The service is the requesting
// daemon: smtp and lmtp are this host's client side.
func parseProxyHandshake(t string) Event {
	rest := t[len("TLS handshake failed for "):]
	svc, peer, ok := strings.Cut(rest, " peer=")
	if !ok {
		return nil
	}
	p, ok := parsePeer(peer)
	if !ok {
		return nil
	}
	dir := DirInbound
	switch strings.TrimPrefix(svc, "service=") {
	case "smtp", "lmtp":
		dir = DirOutbound
	}
	return TLSHandshakeError{Op: "tlsproxy", Direction: dir, Peer: p, Detail: svc}
}

var cachePrefixes = []string{
	"looking for session ", "reloaded session ", "save session ", "remove session ", "looking up session ",
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
	// 2.2-2.4 named the client side's peer by host alone ("to mx.example.net: -1").
	p, rest, ok := cutPeerOrHost(t)
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
		case strings.HasPrefix(rest, ": depth="), strings.HasPrefix(rest, ": certificate verification depth="):
			// tls_verify.c 2.11+: "%s: depth=%d verify=%d subject=%s";
			// 2.5-2.10: "%s: certificate verification depth=...".
			if s := strings.Index(rest, " subject="); s >= 0 {
				return TLSPeerNames{Peer: subject, SubjectCN: rest[s+len(" subject="):]}
			}
			// tls_dane.c 2.11-3.5: "%s: depth=%d matched ... digest ...",
			// "%s: depth=%d chain is trust-anchor signed",
			// "%s: depth=%d trust-anchor certificate".
			if strings.Contains(rest, " matched ") || strings.Contains(rest, "trust-anchor") {
				return DANE{Subject: subject.String(), Detail: rest[2:]}
			}
			// tls_verify.c 3.9+: "%s: depth=%d verify=%d" (no subject).
			return TLSTrace{Peer: subject, Detail: t}
		case strings.HasPrefix(rest, ": Matched subject_CN="), strings.HasPrefix(rest, ": Trusted subject_CN="),
			strings.HasPrefix(rest, ": Untrusted subject_CN="), strings.HasPrefix(rest, ": Trusted: subject_CN="),
			strings.HasPrefix(rest, ": Untrusted: subject_CN="):
			// tls_client.c 2.5-2.10: "%s: %s subject_CN=%s, issuer_CN=%s";
			// tls_server.c 2.5-2.x: "%s: %s: subject_CN=%s, issuer=%s, fingerprint=%s".
			_, cn, _ := strings.Cut(rest, "subject_CN=")
			n := parseSubjectLine(subject, cn).(TLSPeerNames)
			n.Matched = strings.HasPrefix(rest, ": Matched ")
			return n
		case strings.HasPrefix(rest, " ") && strings.Contains(rest, " fingerprint "):
			// tls_client.c 2.5-2.10: "%s %s%s fingerprint %s" ("Matched md5 fingerprint ...").
			return DANE{Subject: subject.String(), Detail: rest[1:]}
		case strings.HasPrefix(rest, ": looking up session "), strings.HasPrefix(rest, ": reloaded session "),
			strings.HasPrefix(rest, ": remove session "), strings.HasPrefix(rest, ": save session "):
			// tls_server.c: the server side names the client first.
			return TLSCache{Detail: t}
		case strings.HasPrefix(rest, ": TLS cipher list "), strings.HasPrefix(rest, ": verify="),
			strings.HasPrefix(rest, ": raw public key fingerprint="),
			strings.HasPrefix(rest, ": read from "), strings.HasPrefix(rest, ": write to "):
			// tls_client.c/tls_server.c/tls_verify.c loglevel 2 detail.
			return TLSTrace{Peer: subject, Detail: t}
		case strings.HasPrefix(rest, ": Matched DANE"), strings.HasPrefix(rest, ": Matched trust anchor"),
			strings.HasPrefix(rest, ": Matched fingerprint"):
			return DANE{Subject: subject.String(), Detail: rest[2:]}
		case strings.HasPrefix(rest, ": re-using session with untrusted"):
			return TLSCertFailure{Peer: subject, TLSFailure: TLSNotTrusted, RFC8460: TLSNotTrusted.RFC8460(), Detail: rest[2:]}
		case strings.HasPrefix(rest, ": Reusing old session"), strings.HasPrefix(rest, ": SNI hostname: "),
			strings.HasPrefix(rest, ": Issuing session ticket"),
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
		strings.Contains(msg, "truncated TLSA RR"),
		// tls_dane.c tlsa_info (2.11+, loglevel dane/verbose):
		// "DNSSEC-signed TLSA record: %s: %u %u %u %s",
		// "fingerprint: digest as private-use TLSA record: ...",
		// "TA cert as TLSA record: %s: ...", "TA pkey as TLSA record: ...".
		strings.HasSuffix(d.Subject, "TLSA record"), strings.HasPrefix(msg, "digest as private-use TLSA record"):
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
