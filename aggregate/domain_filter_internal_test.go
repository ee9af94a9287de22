package aggregate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// domainSink keeps the domains of the attempts and rollups a scan reads.
type domainSink struct {
	nopSink
	got []string
}

func (d *domainSink) Attempt(a *Attempt)           { d.got = append(d.got, "attempt "+a.Domain) }
func (d *domainSink) Resolution(a *Attempt)        { d.got = append(d.got, "resolution "+a.Domain) }
func (d *domainSink) Delivered(g *DeliveredGroup)  { d.got = append(d.got, "delivered "+g.Domain) }
func (d *domainSink) Recipients(g *RecipientGroup) { d.got = append(d.got, "recipients "+g.Domain) }
func (d *domainSink) TLSFailure(f *TLSFailure)     { d.got = append(d.got, "tls "+f.Domain) }
func (d *domainSink) sorted() []string             { slices.Sort(d.got); return d.got }
func (d *domainSink) reset()                       { d.got = nil }

// keep is what a report keeps of what was read, sorted.
func (d *domainSink) keep(domain string) (kept []string) {
	for _, g := range d.got {
		if _, dom, _ := strings.Cut(g, " "); strings.EqualFold(dom, domain) {
			kept = append(kept, g)
		}
	}
	slices.Sort(kept)
	return kept
}

// TestQueryDomainKeepsWhatEqualFoldKeeps: with Query.Domain, Scan and
// ScanRollups leave out the attempts and rollups of other domains, but
// keep every one strings.EqualFold keeps (what a report filters by), the
// domains SQLite cannot fold included; TLS failures are not filtered.
func TestQueryDomainKeepsWhatEqualFoldKeeps(t *testing.T) {
	s := memoryStore(t)
	hour := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	domains := []string{"example.com", "other.net", "bücher.de", "\u212ax.example", "kx.example", ""}
	var batch Batch
	for i, d := range domains {
		start := hour.Add(time.Duration(i) * time.Minute)
		qid := fmt.Sprint("Q", i)
		rcpt := "u@" + d
		batch.Attempts = append(batch.Attempts,
			Attempt{Time: start.Add(time.Second), Host: "mx", QueueID: qid, MessageStart: start, Status: logparse.StatusDeferred,
				Recipient: rcpt, Domain: d, TLSFailure: logparse.TLSHandshake},
			Attempt{Time: start.Add(time.Hour), Host: "mx", QueueID: qid, MessageStart: start, Status: logparse.StatusSent,
				Recipient: rcpt, Domain: d})
		batch.TLS = append(batch.TLS, TLSFailure{Time: start, Host: "mx", Direction: logparse.DirOutbound, Domain: d,
			Recipient: rcpt, Kind: logparse.TLSHandshake})
	}
	if err := s.Commit(context.Background(), &batch, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	var all domainSink
	q := Query{From: hour, To: hour.Add(3 * time.Hour)}
	if err := s.ScanRollups(context.Background(), q, func(time.Time) bool { return true }, &all); err != nil {
		t.Fatal(err)
	}
	var allFacts domainSink
	if err := s.Scan(context.Background(), q, &allFacts); err != nil {
		t.Fatal(err)
	}
	for _, ask := range []string{"EXAMPLE.com", "kx.example", "bücher.de", "nowhere.example", "\u212aX.EXAMPLE"} {
		q.Domain = ask
		for _, sc := range []struct {
			name string
			all  *domainSink
			scan func(*domainSink) error
		}{
			{"ScanRollups", &all, func(d *domainSink) error {
				return s.ScanRollups(context.Background(), q, func(time.Time) bool { return true }, d)
			}},
			{"Scan", &allFacts, func(d *domainSink) error { return s.Scan(context.Background(), q, d) }},
		} {
			var got domainSink
			if err := sc.scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := sc.all.keep(ask); !slices.Equal(got.keep(ask), want) || len(want) == 0 && ask != "nowhere.example" {
				t.Errorf("%s, domain %q: kept %q, want %q", sc.name, ask, got.keep(ask), want)
			}
			for _, g := range got.got {
				if strings.HasPrefix(g, "tls ") {
					continue
				}
				if _, dom, _ := strings.Cut(g, " "); !strings.EqualFold(dom, ask) && isASCII(dom) && isASCII(ask) {
					t.Errorf("%s, domain %q: read %q, which SQL could have left out", sc.name, ask, g)
				}
			}
			if n, want := count(got.got, "tls "), count(sc.all.got, "tls "); n != want {
				t.Errorf("%s, domain %q: %d TLS failures, want all %d", sc.name, ask, n, want)
			}
		}
	}
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > '~' {
			return false
		}
	}
	return true
}

func count(lines []string, prefix string) (n int) {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}
