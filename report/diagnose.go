package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// Diagnosis explains one problem: what is wrong, the evidence, what to
// change, and how sure pftls is. Domain "*" is about this host itself.
type Diagnosis struct {
	Domain     string   `json:"domain"`
	ID         string   `json:"id"`      // stable name of the finding
	Finding    string   `json:"finding"` // one sentence
	Evidence   string   `json:"evidence"`
	Advice     string   `json:"advice"`
	Confidence string   `json:"confidence"` // high, medium, low
	Params     []string `json:"params"`     // Postfix parameters involved
	Lines      []string `json:"lines,omitempty"`
}

// Confidence levels.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

// sharedIssuerDomains is how many unrelated domains failing with "untrusted
// issuer" at once point to the local trust store rather than to them.
const sharedIssuerDomains = 3

// publicCAs are words in the DNs of widely trusted CAs: a server chained to
// one of them is trusted everywhere except where the trust store is
// missing or outdated.
var publicCAs = []string{"DigiCert", "Let's Encrypt", "ISRG", "Sectigo", "COMODO", "USERTrust", "GlobalSign",
	"Deutsche Telekom", "T-TeleSec", "Telekom Security", "Entrust", "GoDaddy", "Starfield", "Amazon",
	"Google Trust Services", "GTS", "Microsoft", "QuoVadis", "Buypass", "Certum", "SwissSign", "Actalis",
	"HARICA", "D-TRUST", "Baltimore", "VeriSign", "thawte", "GeoTrust", "ZeroSSL", "SSL.com", "IdenTrust"}

// Diagnose turns the model's TLS problems into findings. cfg, when not
// nil, confirms or weakens a finding and names the line to change.
func Diagnose(m *Model, cfg *PostfixConfig) []Diagnosis {
	d := diagnoser{m: m, cfg: cfg}
	d.trustStore()
	for _, r := range m.TLSFailures {
		d.failure(r)
	}
	d.stripping()
	d.providersUntrusted()
	d.downgrades()
	d.inbound()
	d.cacheWarnings()
	slices.SortStableFunc(d.out, func(a, b Diagnosis) int {
		return cmp.Or(confidenceRank(b.Confidence)-confidenceRank(a.Confidence), cmp.Compare(a.Domain, b.Domain))
	})
	if d.out == nil {
		return []Diagnosis{}
	}
	return d.out
}

func confidenceRank(c string) int {
	switch c {
	case High:
		return 3
	case Medium:
		return 2
	}
	return 1
}

type diagnoser struct {
	m         *Model
	cfg       *PostfixConfig
	out       []Diagnosis
	storeWide bool // the untrusted issuers are explained by the local trust store
}

func (d *diagnoser) add(x Diagnosis) { d.out = append(d.out, x) }

// trustStore: "untrusted issuer" at many unrelated domains means the local
// CA bundle is missing, not that they all have bad chains.
func (d *diagnoser) trustStore() {
	domains := map[string]bool{}
	issuers := map[string]bool{}
	var lines []string
	for _, r := range d.m.TLSFailures {
		if r.Kind == logparse.TLSUntrustedIssuer {
			domains[r.Domain] = true
			issuers[r.Detail] = true
			lines = appendSample(lines, r.Evidence)
		}
	}
	if len(domains) < sharedIssuerDomains {
		return
	}
	d.storeWide = true
	out := d.m.TLS.Outbound.ByTrust
	verified := out[string(aggregate.PostureVerified)] + out[string(aggregate.PostureTrusted)]
	conf := Medium
	if len(issuers) >= 2 && verified == 0 {
		conf = High
	}
	evidence := fmt.Sprintf("%d domains (%s) fail certificate verification with 'untrusted issuer', naming %d different issuers (%s); %d outbound sessions were Trusted or Verified.",
		len(domains), list(sortedKeys(domains), 5), len(issuers), list(sortedKeys(issuers), 3), verified)
	advice := "Postfix has no CA bundle, or the wrong one: set smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt " +
		"(Debian, Ubuntu; RHEL: /etc/pki/tls/certs/ca-bundle.crt) or smtp_tls_CApath = /etc/ssl/certs, then run 'postfix reload'. " +
		"Check the current values with 'postconf smtp_tls_CAfile smtp_tls_CApath'."
	if d.cfg != nil {
		file, okF := d.cfg.Param("smtp_tls_CAfile")
		path, okP := d.cfg.Param("smtp_tls_CApath")
		if (!okF || file == "") && (!okP || path == "") {
			conf = High
			evidence += fmt.Sprintf(" %s: smtp_tls_CAfile and smtp_tls_CApath are not set.", d.cfg.Source)
		} else {
			conf = Medium
			evidence += fmt.Sprintf(" %s: smtp_tls_CAfile = %q, smtp_tls_CApath = %q: check that the bundle exists and is current.", d.cfg.Source, file, path)
		}
	}
	d.add(Diagnosis{Domain: "*", ID: "local-trust-store", Confidence: conf,
		Finding:  "The local trust store is missing or not configured: certificates of unrelated domains all look untrusted.",
		Evidence: evidence, Advice: advice, Params: []string{"smtp_tls_CAfile", "smtp_tls_CApath"}, Lines: lines})
}

