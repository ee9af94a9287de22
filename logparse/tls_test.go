package logparse_test

import (
	"testing"

	"github.com/pftls/pftls/logparse"
)

const (
	tls13AES256 = "TLS_AES_256_GCM_SHA384"
)

// TestParseTLSEstablished covers the session summary of client and server,
// every trust word, TLS 1.2 and 1.3 tails, SNI, reuse and the 2.x form.
func TestParseTLSEstablished(t *testing.T) {
	runCases(t, []lineCase{
		{
			name: "client Verified TLSv1.3",
			line: "Nov 23 00:20:06 mail postfix/smtp[13448]: Verified TLS connection established to mx.freemail.example.net[127.0.0.10]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
			env:  e("mail", "postfix/smtp", "smtp", 13448, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustVerified, Direction: logparse.DirOutbound,
				Peer: peer("mx.freemail.example.net", "127.0.0.10", 25), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "RSA-PSS (2048 bits)", ServerDigest: "SHA256",
			},
		},
		{
			name: "client Verified TLSv1.3 without server-digest",
			line: "Nov 23 00:20:10 mail postfix/smtp[13448]: Verified TLS connection established to mx.freemail.example.net[127.0.0.10]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits)",
			env:  e("mail", "postfix/smtp", "smtp", 13448, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustVerified, Direction: logparse.DirOutbound,
				Peer: peer("mx.freemail.example.net", "127.0.0.10", 25), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "RSA-PSS (2048 bits)",
			},
		},
		{
			name: "client Verified ECDSA server signature",
			line: "Nov 23 00:20:14 mail postfix/smtp[13448]: Verified TLS connection established to mx.corp.example.com[127.0.0.11]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256",
			env:  e("mail", "postfix/smtp", "smtp", 13448, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustVerified, Direction: logparse.DirOutbound,
				Peer: peer("mx.corp.example.com", "127.0.0.11", 25), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "ECDSA (prime256v1)", ServerDigest: "SHA256",
			},
		},
		{
			name: "client Trusted",
			line: "Nov 23 00:20:06 mail postfix/smtp[13462]: Trusted TLS connection established to mx.strict.example.com[127.0.0.18]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
			env:  e("mail", "postfix/smtp", "smtp", 13462, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustTrusted, Direction: logparse.DirOutbound,
				Peer: peer("mx.strict.example.com", "127.0.0.18", 25), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "RSA-PSS (2048 bits)", ServerDigest: "SHA256",
			},
		},
		{
			name: "client Untrusted",
			line: "Nov 23 00:20:18 mail postfix/smtp[13495]: Untrusted TLS connection established to mx.bank.example.net[127.0.0.12]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
			env:  e("mail", "postfix/smtp", "smtp", 13495, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustUntrusted, Direction: logparse.DirOutbound,
				Peer: peer("mx.bank.example.net", "127.0.0.12", 25), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "RSA-PSS (2048 bits)", ServerDigest: "SHA256",
			},
		},
		{
			name: "client Anonymous TLSv1.2 aNULL cipher",
			line: "Nov 23 00:20:23 mail postfix/smtp[13495]: Anonymous TLS connection established to mx.legacy.example.net[127.0.0.20]:25: TLSv1.2 with cipher ADH-AES256-GCM-SHA384 (256/256 bits)",
			env:  e("mail", "postfix/smtp", "smtp", 13495, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustAnonymous, Direction: logparse.DirOutbound,
				Peer: peer("mx.legacy.example.net", "127.0.0.20", 25), Protocol: "TLSv1.2", Cipher: "ADH-AES256-GCM-SHA384",
				Bits: 256, AlgBits: 256,
			},
		},
		{
			name: "client Verified TLSv1.2",
			line: "Nov 23 00:20:12 mail postfix/smtp[13462]: Verified TLS connection established to mx.oldbank.example.net[127.0.0.20]:25: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
			env:  e("mail", "postfix/smtp", "smtp", 13462, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustVerified, Direction: logparse.DirOutbound,
				Peer: peer("mx.oldbank.example.net", "127.0.0.20", 25), Protocol: "TLSv1.2", Cipher: "ECDHE-RSA-AES256-GCM-SHA384",
				Bits: 256, AlgBits: 256,
			},
		},
		{
			name: "server Anonymous on submission",
			line: "Nov 23 00:20:08 mail postfix/submission/smtpd[13475]: Anonymous TLS connection established from localhost[127.0.0.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
			env:  e("mail", "postfix/submission/smtpd", "smtpd", 13475, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustAnonymous, Direction: logparse.DirInbound,
				Peer: peer("localhost", "127.0.0.1", 0), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "RSA-PSS (2048 bits)", ServerDigest: "SHA256",
			},
		},
		{
			name: "server Anonymous from a named client",
			line: "Nov 23 00:20:12 mail postfix/smtpd[13443]: Anonymous TLS connection established from mta.outside.test[127.0.0.50]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
			env:  e("mail", "postfix/smtpd", "smtpd", 13443, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustAnonymous, Direction: logparse.DirInbound,
				Peer: peer("mta.outside.test", "127.0.0.50", 0), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "RSA-PSS (2048 bits)", ServerDigest: "SHA256",
			},
		},
		{
			name: "server Untrusted with a client certificate",
			line: "Nov 23 00:20:16 mail postfix/smtpd[13453]: Untrusted TLS connection established from localhost[127.0.0.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256 client-signature RSA-PSS (2048 bits) client-digest SHA256",
			env:  e("mail", "postfix/smtpd", "smtpd", 13453, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustUntrusted, Direction: logparse.DirInbound,
				Peer: peer("localhost", "127.0.0.1", 0), Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519", ServerSignature: "RSA-PSS (2048 bits)", ServerDigest: "SHA256",
				ClientSignature: "RSA-PSS (2048 bits)", ClientDigest: "SHA256",
			},
		},
		{
			name: "receiver instance server TLSv1.2",
			line: "Nov 23 00:20:12 mx postfix-rx/legacy/smtpd[13484]: Anonymous TLS connection established from localhost[127.0.0.1]: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
			env:  e("mx", "postfix-rx/legacy/smtpd", "smtpd", 13484, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustAnonymous, Direction: logparse.DirInbound,
				Peer: peer("localhost", "127.0.0.1", 0), Protocol: "TLSv1.2", Cipher: "ECDHE-RSA-AES256-GCM-SHA384",
				Bits: 256, AlgBits: 256,
			},
		},
		{
			name: "server with SNI and a post-quantum key exchange",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: Anonymous TLS connection established from mail.example.org[203.0.113.9] to mx1.example.com: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519MLKEM768 server-signature ECDSA (prime256v1) server-digest SHA256",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustAnonymous, Direction: logparse.DirInbound,
				Peer: peer("mail.example.org", "203.0.113.9", 0), SNI: "mx1.example.com", Protocol: "TLSv1.3", Cipher: tls13AES256,
				Bits: 256, AlgBits: 256, KeyExchange: "X25519MLKEM768", ServerSignature: "ECDSA (prime256v1)", ServerDigest: "SHA256",
			},
		},
		{
			name: "client session reused",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: Verified TLS connection reused to mx.example.net[192.0.2.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustVerified, Reused: true, Direction: logparse.DirOutbound,
				Peer: peer("mx.example.net", "192.0.2.25", 25), Protocol: "TLSv1.3", Cipher: tls13AES256, Bits: 256, AlgBits: 256,
			},
		},
		{
			name: "client IPv6 peer, TLSv1.3 128-bit",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: Trusted TLS connection established to mx.example.net[2001:db8::25]:25: TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits) key-exchange X25519 server-signature RSA-PSS (4096 bits) server-digest SHA256",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustTrusted, Direction: logparse.DirOutbound,
				Peer: peer("mx.example.net", "2001:db8::25", 25), Protocol: "TLSv1.3", Cipher: "TLS_AES_128_GCM_SHA256",
				Bits: 128, AlgBits: 128, KeyExchange: "X25519", ServerSignature: "RSA-PSS (4096 bits)", ServerDigest: "SHA256",
			},
		},
		{
			name: "tlsproxy for postscreen",
			line: "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: Anonymous TLS connection established from [198.51.100.66]:51522: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
			env:  e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustAnonymous, Direction: logparse.DirInbound,
				Peer: peer("", "198.51.100.66", 51522), Protocol: "TLSv1.3", Cipher: tls13AES256, Bits: 256, AlgBits: 256,
			},
		},
		{
			name: "Postfix 2.3 client, host name only and no trust word",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: TLS connection established to mx.example.net: TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustNone, Direction: logparse.DirOutbound,
				Peer: logparse.Peer{Host: "mx.example.net"}, Protocol: "TLSv1", Cipher: "DHE-RSA-AES256-SHA", Bits: 256, AlgBits: 256,
			},
		},
		{
			name: "Postfix 2.3 server",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: TLS connection established from mail.example.org[203.0.113.9]: TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustNone, Direction: logparse.DirInbound,
				Peer: peer("mail.example.org", "203.0.113.9", 0), Protocol: "TLSv1", Cipher: "DHE-RSA-AES256-SHA", Bits: 256, AlgBits: 256,
			},
		},
		{
			name: "lmtp client",
			line: "Mar 27 16:05:12 mx1 postfix/lmtp[2211]: Untrusted TLS connection established to lmtp.example.org[192.0.2.40]:24: TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)",
			env:  e("mx1", "postfix/lmtp", "lmtp", 2211, info, ""),
			event: logparse.TLSEstablished{
				Trust: logparse.TrustUntrusted, Direction: logparse.DirOutbound,
				Peer: peer("lmtp.example.org", "192.0.2.40", 24), Protocol: "TLSv1.2", Cipher: "ECDHE-RSA-AES128-GCM-SHA256", Bits: 128, AlgBits: 128,
			},
		},
	})
}

