package aggregate

import (
	"cmp"
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

//go:embed schema.sql
var schemaV1 string

//go:embed schema_tls.sql
var schemaTLSPolicy string

// migrations are the schema's numbered steps; PRAGMA user_version holds how
// many have been applied. Never edit a released step: append a new one.
var migrations = []string{
	schemaV1,
	// 2: certificate names and the log lines that prove a TLS failure
	// (for pftls explain and the report's diagnoses).
	`ALTER TABLE tls_failures ADD COLUMN names TEXT NOT NULL DEFAULT '';
	 ALTER TABLE tls_failures ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
	 CREATE INDEX tls_failures_domain ON tls_failures(domain, time);
	 CREATE INDEX attempts_domain ON attempts(domain, time);`,
	// 3: the (domain, time) index on attempts cost a fifth of ingest time
	// and served only LastGoodTLS, which reads few rows through the time
	// index instead.
	`DROP INDEX attempts_domain;`,
	// 4: messages keyed by start time first, so that rows are appended in
	// time order instead of scattered by queue ID (a third of the cost of
	// writing them), and the window query needs no second index; ordinary
	// inbound sessions counted per minute instead of one row each.
	`CREATE TABLE messages_v4 (
		host        TEXT    NOT NULL,
		queue_id    TEXT    NOT NULL,
		start       INTEGER NOT NULL,
		last_seen   INTEGER NOT NULL,
		origin      TEXT    NOT NULL,
		client      TEXT    NOT NULL,
		client_ip   TEXT    NOT NULL,
		service     TEXT    NOT NULL,
		sender      TEXT    NOT NULL,
		has_sender  INTEGER NOT NULL,
		size        INTEGER NOT NULL,
		nrcpt       INTEGER NOT NULL,
		message_id  TEXT    NOT NULL,
		removed     INTEGER NOT NULL,
		deleted     INTEGER NOT NULL,
		expired     INTEGER NOT NULL,
		PRIMARY KEY (start, host, queue_id)
	) WITHOUT ROWID;
	INSERT INTO messages_v4 SELECT host, queue_id, start, last_seen, origin, client, client_ip, service, sender,
		has_sender, size, nrcpt, message_id, removed, deleted, expired FROM messages;
	DROP TABLE messages;
	ALTER TABLE messages_v4 RENAME TO messages;
	-- Inbound smtpd sessions without legacy or failed TLS, counted per
	-- minute they started in (Unix time / 60), host, service and TLS state
	-- (tls_trust '' = no TLS), with the first and last of their start
	-- times. The sessions table keeps only the others.
	CREATE TABLE session_counts (
		minute       INTEGER NOT NULL,
		host         TEXT    NOT NULL,
		service      TEXT    NOT NULL,
		tls_trust    TEXT    NOT NULL,
		tls_protocol TEXT    NOT NULL,
		tls_cipher   TEXT    NOT NULL,
		sessions     INTEGER NOT NULL,
		first        INTEGER NOT NULL,
		last         INTEGER NOT NULL,
		PRIMARY KEY (minute, host, service, tls_trust, tls_protocol, tls_cipher)
	) WITHOUT ROWID;`,
	// 5: the correlator's open messages as rows (the JSON of a Message),
	// for a state stored by changes (tail): a commit writes only the ones
	// that changed, and correlator_state then holds the rest of the state.
	// unwritten: changed since last written to messages.
	`CREATE TABLE open_messages (
		host      TEXT    NOT NULL,
		queue_id  TEXT    NOT NULL,
		message   TEXT    NOT NULL,
		unwritten INTEGER NOT NULL,
		PRIMARY KEY (host, queue_id)
	) WITHOUT ROWID;`,
	// 6: the systemd journal as a source. It has no bytes to fingerprint:
	// a journal source is one set of units (path "journal:UNIT,...",
	// fingerprint "journal", fingerprint_len 0, so that no file ever
	// matches it), and its "offset" is the cursor of the last entry
	// stored, committed with the facts, passed to journalctl
	// --after-cursor by the next run.
	`ALTER TABLE sources ADD COLUMN cursor TEXT NOT NULL DEFAULT '';`,
	// 7: TLS truth (schema_tls.sql): the tls= field, TLSRPT result, key exchange and server
	// signature of each attempt; the key exchange of inbound sessions.
	schemaTLSPolicy,
	// 8: the RFC 8460 TLS reports pftls tlsrpt --send delivered, one row
	// per policy domain, UTC day and destination (a mailto: or https:
	// URI), so that a report is never sent twice (tlsrpt.go).
	`CREATE TABLE sent_reports (
		policy_domain TEXT    NOT NULL,
		day           TEXT    NOT NULL,
		destination   TEXT    NOT NULL,
		report_id     TEXT    NOT NULL,
		sent          INTEGER NOT NULL,
		PRIMARY KEY (policy_domain, day, destination)
	) WITHOUT ROWID;`,
	// 9: the time connected of the ordinary sessions counted per minute,
	// by client host/domain, for pflogsumm's smtpd statistics
	// (smtpd_stats.go).
	schemaSMTPDTime,
	// 10: open state bounded.
	// Every pump with a store keeps open messages as rows (by changes);
	// spilled: out of the correlator's memory (spill.go), found by key
	// when a line names it, and aged out by last_seen (Unix ns). The MX
	// hosts the state encoded whole with every commit are rows too, written
	// when they change and dropped least recently used first.
	`ALTER TABLE open_messages ADD COLUMN spilled INTEGER NOT NULL DEFAULT 0;
	 ALTER TABLE open_messages ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
	 CREATE INDEX open_messages_spilled ON open_messages(last_seen) WHERE spilled = 1;
	 CREATE TABLE mx_hosts (
		host      TEXT    NOT NULL,
		mx_host   TEXT    NOT NULL,
		domain    TEXT    NOT NULL,
		last_used INTEGER NOT NULL,
		PRIMARY KEY (host, mx_host)
	 ) WITHOUT ROWID;`,
	// 11: hourly rollups of the plain deliveries, filled from the attempts
	// stored so far, and the indexes a report reads the rest through
	// (rollup.go).
	schemaRollups,
	// 12: the compact encoding (dict.go): repeated texts of attempts, TLS
	// failures, rejects and warnings through a dictionary, delays in
	// hundredths of a second; the rows stored so far are rewritten so.
	schemaCompact,
	// 13: messages read by what a report needs of them (read.go).
	schemaMessagesEnded,
	// 14: lines counted by the minute.
	schemaLineMinutes,
	// 15: the stamp of each source's newest line read, and the logs
	// rotated away before pftls read their end (gaps.go).
	schemaGaps,
}

// schemaMessagesEnded is schema step 13. A report reads the messages
// received in its window through the primary key (start first) and, of
// those begun before the window, only the ones that expired or were
// deleted (read.go). The index of every message's last_seen, rewritten by
// each update of a message, gives way to one of just those.
const schemaMessagesEnded = `DROP INDEX IF EXISTS messages_last_seen;
	CREATE INDEX messages_ended ON messages(last_seen) WHERE expired != 0 OR deleted != 0;`

// schemaLineMinutes is schema step 14. Lines were counted by the hour,
// so a window of half an hour after the log had stopped still counted
// the lines of the hour's first minutes, and a report said "all clear"
// of a window with no line in it. They are counted by the minute now;
// the hours counted before stay one row each, of span 60 (LineCount).
// The primary key begins with the minute: a report reads a range of
// minutes of every host.
const schemaLineMinutes = `CREATE TABLE line_counts_by_minute (
		minute INTEGER NOT NULL,
		host   TEXT    NOT NULL,
		kind   TEXT    NOT NULL,
		span   INTEGER NOT NULL,
		count  INTEGER NOT NULL,
		PRIMARY KEY (minute, host, kind)
	) WITHOUT ROWID;
	INSERT INTO line_counts_by_minute (minute, host, kind, span, count) SELECT hour * 60, host, kind, 60, count FROM line_counts;
	DROP TABLE line_counts;
	ALTER TABLE line_counts_by_minute RENAME TO line_counts;`

// compactStep is the schema version from which the fact tables are
// written in the compact encoding (dict.go).
const compactStep = 12

// SchemaVersion is the schema version this binary writes.
var SchemaVersion = len(migrations)

// Memory is the path that keeps the database in memory only.
const Memory = ":memory:"

// ErrNewerSchema means the database was written by a newer pftls.
var ErrNewerSchema = errors.New("database schema is newer than this pftls")

// MoveAside renames a database and its WAL and shared-memory files to
// path.broken-TIMESTAMP*, so that a new one can be built in its place and
// nothing of the old one is lost. It returns the new name.
//
// The name is stamped to the nanosecond, and a name already taken (by a
// retry in the same instant, or a clock set back) gets a counter: a kept
// database is never overwritten. Callers hold the write lock.
func MoveAside(path string, now time.Time) (string, error) {
	base := path + ".broken-" + now.UTC().Format("20060102T150405.000000000Z")
	aside := base
	for n := 2; taken(aside); n++ {
		aside = fmt.Sprintf("%s-%d", base, n)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(path+suffix, aside+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("move %s aside: %w", path+suffix, err)
		}
	}
	return aside, nil
}

// taken says whether any file of a database kept aside at name exists.
func taken(name string) bool {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if _, err := os.Lstat(name + suffix); !errors.Is(err, os.ErrNotExist) {
			return true
		}
	}
	return false
}