// noCABundleAdvice is the fix for a host that trusts no public CA.
const noCABundleAdvice = "No CA bundle: set smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt in main.cf " +
	"(RHEL, Fedora: /etc/pki/tls/certs/ca-bundle.crt; FreeBSD: /usr/local/share/certs/ca-root-nss.crt), then run 'postfix reload'. " +
	"Check with 'postconf smtp_tls_CAfile smtp_tls_CApath'."

// noCABundle is the host-wide no-ca-bundle diagnosis of Untrusted
// sessions with finding and evidence: of confidence conf, or ifSet when
// the configuration names a bundle (then the evidence says which).
func (d *diagnoser) noCABundle(conf, ifSet, finding, evidence string) Diagnosis {
	x := Diagnosis{Domain: "*", ID: "no-ca-bundle", Confidence: conf, Advice: noCABundleAdvice,
		Params: []string{"smtp_tls_CAfile", "smtp_tls_CApath"}, Finding: finding, Evidence: evidence}
	if file, path, set := d.caConfig(); set {
		x.Confidence = ifSet
		x.Evidence += fmt.Sprintf(" %s: smtp_tls_CAfile = %q, smtp_tls_CApath = %q: check that the bundle exists and is current.", d.cfg.Source, file, path)
	}
	return x
}

// caConfig returns smtp_tls_CAfile and smtp_tls_CApath when the
// configuration was read and one of them is set.
func (d *diagnoser) caConfig() (file, path string, set bool) {
	if d.cfg == nil {
		return "", "", false
	}
	file, _ = d.cfg.Param("smtp_tls_CAfile")
	path, _ = d.cfg.Param("smtp_tls_CApath")
	return file, path, file != "" || path != ""
}

// bigProviders are mail domains of large public providers, whose servers
// all present certificates from public CAs: a session with them that is
// Untrusted means this host's trust store, never theirs.
var bigProviders = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "live.com": true, "msn.com": true,
	"yahoo.com": true, "ymail.com": true, "aol.com": true, "icloud.com": true, "me.com": true, "mac.com": true,
	"gmx.net": true, "gmx.de": true, "gmx.com": true, "web.de": true, "t-online.de": true, "freenet.de": true,
	"proton.me": true, "protonmail.com": true, "yandex.ru": true, "mail.ru": true, "zoho.com": true, "fastmail.com": true,
	"orange.fr": true, "free.fr": true, "libero.it": true, "comcast.net": true,
}

// providersUntrusted: at level may, a missing CA bundle fails nothing, it
// only makes every session Untrusted; with big public providers, whose
// chains every bundle trusts, that is certain.
func (d *diagnoser) providersUntrusted() {
	if d.storeWide {
		return
	}
	failing := map[string]bool{}
	for _, r := range d.m.TLSFailures {
		failing[r.Domain] = true // explained by its failure
	}
	var domains []string
	var sessions int64
	for _, r := range d.m.TLS.Outbound.Domains {
		if bigProviders[r.Domain] && !failing[r.Domain] && r.Untrusted > 0 && r.Verified+r.Trusted == 0 {
			domains = append(domains, r.Domain)
			sessions += r.Untrusted
		}
	}
	if len(domains) == 0 {
		d.allUntrusted(failing)
		return
	}
	// One provider is enough: their chains end at roots every bundle has
	// (explain, which sees one domain, says the same as the report).
	d.add(d.noCABundle(High, Medium,
		fmt.Sprintf("Every TLS session with %s was Untrusted: their certificates come from public CAs that any CA bundle holds, so Postfix has no CA bundle.", list(domains, 6)),
		fmt.Sprintf("%d deliveries to %s went over Untrusted TLS (encrypted, at level may, so nothing failed), none Trusted or Verified.",
			sessions, plural(int64(len(domains)), "big public provider", "big public providers"))))
}

// allUntrusted: without a big provider among them, many domains whose
// sessions are all Untrusted and not one Trusted or Verified session
// anywhere still point to a missing CA bundle, with less certainty (a
// host that only talks to private servers sees the same).
func (d *diagnoser) allUntrusted(failing map[string]bool) {
	o := d.m.TLS.Outbound
	if o.ByTrust[string(aggregate.PostureVerified)]+o.ByTrust[string(aggregate.PostureTrusted)] > 0 {
		return
	}
	var domains []string
	var sessions int64
	for _, r := range o.Domains {
		if !failing[r.Domain] && r.Untrusted > 0 {
			domains = append(domains, r.Domain)
			sessions += r.Untrusted
		}
	}
	if len(domains) < sharedIssuerDomains || sessions < 10 {
		return
	}
	d.add(d.noCABundle(Medium, Low,
		fmt.Sprintf("All %d TLS sessions with %d domains (%s) were Untrusted and none Trusted or Verified: Postfix probably has no CA bundle.", sessions, len(domains), list(domains, 5)),
		"At level may an untrusted certificate fails nothing, so no TLS failure shows it; with a CA bundle most public mail servers are Trusted."))
}