// certFail builds the expected TLSCertFailure.
func certFail(role string, p logparse.Peer, kind logparse.TLSFailureKind, rfc logparse.RFC8460, detail, issuer string) logparse.TLSCertFailure {
	return logparse.TLSCertFailure{Role: role, Peer: p, TLSFailure: kind, RFC8460: rfc, Detail: detail, Issuer: issuer}
}

// TestParseTLSCertFailure covers "certificate verification failed" in all
// its reasons, with the failure kind and RFC 8460 result type.
func TestParseTLSCertFailure(t *testing.T) {
	bank := peer("mx.bank.example.net", "127.0.0.12", 25)
	mx := peer("mx.example.net", "192.0.2.25", 25)
	runCases(t, []lineCase{
		{
			name: "untrusted issuer (corpus)",
			line: "Nov 23 00:20:18 mail postfix/smtp[13495]: certificate verification failed for mx.bank.example.net[127.0.0.12]:25: untrusted issuer /O=Unknown Org/CN=Rogue Untrusted Issuing CA",
			env:  e("mail", "postfix/smtp", "smtp", 13495, info, ""),
			event: certFail("", bank, logparse.TLSUntrustedIssuer, logparse.RFCValidationFailure,
				"untrusted issuer /O=Unknown Org/CN=Rogue Untrusted Issuing CA", "/O=Unknown Org/CN=Rogue Untrusted Issuing CA"),
		},
		{
			name: "untrusted issuer with a full DN (reference)",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification failed for mx00.emig.gmx.net[212.227.15.9]:25: untrusted issuer /C=US/O=DigiCert Inc/OU=www.digicert.com/CN=DigiCert Global Root G2",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", peer("mx00.emig.gmx.net", "212.227.15.9", 25), logparse.TLSUntrustedIssuer, logparse.RFCValidationFailure,
				"untrusted issuer /C=US/O=DigiCert Inc/OU=www.digicert.com/CN=DigiCert Global Root G2",
				"/C=US/O=DigiCert Inc/OU=www.digicert.com/CN=DigiCert Global Root G2"),
		},
		{
			name: "server certificate has expired (corpus)",
			line: "Nov 23 00:20:17 mail postfix/smtp[13462]: server certificate verification failed for mx.gov.example.org[127.0.0.13]:25: certificate has expired",
			env:  e("mail", "postfix/smtp", "smtp", 13462, info, ""),
			event: certFail("server", peer("mx.gov.example.org", "127.0.0.13", 25), logparse.TLSExpired, logparse.RFCCertificateExpired,
				"certificate has expired", ""),
		},
		{
			name:  "CA certificate has expired",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: CA certificate verification failed for mx.example.net[192.0.2.25]:25: certificate has expired",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("CA", mx, logparse.TLSExpired, logparse.RFCCertificateExpired, "certificate has expired", ""),
		},
		{
			name: "self-signed certificate (corpus)",
			line: "Nov 23 00:20:46 mail postfix/smtp[13495]: certificate verification failed for mx.health.example.com[127.0.0.14]:25: self-signed certificate",
			env:  e("mail", "postfix/smtp", "smtp", 13495, info, ""),
			event: certFail("", peer("mx.health.example.com", "127.0.0.14", 25), logparse.TLSSelfSigned, logparse.RFCValidationFailure,
				"self-signed certificate", ""),
		},
		{
			name: "num=62 hostname mismatch (corpus, verify)",
			line: "Nov 23 00:20:14 mail postfix/smtp[13462]: server certificate verification failed for mx.hosting.example.net[127.0.0.15]:25: num=62:hostname mismatch",
			env:  e("mail", "postfix/smtp", "smtp", 13462, info, ""),
			event: certFail("server", peer("mx.hosting.example.net", "127.0.0.15", 25), logparse.TLSNameMismatch, logparse.RFCCertificateHostMatch,
				"num=62:hostname mismatch", ""),
		},
		{
			name: "num=62 hostname mismatch (corpus, secure match)",
			line: "Nov 23 00:20:22 mail postfix/smtp[13495]: server certificate verification failed for mx.acme.example.org[127.0.0.11]:25: num=62:hostname mismatch",
			env:  e("mail", "postfix/smtp", "smtp", 13495, info, ""),
			event: certFail("server", peer("mx.acme.example.org", "127.0.0.11", 25), logparse.TLSNameMismatch, logparse.RFCCertificateHostMatch,
				"num=62:hostname mismatch", ""),
		},
		{
			name:  "certificate not yet valid",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: server certificate verification failed for mx.example.net[192.0.2.25]:25: certificate not yet valid",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("server", mx, logparse.TLSNotYetValid, logparse.RFCValidationFailure, "certificate not yet valid", ""),
		},
		{
			name:  "not designated for use as a server certificate",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification failed for mx.example.net[192.0.2.25]:25: not designated for use as a server certificate",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", mx, logparse.TLSInvalidPurpose, logparse.RFCValidationFailure, "not designated for use as a server certificate", ""),
		},
		{
			name:  "certificate chain longer than limit",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification failed for mx.example.net[192.0.2.25]:25: certificate chain longer than limit(9)",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", mx, logparse.TLSChainTooLong, logparse.RFCValidationFailure, "certificate chain longer than limit(9)", ""),
		},
		{
			name:  "not trusted by local or TLSA policy",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification failed for mx.example.net[192.0.2.25]:25: not trusted by local or TLSA policy",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", mx, logparse.TLSNotTrusted, logparse.RFCCertificateNotTrusted, "not trusted by local or TLSA policy", ""),
		},
		{
			name: "external policy failure (MTA-STS, 3.10+)",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification failed for mx1.example.net[192.0.2.25]:25: external policy failure (sts-webpki-invalid)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", peer("mx1.example.net", "192.0.2.25", 25), logparse.TLSExternalPolicy, logparse.RFCSTSWebPKIInvalid,
				"external policy failure (sts-webpki-invalid)", ""),
		},
		{
			name:  "num=10 certificate has expired",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: server certificate verification failed for mx.example.net[192.0.2.25]:25: num=10:certificate has expired",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("server", mx, logparse.TLSExpired, logparse.RFCCertificateExpired, "num=10:certificate has expired", ""),
		},
		{
			name:  "num=7 other OpenSSL error",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: server certificate verification failed for mx.example.net[192.0.2.25]:25: num=7:certificate signature failure",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("server", mx, logparse.TLSVerifyOther, logparse.RFCValidationFailure, "num=7:certificate signature failure", ""),
		},
		{
			name: "smtpd client certificate, peer without port",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: client certificate verification failed for mail.example.org[203.0.113.9]: untrusted issuer /CN=Rogue Untrusted Issuing CA",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: certFail("client", peer("mail.example.org", "203.0.113.9", 0), logparse.TLSUntrustedIssuer, logparse.RFCValidationFailure,
				"untrusted issuer /CN=Rogue Untrusted Issuing CA", "/CN=Rogue Untrusted Issuing CA"),
		},
		{
			name:  "tlsproxy for postscreen",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: certificate verification failed for [198.51.100.66]:51522: self-signed certificate",
			env:   e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: certFail("", peer("", "198.51.100.66", 51522), logparse.TLSSelfSigned, logparse.RFCValidationFailure, "self-signed certificate", ""),
		},
		{
			name: "re-using session with untrusted peer credential",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: re-using session with untrusted peer credential, look for details earlier in the log",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", mx, logparse.TLSNotTrusted, logparse.RFCCertificateNotTrusted,
				"re-using session with untrusted peer credential, look for details earlier in the log", ""),
		},
		// Postfix 2.2-2.4 named the peer by host name alone
		// (TLScontext->peername = props->host) and glued some reasons to
		// the colon.
		{
			name: "Postfix 2.3 num= form, bare host name",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification failed for mx.example.net: num=20:unable to get local issuer certificate",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", logparse.Peer{Host: "mx.example.net"}, logparse.TLSUntrustedIssuer, logparse.RFCValidationFailure,
				"num=20:unable to get local issuer certificate", ""),
		},
		{
			name: "Postfix 2.3 issuer certificate unavailable, bare host name",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification failed for mx.example.net:issuer /C=US/O=Example/CN=Example CA certificate unavailable",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: certFail("", logparse.Peer{Host: "mx.example.net"}, logparse.TLSUntrustedIssuer, logparse.RFCValidationFailure,
				"issuer /C=US/O=Example/CN=Example CA certificate unavailable", "/C=US/O=Example/CN=Example CA"),
		},
		{
			name: "Postfix 2.3 peer name verification failed",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate peer name verification failed for mx.example.net: 2 dNSNames in certificate found, but none match",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSCertFailure{Peer: logparse.Peer{Host: "mx.example.net"}, TLSFailure: logparse.TLSNameMismatch,
				RFC8460: logparse.RFCCertificateHostMatch, Detail: "2 dNSNames in certificate found, but none match"},
		},
	})
}