// Store is the SQLite database of facts. It owns the schema, the
// transactions and the source offsets; no SQL lives outside this package.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
	ledger   bool          // opened with OpenOptions.Ledger
	ckpt     *checkpointer // nil for read-only and in-memory stores
	lock     *writeLock    // held from Open to Close by a store opened for writing (lock.go)
	aside    string        // where Rebuild moved the old database
	spill    *storeSpill   // the open messages out of the correlator's memory (spill_store.go)
	dict     *dictionary   // the texts of dictionary columns (dict.go)
	dictDB   *sql.DB       // the ledger's read-only handle for loading dict, nil for other stores
}

// OpenOptions choose how the store is opened.
type OpenOptions struct {
	ReadOnly bool // report: never write, never create
	// Ledger opens an existing, current database to write only its own
	// records of what was sent (tlsrpt --send: sent_reports), which no
	// ingest or tail touches: without the one-writer lock, so that it runs
	// beside pftls tail, and never creating or migrating the schema.
	Ledger      bool
	BusyTimeout time.Duration // how long to wait for a writer's lock (default 10s)
	// A store opened for writing holds the one-writer lock next to the
	// database until Close (lock.go): LockWait is how long Open waits for
	// another writer to finish (0: not at all).
	LockWait time.Duration
	// Rebuild moves the database aside (see MoveAside, stamped with Now)
	// under the lock and builds a new one; MovedAside says where it went.
	Rebuild bool
	Now     func() time.Time
	// Check runs PRAGMA quick_check before a writer writes (ingest
	// --check); it also runs, whatever Check says, when the last writer
	// did not close the database (killed, crashed, power lost). A
	// database that fails it is not written to: ErrDamaged.
	Check bool
	// Follows is the file this writer follows and stores as it is
	// written (pftls tail), named in the lock file for CurrentWriter.
	Follows string
}