// failure explains one domain's failure kind.
func (d *diagnoser) failure(r TLSFailureRow) {
	mx := list(r.Hosts, 3)
	if mx == "" {
		mx = "the MX hosts of " + r.Domain
	}
	seen := fmt.Sprintf("%d failed sessions with %s from %s to %s", r.Count, mx,
		r.FirstSeen.UTC().Format(time.RFC3339), r.LastSeen.UTC().Format(time.RFC3339))
	if noRelay(r) {
		seen = fmt.Sprintf("%d deliveries stopped by the TLS policy before any server was reached (relay=none) from %s to %s", r.Count,
			r.FirstSeen.UTC().Format(time.RFC3339), r.LastSeen.UTC().Format(time.RFC3339))
	}
	if r.Deferring {
		seen += "; mail to the domain is deferred (4.7.x)"
	}
	x := Diagnosis{Domain: r.Domain, Lines: r.Evidence, Evidence: seen + "."}
	policy := d.policyNote(r.Domain, r.Hosts)
	switch r.Kind {
	case logparse.TLSUntrustedIssuer:
		if d.storeWide {
			return // explained by the local trust store
		}
		x.ID, x.Params = "untrusted-issuer", []string{"smtp_tls_CAfile", "smtp_tls_policy_maps"}
		x.Finding = fmt.Sprintf("The certificate chain of %s does not lead to a CA this host trusts (issuer %s).", mx, r.Detail)
		if isPublicCA(r.Detail) {
			// Every CA bundle holds a public CA: not trusting one means
			// Postfix reads no bundle at all.
			x.ID, x.Confidence = "no-ca-bundle", High
			x.Params = []string{"smtp_tls_CAfile", "smtp_tls_CApath"}
			x.Finding = fmt.Sprintf("The certificate of %s is issued by a public CA (%s) that every CA bundle holds, yet this host does not trust it: Postfix has no CA bundle.", mx, r.Detail)
			x.Advice = noCABundleAdvice
			if file, path, set := d.caConfig(); set {
				x.Confidence = Medium
				x.Finding = fmt.Sprintf("The certificate of %s is issued by a public CA (%s), yet this host does not trust it: the configured CA bundle lacks it or is outdated.", mx, r.Detail)
				x.Evidence += fmt.Sprintf(" %s: smtp_tls_CAfile = %q, smtp_tls_CApath = %q.", d.cfg.Source, file, path)
				x.Advice = "Update the ca-certificates package and check that smtp_tls_CAfile names the current bundle (/etc/ssl/certs/ca-certificates.crt on Debian and Ubuntu), then run 'postfix reload'."
			}
		} else {
			x.Confidence = High
			x.Advice = fmt.Sprintf("The issuer is a private or unknown CA, or the server sends an incomplete chain. Ask the postmaster of %s to send the full chain from a public CA; to deliver meanwhile, set '%s encrypt' in smtp_tls_policy_maps (encrypted, not authenticated) and remove it once fixed.", r.Domain, r.Domain)
		}
	case logparse.TLSNameMismatch:
		x.ID, x.Params = "name-mismatch", []string{"smtp_tls_policy_maps", "smtp_tls_secure_cert_match", "smtp_tls_verify_cert_match"}
		x.Finding = fmt.Sprintf("The certificate of %s is from a trusted CA, but its names do not fit the match rule of the TLS policy for %s.", mx, r.Domain)
		if len(r.Names) > 0 {
			x.Evidence += " Certificate names: " + strings.Join(r.Names, ", ") + "."
		}
		outside := mxOutside(r.Domain, r.Hosts)
		switch {
		case outside != "":
			x.Confidence = High
			mxDomain := parentDomain(outside)
			x.Evidence += fmt.Sprintf(" The MX host %s is not in %s, so the 'secure' level's default match (nexthop, dot-nexthop) cannot match it.", outside, r.Domain)
			x.Advice = fmt.Sprintf("Give %s a match rule that fits the certificate in smtp_tls_policy_maps, e.g. '%s secure match=.%s', or use the 'verify' level (it matches the MX name from DNS, which is only safe with DNSSEC).", r.Domain, r.Domain, mxDomain)
		default:
			x.Confidence = Medium
			x.Advice = fmt.Sprintf("Either the server presents a certificate for other names (ask the postmaster of %s to fix it), or the policy's match= is wrong: compare the certificate's names (smtp_tls_loglevel = 2 logs them, or run 'posttls-finger -c -Lsummary,certmatch %s') with the match= of %s's entry in smtp_tls_policy_maps.", r.Domain, firstOr(r.Hosts, r.Domain), r.Domain)
		}
	case logparse.TLSExpired, logparse.TLSNotYetValid:
		x.ID, x.Params = "certificate-"+string(r.Kind), []string{"smtp_tls_policy_maps", "maximal_queue_lifetime"}
		what := "an expired certificate"
		if r.Kind == logparse.TLSNotYetValid {
			what = "a certificate that is not valid yet"
		}
		x.Finding = fmt.Sprintf("%s presents %s.", mx, what)
		x.Confidence = High
		x.Advice = fmt.Sprintf("Only the postmaster of %s can fix it (renew the certificate). Until then mail waits in the queue and is returned after maximal_queue_lifetime; to deliver anyway, set '%s encrypt' in smtp_tls_policy_maps and remove it once fixed.", r.Domain, r.Domain)
		if d.countKind(r.Kind) >= sharedIssuerDomains {
			x.Confidence = Medium
			x.Advice += " Several domains fail this way at once: check this host's clock first (timedatectl)."
		}
	case logparse.TLSSelfSigned:
		x.ID, x.Params = "self-signed-certificate", []string{"smtp_tls_policy_maps", "smtp_tls_fingerprint_digest"}
		x.Finding = fmt.Sprintf("%s presents a self-signed certificate, which the policy for %s does not accept.", mx, r.Domain)
		x.Confidence = High
		x.Advice = fmt.Sprintf("If you trust this server, pin its certificate: '%s fingerprint match=<sha256 digest>' in smtp_tls_policy_maps (get the digest with 'posttls-finger -c -Lsummary -d sha256 \"[%s]\"'); or use 'encrypt'. Better: ask the postmaster of %s for a CA-issued certificate.", r.Domain, firstOr(r.Hosts, r.Domain), r.Domain)
	case logparse.TLSStartTLSNotOffered, logparse.TLSStartTLSRefused:
		if d.countKind(r.Kind) >= sharedIssuerDomains {
			return // explained by stripping()
		}
		x.ID, x.Params = "starttls-not-offered", []string{"smtp_tls_policy_maps", "smtp_tls_security_level"}
		x.Finding = fmt.Sprintf("%s does not offer STARTTLS, but the TLS policy for %s requires TLS.", mx, r.Domain)
		x.Confidence = High
		x.Advice = fmt.Sprintf("Ask the postmaster of %s to enable STARTTLS; if plaintext is acceptable, relax %s's entry in smtp_tls_policy_maps to 'may'.", r.Domain, r.Domain)
	case logparse.TLSHandshake:
		x.ID = "tls-handshake-failure"
		x.Finding, x.Advice, x.Params = handshakeAdvice(r, mx)
		x.Confidence = Medium
		if r.Sent > 0 {
			x.Evidence += fmt.Sprintf(" After %d of these failures Postfix retried without TLS and the mail went out in plaintext.", r.Sent)
		}
	case logparse.TLSPolicyError, logparse.TLSDANERequired, logparse.TLSDNSSECInvalid:
		policyFailure(&x, r)
	case logparse.TLSExternalPolicy:
		x.ID, x.Confidence, x.Params = "mta-sts-policy-failure", High, []string{"smtp_tls_policy_maps"}
		x.Finding = fmt.Sprintf("The MTA-STS policy plugin in smtp_tls_policy_maps failed the delivery to %s (%s), and Postfix defers rather than deliver without the policy.", mx, r.RFC8460)
		switch r.RFC8460 {
		case logparse.RFCSTSPolicyFetchError:
			x.Advice = fmt.Sprintf("The plugin could not fetch %s's policy: try 'curl https://mta-sts.%s/.well-known/mta-sts.txt' from this host (DNS, firewall, proxy); if it fails from elsewhere too, only the postmaster of %s can fix it.", r.Domain, r.Domain, r.Domain)
		case logparse.RFCSTSWebPKIInvalid:
			x.Advice = fmt.Sprintf("The HTTPS certificate of mta-sts.%s is not valid for the plugin: check it with 'curl -v https://mta-sts.%s/.well-known/mta-sts.txt'; the plugin's own CA bundle matters too. Only the postmaster of %s can fix the certificate.", r.Domain, r.Domain, r.Domain)
		default:
			x.Advice = fmt.Sprintf("%s's MTA-STS policy is invalid (see 'curl https://mta-sts.%s/.well-known/mta-sts.txt' and its _mta-sts TXT record); only its postmaster can fix it.", r.Domain, r.Domain)
		}
	case logparse.TLSNotTrusted, logparse.TLSNotVerified, logparse.TLSVerifyOther, logparse.TLSInvalidPurpose, logparse.TLSChainTooLong:
		x.ID, x.Params = "certificate-not-verified", []string{"smtp_tls_policy_maps", "smtp_tls_loglevel"}
		x.Finding = fmt.Sprintf("The certificate of %s fails verification (%s).", mx, r.Detail)
		x.Confidence = Low
		x.Advice = "Set smtp_tls_loglevel = 1 (or '1,untrusted') to log why, or run 'posttls-finger -c -Lsummary,untrusted' against the MX."
		if v := d.violation(r.Domain); v != "" {
			// Postfix 3.11's tls= names the level that was not met: what
			// failed is certain, only the reason is not logged.
			x.Confidence = High
			x.Finding = fmt.Sprintf("The TLS policy for %s (tls=%s) was not met: the certificate of %s fails verification, and at smtp_tls_loglevel = 0 Postfix logs no reason.", r.Domain, v, mx)
			x.Advice = fmt.Sprintf("Set smtp_tls_loglevel = 1 in main.cf (or for this destination only, smtp_tls_loglevel_maps in 3.12+) and run 'postfix reload': the next attempt logs why (issuer, expiry, name). 'posttls-finger -c -Lsummary,untrusted \"[%s]\"' shows it now.", firstOr(r.Hosts, r.Domain))
		}
	default:
		x.ID = string(r.Kind)
		x.Finding = fmt.Sprintf("TLS with %s fails: %s (%s).", mx, r.Kind, r.Detail)
		x.Confidence = Low
		x.Params = []string{"smtp_tls_policy_maps"}
	}
	if policy != "" {
		x.Evidence += " " + policy
	}
	if !r.LastGood.IsZero() {
		x.Evidence += fmt.Sprintf(" It started failing at %s; the last TLS delivery before the window was at %s: something changed at the remote end, or on this host (recent configuration or CA bundle changes).",
			r.FirstSeen.UTC().Format(time.RFC3339), r.LastGood.UTC().Format(time.RFC3339))
	}
	if inferred := inferPolicy(r); inferred != "" {
		x.Evidence += " Policy level inferred from the log: " + inferred + "."
	}
	d.add(x)
}

