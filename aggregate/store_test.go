package aggregate_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pftls/pftls/aggregate"
)

// TestStoreNewDatabase: a new path in a new directory gets the schema, WAL
// mode, and private permissions (logs hold e-mail addresses).
func TestStoreNewDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "pftls")
	path := filepath.Join(dir, "pftls.db")
	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(new path): %v", err)
	}
	if st.Path() != path {
		t.Errorf("Path() = %q, want %q", st.Path(), path)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db := openSQL(t, path)
	if v := queryInt(t, db, "PRAGMA user_version"); v != int64(aggregate.SchemaVersion) {
		t.Errorf("PRAGMA user_version = %d, want SchemaVersion %d", v, aggregate.SchemaVersion)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("PRAGMA journal_mode = %q, want wal", mode)
	}
	for _, tab := range tables {
		if n := queryInt(t, db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", tab); n != 1 {
			t.Errorf("table %s missing", tab)
		}
	}

	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700},
		{path, 0o600},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%s: mode %#o, want %#o", c.path, got, c.want)
		}
	}
	// The WAL and shared-memory files SQLite makes take the database
	// file's mode.
	for _, suffix := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err == nil && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s%s: mode %#o, readable by others", path, suffix, fi.Mode().Perm())
		}
	}

	// Opening it again migrates nothing and keeps the data.
	st, err = aggregate.Open(t.Context(), path, aggregate.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(existing): %v", err)
	}
	st.Close()
	if v := queryInt(t, db, "PRAGMA user_version"); v != int64(aggregate.SchemaVersion) {
		t.Errorf("after reopening: PRAGMA user_version = %d, want %d", v, aggregate.SchemaVersion)
	}
}

// TestStoreNewerSchema: a database written by a newer pftls is refused,
// never migrated "back".
func TestStoreNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pftls.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = " + itoa(aggregate.SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, ro := range []bool{false, true} {
		st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{ReadOnly: ro})
		if err == nil {
			st.Close()
			t.Fatalf("Open(ReadOnly=%v) of a version %d database succeeded, want ErrNewerSchema", ro, aggregate.SchemaVersion+1)
		}
		if !errors.Is(err, aggregate.ErrNewerSchema) {
			t.Errorf("Open(ReadOnly=%v) = %v, want ErrNewerSchema", ro, err)
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file", err)
		}
	}
}

// TestStoreCorruptFile: a file that is not an SQLite database (random
// bytes, a log given to --db) is not provably pftls's: the error names the
// file and says it is not a pftls database, and never advises to rebuild
// it (which would move it aside; issue 23).
func TestStoreCorruptFile(t *testing.T) {
	cases := []struct {
		name    string
		content func() []byte
	}{
		{"random bytes", func() []byte {
			b := make([]byte, 64<<10)
			rand.New(rand.NewSource(1)).Read(b)
			return b
		}},
		{"a log file", func() []byte { return joinLines(readLines(t, corpusLog)[:200]) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, ro := range []bool{false, true} {
				path := filepath.Join(t.TempDir(), "pftls.db")
				content := tc.content()
				writeFile(t, path, content)
				st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{ReadOnly: ro})
				if err == nil {
					st.Close()
					t.Fatalf("Open(ReadOnly=%v) of a damaged file succeeded", ro)
				}
				msg := err.Error()
				if !errors.Is(err, aggregate.ErrNotDatabase) || strings.Contains(msg, "rebuild") || !strings.Contains(msg, path) {
					t.Errorf("Open(ReadOnly=%v) = %q, want an error naming the file, saying it is not a pftls database, without advice to rebuild it", ro, msg)
				}
				if got, _ := os.ReadFile(path); string(got) != string(content) {
					t.Errorf("Open(ReadOnly=%v) changed the damaged file", ro)
				}
			}
		})
	}
}

// TestStoreReadOnlyMissing: a report on a database that does not exist yet
// says so, and creates nothing.
func TestStoreReadOnlyMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nothing-here")
	path := filepath.Join(dir, "pftls.db")
	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{ReadOnly: true})
	if err == nil {
		st.Close()
		t.Fatal("Open(ReadOnly) of a missing file succeeded")
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(ReadOnly) = %v, want an error matching os.ErrNotExist", err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "pftls ingest") {
		t.Errorf("Open(ReadOnly) = %q, want the path and a hint to run 'pftls ingest'", msg)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(ReadOnly) created %s", dir)
	}
}