// ErrDamaged means the database failed its integrity check: pftls does not
// write into it; it can be rebuilt from the logs (ingest --rebuild).
var ErrDamaged = errors.New("the database is damaged")

// Open opens (and, unless read-only, creates and migrates) the database at
// path. A new file is created mode 0600 in a 0700 directory: logs hold
// e-mail addresses.
func Open(ctx context.Context, path string, opts OpenOptions) (_ *Store, err error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	mem := path == Memory
	var lock *writeLock
	var aside string
	if !mem && !opts.ReadOnly && !opts.Ledger {
		if lock, aside, err = lockAndPrepare(ctx, path, opts); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				lock.release()
			}
		}()
		if err := createPrivate(path); err != nil {
			return nil, err
		}
	}
	if !mem && (opts.ReadOnly || opts.Ledger) {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open database %s: %w (run 'pftls ingest' first)", path, err)
		}
		// Nothing but pftls's own database is read as one: a mail log given
		// to --db must not be called a damaged database to rebuild.
		if _, err := identifyDatabase(ctx, path); err != nil {
			return nil, err
		}
	}
	dsn := "file:" + escapeDSNPath(path) + "?_busy_timeout=" + fmt.Sprint(opts.BusyTimeout.Milliseconds()) + "&_txlock=immediate"
	if mem {
		dsn = "file::memory:?_txlock=immediate"
	} else if opts.ReadOnly {
		dsn += "&mode=ro" // a reader never changes the journal mode or the schema
	} else {
		dsn += "&_synchronous=NORMAL"
	}
	if err := registerFunctions(); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if mem || !opts.ReadOnly {
		// Every connection to :memory: is its own database; a writer needs
		// one connection, whose tuning pragmas below then always apply.
		db.SetMaxOpenConns(1)
	}
	s := &Store{db: db, path: path, readOnly: opts.ReadOnly, ledger: opts.Ledger && !opts.ReadOnly, lock: lock, aside: aside}
	if s.ledger && !mem {
		// The ledger's one connection is held by its scan: the ids a
		// writer adds meanwhile are loaded through a read-only handle of
		// their own. Ids are only ever appended, so the newer dictionary
		// it reads serves the scan's older snapshot.
		ro, oerr := sql.Open("sqlite3", "file:"+escapeDSNPath(path)+"?_busy_timeout="+fmt.Sprint(opts.BusyTimeout.Milliseconds())+"&mode=ro")
		if oerr != nil {
			db.Close()
			return nil, fmt.Errorf("open database %s: %w", path, oerr)
		}
		s.dictDB = ro
		defer func() {
			if err != nil {
				ro.Close()
			}
		}()
	}
	s.dict = newDictionary(cmp.Or(s.dictDB, db))
	if lock != nil && aside == "" && (opts.Check || lock.unclean) {
		if err := s.quickCheck(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := s.init(ctx, mem); err != nil {
		db.Close()
		return nil, err
	}
	if !s.readOnly && !s.ledger {
		if err := s.dict.loadWriter(ctx, db); err != nil {
			db.Close()
			return nil, s.wrapOpenErr("open", err)
		}
	}
	if lock != nil {
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		if err := lock.markOpen(now(), opts.Follows); err != nil {
			db.Close()
			return nil, err
		}
	}
	if !mem && !opts.ReadOnly && !s.ledger {
		ck, err := sql.Open("sqlite3", dsn)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open database %s for checkpoints: %w", path, err)
		}
		ck.SetMaxOpenConns(1)
		s.ckpt = startCheckpointer(ck, path)
	}
	return s, nil
}

