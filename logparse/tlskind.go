package logparse

import "strings"

// TLSFailureKind is a stable name for what went wrong with TLS.
type TLSFailureKind string

// TLS failure kinds.
const (
	TLSUntrustedIssuer    TLSFailureKind = "untrusted-issuer"
	TLSExpired            TLSFailureKind = "expired"
	TLSNotYetValid        TLSFailureKind = "not-yet-valid"
	TLSSelfSigned         TLSFailureKind = "self-signed"
	TLSNameMismatch       TLSFailureKind = "name-mismatch"
	TLSNotTrusted         TLSFailureKind = "not-trusted"
	TLSNotVerified        TLSFailureKind = "not-verified" // "Server certificate not verified" with no detail seen yet
	TLSInvalidPurpose     TLSFailureKind = "invalid-purpose"
	TLSChainTooLong       TLSFailureKind = "chain-too-long"
	TLSVerifyOther        TLSFailureKind = "verify-failed"
	TLSStartTLSNotOffered TLSFailureKind = "starttls-not-offered"
	TLSStartTLSRefused    TLSFailureKind = "starttls-refused"
	TLSHandshake          TLSFailureKind = "handshake"
	TLSLocalUnavailable   TLSFailureKind = "local-tls-unavailable"
	TLSPolicyError        TLSFailureKind = "policy-error"
	TLSTLSAInvalid        TLSFailureKind = "tlsa-invalid"
	TLSDNSSECInvalid      TLSFailureKind = "dnssec-invalid"
	TLSDANERequired       TLSFailureKind = "dane-required"
	TLSFingerprint        TLSFailureKind = "fingerprint-mismatch"
	TLSExternalPolicy     TLSFailureKind = "external-policy"
	TLSRequireTLS         TLSFailureKind = "requiretls"
	TLSLostAfterStartTLS  TLSFailureKind = "lost-after-starttls"
)

// RFC8460 is an RFC 8460 (SMTP TLS Reporting) result type.
type RFC8460 string

// RFC 8460 result types.
const (
	RFCStartTLSNotSupported  RFC8460 = "starttls-not-supported"
	RFCCertificateHostMatch  RFC8460 = "certificate-host-mismatch"
	RFCCertificateExpired    RFC8460 = "certificate-expired"
	RFCCertificateNotTrusted RFC8460 = "certificate-not-trusted"
	RFCValidationFailure     RFC8460 = "validation-failure"
	RFCTLSAInvalid           RFC8460 = "tlsa-invalid"
	RFCDNSSECInvalid         RFC8460 = "dnssec-invalid"
	RFCDANERequired          RFC8460 = "dane-required"
	RFCSTSPolicyFetchError   RFC8460 = "sts-policy-fetch-error"
	RFCSTSPolicyInvalid      RFC8460 = "sts-policy-invalid"
	RFCSTSWebPKIInvalid      RFC8460 = "sts-webpki-invalid"
)

// RFC8460 maps a failure kind to its RFC 8460 result type, following the
// mapping Postfix's own TLSRPT support uses. Local faults map to "".
func (k TLSFailureKind) RFC8460() RFC8460 {
	switch k {
	case TLSStartTLSNotOffered, TLSStartTLSRefused:
		return RFCStartTLSNotSupported
	case TLSExpired:
		return RFCCertificateExpired
	case TLSNameMismatch:
		return RFCCertificateHostMatch
	case TLSNotTrusted:
		return RFCCertificateNotTrusted
	case TLSTLSAInvalid:
		return RFCTLSAInvalid
	case TLSDNSSECInvalid:
		return RFCDNSSECInvalid
	case TLSDANERequired:
		return RFCDANERequired
	case TLSLocalUnavailable, TLSPolicyError, TLSLostAfterStartTLS, "":
		return ""
	}
	return RFCValidationFailure
}

// Specific reports whether the kind names a cause, as opposed to the bare
// "Server certificate not verified" that needs context to explain.
func (k TLSFailureKind) Specific() bool { return k != "" && k != TLSNotVerified }

