package logparse_test

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// fixtureKey names a parsed line for the fixture summaries: the kind, plus
// the delivery status and TLS failure, the certificate failure kind, the
// trust word and direction, or "admin" for postsuper removals. Foreign and
// malformed lines both count as "not-postfix".
func fixtureKey(l logparse.Line) string {
	k := string(l.Event.Kind())
	switch ev := l.Event.(type) {
	case logparse.Delivery:
		k += "/" + string(ev.Status)
		if ev.TLSFailure != "" {
			k += "/" + string(ev.TLSFailure)
		}
	case logparse.TLSCertFailure:
		k += "/" + string(ev.TLSFailure)
	case logparse.TLSEstablished:
		k += "/" + string(ev.Trust) + "-" + string(ev.Direction)
	case logparse.Removed:
		if ev.ByAdmin {
			k += "/admin"
		}
	case logparse.Foreign, logparse.Malformed:
		k = "not-postfix"
	}
	return k
}

// TestFixtures parses every scenario log in testdata/logs and checks the
// story each one tells (see testdata/logs/README.md): the number of queue
// IDs and what each line is. Every fixture must be listed here and in the
// README.
func TestFixtures(t *testing.T) {
	want := map[string]struct {
		qids   int
		counts map[string]int
	}{
		"tls-untrusted-issuer.log": {6, map[string]int{
			"client": 1, "pickup": 1, "connect": 1, "disconnect": 1, "message-id": 6, "queue-entry": 14,
			"tls-established/anonymous-from": 1, "tls-cert-failure/untrusted-issuer": 10, "tls-established/untrusted-to": 10,
			"delivery/deferred/not-verified": 10, "delivery/sent": 4, "expired": 2, "notification": 4, "warning": 12, "removed": 6}},
		"tls-name-mismatch.log": {6, map[string]int{
			"client": 1, "pickup": 1, "connect": 1, "disconnect": 1, "message-id": 6, "queue-entry": 14,
			"tls-cert-failure/name-mismatch": 10, "tls-established/untrusted-to": 10,
			"delivery/deferred/not-verified": 10, "delivery/sent": 4, "expired": 2, "notification": 4, "warning": 12, "removed": 6}},
		"tls-expired-cert.log": {3, map[string]int{
			"client": 1, "connect": 1, "disconnect": 1, "message-id": 3, "queue-entry": 7, "tls-established/anonymous-from": 1,
			"tls-cert-failure/expired": 5, "tls-established/untrusted-to": 5,
			"delivery/deferred/not-verified": 5, "delivery/sent": 2, "expired": 1, "notification": 2, "warning": 6, "removed": 3}},
		"tls-self-signed.log": {3, map[string]int{
			"client": 1, "connect": 1, "disconnect": 1, "message-id": 3, "queue-entry": 7,
			"tls-cert-failure/self-signed": 5, "tls-established/untrusted-to": 5,
			"delivery/deferred/not-verified": 5, "delivery/sent": 2, "expired": 1, "notification": 2, "warning": 6, "removed": 3}},
		"tls-not-offered.log": {3, map[string]int{
			"client": 1, "connect": 1, "disconnect": 1, "message-id": 3, "queue-entry": 7,
			"delivery/deferred/starttls-not-offered": 5, "delivery/sent": 2, "expired": 1, "notification": 2, "warning": 6, "removed": 3}},
		"tls-handshake.log": {3, map[string]int{
			"client": 1, "connect": 1, "disconnect": 1, "message-id": 3, "queue-entry": 7,
			"tls-handshake-error": 5, "tls-library-problem": 5,
			"delivery/deferred/handshake": 5, "delivery/sent": 2, "expired": 1, "notification": 2, "warning": 6, "removed": 3}},
		"tls-plaintext-fallback.log": {1, map[string]int{
			"client": 1, "connect": 1, "disconnect": 1, "message-id": 1, "queue-entry": 2,
			"tls-handshake-error": 2, "tls-library-problem": 2, "delivery/deferred/handshake": 1,
			"delivery-skip": 1, "starttls-offered": 1, "delivery/sent": 1, "removed": 1}},
		"tls-trust-levels.log": {12, map[string]int{
			"client": 12, "connect": 12, "disconnect": 12, "message-id": 12, "queue-entry": 12,
			"tls-established/anonymous-from": 6, "tls-established/untrusted-from": 2,
			"tls-established/verified-to": 4, "tls-established/trusted-to": 2, "tls-established/untrusted-to": 3,
			"tls-established/anonymous-to": 1, "starttls-offered": 1, "delivery/sent": 12, "removed": 12}},
		"connection-refused.log": {3, map[string]int{
			"client": 1, "connect": 1, "disconnect": 1, "message-id": 3, "queue-entry": 7, "tls-established/anonymous-from": 1,
			"connect-failure": 4, "delivery/deferred": 5, "delivery/sent": 2, "expired": 1, "notification": 2, "warning": 6, "removed": 3}},
		"remote-reject.log": {5, map[string]int{
			"client": 2, "connect": 2, "disconnect": 2, "message-id": 5, "queue-entry": 9,
			"tls-established/anonymous-from": 1, "tls-established/untrusted-from": 1, "tls-established/trusted-to": 6,
			"delivery/bounced": 1, "delivery/deferred": 5, "delivery/sent": 3, "expired": 1, "notification": 3, "warning": 6, "removed": 5}},
		"local-delivery.log": {6, map[string]int{
			"client": 2, "pickup": 2, "connect": 2, "disconnect": 2, "message-id": 6, "queue-entry": 6,
			"tls-established/anonymous-from": 1, "tls-established/untrusted-to": 1, "tls-established/trusted-to": 1,
			"delivery/sent": 10, "delivery/bounced": 1, "notification": 1, "removed": 6}},
		"admin-delete.log": {4, map[string]int{
			"client": 2, "connect": 2, "disconnect": 2, "message-id": 4, "queue-entry": 10, "connect-failure": 8,
			"delivery/deferred": 8, "delivery/sent": 2, "notification": 2, "warning": 10,
			"removed": 2, "removed/admin": 2, "notice": 2}},
		"inbound-smtpd.log": {3, map[string]int{
			"connect": 7, "disconnect": 7, "client": 3, "reject": 3,
			"tls-established/anonymous-from": 3, "tls-established/untrusted-from": 1}},
		"server-tls-failure.log": {1, map[string]int{
			"connect": 3, "disconnect": 3, "client": 1, "tls-established/anonymous-from": 1,
			"tls-handshake-error": 2, "tls-library-problem": 2, "abnormal-end": 2}},
		"multi-host.log": {5, map[string]int{
			"connect": 5, "disconnect": 5, "client": 4, "message-id": 5, "queue-entry": 5, "reject": 1,
			"tls-established/anonymous-from": 3, "tls-established/trusted-to": 1, "tls-established/untrusted-to": 1,
			"tls-established/verified-to": 1, "delivery/sent": 8, "delivery/bounced": 1, "notification": 1, "removed": 5}},
		"queue-id-reuse.log": {1, map[string]int{
			"pickup": 1, "client": 1, "connect": 1, "disconnect": 1, "message-id": 2, "queue-entry": 2,
			"starttls-offered": 2, "delivery/sent": 2, "removed": 2}},
		"year-rollover.log": {3, map[string]int{
			"client": 1, "connect": 1, "disconnect": 1, "message-id": 3, "queue-entry": 7, "tls-established/anonymous-from": 1,
			"tls-cert-failure/untrusted-issuer": 5, "tls-established/untrusted-to": 5,
			"delivery/deferred/not-verified": 5, "delivery/sent": 2, "expired": 1, "notification": 2, "warning": 6, "removed": 3}},
		"mixed-formats.log": {1, map[string]int{
			"connect": 1, "client": 1, "message-id": 1, "queue-entry": 1, "disconnect": 1,
			"delivery/sent": 4, "tls-established/untrusted-to": 1, "removed": 1}},
		"tls-policy-loglevel0.log": {6, map[string]int{
			"queue-entry": 6, "delivery/sent": 5, "delivery/deferred/not-verified": 1, "removed": 5}},
		"tls-mta-sts-plugin.log": {2, map[string]int{
			"queue-entry": 2, "tls-policy-problem": 5, "delivery/deferred/policy-error": 2}},
		"tls-dane-relay-none.log": {3, map[string]int{
			"queue-entry": 3, "tls-policy-problem": 2, "dane": 1,
			"delivery/deferred/dane-required": 2, "delivery/deferred/dnssec-invalid": 1}},
		"tls-may-all-untrusted.log": {3, map[string]int{
			"queue-entry": 3, "tls-established/untrusted-to": 3, "delivery/sent": 3, "removed": 3}},
		"tls-public-ca-untrusted.log": {1, map[string]int{
			"queue-entry": 1, "tls-cert-failure/untrusted-issuer": 1, "tls-established/untrusted-to": 1,
			"delivery/deferred/not-verified": 1}},
		"tls-tlsrpt-tlsproxy.log": {3, map[string]int{
			"queue-entry": 3, "postscreen": 4, "tls-cert-failure/self-signed": 1, "tlsrpt": 2,
			"tls-established/untrusted-to": 1, "tls-established/verified-to": 2,
			"delivery/deferred/not-verified": 2, "delivery/sent": 2, "removed": 2}},
		"tls-recipient-without-domain.log": {1, map[string]int{
			"pickup": 1, "message-id": 1, "queue-entry": 1, "tls-cert-failure/untrusted-issuer": 1,
			"tls-established/untrusted-to": 1, "delivery/deferred/not-verified": 1}},
		"dst-fall-back.log": {50, map[string]int{
			"abnormal-end": 11, "client": 40, "connect": 57, "connect-failure": 4, "delivery/deferred": 4,
			"delivery/deferred/handshake": 3, "delivery/deferred/not-verified": 8, "delivery/sent": 67, "disconnect": 56,
			"expired": 3, "message-id": 50, "notice": 54, "notification": 7, "pickup": 3, "queue-entry": 61, "reject": 20,
			"removed": 49, "tls-cert-failure/name-mismatch": 4, "tls-cert-failure/untrusted-issuer": 4,
			"tls-established/anonymous-from": 37, "tls-established/anonymous-to": 3, "tls-established/trusted-from": 1,
			"tls-established/trusted-to": 20, "tls-established/untrusted-to": 10, "tls-established/verified-to": 4,
			"tls-handshake-error": 6, "tls-library-problem": 6, "warning": 8}},
		"foreign-lines.log": {1, map[string]int{
			"not-postfix": 7, "connect": 1, "tls-established/anonymous-from": 1, "client": 1, "notice": 1,
			"message-id": 1, "disconnect": 1, "queue-entry": 1, "tls-established/trusted-to": 1, "delivery/sent": 1, "removed": 1}},
	}
	files, err := filepath.Glob("../testdata/logs/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	readme, err := os.ReadFile("../testdata/logs/README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(string(readme), "`"+name+"`") {
				t.Errorf("%s is not described in testdata/logs/README.md", name)
			}
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			counts := map[string]int{}
			qids := map[string]bool{}
			for i, line := range readLines(t, path) {
				l := parseNoPanic(t, line)
				k := fixtureKey(l)
				if k == string(logparse.KindUnparsed) {
					t.Errorf("line %d unparsed: %s", i+1, line)
				}
				counts[k]++
				if l.QueueID != "" && l.QueueID != "NOQUEUE" {
					qids[l.QueueID] = true
				}
			}
			if len(qids) != w.qids {
				t.Errorf("%d queue IDs, want %d", len(qids), w.qids)
			}
			if d := diffCounts(counts, w.counts); d != "" {
				t.Errorf("line kinds differ:\n%s", d)
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("fixture %s is missing", name)
		}
	}
}