// TestStoreReadOnlyEmptyFile: an empty file (touch pftls.db) is not a
// pftls database for a report.
func TestStoreReadOnlyEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pftls.db")
	writeFile(t, path, nil)
	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{ReadOnly: true})
	if err == nil {
		st.Close()
		t.Fatal("Open(ReadOnly) of an empty file succeeded")
	}
	if !strings.Contains(err.Error(), "pftls ingest") {
		t.Errorf("Open(ReadOnly) = %q, want a hint to run 'pftls ingest'", err)
	}
}

// TestStoreReadOnlyWhileWriting: a report reads while ingest holds the
// database open for writing (WAL mode), and never writes.
func TestStoreReadOnlyWhileWriting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pftls.db")
	log := corpusCopy(t, dir, "mail.log", readLines(t, corpusLog))
	ingest(t, path, 1000, log)

	w := openStore(t, path) // a writer keeps it open
	_ = w
	ro, err := aggregate.Open(context.Background(), path, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open(ReadOnly) while a writer has it open: %v", err)
	}
	defer ro.Close()
	var n countSink
	if err := ro.Scan(t.Context(), aggregate.Query{}, &n); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if n.attempts != 1037 {
		t.Errorf("read %d attempts, want 1037", n.attempts)
	}
	if _, err := ro.Prune(t.Context(), fixedNow()); err == nil {
		t.Errorf("Prune through a read-only store succeeded, want an error")
	}
}

// countSink counts what Scan hands it.
type countSink struct{ messages, attempts, tls, sessions, rejects, warnings, unparsed, lineCounts int }

func (c *countSink) Message(*aggregate.Message)       { c.messages++ }
func (c *countSink) Attempt(*aggregate.Attempt)       { c.attempts++ }
func (c *countSink) TLSFailure(*aggregate.TLSFailure) { c.tls++ }
func (c *countSink) Session(*aggregate.Session)       { c.sessions++ }
func (c *countSink) SessionCount(x *aggregate.SessionCount) {
	c.sessions += int(x.Sessions)
}
func (c *countSink) Reject(*aggregate.Reject)       { c.rejects++ }
func (c *countSink) Warning(*aggregate.Warning)     { c.warnings++ }
func (c *countSink) Unparsed(*aggregate.Unparsed)   { c.unparsed++ }
func (c *countSink) LineCount(*aggregate.LineCount) { c.lineCounts++ }

