package aggregate_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestStoreSessionCounts: the store keeps a row for each session a report
// names (legacy or failed TLS) and counts the others per minute and TLS
// state, across commits, so that a window takes each count whole by the
// first start it holds.
func TestStoreSessionCounts(t *testing.T) {
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	at := func(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }
	tls13 := func(sec int) aggregate.Session {
		return aggregate.Session{Start: at(sec), End: at(sec + 1), Host: "mx", Service: "smtpd", Client: "a[192.0.2.1]",
			TLSTrust: "anonymous", TLSProtocol: "TLSv1.3", TLSCipher: "TLS_AES_256_GCM_SHA384", StartTLS: true}
	}
	plain := func(sec int) aggregate.Session {
		return aggregate.Session{Start: at(sec), End: at(sec + 1), Host: "mx", Service: "smtpd", Client: "b[192.0.2.2]"}
	}
	legacy := aggregate.Session{Start: at(20), End: at(21), Host: "mx", Service: "smtpd", Client: "old[192.0.2.3]",
		TLSTrust: "anonymous", TLSProtocol: "TLSv1", TLSCipher: "AES256-SHA", StartTLS: true}
	failed := aggregate.Session{Start: at(30), End: at(31), Host: "mx", Service: "smtpd", Client: "bad[192.0.2.4]",
		StartTLS: true, TLSFailed: true, TLSError: "SSL_accept error"}

	path := filepath.Join(t.TempDir(), "s.db")
	st := openStore(t, path)
	// Two commits add to the same minute's counts.
	commit(t, st, aggregate.Batch{Sessions: []aggregate.Session{tls13(10), plain(11), legacy, tls13(40)}})
	commit(t, st, aggregate.Batch{Sessions: []aggregate.Session{tls13(5), failed, plain(70), tls13(125)}})
	st.Close()

	db := openSQL(t, path)
	if n := queryInt(t, db, "SELECT COUNT(*) FROM sessions"); n != 2 {
		t.Errorf("sessions rows = %d, want 2 (the legacy and the failed one)", n)
	}
	m0 := base.Unix() / 60
	for _, c := range []struct {
		minute int64
		tls    string
		want   int64
	}{
		{m0, "TLSv1.3", 3},
		{m0, "", 1},
		{m0 + 1, "", 1},
		{m0 + 2, "TLSv1.3", 1},
	} {
		// A protocol is stored as a dictionary id (aggregate/dict.go).
		n := queryInt(t, db, `SELECT sessions FROM session_counts LEFT JOIN dictionary AS d ON d.id = tls_protocol
			WHERE minute = ? AND coalesce(d.text, tls_protocol) = ?`, c.minute, c.tls)
		if n != c.want {
			t.Errorf("session_counts minute %d, protocol %q: %d sessions, want %d", c.minute, c.tls, n, c.want)
		}
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM session_counts"); n != 4 {
		t.Errorf("session_counts rows = %d, want 4", n)
	}
	if n := queryInt(t, db, `SELECT first FROM session_counts LEFT JOIN dictionary AS d ON d.id = tls_protocol
		WHERE minute = ? AND coalesce(d.text, tls_protocol) = 'TLSv1.3'`, m0); n != at(5).UnixNano() {
		t.Errorf("first = %d, want the earliest start %d (from the second commit)", n, at(5).UnixNano())
	}

	ro := openReadOnly(t, path)
	for _, c := range []struct {
		name          string
		q             aggregate.Query
		rows, counted int64
	}{
		{"everything", aggregate.Query{}, 2, 6},
		// [10:00:06, 10:01:00): the TLSv1.3 count of minute 0 starts at
		// :05, outside; the plaintext one at :11, inside.
		{"from inside a minute", aggregate.Query{From: at(6), To: at(60)}, 2, 1},
		{"later minutes", aggregate.Query{From: at(60)}, 0, 2},
		{"other host", aggregate.Query{Host: "other"}, 0, 0},
	} {
		s := &factSink{f: newFacts()}
		if err := ro.Scan(t.Context(), c.q, s); err != nil {
			t.Fatal(err)
		}
		if int64(len(s.f.Sessions)) != c.rows || s.counted != c.counted {
			t.Errorf("%s: %d session rows and %d counted sessions, want %d and %d", c.name, len(s.f.Sessions), s.counted, c.rows, c.counted)
		}
	}
}

// commit writes b in one transaction, without state or sources.
func commit(t *testing.T, st *aggregate.Store, b aggregate.Batch) {
	t.Helper()
	if err := st.Commit(t.Context(), &b, nil, nil, fixedNow()); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

// openReadOnly opens the store at path as a report does.
func openReadOnly(t *testing.T, path string) *aggregate.Store {
	t.Helper()
	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("open read-only: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