func diffCounts(got, want map[string]int) string {
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var ks []string
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		if got[k] != want[k] {
			b.WriteString("  " + k + ": got " + strconv.Itoa(got[k]) + ", want " + strconv.Itoa(want[k]) + "\n")
		}
	}
	return b.String()
}

// TestFixtureQueueIDReuse checks that the reuse fixture holds two distinct
// messages under one queue ID, the second starting after the first ended.
func TestFixtureQueueIDReuse(t *testing.T) {
	var starts, removed int
	msgIDs := map[string]bool{}
	endedBeforeSecond := false
	for _, line := range readLines(t, "../testdata/logs/queue-id-reuse.log") {
		l := logparse.ParseString(line)
		if l.QueueID != "" && l.QueueID != "2023BBC4C2" {
			t.Fatalf("unexpected queue ID %s", l.QueueID)
		}
		switch ev := l.Event.(type) {
		case logparse.Pickup, logparse.Client:
			starts++
			if starts == 2 && removed == 1 {
				endedBeforeSecond = true
			}
		case logparse.Removed:
			removed++
		case logparse.MessageID:
			msgIDs[ev.MessageID] = true
		}
	}
	if starts != 2 || removed != 2 || len(msgIDs) != 2 || !endedBeforeSecond {
		t.Errorf("starts=%d removed=%d message-ids=%d ended-first=%v; want 2 2 2 true",
			starts, removed, len(msgIDs), endedBeforeSecond)
	}
}