// escapeDSNPath escapes the characters that end or change a path in
// SQLite's file: URI ('%', '?', '#'): "/dir/mail#1/pftls.db" must not open
// "/dir/mail".
func escapeDSNPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// createPrivate makes sure the database file exists with mode 0600 (and its
// directory with 0700) before SQLite opens it.
func createPrivate(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil
		}
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return f.Close()
}

func (s *Store) init(ctx context.Context, mem bool) error {
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.wrapOpenErr("read schema version", err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("%s: %w (version %d, this binary knows %d): upgrade pftls", s.path, ErrNewerSchema, version, SchemaVersion)
	}
	if !mem && !s.readOnly && !s.ledger {
		if version == 0 {
			if _, err := s.db.ExecContext(ctx, "PRAGMA page_size = 16384"); err != nil {
				return s.wrapOpenErr("set page size", err)
			}
		}
		// pftls's mark, set before WAL mode so that it is in the file's
		// header from the first write on (identify.go); a database of an
		// older pftls gets it now.
		var appID int64
		if err := s.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
			return s.wrapOpenErr("read application id", err)
		}
		if appID != ApplicationID {
			if _, err := s.db.ExecContext(ctx, setApplicationID); err != nil {
				return s.wrapOpenErr("set application id", err)
			}
		}
		var mode string
		if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			return s.wrapOpenErr("read journal mode", err)
		}
		if !strings.EqualFold(mode, "wal") {
			return fmt.Errorf("%s: journal mode is %q, want wal (is the file system local?)", s.path, mode)
		}
	}
	if !s.readOnly && !s.ledger {
		// Bulk ingest: a bigger page cache (16 MiB) for the index updates.
		// WAL checkpoints run in the background (checkpoint.go); the
		// writer's own are a backstop at writerAutoCheckpoint pages.
		for _, pragma := range []string{"PRAGMA cache_size = -16384", writerAutoCheckpoint, "PRAGMA temp_store = MEMORY"} {
			if _, err := s.db.ExecContext(ctx, pragma); err != nil {
				return s.wrapOpenErr(pragma, err)
			}
		}
	}
	if version == SchemaVersion {
		return nil
	}
	if s.readOnly || s.ledger {
		if version == 0 {
			return fmt.Errorf("%s: not a pftls database, or empty (run 'pftls ingest' first)", s.path)
		}
		return fmt.Errorf("%s: schema version %d is older than %d: run 'pftls ingest' once to upgrade it", s.path, version, SchemaVersion)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrapOpenErr("begin migration", err)
	}
	defer tx.Rollback()
	for i := version; i < SchemaVersion; i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("%s: apply schema step %d: %w", s.path, i+1, err)
		}
	}
	// PRAGMA takes no parameters; the value is a compile-time integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion)); err != nil {
		return fmt.Errorf("%s: set schema version: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit migration: %w", s.path, err)
	}
	if version > 0 && version < compactStep && !mem {
		// Step 12 rewrote the fact tables beside the old ones: the file
		// kept their pages as free ones (the 7-day database: 1265 MB,
		// 597 of them free). VACUUM gives them back (5 s there), through
		// a temporary file: in memory its copy of the database took
		// 816 MB of RSS, through a file 258 MB.
		return s.withTempFiles(ctx, func() error {
			if _, err := s.db.ExecContext(ctx, "VACUUM"); err != nil {
				return s.wrapOpenErr("vacuum after schema step 12", err)
			}
			return nil
		})
	}
	return nil
}