// TestParseTLSOther covers handshake errors, OpenSSL errors, the smtpd
// abort, STARTTLS notes, DANE, TLSRPT, loglevel-2 name lines and caches.
func TestParseTLSOther(t *testing.T) {
	mx := peer("mx.example.net", "192.0.2.25", 25)
	runCases(t, []lineCase{
		{
			name:  "SSL_connect error (corpus)",
			line:  "Nov 23 00:20:17 mail postfix/smtp[13462]: SSL_connect error to mx.modern.example.net[127.0.0.20]:25: -1",
			env:   e("mail", "postfix/smtp", "smtp", 13462, info, ""),
			event: logparse.TLSHandshakeError{Op: "SSL_connect", Direction: logparse.DirOutbound, Peer: peer("mx.modern.example.net", "127.0.0.20", 25), Detail: "-1"},
		},
		{
			name:  "SSL_accept error (receivers)",
			line:  "Nov 23 00:20:12 mx postfix-rx/legacy/smtpd[13484]: SSL_accept error from localhost[127.0.0.1]: -1",
			env:   e("mx", "postfix-rx/legacy/smtpd", "smtpd", 13484, info, ""),
			event: logparse.TLSHandshakeError{Op: "SSL_accept", Direction: logparse.DirInbound, Peer: peer("localhost", "127.0.0.1", 0), Detail: "-1"},
		},
		{
			name:  "SSL_connect error lost connection",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: SSL_connect error to mx.example.net[192.0.2.25]:25: lost connection",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSHandshakeError{Op: "SSL_connect", Direction: logparse.DirOutbound, Peer: mx, Detail: "lost connection"},
		},
		{
			name:  "SSL_accept error system error",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: SSL_accept error from unknown[2001:db8::66]: Connection reset by peer",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.TLSHandshakeError{Op: "SSL_accept", Direction: logparse.DirInbound, Peer: peer("unknown", "2001:db8::66", 0), Detail: "Connection reset by peer"},
		},
		{
			name:  "SSL_accept error in tlsproxy",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: SSL_accept error from [198.51.100.66]:51522: -1",
			env:   e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: logparse.TLSHandshakeError{Op: "SSL_accept", Direction: logparse.DirInbound, Peer: peer("", "198.51.100.66", 51522), Detail: "-1"},
		},
		{
			name:  "TLS library problem, client (corpus)",
			line:  "Nov 23 00:20:12 mail postfix/smtp[13448]: warning: TLS library problem: error:0A00042E:SSL routines::tlsv1 alert protocol version:../ssl/record/rec_layer_s3.c:1602:SSL alert number 70:",
			env:   e("mail", "postfix/smtp", "smtp", 13448, warn, ""),
			event: logparse.TLSLibraryProblem{Detail: "error:0A00042E:SSL routines::tlsv1 alert protocol version:../ssl/record/rec_layer_s3.c:1602:SSL alert number 70:"},
		},
		{
			name:  "TLS library problem, server (receivers)",
			line:  "Nov 23 00:20:12 mx postfix-rx/legacy/smtpd[13484]: warning: TLS library problem: error:0A000102:SSL routines::unsupported protocol:../ssl/statem/statem_srvr.c:1664:",
			env:   e("mx", "postfix-rx/legacy/smtpd", "smtpd", 13484, warn, ""),
			event: logparse.TLSLibraryProblem{Detail: "error:0A000102:SSL routines::unsupported protocol:../ssl/statem/statem_srvr.c:1664:"},
		},
		{
			name:  "TLS library problem, 2.x thread id",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: TLS library problem: 6752:error:14094410:SSL routines:SSL3_READ_BYTES:sslv3 alert handshake failure:s3_pkt.c:1256:SSL alert number 40:",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.TLSLibraryProblem{Detail: "6752:error:14094410:SSL routines:SSL3_READ_BYTES:sslv3 alert handshake failure:s3_pkt.c:1256:SSL alert number 40:"},
		},
		{
			name:  "NOQUEUE: abort: TLS from (no client certificate)",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: abort: TLS from mail.example.org[203.0.113.9]: No client certificate presented",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.TLSAbort{Client: peer("mail.example.org", "203.0.113.9", 0), Reason: "No client certificate presented"},
		},
		{
			name:  "NOQUEUE: abort: TLS from (not trusted)",
			line:  "Mar 27 16:05:12 mx1 postfix/submission/smtpd[4101]: NOQUEUE: abort: TLS from unknown[198.51.100.66]: Client certificate not trusted",
			env:   e("mx1", "postfix/submission/smtpd", "smtpd", 4101, info, "NOQUEUE"),
			event: logparse.TLSAbort{Client: peer("unknown", "198.51.100.66", 0), Reason: "Client certificate not trusted"},
		},
		{
			name:  "Host offered STARTTLS (corpus)",
			line:  "Nov 23 00:20:07 mail postfix/smtp[13448]: Host offered STARTTLS: [mx.intranet.example.org]",
			env:   e("mail", "postfix/smtp", "smtp", 13448, info, ""),
			event: logparse.StartTLSOffered{NextHop: "mx.intranet.example.org"},
		},
		{
			name:  "DANE: all TLSA records unusable, fallback",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: mx.example.net[192.0.2.25]:25: all TLSA records unusable, fallback to unauthenticated TLS",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "all TLSA records unusable, fallback to unauthenticated TLS", TLSFailure: logparse.TLSTLSAInvalid, RFC8460: logparse.RFCTLSAInvalid},
		},
		{
			name:  "DANE: all TLSA records unusable (dane-only)",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: mx.example.net[192.0.2.25]:25: all TLSA records unusable",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "all TLSA records unusable", TLSFailure: logparse.TLSTLSAInvalid, RFC8460: logparse.RFCTLSAInvalid},
		},
		{
			name:  "fingerprint: all fingerprints unusable",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: mx.example.net[192.0.2.25]:25: all fingerprints unusable",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "all fingerprints unusable", TLSFailure: logparse.TLSFingerprint, RFC8460: logparse.RFCValidationFailure},
		},
		{
			name:  "verify: all trust anchors unusable",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: mx.example.net[192.0.2.25]:25: all trust anchors unusable",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "all trust anchors unusable", TLSFailure: logparse.TLSUntrustedIssuer, RFC8460: logparse.RFCValidationFailure},
		},
		{
			name:  "DANE TLSA lookup problem",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: DANE TLSA lookup problem: Host or domain name not found. Name service error for name=_25._tcp.mx.example.net type=TLSA: Host not found, try again",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.DANE{Detail: "DANE TLSA lookup problem: Host or domain name not found. Name service error for name=_25._tcp.mx.example.net type=TLSA: Host not found, try again", TLSFailure: logparse.TLSDNSSECInvalid, RFC8460: logparse.RFCDNSSECInvalid},
		},
		{
			name:  "DANE configured with dnssec lookups disabled",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: example.net: dane configured with dnssec lookups disabled",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.DANE{Subject: "example.net", Detail: "dane configured with dnssec lookups disabled"},
		},
		{
			// tls_dane.c: msg_info("%s: Matched DANE %s at depth %d: ...",
			// TLScontext->namaddr, ...): the subject is a bracketed peer.
			name:  "DANE match at loglevel 2",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: Matched DANE TA certificate at depth 1: 2 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "Matched DANE TA certificate at depth 1: 2 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D"},
		},
		{
			name:  "trust anchor match at loglevel 2",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: Matched trust anchor at depth 1",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "Matched trust anchor at depth 1"},
		},
		{
			name: "TLSRPT failure",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: TLSRPT: status=failure, domain=example.net, receiving_mx=mx.example.net[192.0.2.25], failure_type=validation_failure, failure_reason=self-signed_certificate",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSRPT{Status: "failure", Domain: "example.net", ReceivingMX: "mx.example.net[192.0.2.25]",
				FailureType: logparse.RFCValidationFailure, FailureReason: "self-signed_certificate"},
		},
		{
			name: "TLSRPT failure without reason",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: TLSRPT: status=failure, domain=example.net, receiving_mx=mx.example.net[192.0.2.25], failure_type=starttls_not_supported",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSRPT{Status: "failure", Domain: "example.net", ReceivingMX: "mx.example.net[192.0.2.25]",
				FailureType: logparse.RFCStartTLSNotSupported},
		},
		{
			name:  "TLSRPT success",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: TLSRPT: status=success, domain=example.net, receiving_mx=mx.example.net[192.0.2.25]",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSRPT{Status: "success", Domain: "example.net", ReceivingMX: "mx.example.net[192.0.2.25]"},
		},
		{
			name:  "subjectAltName (2.5-3.5 certmatch)",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: subjectAltName: mail.example.net",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSPeerNames{Peer: mx, Names: "mail.example.net"},
		},
		{
			name:  "Matched subjectAltName",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: Matched subjectAltName: mx.example.net",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSPeerNames{Peer: mx, Names: "mx.example.net", Matched: true},
		},
		{
			name:  "CommonName without a colon",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25 CommonName mail.example.net",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSPeerNames{Peer: mx, SubjectCN: "mail.example.net"},
		},
		{
			name:  "matched peername (3.6+)",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: matched peername: mx.example.net",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSPeerNames{Peer: mx, Names: "mx.example.net", Matched: true},
		},
		{
			name:  "subject_CN, 3.9+ form",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: subject_CN=mx.example.net, issuer=R11, cert fingerprint=3A:1F:0C:55, pkey fingerprint=9B:20:AA:7E",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSPeerNames{Peer: mx, SubjectCN: "mx.example.net", Issuer: "R11"},
		},
		{
			// tls_client.c up to 3.8: "%s: subject_CN=%s, issuer_CN=%s,
			// fingerprint=%s, pkey_fingerprint=%s".
			name:  "subject_CN, 2.x-3.8 client form",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: subject_CN=mx.example.net, issuer_CN=R3, fingerprint=3A:1F:0C:55, pkey_fingerprint=9B:20:AA:7E",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSPeerNames{Peer: mx, SubjectCN: "mx.example.net", Issuer: "R3"},
		},
		{
			// tls_server.c up to 3.8: "%s: subject_CN=%s, issuer=%s,
			// fingerprint=%s, pkey_fingerprint=%s".
			name:  "subject_CN, 3.x-3.8 server form",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: mail.example.org[203.0.113.9]: subject_CN=client.example.org, issuer=Example CA, fingerprint=3A:1F:0C:55, pkey_fingerprint=9B:20:AA:7E",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.TLSPeerNames{Peer: peer("mail.example.org", "203.0.113.9", 0), SubjectCN: "client.example.org", Issuer: "Example CA"},
		},
		{
			name:  "depth/verify/subject trace",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: depth=0 verify=1 subject=/CN=mx.example.net",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSPeerNames{Peer: mx, SubjectCN: "/CN=mx.example.net"},
		},
		{
			name:  "setting up TLS connection",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: setting up TLS connection to mx.example.net[192.0.2.25]:25",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSTrace{Peer: mx, Detail: "setting up TLS connection to mx.example.net[192.0.2.25]:25"},
		},
		{
			name:  "OpenSSL state trace",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: SSL_connect:SSLv3/TLS write client hello",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSTrace{Detail: "SSL_connect:SSLv3/TLS write client hello"},
		},
		{
			name:  "Reusing old session",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: Reusing old session",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.Notice{Detail: "mx.example.net[192.0.2.25]:25: Reusing old session"},
		},
		{
			name:  "session cache lookup at loglevel 2",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: looking for session smtp&mx.example.net&192.0.2.25&25&&C0F1 in smtp cache",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSCache{Detail: "looking for session smtp&mx.example.net&192.0.2.25&25&&C0F1 in smtp cache"},
		},
		{
			name:  "session cache save at loglevel 2",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: save session smtp&mx.example.net&192.0.2.25&25&&C0F1 to smtp cache",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.TLSCache{Detail: "save session smtp&mx.example.net&192.0.2.25&25&&C0F1 to smtp cache"},
		},
		{
			name:  "problem talking to tlsmgr",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: warning: problem talking to server private/tlsmgr: Connection refused",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, warn, ""),
			event: logparse.TLSCache{Detail: "problem talking to server private/tlsmgr: Connection refused"},
		},
		{
			name:  "tlsmgr open cache",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsmgr[888]: open smtp TLS cache btree:/var/lib/postfix/smtp_scache",
			env:   e("mx1", "postfix/tlsmgr", "tlsmgr", 888, info, ""),
			event: logparse.TLSCache{Detail: "open smtp TLS cache btree:/var/lib/postfix/smtp_scache"},
		},
		{
			name:  "tlsmgr warning",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsmgr[888]: warning: smtpd TLS cache: truncated entry for 8C7C3D5E: 0x0000",
			env:   e("mx1", "postfix/tlsmgr", "tlsmgr", 888, warn, ""),
			event: logparse.TLSCache{Detail: "smtpd TLS cache: truncated entry for 8C7C3D5E: 0x0000"},
		},
	})
}

