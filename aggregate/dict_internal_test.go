package aggregate

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// factsSink keeps copies of the facts a scan reads.
type factsSink struct {
	nopSink
	attempts []Attempt
	rejects  []Reject
	warnings []Warning
	tls      []TLSFailure
}

func (f *factsSink) Attempt(a *Attempt)       { f.attempts = append(f.attempts, *a) }
func (f *factsSink) Reject(r *Reject)         { f.rejects = append(f.rejects, *r) }
func (f *factsSink) Warning(w *Warning)       { f.warnings = append(f.warnings, *w) }
func (f *factsSink) TLSFailure(x *TLSFailure) { f.tls = append(f.tls, *x) }

func scanAll(t *testing.T, s *Store) *factsSink {
	t.Helper()
	var f factsSink
	if err := s.Scan(context.Background(), Query{}, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// deferral is a deferred delivery as Postfix logs one, at second i.
func deferral(i int, reason string) Attempt {
	return Attempt{Time: time.Unix(int64(1772000000+i), 0).UTC(), Host: "mail", QueueID: fmt.Sprintf("Q%04d", i),
		MessageStart: time.Unix(1772000000, 0).UTC(), Service: "smtp", Sender: "alice@sender.test", Size: 1234,
		Recipient: "bob@example.org", Domain: "example.org", Relay: "mx.example.org[192.0.2.1]:25",
		RelayHost: "mx.example.org", RelayAddr: "192.0.2.1", RelayPort: 25, Status: logparse.StatusDeferred, DSN: "4.7.5",
		Delay: 0.29, Delays: [4]float64{0.05, 0, 0.24, 0}, Reason: reason, ReasonClass: ReasonClass(reason),
		TLSTrust: logparse.TrustUntrusted, TLSProtocol: "TLSv1.3", TLSCipher: "TLS_AES_256_GCM_SHA384",
		TLSFailure: logparse.TLSNotVerified}
}

// TestDelaysStoredExactly: a delay reads back bit for bit, whether it is
// stored as hundredths (Postfix's default resolution) or as the float.
func TestDelaysStoredExactly(t *testing.T) {
	s := memoryStore(t)
	delays := []float64{0, 0.01, 0.08, 0.29, 0.3, 1.5, 2.07, 86400.99, 123456, // hundredths
		0.001, 0.123456, 1e-7, 0.30000000000000004, 123456.789, math.MaxFloat64, math.SmallestNonzeroFloat64} // floats
	var b Batch
	for i, d := range delays {
		a := deferral(i, "connect to mx.example.org[192.0.2.1]:25: Connection timed out")
		a.Delay, a.Delays = d, [4]float64{d, d / 3, 0, d}
		b.Attempts = append(b.Attempts, a)
	}
	if err := s.Commit(context.Background(), &b, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	got := scanAll(t, s).attempts
	for i := range delays {
		w, g := b.Attempts[i], got[i]
		if math.Float64bits(g.Delay) != math.Float64bits(w.Delay) || g.Delays != w.Delays {
			t.Errorf("delay=%v delays=%v read back as %v %v", w.Delay, w.Delays, g.Delay, g.Delays)
		}
	}
	// The hundredths are integers, the rest floats.
	types := queryStrings(t, s, "SELECT typeof(delay) FROM attempts ORDER BY time")
	for i, d := range delays {
		want := "integer"
		if i >= 9 {
			want = "real"
		}
		if types[i] != want {
			t.Errorf("delay %v stored as %s, want %s (%q)", d, types[i], want, types)
		}
	}
}

// TestDictionaryTexts: a text seen a second time is stored as an id, a
// text seen once or shorter than an id stays itself, and every one reads
// back as written.
func TestDictionaryTexts(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	const reason = "delivery temporarily suspended: Server certificate not verified"
	var b1, b2 Batch
	b1.Attempts = []Attempt{deferral(1, reason)}
	b1.Warnings = []Warning{{Time: time.Unix(1772000001, 0), Host: "mail", Program: "postfix/smtp", Severity: logparse.SevWarning,
		Text: "550", Class: "a"}}
	b2.Attempts = []Attempt{deferral(2, reason), deferral(3, reason), deferral(4, "unique: 250 2.0.0 Ok: queued as 4F2A1")}
	b2.Warnings = []Warning{{Time: time.Unix(1772000002, 0), Host: "mail", Program: "postfix/smtp", Severity: logparse.SevWarning,
		Text: "550", Class: "a"}}
	for _, b := range []*Batch{&b1, &b2} {
		if err := s.Commit(ctx, b, nil, nil, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	}
	got := queryStrings(t, s, "SELECT typeof(reason) || ' ' || typeof(tls_cipher) FROM attempts ORDER BY time")
	want := []string{"text text", "integer integer", "integer integer", "text integer"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reason and cipher stored as %q, want %q", got, want)
	}
	if got := queryStrings(t, s, "SELECT typeof(text) || ' ' || text FROM warnings"); fmt.Sprint(got) != "[text 550 text 550]" {
		t.Errorf("the short text 550 stored as %q, want itself, twice", got)
	}
	f := scanAll(t, s)
	if want := append(b1.Attempts, b2.Attempts...); !reflect.DeepEqual(f.attempts, want) {
		t.Errorf("attempts read back\n%+v\nwant\n%+v", f.attempts, want)
	}
	if len(f.warnings) != 2 || f.warnings[1].Text != "550" {
		t.Errorf("warnings read back as %+v", f.warnings)
	}
}

// TestDictionaryFull: once the dictionary holds dictLimit texts, new
// texts stay themselves and known ones keep their ids.
func TestDictionaryFull(t *testing.T) {
	d := newDictionary(nil)
	d.ids, d.seen = map[string]int64{}, map[uint64]struct{}{}
	for range 2 {
		d.encode("a text seen twice", false)
	}
	texts := *d.texts.Load()
	for i := len(texts); i < dictLimit; i++ {
		texts = append(texts, fmt.Sprint("text ", i))
		d.ids[texts[i]] = int64(i + 1)
	}
	d.texts.Store(&texts)
	for range 3 {
		if id := d.encode("a new text", false); id != 0 {
			t.Fatalf("a full dictionary gave a new text id %d", id)
		}
	}
	if id := d.encode("a text seen twice", false); id != 1 {
		t.Errorf("a known text got id %d, want 1", id)
	}
	if n := len(*d.texts.Load()); n != dictLimit {
		t.Errorf("the dictionary holds %d texts, want %d", n, dictLimit)
	}
}

// TestDictionaryReaderSeesNewIDs: a reader that loaded the dictionary
// decodes the ids a writer added after it.
func TestDictionaryReaderSeesNewIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pftls.db")
	w, err := Open(ctx, path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var want []Attempt
	commit := func(reason string, from int) {
		t.Helper()
		b := Batch{Attempts: []Attempt{deferral(from, reason), deferral(from+1, reason)}}
		if err := w.Commit(ctx, &b, nil, nil, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		want = append(want, b.Attempts...)
	}
	commit("connect to mx.example.org[192.0.2.1]:25: Connection refused", 0)
	r, err := Open(ctx, path, OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := scanAll(t, r).attempts; !reflect.DeepEqual(got, want) {
		t.Fatalf("reader read %+v, want %+v", got, want)
	}
	commit("host mx.example.org[192.0.2.1] said: 451 4.7.1 Try again later (in reply to RCPT TO command)", 2)
	last := int64(len(*w.dict.texts.Load()))
	if text, err := r.dict.text(last); err != nil || text != (*w.dict.texts.Load())[last-1] {
		t.Errorf("in the middle of a scan, the reader decoded the new id %d as %q, %v", last, text, err)
	}
	if got := scanAll(t, r).attempts; !reflect.DeepEqual(got, want) {
		t.Errorf("after the writer added ids, the reader read %+v, want %+v", got, want)
	}

	// A ledger (tlsrpt --send: one connection, held by its scan) loads
	// them through a read-only handle of its own, never through that
	// connection, where it would wait for itself.
	l, err := Open(ctx, path, OpenOptions{Ledger: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan *factsSink)
	go func() {
		var f factsSink
		if err := l.Scan(ctx, Query{}, &f); err != nil {
			t.Error(err)
		}
		done <- &f
	}()
	select {
	case f := <-done:
		if !reflect.DeepEqual(f.attempts, want) {
			t.Errorf("the ledger read %+v, want %+v", f.attempts, want)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a ledger's scan did not end: it waits for its own connection")
	}
	// A writer that commits new ids between the ledger's load and its
	// query (tail storing yesterday's last lines while tlsrpt --send
	// reads them) left the ledger with ids it could not decode.
	commit("host mx.example.org[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)", 4)
	last = int64(len(*w.dict.texts.Load()))
	if text, err := l.dict.text(last); err != nil || text != (*w.dict.texts.Load())[last-1] {
		t.Errorf("in the middle of a scan, the ledger decoded the new id %d as %q, %v", last, text, err)
	}
}

// TestDictionaryAfterFailedCommit: the ids a batch made are stored by the
// next commit when its own commit failed.
func TestDictionaryAfterFailedCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pftls.db")
	s, err := Open(ctx, path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const reason = "delivery temporarily suspended: Cannot start TLS: handshake failure"
	b1 := Batch{Attempts: []Attempt{deferral(1, reason), deferral(2, reason)}}
	p1, err := s.Pack(&b1, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.CommitPacked(cancelled, p1, nil, nil, time.Unix(0, 0)); err == nil {
		t.Fatal("a commit with a cancelled context succeeded")
	}
	b2 := Batch{Attempts: []Attempt{deferral(3, reason)}}
	p2, err := s.Pack(&b2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CommitPacked(ctx, p2, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, path, OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := scanAll(t, r).attempts
	if len(got) != 1 || !reflect.DeepEqual(got[0], b2.Attempts[0]) {
		t.Errorf("read %+v, want %+v", got, b2.Attempts)
	}
}

// TestDelaysSurviveTheCompactStep: step 12 rewrites the delays stored
// before it by rowBuffer.delay's rule, so every delay reads back bit for
// bit after the upgrade too (a delay of 1e17 s became 2^63-1 hundredths:
// SQLite's CAST saturates where the Go rule keeps the float).
func TestDelaysSurviveTheCompactStep(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pftls.db")
	s, err := Open(ctx, path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	delays := []float64{0, 0.01, 0.29, 2.07, 86400.99, 0.001, 123456.789, 1e-7,
		90071992547409.91, 90071992547409.92, 1e15, 1e17, -1e17, 1e300, math.MaxFloat64, math.SmallestNonzeroFloat64}
	var b Batch
	for i, d := range delays {
		a := deferral(i, "connect to mx.example.org[192.0.2.1]:25: Connection timed out")
		a.Delay, a.Delays = d, [4]float64{d / 7, 0.03, d, d}
		b.Attempts = append(b.Attempts, a)
	}
	if err := s.Commit(ctx, &b, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := UndoCompactStep(ctx, path); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, OpenOptions{}) // upgrades
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := scanAll(t, s).attempts
	if len(got) != len(delays) {
		t.Fatalf("%d attempts after the upgrade, want %d", len(got), len(delays))
	}
	for i := range delays {
		w, g := b.Attempts[i], got[i]
		if math.Float64bits(g.Delay) != math.Float64bits(w.Delay) || g.Delays != w.Delays {
			t.Errorf("delay=%v delays=%v read back after the upgrade as %v %v", w.Delay, w.Delays, g.Delay, g.Delays)
		}
	}
}

// TestCompactStepSQLUsesTheLimits: step 12's SQL fills the dictionary
// with the writer's limits, written out as literals (the statements are
// never built from pieces): a reader refuses ids past dictLimit, so the
// two must not drift apart.
func TestCompactStepSQLUsesTheLimits(t *testing.T) {
	for _, want := range []string{fmt.Sprintf("LIMIT %d;", dictLimit), fmt.Sprintf(">= %d ORDER BY", dictMinLen), fmt.Sprintf(">= %d AND v NOT IN", dictMinLen)} {
		if !strings.Contains(schemaCompact, want) {
			t.Errorf("step 12's SQL lacks %q: it no longer matches dictLimit and dictMinLen", want)
		}
	}
}