// policyFailure explains a delivery that the TLS policy stopped before
// any server was reached (relay=none): the policy source that failed
// (a socketmap plugin, the policy table), DANE without TLSA records or
// DNSSEC, a TLSA lookup that failed.
func policyFailure(x *Diagnosis, r TLSFailureRow) {
	where := r.Domain
	if len(r.Hosts) > 0 {
		where = fmt.Sprintf("%s (MX %s)", r.Domain, list(r.Hosts, 3))
	}
	src, problem := policySource(r.Detail)
	switch {
	case r.Kind == logparse.TLSPolicyError && strings.HasPrefix(problem, "invalid attribute name"):
		x.ID, x.Confidence = "tls-policy-plugin-newer", High
		x.Params = []string{"smtp_tls_policy_maps"}
		x.Finding = fmt.Sprintf("The TLS policy service in smtp_tls_policy_maps answers for %s with an attribute this Postfix does not know (%s): the plugin is newer than Postfix, and every delivery to the domain is deferred.", where, problem)
		x.Advice = "The TLSRPT attributes (policy_type, policy_domain, mx_host_pattern, policy_failure ...) need Postfix 3.10 or later: upgrade Postfix, or switch the plugin's TLSRPT output off (or pin a plugin version that does not send them), then check with 'postmap -q " + r.Domain + " <the map in smtp_tls_policy_maps>'."
	case r.Kind == logparse.TLSPolicyError && strings.Contains(src, ":"):
		endpoint := src
		if t, rest, ok := strings.Cut(src, ":"); ok && t == "socketmap" {
			if i := strings.LastIndexByte(rest, ':'); i > 0 {
				endpoint = rest[:i] // inet:10.3.0.44:8462 without the socketmap name
			}
		}
		x.ID, x.Confidence = "tls-policy-source-failed", High
		x.Params = []string{"smtp_tls_policy_maps"}
		x.Finding = fmt.Sprintf("The TLS policy source %s did not answer for %s (%s): Postfix cannot decide the TLS policy and defers the mail ('client TLS configuration problem').", src, where, problem)
		x.Advice = fmt.Sprintf("Check that the policy service behind %s is running and reachable (an MTA-STS resolver such as postfix-tlspol or postfix-mta-sts-resolver: its service status and log), and that it answers: 'postmap -q %s %s'. Mail to %s waits in the queue until it answers; if the service is gone for good, remove %s from smtp_tls_policy_maps and run 'postfix reload'.",
			endpoint, r.Domain, src, r.Domain, src)
	case r.Kind == logparse.TLSPolicyError && src != "":
		x.ID, x.Confidence = "tls-policy-table-failed", High
		x.Params = []string{"smtp_tls_policy_maps"}
		x.Finding = fmt.Sprintf("The lookup of %s in %s failed (%s): Postfix defers the mail ('client TLS configuration problem').", r.Domain, src, problem)
		x.Advice = fmt.Sprintf("Check every map listed in %s: 'postconf %s', then 'postmap -q %s MAP' for each (a database or service that is down, a table not rebuilt with postmap, a syntax error in %s's entry).", src, src, r.Domain, r.Domain)
	case r.Kind == logparse.TLSPolicyError:
		x.ID, x.Confidence = "tls-policy-invalid", Medium
		x.Params = []string{"smtp_tls_policy_maps", "smtp_tls_security_level"}
		x.Finding = fmt.Sprintf("Postfix found no usable TLS policy for %s ('client TLS configuration problem'): the mail is deferred.", where)
		x.Advice = fmt.Sprintf("The warnings logged by smtp just before the deferral name the cause: run 'pftls explain %s', and check %s's entry with 'postmap -q %s MAP' for each map in smtp_tls_policy_maps.", r.Domain, r.Domain, r.Domain)
	case r.Kind == logparse.TLSDNSSECInvalid:
		x.ID, x.Confidence = "tlsa-lookup-failed", High
		x.Params = []string{"smtp_dns_support_level", "smtp_tls_policy_maps"}
		x.Finding = fmt.Sprintf("The DNSSEC lookup of the TLSA records of %s failed (%s): with DANE, Postfix defers the mail rather than guess.", where, r.Detail)
		x.Advice = fmt.Sprintf("Check this host's validating resolver first (smtp_dns_support_level = dnssec needs one, e.g. unbound on 127.0.0.1): 'dig +dnssec TLSA _25._tcp.%s'. SERVFAIL there while other names resolve means %s's DNSSEC is broken, which only its postmaster can fix; to deliver meanwhile, set '%s may' in smtp_tls_policy_maps and remove it once fixed.",
			firstOr(r.Hosts, r.Domain), r.Domain, r.Domain)
	default: // dane-required: no TLSA records, or an insecure MX
		x.ID, x.Confidence = "dane-required-unavailable", High
		x.Params = []string{"smtp_tls_policy_maps", "smtp_tls_security_level"}
		x.Finding = fmt.Sprintf("The TLS policy for %s requires DANE (dane-only), but the destination cannot do DANE (%s): every delivery is deferred.", where, r.Detail)
		x.Advice = fmt.Sprintf("Use opportunistic DANE for %s: set '%s dane' in smtp_tls_policy_maps (or smtp_tls_security_level = dane instead of dane-only); if a policy plugin in smtp_tls_policy_maps answers 'dane-only', check its answer with 'postmap -q %s MAP'.", r.Domain, r.Domain, r.Domain)
	}
}