// TestFixtureMixedFormats checks that all envelope formats in the fixture
// resolve to the same second, 2026-11-07 00:20:05 UTC.
func TestFixtureMixedFormats(t *testing.T) {
	r := logparse.Resolver{Year: 2026, Location: time.UTC}
	want := time.Date(2026, 11, 7, 0, 20, 5, 0, time.UTC)
	zoned := 0
	for i, line := range readLines(t, "../testdata/logs/mixed-formats.log") {
		l := logparse.ParseString(line)
		if l.Host != "mail" || !strings.HasPrefix(l.Program, "postfix/") {
			t.Errorf("line %d: host %q program %q", i+1, l.Host, l.Program)
		}
		if l.Stamp.Zoned {
			zoned++
		}
		if got := r.Time(l.Stamp).Truncate(time.Second); !got.Equal(want) {
			t.Errorf("line %d resolves to %s, want %s: %s", i+1, got, want, line)
		}
	}
	if zoned == 0 {
		t.Error("no zoned stamps in the mixed-formats fixture")
	}
}

// TestFixtureMultiHost checks that the sender's "queued as" ID shows up as
// a message on the receiving host.
func TestFixtureMultiHost(t *testing.T) {
	hosts := map[string]bool{}
	queuedAs := map[string]bool{}
	received := map[string]string{}
	for _, line := range readLines(t, "../testdata/logs/multi-host.log") {
		l := logparse.ParseString(line)
		hosts[l.Host] = true
		if d, ok := l.Event.(logparse.Delivery); ok && l.Host == "mail" {
			if _, id, ok := strings.Cut(d.Reason, "queued as "); ok {
				queuedAs[id] = true
			}
		}
		if _, ok := l.Event.(logparse.Client); ok {
			received[l.QueueID] = l.Host
		}
	}
	if len(hosts) != 3 || !hosts["mail"] || !hosts["mx"] || !hosts["rx"] {
		t.Errorf("hosts = %v, want mail, mx, rx", hosts)
	}
	for _, id := range []string{"787ACBC402", "A5AF8BC406"} {
		if !queuedAs[id] || received[id] != "mx" {
			t.Errorf("%s: queued as on mail %v, received on %q", id, queuedAs[id], received[id])
		}
	}
}