// withTempFiles runs f with SQLite's temporary tables and indexes in
// files instead of memory (temp_store), for the statements that build big
// ones: VACUUM's copy of the database, the rows a large DELETE collects.
// A store that writes has one connection, so the setting holds for f's
// statements; it is set back to what it was.
func (s *Store) withTempFiles(ctx context.Context, f func() error) error {
	if s.readOnly {
		return fmt.Errorf("%s: opened read-only", s.path)
	}
	var was int
	if err := s.db.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&was); err != nil {
		return s.wrapOpenErr("read temp_store", err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return s.wrapOpenErr("PRAGMA temp_store = FILE", err)
	}
	err := f()
	restore := "PRAGMA temp_store = MEMORY" // was 2; PRAGMA takes no parameters
	switch was {
	case 0:
		restore = "PRAGMA temp_store = DEFAULT"
	case 1:
		restore = "PRAGMA temp_store = FILE"
	}
	if _, rerr := s.db.ExecContext(ctx, restore); rerr != nil && err == nil {
		err = s.wrapOpenErr("restore temp_store", rerr)
	}
	return err
}

// wrapOpenErr explains the errors a damaged or foreign file gives; every
// read and write step reports through it.
func (s *Store) wrapOpenErr(step string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return fmt.Errorf("%s: %s: %w: the database is damaged; rebuild it from the logs still present with 'pftls ingest --rebuild --db %s FILE...' (the damaged file is kept aside)", s.path, step, err, s.path)
	}
	if hint := readOnlyHint(s.path, err); hint != "" {
		return fmt.Errorf("%s: %s: %w: %s", s.path, step, err, hint)
	}
	return fmt.Errorf("%s: %s: %w", s.path, step, err)
}

// quickCheck runs PRAGMA quick_check (b-tree structure, page and record
// format; not the values in rows, which SQLite keeps no checksum of).
func (s *Store) quickCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check(20)")
	if err != nil {
		return s.damaged(err.Error())
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.damaged(err.Error())
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.damaged(err.Error())
	}
	if len(problems) > 0 {
		return s.damaged(strings.Join(problems, "; "))
	}
	return nil
}

// damaged is ErrDamaged for this store, with what the check said and
// what to do.
func (s *Store) damaged(what string) error {
	return fmt.Errorf("%s: %w: integrity check failed (%s); nothing was written to it: rebuild it from the logs still present with 'pftls ingest --rebuild --db %s FILE...' (the damaged file is kept aside)", s.path, ErrDamaged, what, s.path)
}