// violation returns the tls= outcome (Postfix 3.11+) that says the policy
// of domain was not met ("!secure"), or "".
func (d *diagnoser) violation(domain string) string {
	for _, r := range d.m.TLS.Outbound.Domains {
		if r.Domain != domain {
			continue
		}
		for _, p := range r.Policies {
			if p.Meaning == aggregate.PolicyViolation {
				return p.Policy
			}
		}
	}
	return ""
}

// downgrades: tls= outcomes of Postfix 3.11+ where the policy was met at a
// weaker level than it started with. Nothing failed, so no failure row
// says it.
func (d *diagnoser) downgrades() {
	for _, r := range d.m.TLS.Outbound.Domains {
		for _, p := range r.Policies {
			if p.Meaning != aggregate.PolicyDowngrade {
				continue
			}
			pol := logparse.ParseTLSPolicy(p.Policy)
			x := Diagnosis{Domain: r.Domain, ID: "tls-downgrade", Confidence: High,
				Evidence: fmt.Sprintf("%d deliveries to %s logged tls=%s.", p.Count, r.Domain, p.Policy),
				Params:   []string{"smtp_tls_policy_maps"}}
			switch pol.Level.Achieved() {
			case logparse.PolicyNone:
				x.Finding = fmt.Sprintf("Mail to %s went in plaintext although TLS was tried (tls=%s): the server offered no STARTTLS, or the handshake failed and Postfix fell back.", r.Domain, p.Policy)
				x.Advice = fmt.Sprintf("If mail to %s must be encrypted, set '%s encrypt' in smtp_tls_policy_maps (it is then deferred instead of sent in the clear); 'posttls-finger \"%s\"' shows what the server offers.", r.Domain, r.Domain, r.Domain)
			case logparse.PolicyHalfDANE:
				x.Finding = fmt.Sprintf("DANE for %s fell back to halfdane (tls=%s): the MX host's TLSA records authenticated the session, but %s's MX records are not DNSSEC-signed, so the choice of MX host is not authenticated.", r.Domain, p.Policy, r.Domain)
				x.Advice = fmt.Sprintf("Nothing to change here; only the postmaster of %s can sign the zone (DNSSEC). To defer instead, set '%s dane-only' in smtp_tls_policy_maps.", r.Domain, r.Domain)
				x.Params = append(x.Params, "smtp_tls_security_level")
			default:
				x.Finding = fmt.Sprintf("DANE for %s fell back to %s (tls=%s): the MX host has no usable TLSA records, so the session was encrypted but not authenticated.", r.Domain, pol.Level.Achieved(), p.Policy)
				x.Advice = fmt.Sprintf("Nothing to change here if opportunistic DANE is what you want; only the postmaster of %s can fix the TLSA records. To defer instead of sending unauthenticated, set '%s dane-only' in smtp_tls_policy_maps.", r.Domain, r.Domain)
				x.Params = append(x.Params, "smtp_tls_security_level")
			}
			d.add(x)
		}
	}
}