// TestReasonTLSFailure pins the delivery-reason classification and, with it,
// the RFC 8460 mapping of the reference's section 5.
func TestReasonTLSFailure(t *testing.T) {
	tests := []struct {
		reason string
		kind   logparse.TLSFailureKind
		rfc    logparse.RFC8460
	}{
		{"Server certificate not verified", logparse.TLSNotVerified, logparse.RFCValidationFailure},
		{"Server certificate not trusted", logparse.TLSNotTrusted, logparse.RFCCertificateNotTrusted},
		{"TLS is required, but was not offered by host mx.example.net[192.0.2.25]", logparse.TLSStartTLSNotOffered, logparse.RFCStartTLSNotSupported},
		{"TLS is required, but host mx.example.net[192.0.2.25] refused to start TLS: 454 4.7.0 TLS not available", logparse.TLSStartTLSRefused, logparse.RFCStartTLSNotSupported},
		{"Cannot start TLS: handshake failure", logparse.TLSHandshake, logparse.RFCValidationFailure},
		{"TLS is required, but our TLS engine is unavailable", logparse.TLSLocalUnavailable, ""},
		{"TLS is required, but unavailable", logparse.TLSLocalUnavailable, ""},
		{"client TLS configuration problem", logparse.TLSPolicyError, ""},
		{"TLSA lookup error for mx.example.net:25", logparse.TLSDNSSECInvalid, logparse.RFCDNSSECInvalid},
		{"no TLSA records found", logparse.TLSDANERequired, logparse.RFCDANERequired},
		{"non DNSSEC destination", logparse.TLSDANERequired, logparse.RFCDANERequired},
		{"Verification not possible, MX RRset is insecure", logparse.TLSDANERequired, logparse.RFCDANERequired},
		{"TLSA records unusable", logparse.TLSTLSAInvalid, logparse.RFCTLSAInvalid},
		{"Sender requested REQUIRETLS, but host mx.example.net[192.0.2.25] refused to start TLS: 454 4.7.0 No", logparse.TLSRequireTLS, logparse.RFCValidationFailure},
		{"delivery temporarily suspended: Server certificate not verified", logparse.TLSNotVerified, logparse.RFCValidationFailure},
		{"delivery temporarily suspended: connect to mx.example.net[192.0.2.25]:25: Connection refused", "", ""},
		{"host mx.example.net[192.0.2.25] said: 550 5.1.1 User unknown (in reply to RCPT TO command)", "", ""},
		{"250 2.0.0 Ok: queued as 4Xk2", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		kind := logparse.ReasonTLSFailure(tt.reason)
		if kind != tt.kind {
			t.Errorf("ReasonTLSFailure(%q) = %q, want %q", tt.reason, kind, tt.kind)
		}
		if rfc := kind.RFC8460(); rfc != tt.rfc {
			t.Errorf("%q.RFC8460() = %q, want %q (reason %q)", kind, rfc, tt.rfc, tt.reason)
		}
	}
}

// TestTLSFailureKindRFC8460 pins the kind -> RFC 8460 mapping for every kind.
func TestTLSFailureKindRFC8460(t *testing.T) {
	want := map[logparse.TLSFailureKind]logparse.RFC8460{
		logparse.TLSUntrustedIssuer:    logparse.RFCValidationFailure,
		logparse.TLSExpired:            logparse.RFCCertificateExpired,
		logparse.TLSNotYetValid:        logparse.RFCValidationFailure,
		logparse.TLSSelfSigned:         logparse.RFCValidationFailure,
		logparse.TLSNameMismatch:       logparse.RFCCertificateHostMatch,
		logparse.TLSNotTrusted:         logparse.RFCCertificateNotTrusted,
		logparse.TLSNotVerified:        logparse.RFCValidationFailure,
		logparse.TLSInvalidPurpose:     logparse.RFCValidationFailure,
		logparse.TLSChainTooLong:       logparse.RFCValidationFailure,
		logparse.TLSVerifyOther:        logparse.RFCValidationFailure,
		logparse.TLSStartTLSNotOffered: logparse.RFCStartTLSNotSupported,
		logparse.TLSStartTLSRefused:    logparse.RFCStartTLSNotSupported,
		logparse.TLSHandshake:          logparse.RFCValidationFailure,
		logparse.TLSLocalUnavailable:   "",
		logparse.TLSPolicyError:        "",
		logparse.TLSTLSAInvalid:        logparse.RFCTLSAInvalid,
		logparse.TLSDNSSECInvalid:      logparse.RFCDNSSECInvalid,
		logparse.TLSDANERequired:       logparse.RFCDANERequired,
		logparse.TLSFingerprint:        logparse.RFCValidationFailure,
		logparse.TLSExternalPolicy:     logparse.RFCValidationFailure,
		logparse.TLSRequireTLS:         logparse.RFCValidationFailure,
		logparse.TLSLostAfterStartTLS:  "",
		"":                             "",
	}
	for k, rfc := range want {
		if got := k.RFC8460(); got != rfc {
			t.Errorf("%q.RFC8460() = %q, want %q", k, got, rfc)
		}
	}
	if logparse.TLSNotVerified.Specific() || logparse.TLSFailureKind("").Specific() {
		t.Error("not-verified and the empty kind must not be Specific")
	}
	if !logparse.TLSUntrustedIssuer.Specific() || !logparse.TLSNameMismatch.Specific() {
		t.Error("untrusted-issuer and name-mismatch must be Specific")
	}
}

// TestParseTLSTrace covers the lines of smtp_tls_loglevel / smtpd_tls_loglevel
// 2 and more: none may be Unparsed, peer names and DANE matches keep their
// kinds, and what carries no fact is a TLSTrace. The comment on each case
// names the Postfix source of its wording.
func TestParseTLSTrace(t *testing.T) {
	mx := peer("mx.example.net", "192.0.2.25", 25)
	client := peer("mail.example.org", "203.0.113.9", 0)
	smtp := e("mx1", "postfix/smtp", "smtp", 6752, info, "")
	smtpd := e("mx1", "postfix/smtpd", "smtpd", 4100, info, "")
	runCases(t, []lineCase{
		{
			// tls_client.c: msg_info("initializing the client-side TLS engine")
			name:  "client engine init",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: initializing the client-side TLS engine",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "initializing the client-side TLS engine"},
		},
		{
			// tls_server.c: msg_info("initializing the server-side TLS engine")
			name:  "server engine init",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: initializing the server-side TLS engine",
			env:   smtpd,
			event: logparse.TLSTrace{Detail: "initializing the server-side TLS engine"},
		},
		{
			// tls_server.c: "setting up TLS connection from %s"
			name:  "setting up TLS connection from a client",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: setting up TLS connection from mail.example.org[203.0.113.9]",
			env:   smtpd,
			event: logparse.TLSTrace{Peer: client, Detail: "setting up TLS connection from mail.example.org[203.0.113.9]"},
		},
		{
			// tls_client.c 2.2-2.4: "setting up TLS connection to %s" with props->host
			name:  "setting up TLS connection, 2.x host alone",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: setting up TLS connection to mx.example.net",
			env:   smtp,
			event: logparse.TLSTrace{Peer: logparse.Peer{Host: "mx.example.net"}, Detail: "setting up TLS connection to mx.example.net"},
		},
		{
			// tls_client.c: "%s: TLS cipher list \"%s\""
			name:  "client cipher list",
			line:  `Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: TLS cipher list "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH"`,
			env:   smtp,
			event: logparse.TLSTrace{Peer: mx, Detail: `mx.example.net[192.0.2.25]:25: TLS cipher list "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH"`},
		},
		{
			// tls_server.c: "%s: TLS cipher list \"%s\""
			name:  "server cipher list",
			line:  `Mar 27 16:05:12 mx1 postfix/smtpd[4100]: mail.example.org[203.0.113.9]: TLS cipher list "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH"`,
			env:   smtpd,
			event: logparse.TLSTrace{Peer: client, Detail: `mail.example.org[203.0.113.9]: TLS cipher list "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH"`},
		},
		{
			// tls_misc.c tls_info_callback: "%s:%s" with SSL_ST_ACCEPT
			name:  "server state trace",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: SSL_accept:SSLv3/TLS write server done",
			env:   smtpd,
			event: logparse.TLSTrace{Detail: "SSL_accept:SSLv3/TLS write server done"},
		},
		{
			// tls_misc.c tls_info_callback: "%s:error in %s"
			name:  "state trace error in",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: SSL_connect:error in error",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "SSL_connect:error in error"},
		},
		{
			// tls_misc.c tls_info_callback: "SSL3 alert %s:%s:%s"
			name:  "alert read",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: SSL3 alert read:fatal:handshake failure",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "SSL3 alert read:fatal:handshake failure"},
		},
		{
			// tls_misc.c tls_info_callback: "SSL3 alert %s:%s:%s"
			name:  "alert write",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: SSL3 alert write:fatal:protocol version",
			env:   smtpd,
			event: logparse.TLSTrace{Detail: "SSL3 alert write:fatal:protocol version"},
		},
		{
			// tls_misc.c tls_bio_dump_cb: "write to %08lX [%08lX] (%ld bytes => %ld (0x%lX))"
			name:  "packet dump header write",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: write to 55A4C3E1B2D0 [55A4C3E20A63] (251 bytes => 251 (0xFB))",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "write to 55A4C3E1B2D0 [55A4C3E20A63] (251 bytes => 251 (0xFB))"},
		},
		{
			// tls_misc.c tls_bio_dump_cb: "read from %08lX [%08lX] (%ld bytes => %d)"
			name:  "packet dump header read",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: read from 55A4C3E1B2D0 [55A4C3E25FA3] (5 bytes => -1)",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "read from 55A4C3E1B2D0 [55A4C3E25FA3] (5 bytes => -1)"},
		},
		{
			// the brief's peer-first dump header; not found in Postfix source
			name:  "packet dump header after a peer",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: write to 55A4C3E1B2D0 [55A4C3E20A63] (251 bytes => 251 (0xFB))",
			env:   smtp,
			event: logparse.TLSTrace{Peer: mx, Detail: "mx.example.net[192.0.2.25]:25: write to 55A4C3E1B2D0 [55A4C3E20A63] (251 bytes => 251 (0xFB))"},
		},
		{
			// tls_misc.c tls_dump_buffer: "%04lx " then "%02x%c" per byte, then the text
			name:  "packet dump row",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 0000 16 03 01 00 f6 01 00 00|f2 03 03 5e 8a 1c 44 0b  .........^..D.",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "0000 16 03 01 00 f6 01 00 00|f2 03 03 5e 8a 1c 44 0b  .........^..D."},
		},
		{
			// tls_misc.c tls_dump_buffer: "%04lx - <SPACES/NULLS>"
			name:  "packet dump trailer",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 00f0 - <SPACES/NULLS>",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "00f0 - <SPACES/NULLS>"},
		},
		{
			// tls_server.c (2.4 to 3.12, ssl-debug): msg_info("subject=%s", ...)
			name:  "bare client certificate subject",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: subject=/C=DE/O=Example/CN=client.example.org",
			env:   smtpd,
			event: logparse.TLSTrace{Detail: "subject=/C=DE/O=Example/CN=client.example.org"},
		},
		{
			// tls_server.c (2.4 to 3.12, ssl-debug): msg_info("issuer=%s", ...)
			name:  "bare client certificate issuer",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: issuer=/C=US/O=Let's Encrypt/CN=R11",
			env:   smtpd,
			event: logparse.TLSTrace{Detail: "issuer=/C=US/O=Let's Encrypt/CN=R11"},
		},
		{
			// tls_server.c 2.4: msg_info("fingerprint=%s", ...)
			name:  "bare client certificate fingerprint, 2.4",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: fingerprint=3A:1F:0C:55:9B:20:AA:7E",
			env:   smtpd,
			event: logparse.TLSTrace{Detail: "fingerprint=3A:1F:0C:55:9B:20:AA:7E"},
		},
		{
			// tls_verify.c 3.9+: "%s: depth=%d verify=%d" when the subject is not printable
			name:  "depth/verify without subject",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: depth=1 verify=1",
			env:   smtp,
			event: logparse.TLSTrace{Peer: mx, Detail: "mx.example.net[192.0.2.25]:25: depth=1 verify=1"},
		},
		{
			// tls_verify.c 3.9+: "%s: verify=%d raw public key"
			name:  "raw public key verify",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: verify=1 raw public key",
			env:   smtp,
			event: logparse.TLSTrace{Peer: mx, Detail: "mx.example.net[192.0.2.25]:25: verify=1 raw public key"},
		},
		{
			// tls_client.c 3.9+: "%s: raw public key fingerprint=%s"
			name:  "raw public key fingerprint",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: raw public key fingerprint=9B:20:AA:7E",
			env:   smtp,
			event: logparse.TLSTrace{Peer: mx, Detail: "mx.example.net[192.0.2.25]:25: raw public key fingerprint=9B:20:AA:7E"},
		},
		{
			// tls_verify.c 2.2-2.4: "verify return: %d"
			name:  "verify return, 2.x",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: verify return: 1",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "verify return: 1"},
		},
		{
			// tls_misc.c 3.12: "TLS protocol trace for %s saved to %s"
			name:  "protocol trace saved, 3.12",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: TLS protocol trace for mx.example.net[192.0.2.25]:25 saved to tlstrace/smtp-20260327160512.123456-mx.example.net-Ab12Cd",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "TLS protocol trace for mx.example.net[192.0.2.25]:25 saved to tlstrace/smtp-20260327160512.123456-mx.example.net-Ab12Cd"},
		},
		{
			// tls_client.c 3.12: "skipping TLS trace output - rate limit (%d) exceeded"
			name:  "protocol trace rate limit, 3.12",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: skipping TLS trace output - rate limit (10) exceeded",
			env:   smtp,
			event: logparse.TLSTrace{Detail: "skipping TLS trace output - rate limit (10) exceeded"},
		},
		{
			// tls_misc.c tls_cert_cb: "TLS SNI %s from %s not matched, using default chain"
			name:  "server SNI not matched",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: TLS SNI mx2.example.com from mail.example.org[203.0.113.9] not matched, using default chain",
			env:   smtpd,
			event: logparse.TLSTrace{Peer: client, Detail: "TLS SNI mx2.example.com from mail.example.org[203.0.113.9] not matched, using default chain"},
		},
		{
			// tls_client.c/tls_server.c 2.2-2.4: msg_info("Reusing old session"), no peer
			name:  "Reusing old session, 2.x",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: Reusing old session",
			env:   smtp,
			event: logparse.Notice{Detail: "Reusing old session"},
		},
		{
			// tls_server.c: "%s: save session %s to %s cache" (the server names the client)
			name:  "server session cache save",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: mail.example.org[203.0.113.9]: save session 4F1C2A1B9E&s=smtpd&l=805306480 to smtpd cache",
			env:   smtpd,
			event: logparse.TLSCache{Detail: "mail.example.org[203.0.113.9]: save session 4F1C2A1B9E&s=smtpd&l=805306480 to smtpd cache"},
		},
		{
			// tls_server.c: "%s: looking up session %s in %s cache"
			name:  "server session cache lookup",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: mail.example.org[203.0.113.9]: looking up session 4F1C2A1B9E&s=smtpd&l=805306480 in smtpd cache",
			env:   smtpd,
			event: logparse.TLSCache{Detail: "mail.example.org[203.0.113.9]: looking up session 4F1C2A1B9E&s=smtpd&l=805306480 in smtpd cache"},
		},
	})
}

// TestParseTLSTraceKeepsMeaning covers loglevel 2 lines that name
// certificates or DANE matches: they stay TLSPeerNames and DANE, in every
// Postfix version's wording, and a handshake error keeps its kind when the
// 2.x peer is a host alone.
func TestParseTLSTraceKeepsMeaning(t *testing.T) {
	mx := peer("mx.example.net", "192.0.2.25", 25)
	client := peer("mail.example.org", "203.0.113.9", 0)
	smtp := e("mx1", "postfix/smtp", "smtp", 6752, info, "")
	smtpd := e("mx1", "postfix/smtpd", "smtpd", 4100, info, "")
	runCases(t, []lineCase{
		{
			// tls_verify.c 2.5-2.10: "%s: certificate verification depth=%d verify=%d subject=%s"
			name:  "certificate verification depth, 2.5-2.10",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: certificate verification depth=1 verify=1 subject=/C=US/O=Let's Encrypt/CN=R11",
			env:   smtp,
			event: logparse.TLSPeerNames{Peer: mx, SubjectCN: "/C=US/O=Let's Encrypt/CN=R11"},
		},
		{
			// tls_verify.c 2.2-2.4: "certificate verification depth=%d subject=%s"
			name:  "certificate verification depth, 2.2-2.4",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: certificate verification depth=0 subject=/CN=mx.example.net",
			env:   smtp,
			event: logparse.TLSPeerNames{SubjectCN: "/CN=mx.example.net"},
		},
		{
			// tls_client.c 2.2-2.4: "Verified: subject_CN=%s, issuer=%s"
			name:  "Verified subject_CN, 2.2-2.4",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: Verified: subject_CN=mx.example.net, issuer=Example CA",
			env:   smtp,
			event: logparse.TLSPeerNames{SubjectCN: "mx.example.net", Issuer: "Example CA", Matched: true},
		},
		{
			// tls_server.c 2.2-2.4: "Unverified: subject_CN=%s, issuer=%s"
			name:  "Unverified subject_CN, 2.2-2.4",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: Unverified: subject_CN=client.example.org, issuer=Example CA",
			env:   smtpd,
			event: logparse.TLSPeerNames{SubjectCN: "client.example.org", Issuer: "Example CA"},
		},
		{
			// tls_client.c 2.5-2.10: "%s: %s subject_CN=%s, issuer_CN=%s" with "Matched"
			name:  "Matched subject_CN, 2.5-2.10",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: Matched subject_CN=mx.example.net, issuer_CN=R3",
			env:   smtp,
			event: logparse.TLSPeerNames{Peer: mx, SubjectCN: "mx.example.net", Issuer: "R3", Matched: true},
		},
		{
			// tls_server.c 2.5-2.x: "%s: %s: subject_CN=%s, issuer=%s, fingerprint=%s"
			name:  "Trusted: subject_CN, server 2.5-2.x",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: mail.example.org[203.0.113.9]: Trusted: subject_CN=client.example.org, issuer=Example CA, fingerprint=3A:1F:0C:55",
			env:   smtpd,
			event: logparse.TLSPeerNames{Peer: client, SubjectCN: "client.example.org", Issuer: "Example CA"},
		},
		{
			// tls_client.c 2.5-2.10: "%s %s%s fingerprint %s"
			name:  "Matched fingerprint, 2.5-2.10",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25 Matched md5 fingerprint 3A:1F:0C:55:9B:20:AA:7E",
			env:   smtp,
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "Matched md5 fingerprint 3A:1F:0C:55:9B:20:AA:7E"},
		},
		{
			// tls_dane.c 2.11-3.5: "%s: depth=%d matched %s certificate %s digest %s"
			name:  "depth matched TLSA digest, 2.11-3.5",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: depth=0 matched end entity certificate sha256 digest 8D:02:53:6C",
			env:   smtp,
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "depth=0 matched end entity certificate sha256 digest 8D:02:53:6C"},
		},
		{
			// tls_dane.c 2.11-3.5: "%s: depth=%d chain is trust-anchor signed"
			name:  "chain is trust-anchor signed, 2.11-3.5",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: depth=1 chain is trust-anchor signed",
			env:   smtp,
			event: logparse.DANE{Subject: "mx.example.net[192.0.2.25]:25", Detail: "depth=1 chain is trust-anchor signed"},
		},
		{
			// tls_dane.c 2.11-3.5: "using DANE RR: %s%s%s IN TLSA %u %u %u %s"
			name:  "using DANE RR, 2.11-3.5",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: using DANE RR: _25._tcp.mx.example.net IN TLSA 3 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D",
			env:   smtp,
			event: logparse.DANE{Detail: "using DANE RR: _25._tcp.mx.example.net IN TLSA 3 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D"},
		},
		{
			// tls_dane.c tlsa_info 3.6+: "%s: %s: %u %u %u %s%s%s" ("DNSSEC-signed TLSA record", rname)
			name:  "DNSSEC-signed TLSA record, 3.6+",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: DNSSEC-signed TLSA record: _25._tcp.mx.example.net: 3 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D",
			env:   smtp,
			event: logparse.DANE{Subject: "DNSSEC-signed TLSA record", Detail: "_25._tcp.mx.example.net: 3 1 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D"},
		},
		{
			// tls_dane.c tlsa_info 3.6+: ("fingerprint", "digest as private-use TLSA record")
			name:  "fingerprint as private-use TLSA record, 3.6+",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: fingerprint: digest as private-use TLSA record: 3 0 255 3A1F0C559B20AA7E",
			env:   smtp,
			event: logparse.DANE{Subject: "fingerprint", Detail: "digest as private-use TLSA record: 3 0 255 3A1F0C559B20AA7E"},
		},
		{
			// tls_dane.c tlsa_info 3.6+: ("TA cert as TLSA record", tafile)
			name:  "trust anchor file as TLSA record, 3.6+",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: TA cert as TLSA record: /etc/postfix/ta.pem: 2 0 1 8D02536C887482BC",
			env:   smtp,
			event: logparse.DANE{Subject: "TA cert as TLSA record", Detail: "/etc/postfix/ta.pem: 2 0 1 8D02536C887482BC"},
		},
		{
			// tls_client.c 2.2-2.4: "SSL_connect error to %s: %d" with props->host
			name:  "SSL_connect error, 2.x host alone",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: SSL_connect error to mx.example.net: -1",
			env:   smtp,
			event: logparse.TLSHandshakeError{Op: "SSL_connect", Direction: logparse.DirOutbound, Peer: logparse.Peer{Host: "mx.example.net"}, Detail: "-1"},
		},
		{
			// tlsproxy_state.c: "TLS handshake failed for service=%s peer=%s"
			name:  "tlsproxy handshake failed, server side",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: TLS handshake failed for service=smtpd peer=[198.51.100.66]:51522",
			env:   e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: logparse.TLSHandshakeError{Op: "tlsproxy", Direction: logparse.DirInbound, Peer: peer("", "198.51.100.66", 51522), Detail: "service=smtpd"},
		},
		{
			// tlsproxy_state.c: "TLS handshake failed for service=%s peer=%s"
			name:  "tlsproxy handshake failed, client side",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: TLS handshake failed for service=smtp peer=mx.example.net[192.0.2.25]:25",
			env:   e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: logparse.TLSHandshakeError{Op: "tlsproxy", Direction: logparse.DirOutbound, Peer: mx, Detail: "service=smtp"},
		},
	})
}