// ReasonTLSFailure classifies a delivery reason ("Server certificate not
// verified", "TLS is required, but was not offered by host ...") as a TLS
// failure kind, or "" when the reason is not about TLS. A "delivery
// temporarily suspended: " prefix is looked through.
func ReasonTLSFailure(reason string) TLSFailureKind {
	reason = strings.TrimPrefix(reason, "delivery temporarily suspended: ")
	switch {
	case strings.HasPrefix(reason, "Server certificate not verified"):
		return TLSNotVerified
	case strings.HasPrefix(reason, "Server certificate not trusted"):
		return TLSNotTrusted
	case strings.HasPrefix(reason, "TLS is required, but was not offered"):
		return TLSStartTLSNotOffered
	case strings.HasPrefix(reason, "TLS is required, but host ") && strings.Contains(reason, "refused to start TLS"):
		return TLSStartTLSRefused
	case strings.HasPrefix(reason, "Cannot start TLS"):
		return TLSHandshake
	case strings.HasPrefix(reason, "TLS is required, but our TLS engine is unavailable"),
		strings.HasPrefix(reason, "TLS is required, but unavailable"),
		strings.HasPrefix(reason, "TLS is required, but not available"):
		return TLSLocalUnavailable
	case strings.HasPrefix(reason, "client TLS configuration problem"):
		return TLSPolicyError
	case strings.HasPrefix(reason, "TLSA lookup error"):
		return TLSDNSSECInvalid
	case strings.HasPrefix(reason, "no TLSA records found"),
		strings.HasPrefix(reason, "non DNSSEC destination"),
		strings.HasPrefix(reason, "Verification not possible, MX RRset is insecure"):
		return TLSDANERequired
	case strings.HasPrefix(reason, "TLSA records unusable"):
		return TLSTLSAInvalid
	case strings.HasPrefix(reason, "Sender requested REQUIRETLS"):
		return TLSRequireTLS
	}
	return ""
}

// certFailureKind classifies the text after "certificate verification
// failed for PEER: ".
func certFailureKind(detail string) (TLSFailureKind, string) {
	switch {
	case strings.HasPrefix(detail, "untrusted issuer "):
		return TLSUntrustedIssuer, detail[len("untrusted issuer "):]
	case strings.HasPrefix(detail, "issuer ") && strings.HasSuffix(detail, " certificate unavailable"):
		return TLSUntrustedIssuer, strings.TrimSuffix(detail[len("issuer "):], " certificate unavailable")
	case strings.HasPrefix(detail, "self-signed certificate"):
		return TLSSelfSigned, ""
	case strings.HasPrefix(detail, "certificate has expired"):
		return TLSExpired, ""
	case strings.HasPrefix(detail, "certificate not yet valid"):
		return TLSNotYetValid, ""
	case strings.HasPrefix(detail, "not designated for use as"):
		return TLSInvalidPurpose, ""
	case strings.HasPrefix(detail, "certificate chain longer than limit"):
		return TLSChainTooLong, ""
	case strings.HasPrefix(detail, "not trusted by local or TLSA policy"):
		return TLSNotTrusted, ""
	case strings.HasPrefix(detail, "external policy failure"):
		return TLSExternalPolicy, ""
	case strings.HasPrefix(detail, "num="):
		// OpenSSL's own text: num=62:hostname mismatch, num=10:certificate has expired...
		if c := strings.IndexByte(detail, ':'); c > 0 {
			text := detail[c+1:]
			switch {
			case strings.HasPrefix(text, "hostname mismatch"), strings.HasPrefix(text, "IP address mismatch"),
				strings.HasPrefix(text, "email address mismatch"):
				return TLSNameMismatch, ""
			case strings.HasPrefix(text, "certificate has expired"):
				return TLSExpired, ""
			case strings.HasPrefix(text, "certificate is not yet valid"):
				return TLSNotYetValid, ""
			case strings.HasPrefix(text, "self-signed certificate"), strings.HasPrefix(text, "self signed certificate"):
				return TLSSelfSigned, ""
			case strings.HasPrefix(text, "unable to get local issuer certificate"):
				return TLSUntrustedIssuer, ""
			}
		}
		return TLSVerifyOther, ""
	}
	return TLSVerifyOther, ""
}

// externalPolicyRFC extracts X from "external policy failure (X)".
func externalPolicyRFC(detail string) RFC8460 {
	open := strings.IndexByte(detail, '(')
	end := strings.LastIndexByte(detail, ')')
	if open < 0 || end < open {
		return RFCValidationFailure
	}
	return RFC8460(strings.ReplaceAll(detail[open+1:end], "_", "-"))
}