// noRelay reports whether the failure is one the TLS policy decided before
// any connection: its evidence ends with a relay=none line.
func noRelay(r TLSFailureRow) bool {
	switch r.Kind {
	case logparse.TLSPolicyError, logparse.TLSDANERequired, logparse.TLSDNSSECInvalid:
	default:
		return false
	}
	return len(r.Evidence) > 0 && strings.Contains(r.Evidence[len(r.Evidence)-1], " relay=none,")
}

// policySource takes the policy source and its problem out of a failure
// detail "reason (SOURCE: PROBLEM)" (aggregate's policyNote.detail).
func policySource(detail string) (src, problem string) {
	i := strings.LastIndex(detail, " (")
	if i < 0 || !strings.HasSuffix(detail, ")") {
		return "", ""
	}
	inner := detail[i+2 : len(detail)-1]
	// The source may hold colons (socketmap:inet:HOST:PORT:NAME), never
	// ": "; the problem may ('invalid attribute name: "policy_type"').
	j := strings.Index(inner, ": ")
	if j < 0 {
		return "", ""
	}
	return inner[:j], inner[j+2:]
}

// policyNote quotes the policy table line for the domain, when known.
func (d *diagnoser) policyNote(domain string, hosts []string) string {
	e, ok := d.cfg.PolicyFor(domain, hosts)
	if !ok {
		return ""
	}
	return "Policy entry to change: " + e.String() + "."
}

