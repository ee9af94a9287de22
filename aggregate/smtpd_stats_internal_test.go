package aggregate

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// sessionCountSink keeps the counted sessions a Scan reads.
type sessionCountSink struct{ counts []SessionCount }

func (s *sessionCountSink) Message(*Message)             {}
func (s *sessionCountSink) Attempt(*Attempt)             {}
func (s *sessionCountSink) TLSFailure(*TLSFailure)       {}
func (s *sessionCountSink) Session(*Session)             {}
func (s *sessionCountSink) SessionCount(c *SessionCount) { s.counts = append(s.counts, *c) }
func (s *sessionCountSink) Reject(*Reject)               {}
func (s *sessionCountSink) Warning(*Warning)             {}
func (s *sessionCountSink) Unparsed(*Unparsed)           {}
func (s *sessionCountSink) LineCount(*LineCount)         {}

// TestSessionCountsMigrateToConnectTime: per-minute session counts
// stored before the time connected was kept survive the schema step that
// adds it, with no client host/domain and no time; counts written after
// it keep both.
func TestSessionCountsMigrateToConnectTime(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pftls.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Index(migrations, schemaSMTPDTime) // the steps before it
	if before < 0 {
		t.Fatal("schemaSMTPDTime is not a step")
	}
	for i, q := range migrations[:before] {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	for _, q := range []string{
		"PRAGMA user_version = " + strconv.Itoa(before),
		`INSERT INTO session_counts (minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex, sessions, first, last)
			VALUES (29923220, 'mail', 'smtpd', 'anonymous', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384', 'X25519', 7,
			1795393200000000000, 1795393250000000000)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	st, err := Open(ctx, path, OpenOptions{})
	if err != nil {
		t.Fatalf("open a version %d database: %v", before, err)
	}
	defer st.Close()
	var sink sessionCountSink
	if err := st.Scan(ctx, Query{}, &sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.counts) != 1 {
		t.Fatalf("read %d counts after the step, want 1", len(sink.counts))
	}
	if c := sink.counts[0]; c.Sessions != 7 || c.ClientDomain != "" || c.ConnectSeconds != 0 || c.TLSKeyExchange != "X25519" {
		t.Errorf("migrated count: %+v", c)
	}
}