// TestStoreMigratesOlderSchema: a database made by an older pftls (schema
// step 1, schema.sql) is brought up to SchemaVersion by a writer, keeping
// its rows; a reader asks for that upgrade instead of doing it.
func TestStoreMigratesOlderSchema(t *testing.T) {
	if aggregate.SchemaVersion < 2 {
		t.Skip("only one schema step so far")
	}
	v1, err := os.ReadFile("schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pftls.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		string(v1),
		"PRAGMA user_version = 1",
		`INSERT INTO tls_failures (time, host, direction, peer, peer_host, peer_addr, domain, queue_id, recipient,
			kind, rfc8460, detail, deferred, status)
		VALUES (1795393218000000000, 'mail', 'to', 'mx.bank.example.net[127.0.0.12]:25', 'mx.bank.example.net',
			'127.0.0.12', 'bank.example.net', 'CC251BC433', 'chris.novak@bank.example.net', 'untrusted-issuer',
			'validation-failure', '/O=Unknown Org/CN=Rogue Untrusted Issuing CA', 1, 'deferred')`,
		`INSERT INTO messages (host, queue_id, start, last_seen, origin, client, client_ip, service, sender, has_sender,
			size, nrcpt, message_id, removed, deleted, expired)
		VALUES ('mail', 'CC251BC433', 1795393200000000000, 1795393218000000000, 'smtpd', 'a.example[192.0.2.1]',
			'192.0.2.1', 'smtpd', 'ann@sender.test', 1, 4711, 1, 'id@sender.test', 1, 0, 0)`,
		`INSERT INTO attempts (time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to,
			relay, relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect,
			delay_xmit, reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure,
			tls_detail)
		VALUES (1795393218000000000, 'mail', 'CC251BC433', 1795393200000000000, 'smtp', 'ann@sender.test', 4711,
			'bob@example.org', 'example.org', '', 'mx.example.org[198.51.100.7]:25', 'mx.example.org', '198.51.100.7',
			25, 'sent', '2.0.0', 18.5, 0.05, 0.02, 17.1, 1.33, '250 2.0.0 Ok', '', 0, 0, 'trusted', 'TLSv1.3',
			'TLS_AES_256_GCM_SHA384', '', '')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("make a version 1 database: %v", err)
		}
	}
	db.Close()

	ro, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{ReadOnly: true})
	if err == nil {
		ro.Close()
		t.Errorf("Open(ReadOnly) of a version 1 database succeeded, want an error asking for an upgrade")
	} else if !strings.Contains(err.Error(), "pftls ingest") {
		t.Errorf("Open(ReadOnly) of a version 1 database = %q, want a hint to run 'pftls ingest'", err)
	}

	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(version 1 database): %v", err)
	}
	n := &factSink{f: newFacts()}
	if err := st.Scan(t.Context(), aggregate.Query{}, n); err != nil {
		t.Fatalf("Scan after migration: %v", err)
	}
	st.Close()
	if len(n.f.TLS) != 1 {
		t.Errorf("after migration Scan read %d TLS failures, want the 1 stored before", len(n.f.TLS))
	}
	if msgs := n.f.Messages(); len(msgs) != 1 || msgs[0].Size != 4711 || msgs[0].Sender != "ann@sender.test" {
		t.Errorf("after migration Scan read messages %+v, want the one stored before", msgs)
	}
	if len(n.f.Attempts) != 1 {
		t.Fatalf("after migration Scan read %d attempts, want 1", len(n.f.Attempts))
	}
	a := n.f.Attempts[0]
	if a.Delays != [4]float64{0.05, 0.02, 17.1, 1.33} || a.Delay != 18.5 || a.RelayHost != "mx.example.org" ||
		a.RelayAddr != "198.51.100.7" || a.RelayPort != 25 || a.TLSTrust != "trusted" || a.Size != 4711 {
		t.Errorf("after migration the attempt reads %+v", a)
	}
	if v := queryInt(t, openSQL(t, path), "PRAGMA user_version"); v != int64(aggregate.SchemaVersion) {
		t.Errorf("after migration: PRAGMA user_version = %d, want %d", v, aggregate.SchemaVersion)
	}
}

// factSink collects what Scan returns into facts, as the correlator's
// batches are collected; counted sessions are summed.
type factSink struct {
	f       *facts
	counted int64
}

func (s *factSink) Message(m *aggregate.Message) {
	s.f.add(aggregate.Batch{Messages: []aggregate.Message{*m}})
}
func (s *factSink) Attempt(a *aggregate.Attempt) { s.f.Attempts = append(s.f.Attempts, *a) }
func (s *factSink) TLSFailure(x *aggregate.TLSFailure) {
	s.f.TLS = append(s.f.TLS, *x)
}
func (s *factSink) Session(x *aggregate.Session)           { s.f.Sessions = append(s.f.Sessions, *x) }
func (s *factSink) SessionCount(x *aggregate.SessionCount) { s.counted += x.Sessions }
func (s *factSink) Reject(x *aggregate.Reject)             { s.f.Rejects = append(s.f.Rejects, *x) }
func (s *factSink) Warning(x *aggregate.Warning)           { s.f.Warnings = append(s.f.Warnings, *x) }
func (s *factSink) Unparsed(x *aggregate.Unparsed)         { s.f.Unparsed = append(s.f.Unparsed, *x) }
func (s *factSink) LineCount(x *aggregate.LineCount) {
	s.f.add(aggregate.Batch{LineCounts: []aggregate.LineCount{*x}})
}

// TestStoreKeepsEveryFact: the correlator's facts over the corpus, written
// and read back, are the same facts, field by field (the columns the store
// derives on reading included), except that ordinary inbound sessions come
// back as counts that add up to them.
func TestStoreKeepsEveryFact(t *testing.T) {
	_, want := correlate(aggregate.DefaultOptions, readLines(t, corpusLog))
	var notable []aggregate.Session
	for _, s := range want.Sessions {
		if s.Notable() {
			notable = append(notable, s)
		}
	}
	ordinary := int64(len(want.Sessions) - len(notable))
	if ordinary == 0 || len(want.Attempts) == 0 {
		t.Fatalf("the corpus gave %d ordinary sessions and %d attempts: nothing to check", ordinary, len(want.Attempts))
	}

	path := filepath.Join(t.TempDir(), "facts.db")
	st := openStore(t, path)
	b := aggregate.Batch{Messages: want.Messages(), Attempts: want.Attempts, TLS: want.TLS, Sessions: want.Sessions,
		Rejects: want.Rejects, Warnings: want.Warnings, Unparsed: want.Unparsed}
	commit(t, st, b)
	got := &factSink{f: newFacts()}
	if err := st.Scan(t.Context(), aggregate.Query{}, got); err != nil {
		t.Fatalf("scan: %v", err)
	}
	want.Sessions = notable
	want.lineCounts = map[string]int64{} // not committed above
	if d := diffCanonical(got.f.canonical(t), want.canonical(t)); d != "" {
		t.Errorf("facts read back differ from those written:\n%s", d)
	}
	if got.counted != ordinary {
		t.Errorf("session counts add up to %d, want the %d ordinary sessions", got.counted, ordinary)
	}
}

// TestCommitWholeStateDropsOpenRows: a whole state committed through
// Store.Commit leaves no rows of open messages from a state stored by
// changes, which a restore would otherwise bring back.
func TestCommitWholeStateDropsOpenRows(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pftls.db")
	openStore(t, db).Close()
	execSQL(t, db, `INSERT INTO open_messages (host, queue_id, message, unwritten)
		VALUES ('mail', '4D8D6BC3A0', '{"Host":"mail","QueueID":"4D8D6BC3A0"}', 0)`)
	st := openStore(t, db)
	state, err := aggregate.NewCorrelator(aggregate.DefaultOptions).MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(t.Context(), &aggregate.Batch{}, state, nil, fixedNow()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro := openSQL(t, db)
	defer ro.Close()
	if n := queryInt(t, ro, "SELECT count(*) FROM open_messages"); n != 0 {
		t.Errorf("%d rows of open messages after a whole state, want 0", n)
	}
}

// TestStore_new_database_carries_application_id: a database pftls creates
// carries its mark in the file header from the start (identify.go).
func TestStore_new_database_carries_application_id(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pftls.db")
	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	hdr, err := os.ReadFile(path)
	if err != nil || len(hdr) < 100 {
		t.Fatalf("read %s: %v (%d bytes)", path, err, len(hdr))
	}
	if got := uint32(hdr[68])<<24 | uint32(hdr[69])<<16 | uint32(hdr[70])<<8 | uint32(hdr[71]); got != aggregate.ApplicationID {
		t.Errorf("application_id in the header = %#x, want %#x", got, aggregate.ApplicationID)
	}
}

// damageTable overwrites the root page of a table of the database at path.
func damageTable(t *testing.T, path, table string) {
	t.Helper()
	db := openSQL(t, path)
	root := queryInt(t, db, "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", table)
	pageSize := queryInt(t, db, "PRAGMA page_size")
	db.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xde, 0xad}, int(pageSize)/2), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}

// TestStore_unclean_shutdown_runs_integrity_check: a writer killed while
// the database was open leaves its mark in PATH.lock; the next writer
// runs PRAGMA quick_check and refuses to write into a damaged database
// (ingest kept writing into one). A clean Close leaves no mark; Check
// asks for the check whatever the mark says.
func TestStore_unclean_shutdown_runs_integrity_check(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pftls.db")
	log := corpusCopy(t, dir, "mail.log", readLines(t, corpusLog))
	ingest(t, path, 1000, log)
	if fi, err := os.Stat(path + ".lock"); err != nil || fi.Size() != 0 {
		t.Fatalf("after a clean close the lock file should be empty: %v, %v", fi, err)
	}
	damageTable(t, path, "attempts")
	before, _ := os.ReadFile(path)

	// A clean last close: no check unless asked.
	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{})
	if err != nil {
		t.Logf("the damage was found without a check: %v", err)
	} else {
		st.Close()
	}
	if _, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{Check: true}); !errors.Is(err, aggregate.ErrDamaged) || !strings.Contains(err.Error(), "--rebuild") {
		t.Errorf("Open(Check) of a damaged database = %v, want ErrDamaged and advice to rebuild", err)
	}
	// A writer that did not close it.
	if err := os.WriteFile(path+".lock", []byte("pid 1 writing since 2026-11-23T00:00:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{}); !errors.Is(err, aggregate.ErrDamaged) {
		t.Errorf("Open after an unclean shutdown of a damaged database = %v, want ErrDamaged", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a damaged database was written to")
	}

	// A sound database after an unclean shutdown opens (after the check).
	good := filepath.Join(dir, "good.db")
	ingest(t, good, 1000, log)
	if err := os.WriteFile(good+".lock", []byte("pid 1 writing since 2026-11-23T00:00:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = aggregate.Open(t.Context(), good, aggregate.OpenOptions{})
	if err != nil {
		t.Fatalf("Open of a sound database after an unclean shutdown: %v", err)
	}
	if fi, err := os.Stat(good + ".lock"); err != nil || fi.Size() == 0 {
		t.Errorf("an open writer should mark the lock file: %v, %v", fi, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(good + ".lock"); err != nil || fi.Size() != 0 {
		t.Errorf("a clean close should empty the lock file: %v, %v", fi, err)
	}
}