func (d *diagnoser) countKind(kind logparse.TLSFailureKind) int {
	n := 0
	for _, r := range d.m.TLSFailures {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

// stripping: STARTTLS missing at several domains at the same time suggests
// a middlebox that removes it from the EHLO reply.
func (d *diagnoser) stripping() {
	var rows []TLSFailureRow
	for _, r := range d.m.TLSFailures {
		if r.Kind == logparse.TLSStartTLSNotOffered || r.Kind == logparse.TLSStartTLSRefused {
			rows = append(rows, r)
		}
	}
	if len(rows) < sharedIssuerDomains {
		return
	}
	var domains []string
	var lines []string
	for _, r := range rows {
		domains = append(domains, r.Domain)
		lines = appendSample(lines, r.Evidence)
	}
	d.add(Diagnosis{Domain: "*", ID: "starttls-stripping", Confidence: Medium,
		Finding:  fmt.Sprintf("%d domains stopped offering STARTTLS in the same window: something between this host and the internet may be stripping it.", len(rows)),
		Evidence: "STARTTLS not offered by " + list(domains, 6) + ".",
		Advice: "Check firewalls with SMTP inspection (e.g. Cisco ASA 'inspect esmtp', 'fixup smtp') and compare 'posttls-finger \"[mx]\"' from this host and from another network. " +
			"If only these domains are affected, ask their postmasters.",
		Params: []string{"smtp_tls_security_level", "smtp_tls_policy_maps"}, Lines: lines})
}

// inbound: clients on old protocols and failing STARTTLS, one finding each
// (naming the busiest clients), so that a thousand scanners make one line.
func (d *diagnoser) inbound() {
	in := d.m.TLS.Inbound
	if len(in.LegacyClients) > 0 {
		d.add(Diagnosis{Domain: "*", ID: "inbound-legacy-tls", Confidence: High,
			Finding:  fmt.Sprintf("%s still use TLSv1 or TLSv1.1.", plural(int64(max(in.LegacyTotal, len(in.LegacyClients))), "client", "clients")),
			Evidence: "Busiest: " + clientList(in.LegacyClients, 5) + ".",
			Advice:   "If you raise smtpd_tls_protocols / smtpd_tls_mandatory_protocols to >=TLSv1.2, these clients will fail STARTTLS and may send in plaintext or not at all: contact their administrators first.",
			Params:   []string{"smtpd_tls_protocols", "smtpd_tls_mandatory_protocols"}})
	}
	if len(in.HandshakeFailure) == 0 {
		return
	}
	x := Diagnosis{Domain: "*", ID: "inbound-tls-failure", Confidence: Low,
		Finding:  fmt.Sprintf("STARTTLS fails for %s.", plural(int64(max(in.FailureTotal, len(in.HandshakeFailure))), "client", "clients")),
		Evidence: "Busiest: " + clientList(in.HandshakeFailure, 5) + ".",
		Params:   []string{"smtpd_tls_protocols", "smtpd_tls_ciphers", "smtpd_tls_cert_file"}}
	detail := strings.ToLower(in.HandshakeFailure[0].Detail)
	switch {
	case strings.Contains(detail, "protocol"):
		x.Confidence = Medium
		x.Advice = "The clients and this server share no TLS protocol version: see smtpd_tls_protocols (and the clients' own settings)."
	case strings.Contains(detail, "cipher"):
		x.Confidence = Medium
		x.Advice = "The clients and this server share no cipher: see smtpd_tls_ciphers and smtpd_tls_exclude_ciphers."
	default:
		x.Advice = "A client that drops the connection after STARTTLS is often a scanner, or rejects this server's certificate: check the chain in smtpd_tls_cert_file (leaf + intermediates)."
	}
	d.add(x)
}

// clientList names the first n clients with their session counts.
func clientList(cs []ClientCount, n int) string {
	var parts []string
	for i, c := range cs {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d sessions, %s)", c.Client, c.Count, c.Detail))
	}
	return strings.Join(parts, "; ")
}

// cacheWarnings: tlsmgr and session cache warnings.
func (d *diagnoser) cacheWarnings() {
	var n int64
	var example string
	for _, w := range d.m.Warnings {
		if w.Program == "tlsmgr" || strings.Contains(w.Message, "TLS cache") || strings.Contains(w.Message, "private/tlsmgr") {
			n += w.Count
			if example == "" {
				example = w.Example
			}
		}
	}
	if n == 0 {
		return
	}
	d.add(Diagnosis{Domain: "*", ID: "tls-session-cache", Confidence: Medium,
		Finding:  "The TLS session cache (tlsmgr) reports problems.",
		Evidence: fmt.Sprintf("%d warnings, e.g. %q.", n, example),
		Advice:   "Check that smtp_tls_session_cache_database and smtpd_tls_session_cache_database point into data_directory, which must be writable by postfix; remove a damaged cache file and run 'postfix reload'.",
		Params:   []string{"smtp_tls_session_cache_database", "smtpd_tls_session_cache_database", "data_directory"}})
}

// handshakeAdvice reads OpenSSL's reason.
func handshakeAdvice(r TLSFailureRow, mx string) (finding, advice string, params []string) {
	detail := strings.ToLower(r.Detail)
	switch {
	case strings.Contains(detail, "protocol version"), strings.Contains(detail, "unsupported protocol"),
		strings.Contains(detail, "wrong version number"), strings.Contains(detail, "no protocols available"):
		return fmt.Sprintf("This host and %s share no TLS protocol version (%s).", mx, r.Detail),
			fmt.Sprintf("Compare smtp_tls_protocols / smtp_tls_mandatory_protocols and any 'protocols=' in %s's entry in smtp_tls_policy_maps with what the server supports ('posttls-finger -c \"[%s]\"'). If the server only speaks an old protocol, allow it for this destination only.", r.Domain, firstOr(r.Hosts, r.Domain)),
			[]string{"smtp_tls_protocols", "smtp_tls_mandatory_protocols", "smtp_tls_policy_maps"}
	case strings.Contains(detail, "cipher"), strings.Contains(detail, "handshake failure"):
		return fmt.Sprintf("This host and %s share no cipher (%s).", mx, r.Detail),
			"Compare smtp_tls_ciphers / smtp_tls_mandatory_ciphers and smtp_tls_exclude_ciphers with what the server offers.",
			[]string{"smtp_tls_ciphers", "smtp_tls_mandatory_ciphers", "smtp_tls_exclude_ciphers"}
	case strings.Contains(detail, "dh key too small"):
		return fmt.Sprintf("%s uses Diffie-Hellman parameters this host's OpenSSL rejects as too weak.", mx),
			"Ask the postmaster to use stronger DH parameters; avoid lowering this host's security level.",
			[]string{"smtp_tls_ciphers"}
	}
	return fmt.Sprintf("The TLS handshake with %s fails (%s).", mx, r.Detail),
		"See the 'TLS library problem' lines for OpenSSL's reason; raise smtp_tls_loglevel to 2 for the handshake trace.",
		[]string{"smtp_tls_loglevel"}
}

// inferPolicy guesses the TLS security level from what the log shows.
func inferPolicy(r TLSFailureRow) string {
	joined := strings.Join(r.Evidence, "\n")
	switch {
	case strings.Contains(joined, "certificate verification failed"), r.Kind == logparse.TLSNameMismatch:
		return "verify, secure or stronger (Postfix logs certificate failures only at levels that check certificates)"
	case strings.Contains(joined, "TLS is required"):
		return "encrypt or stronger (TLS is required)"
	case r.Kind == logparse.TLSHandshake && r.Sent > 0:
		return "may (opportunistic: Postfix fell back to plaintext)"
	case r.Kind == logparse.TLSHandshake:
		return "encrypt or stronger (no plaintext fallback)"
	}
	return ""
}

// mxOutside returns the first MX host that is not within domain.
func mxOutside(domain string, hosts []string) string {
	for _, h := range hosts {
		h = strings.ToLower(h)
		if h != domain && !strings.HasSuffix(h, "."+domain) {
			return h
		}
	}
	return ""
}

// parentDomain drops the first label: mx1.messagingengine.com ->
// messagingengine.com.
func parentDomain(host string) string {
	if _, rest, ok := strings.Cut(host, "."); ok && strings.Contains(rest, ".") {
		return rest
	}
	return host
}

func isPublicCA(dn string) bool {
	for _, ca := range publicCAs {
		if strings.Contains(dn, ca) {
			return true
		}
	}
	return false
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// list joins up to n items, saying how many more there are.
func list(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// appendSample keeps a few evidence lines for a finding over many rows.
func appendSample(lines, more []string) []string {
	for _, l := range more {
		if len(lines) >= 8 {
			break
		}
		lines = append(lines, l)
	}
	return lines
}