// Close closes the database and gives up the write lock.
func (s *Store) Close() error {
	var cerr error
	if s.ckpt != nil {
		cerr = s.ckpt.close()
	}
	if s.spill != nil {
		cerr = errors.Join(cerr, s.spill.close())
	}
	if s.dictDB != nil {
		cerr = errors.Join(cerr, s.dictDB.Close())
	}
	dberr := s.db.Close()
	err := errors.Join(cerr, dberr)
	if dberr == nil && s.lock != nil {
		err = errors.Join(err, s.lock.markClosed())
	}
	s.lock.release()
	if !s.readOnly {
		// What SQLite freed stays in glibc's per-thread arenas, where
		// what comes next (a report's reads, after its ingest of FILE
		// arguments) does not reuse it: 18 MB of RSS at 10M lines.
		releaseCMemory()
	}
	return err
}

// MovedAside is the name Open with Rebuild moved the old database to
// (its files, those that existed); "" without Rebuild.
func (s *Store) MovedAside() string { return s.aside }

// Path is the database's path.
func (s *Store) Path() string { return s.path }

// LoadState returns the stored correlator state, or nil when there is none.
func (s *Store) LoadState(ctx context.Context) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, "SELECT state FROM correlator_state WHERE id = 1").Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load correlator state: %w", err)
	}
	return b, nil
}

// loadOpenMessages returns the open messages of a state stored by changes
// that were in the correlator's memory (not spilled).
func (s *Store) loadOpenMessages(ctx context.Context) ([]openMessage, error) {
	var out []openMessage
	err := eachRow(ctx, s.db, "SELECT message, unwritten FROM open_messages WHERE spilled = 0", nil, func(rows *sql.Rows) error {
		var js []byte
		var om openMessage
		if err := rows.Scan(&js, &om.Unwritten); err != nil {
			return err
		}
		if err := json.Unmarshal(js, &om.Message); err != nil {
			return err
		}
		out = append(out, om)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load open messages: %w", err)
	}
	return out, nil
}

// Prune deletes facts, counters and rollups older than before and reports
// how many rows went.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	return s.PruneFacts(ctx, before, before)
}

// PruneFacts deletes the facts older than factsBefore (the rows reports
// read for explain, evidence and the sections rollups do not hold) and the
// counters and rollups older than rollupsBefore (zero: none), and reports
// how many rows went. The store remembers the earliest fact it still holds
// (PrunedBefore), so that a report over an older window says what it
// lacks.
func (s *Store) PruneFacts(ctx context.Context, factsBefore, rollupsBefore time.Time) (n int64, err error) {
	// A DELETE collects the rows it deletes first: in memory, a day of
	// the 7-day database of 1M lines a day (1.5M rows) took 250 MB of
	// RSS, through a file 21 MB.
	err = s.withTempFiles(ctx, func() error {
		n, err = s.pruneFacts(ctx, factsBefore, rollupsBefore)
		return err
	})
	return n, err
}