// TestParseTLSLinesAlreadyRead pins loglevel 2 lines that issue 17 asked
// to check and that were already read right: they must stay so.
func TestParseTLSLinesAlreadyRead(t *testing.T) {
	mx := peer("mx.example.net", "192.0.2.25", 25)
	smtp := e("mx1", "postfix/smtp", "smtp", 6752, info, "")
	runCases(t, []lineCase{
		{
			// tls_client.c: "%s: subjectAltName: %s"
			name:  "subjectAltName is still peer names",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: mx.example.net[192.0.2.25]:25: subjectAltName: mx.example.net",
			env:   smtp,
			event: logparse.TLSPeerNames{Peer: mx, Names: "mx.example.net"},
		},
		{
			// tls_client.c: "reloaded session %s from %s cache"
			name:  "client session cache reload",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: reloaded session smtp&mx.example.net&192.0.2.25&25&&C0F1 from smtp cache",
			env:   smtp,
			event: logparse.TLSCache{Detail: "reloaded session smtp&mx.example.net&192.0.2.25&25&&C0F1 from smtp cache"},
		},
		{
			// tls_scache.c (tlsmgr): "lookup %s session id=%s"
			name:  "tlsmgr session lookup",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsmgr[880]: lookup smtp session id=smtp&mx.example.net&192.0.2.25&25&&C0F1",
			env:   e("mx1", "postfix/tlsmgr", "tlsmgr", 880, info, ""),
			event: logparse.TLSCache{Detail: "lookup smtp session id=smtp&mx.example.net&192.0.2.25&25&&C0F1"},
		},
	})
}