func (s *Store) pruneFacts(ctx context.Context, factsBefore, rollupsBefore time.Time) (int64, error) {
	cut := factsBefore.UnixNano()
	rcut := int64(math.MinInt64)
	if !rollupsBefore.IsZero() {
		rcut = rollupsBefore.UnixNano()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("prune: begin: %w", err)
	}
	defer tx.Rollback()
	var total int64
	// Facts are cut at their time; counters and rollups by their hour or
	// minute.
	hour, minute := floorUnits(rcut, time.Hour), floorUnits(rcut, time.Minute)
	for _, d := range []struct {
		q   string
		arg int64
	}{
		{"DELETE FROM attempts WHERE time < ?", cut},
		{"DELETE FROM tls_failures WHERE time < ?", cut},
		{"DELETE FROM sessions WHERE start < ?", cut},
		{"DELETE FROM rejects WHERE time < ?", cut},
		{"DELETE FROM warnings WHERE time < ?", cut},
		{"DELETE FROM unparsed WHERE time < ?", cut},
		// start <= last_seen: a range of the primary key.
		{"DELETE FROM messages WHERE start < ?1 AND last_seen < ?1 AND (removed = 1 OR expired = 1)", cut},
		{"DELETE FROM line_counts WHERE minute < ?1 AND minute + span <= ?1", minute},
		{"DELETE FROM session_counts WHERE minute < ?", minute},
		{"DELETE FROM rollup_delivered WHERE hour < ?", hour},
		{"DELETE FROM rollup_recipients WHERE hour < ?", hour},
		{"DELETE FROM rollup_last_good WHERE hour < ?", hour},
		// A gap found before the counts' cut: nothing of its time is left
		// to be short of its lines.
		{"DELETE FROM log_gaps WHERE found < ?", rcut},
	} {
		q, arg := d.q, d.arg
		res, err := tx.ExecContext(ctx, q, arg)
		if err != nil {
			return 0, fmt.Errorf("prune: %s: %w", q, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	const mark = `INSERT INTO facts_pruned (id, before, rollups_before) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET before = max(before, excluded.before), rollups_before = max(rollups_before, excluded.rollups_before)`
	if _, err := tx.ExecContext(ctx, mark, cut, rcut); err != nil {
		return 0, fmt.Errorf("prune: record the cut: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("prune: commit: %w", err)
	}
	return total, nil
}

// FactsPruned reports whether a window that starts at from (zero:
// unbounded) reaches before cut, the time before which prune deleted the
// facts (zero: never; PrunedBefore).
func FactsPruned(from, cut time.Time) bool {
	return !cut.IsZero() && (from.IsZero() || from.Before(cut))
}

// PrunedBefore is the time before which prune deleted the facts, and the
// time before which it deleted the counters and rollups too (each zero
// when it never did): a report over a window that starts before the first
// has the rollups of those hours, not their facts, and one that starts
// before the second has neither.
func (s *Store) PrunedBefore(ctx context.Context) (facts, rollups time.Time, err error) {
	var f, r int64
	err = s.db.QueryRowContext(ctx, "SELECT before, rollups_before FROM facts_pruned WHERE id = 1").Scan(&f, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, time.Time{}, s.wrapOpenErr("read the pruned facts' cut", err)
	}
	if r != math.MinInt64 {
		rollups = fromNanos(r)
	}
	return fromNanos(f), rollups, nil
}

// SourcesAt returns the sources read from path (under that name), the
// one read last first, at most limit of them.
func (s *Store) SourcesAt(ctx context.Context, path string, limit int) ([]Source, error) {
	return s.sources(ctx, path, `SELECT id, path, dev, inode, fingerprint, fingerprint_len, compression, offset, lines, cursor,
		last_line, last_ingest FROM sources WHERE path = ? ORDER BY last_ingest DESC, id DESC LIMIT ?`, path, limit)
}

// SourcesIn returns the source read last from each of paths (under that
// name) that has one, by path, in one query.
func (s *Store) SourcesIn(ctx context.Context, paths []string) (map[string]Source, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(paths)
	if err != nil {
		return nil, err
	}
	srcs, err := s.sources(ctx, "rotated copies", `SELECT id, path, dev, inode, fingerprint, fingerprint_len, compression, offset, lines, cursor,
		last_line, last_ingest FROM sources WHERE path IN (SELECT value FROM json_each(?)) ORDER BY last_ingest DESC, id DESC`, string(list))
	if err != nil {
		return nil, err
	}
	byPath := map[string]Source{}
	for _, src := range srcs {
		if _, seen := byPath[src.Path]; !seen {
			byPath[src.Path] = src // the latest first
		}
	}
	return byPath, nil
}

// sources reads the rows of query (the columns SourcesAt selects); path
// says whose sources they are in an error.
func (s *Store) sources(ctx context.Context, path, query string, args ...any) ([]Source, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.wrapOpenErr("find the sources read from "+path, err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		var src Source
		var dev, inode, lastLine, lastIngest int64
		if err := rows.Scan(&src.ID, &src.Path, &dev, &inode, &src.Fingerprint, &src.FingerprintLen, &src.Compression, &src.Offset, &src.Lines, &src.Cursor,
			&lastLine, &lastIngest); err != nil {
			return nil, s.wrapOpenErr("find the sources read from "+path, err)
		}
		src.Dev, src.Inode = uint64(dev), uint64(inode)
		src.LastLine, src.LastIngest = fromNanos(lastLine), fromNanos(lastIngest)
		out = append(out, src)
	}
	return out, rows.Err()
}

// SourceAt returns the source last read from path (under that name), if
// any: what the file at path was when pftls last read it.
func (s *Store) SourceAt(ctx context.Context, path string) (Source, bool, error) {
	srcs, err := s.SourcesAt(ctx, path, 1)
	if err != nil || len(srcs) == 0 {
		return Source{}, false, err
	}
	return srcs[0], true, nil
}
