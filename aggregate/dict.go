package aggregate

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"sync/atomic"
)

// The compact encoding of the fact tables (schema step 12).
//
// Most of a fact row's bytes were texts repeated on row after row: the
// reason of a deferral ("delivery temporarily suspended: Server
// certificate not verified", half a million times in a week's log), its
// class, the relay, the DSN, the TLS cipher; a reject's reply. A column
// that holds such texts ("a dictionary column", dictCol) stores either the
// text itself or, for a text the writer has seen before, an integer: the
// id of its row in the dictionary table, which holds each text once. Such
// a column has no declared type (BLOB affinity), so that SQLite keeps an
// integer an integer and a text a text ("550" stays text; under TEXT
// affinity the id would become text, under NUMERIC the text a number).
//
// Delays are stored as integer hundredths of a second when that is exact
// (Postfix writes them with delay_logging_resolution_limit decimals, 2 by
// default), and as the float otherwise: float64(n)/100 is the double
// nearest to n/100, which is what strconv.ParseFloat made of the log's
// text, so the value read back is the value parsed, bit for bit.
//
// Only columns that no query filters, groups or joins on are encoded: the
// SQL conditions (status, tls_failure, tls_trust, tls_policy, forwarded,
// domain, host, recipient, time) see the texts as before.

// dictLimit bounds the dictionary: the writer's maps and a reader's copy
// stay a few MB whatever the log holds. Texts seen once are not admitted,
// so one-off texts (a "250 2.0.0 Ok: queued as ..." reply) never fill it.
const dictLimit = 1 << 16

// dictMinLen is the shortest text worth an id: an id of up to 65,536
// takes 1 to 3 bytes, a text of n bytes n.
const dictMinLen = 4

// dictSeenLimit bounds the texts seen once, waiting for a second sighting.
const dictSeenLimit = 1 << 16

// dictionary maps texts to ids (the writer) and ids to texts (writer and
// readers) for the dictionary table. A writer loads it whole when the
// store opens and is its only source of new ids (the one-writer lock); a
// reader loads it when it first meets an id, and again when it meets an
// id added since (a writer still running).
type dictionary struct {
	mu        sync.Mutex
	ids       map[string]int64    // writer: text -> id
	seen      map[uint64]struct{} // writer: hashes of texts seen once, not admitted yet
	seed      maphash.Seed
	texts     atomic.Pointer[[]string]
	committed int     // entries known to be in the database (writer)
	db        *sql.DB // to load from; nil: this writer holds every entry
}

// newDictionary is an empty dictionary. A reader's loads from db when it
// meets an id it does not hold, in the middle of a scan: db is another
// connection than the scan's (a read-only store's pool, or the read-only
// handle of tlsrpt's ledger, whose one connection the scan holds). A
// writer's is loaded whole (loadWriter) and has no db.
func newDictionary(db *sql.DB) *dictionary {
	d := &dictionary{db: db, seed: maphash.MakeSeed()}
	d.texts.Store(&[]string{})
	return d
}

// loadWriter loads the whole dictionary for a writer, which from then on
// assigns the ids and never reads them back.
func (d *dictionary) loadWriter(ctx context.Context, db *sql.DB) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.loadLocked(ctx, db); err != nil {
		return err
	}
	texts := *d.texts.Load()
	d.ids = make(map[string]int64, len(texts))
	for i, t := range texts {
		d.ids[t] = int64(i + 1)
	}
	d.seen = map[uint64]struct{}{}
	d.committed = len(texts)
	d.db = nil
	return nil
}

// loadLocked appends the entries after the ones it holds. Ids are dense
// from 1: a gap means a damaged table.
func (d *dictionary) loadLocked(ctx context.Context, db *sql.DB) error {
	texts := *d.texts.Load()
	err := eachPacked(ctx, db, "SELECT id, text FROM dictionary WHERE id > ? ORDER BY id", []any{len(texts)}, 2, func(vals []value) error {
		id, err := vals[0].int()
		if err != nil {
			return err
		}
		if id != int64(len(texts))+1 {
			return fmt.Errorf("id %d after %d", id, len(texts))
		}
		t, err := vals[1].text()
		texts = append(texts, t)
		return err
	})
	if err != nil {
		return fmt.Errorf("read the dictionary: %w", err)
	}
	d.texts.Store(&texts)
	return nil
}

// text is the text of id.
func (d *dictionary) text(id int64) (string, error) {
	if t := *d.texts.Load(); id >= 1 && id <= int64(len(t)) {
		return t[id-1], nil
	}
	if id < 1 || id > dictLimit || d.db == nil {
		return "", errNotInDictionary(id)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := *d.texts.Load(); id <= int64(len(t)) {
		return t[id-1], nil // loaded meanwhile
	}
	if err := d.loadLocked(context.Background(), d.db); err != nil {
		return "", err
	}
	if t := *d.texts.Load(); id <= int64(len(t)) {
		return t[id-1], nil
	}
	return "", errNotInDictionary(id)
}

// errNotInDictionary is the error for a dictionary column's id that the
// dictionary table does not hold.
func errNotInDictionary(id int64) error {
	return fmt.Errorf("text id %d is not in the dictionary (the database is damaged, or newer than this pftls): rebuild it from the logs with 'pftls ingest --rebuild'", id)
}

// encode returns the id of s, admitting s when this is the second time
// the writer sees it and there is room; 0: store s as it is. The caller
// holds d.mu (Pack).
//
// key is for a column of a table's key, whose rows are upserted and must
// meet their own key again: a text is admitted at its first sight, so
// that it is stored as an id from its first row on, or, when the
// dictionary was full or the text short, as itself in every row.
func (d *dictionary) encode(s string, key bool) int64 {
	if len(s) < dictMinLen {
		return 0
	}
	if id, ok := d.ids[s]; ok {
		return id
	}
	if len(d.ids) >= dictLimit {
		return 0
	}
	if !key && d.firstSight(s) {
		return 0
	}
	return d.admit(s)
}

// firstSight reports whether the writer sees s for the first time, and
// remembers it if so. By hash: no copy of each text seen once. Two texts
// with one hash admit the second at its first sight: a wasted entry,
// nothing worse.
func (d *dictionary) firstSight(s string) bool {
	h := maphash.String(d.seed, s)
	if _, ok := d.seen[h]; !ok {
		if len(d.seen) >= dictSeenLimit {
			clear(d.seen)
		}
		d.seen[h] = struct{}{}
		return true
	}
	delete(d.seen, h)
	return false
}

// admit adds s and returns its id. The caller holds d.mu.
func (d *dictionary) admit(s string) int64 {
	t := strings.Clone(s)
	texts := append(*d.texts.Load(), t) // readers of the old slice never look past its length
	d.texts.Store(&texts)
	id := int64(len(texts))
	d.ids[t] = id
	return id
}

// dictText is how a dictionary column's value is packed: an id or the
// text (key: a column of a table's key, see encode).
func (r *rowBuffer) dictText(s string, key bool) {
	if r.dict != nil {
		if id := r.dict.encode(s, key); id > 0 {
			r.int(id)
			return
		}
	}
	r.text(s)
}

// delay packs a delay as integer hundredths of a second when that reads
// back as the same float (delayDest), else as the float. Step 12's SQL
// (schemaCompact) rewrites older rows by the same rule;
// TestDelaysSurviveTheCompactStep holds the two together.
func (r *rowBuffer) delay(v float64) {
	if r.dict != nil {
		if c, ok := Hundredths(v); ok {
			r.int(c)
			return
		}
	}
	r.float(v)
}

// Hundredths is delay v in whole hundredths of a second, when v is the
// float nearest such a number (as the parser reads Postfix's delays, which
// have at most two decimals unless delay_logging_resolution_limit says
// otherwise): float64(c)/100 is then v, bit for bit.
func Hundredths(v float64) (c int64, ok bool) {
	f := math.Round(v * 100)
	if math.Abs(f) < 1<<53 && f/100 == v {
		return int64(f), true
	}
	return 0, false
}

// dictCol is a text column stored through the dictionary.
func dictCol[T any, S ~string](name string, field func(*T) *S) column[T] {
	return dictColumn(name, field, false)
}

// dictKeyCol is a text column of a table's key stored through the
// dictionary (dictionary.encode with key).
func dictKeyCol[T any, S ~string](name string, field func(*T) *S) column[T] {
	return dictColumn(name, field, true)
}

func dictColumn[T any, S ~string](name string, field func(*T) *S, key bool) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.dictText(string(*field(x)), key) },
		dest: func(x *T, d *dictionary) dest { return dictDest[S]{field(x), d} }}
}

// delayCol is a delay in seconds, stored as rowBuffer.delay packs it.
func delayCol[T any](name string, field func(*T) *float64) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.delay(*field(x)) },
		dest: func(x *T, _ *dictionary) dest { return delayDest{field(x)} }}
}

// dictDest stores a dictionary column: an id is looked up, a text taken
// as it is.
type dictDest[S ~string] struct {
	p *S
	d *dictionary
}

func (d dictDest[S]) set(v *value) error {
	if v.tag != 'i' {
		return textDest[S]{d.p}.set(v)
	}
	t, err := d.d.text(int64(v.bits))
	*d.p = S(t)
	return err
}

// delayDest stores a delay: hundredths of a second, or the float itself.
type delayDest struct{ p *float64 }

func (d delayDest) set(v *value) error {
	if v.tag == 'i' {
		*d.p = float64(int64(v.bits)) / 100
		return nil
	}
	if v.tag != 'f' {
		return fmt.Errorf("holds %s, not a delay", v.kind())
	}
	*d.p = math.Float64frombits(v.bits)
	return nil
}

// packDictionary packs the entries a commit must make sure are stored:
// every one since the last commit known to have succeeded (an entry may
// have been made by a batch packed earlier and not committed yet, or
// whose commit failed). Storing one twice does nothing. The caller holds
// d.mu.
func (p *PackedBatch) packDictionary(d *dictionary) {
	texts := *d.texts.Load()
	from := d.committed
	p.dictTo = len(texts)
	p.each(`INSERT INTO dictionary (id, text) SELECT c0, c1 FROM pftls_rows(?, ?) WHERE true ON CONFLICT (id) DO NOTHING`,
		2, len(texts)-from, func(i int, r *rowBuffer) {
			r.int(int64(from + i + 1))
			r.text(texts[from+i])
		})
}

// committedUpTo records that the first n entries are stored.
func (d *dictionary) committedUpTo(n int) {
	d.mu.Lock()
	d.committed = max(d.committed, n)
	d.mu.Unlock()
}

// schemaCompact is schema step 12: the dictionary, and attempts, TLS
// failures, rejects, warnings and session counts rebuilt with untyped dictionary and delay
// columns, their rows so far rewritten in the compact encoding (the texts
// they repeat most, by bytes saved, become the first entries) and their
// indexes made again. The column names and order stay those of the
// earlier steps, so the statements in columns.go read both.
const schemaCompact = `CREATE TABLE dictionary (
		id   INTEGER PRIMARY KEY,
		text TEXT    NOT NULL
	);
	-- Every text of the session counts' key columns (dictionary.encode with key),
	-- then the texts the other rows stored so far repeat, those that save
	-- the most bytes first.
	INSERT INTO dictionary (text) SELECT v FROM (
			SELECT service AS v FROM session_counts UNION SELECT tls_trust FROM session_counts
			UNION SELECT tls_protocol FROM session_counts UNION SELECT tls_cipher FROM session_counts
			UNION SELECT tls_kex FROM session_counts
		) WHERE length(CAST(v AS BLOB)) >= 4 ORDER BY v LIMIT 65536;
	INSERT INTO dictionary (text) SELECT v FROM (
			SELECT service AS v, COUNT(*) AS n FROM attempts GROUP BY 1
			UNION ALL SELECT relay, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT relay_host, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT relay_addr, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT dsn, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT reason, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT reason_class, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT tls_protocol, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT tls_cipher, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT tls_detail, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT tls_rpt, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT tls_kex, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT tls_server_sig, COUNT(*) FROM attempts GROUP BY 1
			UNION ALL SELECT peer, COUNT(*) FROM tls_failures GROUP BY 1
			UNION ALL SELECT peer_host, COUNT(*) FROM tls_failures GROUP BY 1
			UNION ALL SELECT detail, COUNT(*) FROM tls_failures GROUP BY 1
			UNION ALL SELECT names, COUNT(*) FROM tls_failures GROUP BY 1
			UNION ALL SELECT service, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT action, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT stage, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT client, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT client_name, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT dsn, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT reply, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT reason_class, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT helo, COUNT(*) FROM rejects GROUP BY 1
			UNION ALL SELECT program, COUNT(*) FROM warnings GROUP BY 1
			UNION ALL SELECT text, COUNT(*) FROM warnings GROUP BY 1
			UNION ALL SELECT class, COUNT(*) FROM warnings GROUP BY 1
		) WHERE length(CAST(v AS BLOB)) >= 4 AND v NOT IN (SELECT text FROM dictionary) GROUP BY v HAVING SUM(n) >= 2
		ORDER BY SUM(n) * length(CAST(v AS BLOB)) DESC, v LIMIT max(0, 65536 - (SELECT COUNT(*) FROM dictionary));
	CREATE UNIQUE INDEX dictionary_text ON dictionary(text);
	CREATE TABLE attempts_v12 (
		time           INTEGER NOT NULL,
		host           TEXT    NOT NULL,
		queue_id       TEXT    NOT NULL,
		message_start  INTEGER NOT NULL,
		service                NOT NULL,
		sender         TEXT    NOT NULL,
		size           INTEGER NOT NULL,
		recipient      TEXT    NOT NULL,
		domain         TEXT    NOT NULL,
		orig_to        TEXT    NOT NULL,
		relay                  NOT NULL,
		relay_host             NOT NULL,
		relay_addr             NOT NULL,
		relay_port     INTEGER NOT NULL,
		status         TEXT    NOT NULL,
		dsn                    NOT NULL,
		delay                  NOT NULL,
		delay_before           NOT NULL,
		delay_queue            NOT NULL,
		delay_connect          NOT NULL,
		delay_xmit             NOT NULL,
		reason                 NOT NULL,
		reason_class           NOT NULL,
		forwarded      INTEGER NOT NULL,
		local_hop      INTEGER NOT NULL,
		tls_trust      TEXT    NOT NULL,
		tls_protocol           NOT NULL,
		tls_cipher             NOT NULL,
		tls_failure    TEXT    NOT NULL,
		tls_detail             NOT NULL,
		tls_policy     TEXT    NOT NULL,
		tls_rpt                NOT NULL,
		tls_kex                NOT NULL,
		tls_server_sig         NOT NULL
	);
	-- The delays by rowBuffer.delay's rule: hundredths when they read back
	-- as the same float and fit an integer exactly (|c| < 2^53), else the
	-- float (CAST saturates at 2^63-1).
	INSERT INTO attempts_v12 SELECT time, host, queue_id, message_start,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.service), service), sender, size, recipient, domain,
		orig_to, coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.relay), relay),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.relay_host), relay_host),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.relay_addr), relay_addr), relay_port, status,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.dsn), dsn),
		CASE WHEN abs(round(delay * 100)) < 9007199254740992.0 AND round(delay * 100) / 100 = delay THEN CAST(round(delay * 100) AS INTEGER) ELSE delay END,
		CASE WHEN abs(round(delay_before * 100)) < 9007199254740992.0 AND round(delay_before * 100) / 100 = delay_before THEN CAST(round(delay_before * 100) AS INTEGER) ELSE delay_before END,
		CASE WHEN abs(round(delay_queue * 100)) < 9007199254740992.0 AND round(delay_queue * 100) / 100 = delay_queue THEN CAST(round(delay_queue * 100) AS INTEGER) ELSE delay_queue END,
		CASE WHEN abs(round(delay_connect * 100)) < 9007199254740992.0 AND round(delay_connect * 100) / 100 = delay_connect THEN CAST(round(delay_connect * 100) AS INTEGER) ELSE delay_connect END,
		CASE WHEN abs(round(delay_xmit * 100)) < 9007199254740992.0 AND round(delay_xmit * 100) / 100 = delay_xmit THEN CAST(round(delay_xmit * 100) AS INTEGER) ELSE delay_xmit END,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.reason), reason),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.reason_class), reason_class), forwarded, local_hop,
		tls_trust, coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.tls_protocol), tls_protocol),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.tls_cipher), tls_cipher), tls_failure,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.tls_detail), tls_detail), tls_policy,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.tls_rpt), tls_rpt),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.tls_kex), tls_kex),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = attempts.tls_server_sig), tls_server_sig)
		FROM attempts;
	DROP TABLE attempts;
	ALTER TABLE attempts_v12 RENAME TO attempts;
	CREATE INDEX attempts_time ON attempts(time);
	CREATE INDEX attempts_problems ON attempts(time) WHERE (status != 'sent' OR forwarded != 0 OR tls_failure != '');
	CREATE INDEX attempts_delivered_message ON attempts(message_start, recipient COLLATE NOCASE)
		WHERE status = 'sent' AND forwarded = 0 AND tls_failure = '';
	CREATE INDEX attempts_delivered_foldable ON attempts(message_start)
		WHERE status = 'sent' AND forwarded = 0 AND tls_failure = ''
		AND (instr(recipient, char(8490)) > 0 OR instr(recipient, char(304)) > 0);
	CREATE TABLE tls_failures_v12 (
		time      INTEGER NOT NULL,
		host      TEXT    NOT NULL,
		direction TEXT    NOT NULL,
		peer              NOT NULL,
		peer_host         NOT NULL,
		peer_addr TEXT    NOT NULL,
		domain    TEXT    NOT NULL,
		queue_id  TEXT    NOT NULL,
		recipient TEXT    NOT NULL,
		kind      TEXT    NOT NULL,
		rfc8460   TEXT    NOT NULL,
		detail            NOT NULL,
		deferred  INTEGER NOT NULL,
		status    TEXT    NOT NULL,
		names             NOT NULL,
		evidence  TEXT    NOT NULL
	);
	INSERT INTO tls_failures_v12 SELECT time, host, direction,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = tls_failures.peer), peer),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = tls_failures.peer_host), peer_host), peer_addr, domain,
		queue_id, recipient, kind, rfc8460,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = tls_failures.detail), detail), deferred, status,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = tls_failures.names), names), evidence
		FROM tls_failures;
	DROP TABLE tls_failures;
	ALTER TABLE tls_failures_v12 RENAME TO tls_failures;
	CREATE INDEX tls_failures_time ON tls_failures(time);
	CREATE INDEX tls_failures_domain ON tls_failures(domain, time);
	CREATE TABLE rejects_v12 (
		time         INTEGER NOT NULL,
		host         TEXT    NOT NULL,
		service              NOT NULL,
		queue_id     TEXT    NOT NULL,
		action               NOT NULL,
		stage                NOT NULL,
		client               NOT NULL,
		client_name          NOT NULL,
		client_ip    TEXT    NOT NULL,
		code         INTEGER NOT NULL,
		dsn                  NOT NULL,
		reply                NOT NULL,
		reason_class         NOT NULL,
		sender       TEXT    NOT NULL,
		recipient    TEXT    NOT NULL,
		helo                 NOT NULL
	);
	INSERT INTO rejects_v12 SELECT time, host,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.service), service), queue_id,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.action), action),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.stage), stage),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.client), client),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.client_name), client_name), client_ip, code,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.dsn), dsn),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.reply), reply),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.reason_class), reason_class), sender, recipient,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = rejects.helo), helo)
		FROM rejects;
	DROP TABLE rejects;
	ALTER TABLE rejects_v12 RENAME TO rejects;
	CREATE INDEX rejects_time ON rejects(time);
	CREATE TABLE warnings_v12 (
		time     INTEGER NOT NULL,
		host     TEXT    NOT NULL,
		program          NOT NULL,
		severity TEXT    NOT NULL,
		text             NOT NULL,
		class            NOT NULL
	);
	INSERT INTO warnings_v12 SELECT time, host,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = warnings.program), program), severity,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = warnings.text), text),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = warnings.class), class)
		FROM warnings;
	DROP TABLE warnings;
	ALTER TABLE warnings_v12 RENAME TO warnings;
	CREATE INDEX warnings_time ON warnings(time);
	CREATE TABLE session_counts_v12 (
		minute        INTEGER NOT NULL,
		host          TEXT    NOT NULL,
		service               NOT NULL,
		tls_trust             NOT NULL,
		tls_protocol          NOT NULL,
		tls_cipher            NOT NULL,
		tls_kex               NOT NULL,
		client_domain TEXT    NOT NULL,
		sessions      INTEGER NOT NULL,
		first         INTEGER NOT NULL,
		last          INTEGER NOT NULL,
		connect_secs  INTEGER NOT NULL,
		max_secs      INTEGER NOT NULL,
		PRIMARY KEY (minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex, client_domain)
	) WITHOUT ROWID;
	INSERT INTO session_counts_v12 SELECT minute, host,
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = session_counts.service), service),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = session_counts.tls_trust), tls_trust),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = session_counts.tls_protocol), tls_protocol),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = session_counts.tls_cipher), tls_cipher),
		coalesce((SELECT id FROM dictionary AS d WHERE d.text = session_counts.tls_kex), tls_kex),
		client_domain, sessions, first, last, connect_secs, max_secs
		FROM session_counts;
	DROP TABLE session_counts;
	ALTER TABLE session_counts_v12 RENAME TO session_counts;
	DROP INDEX dictionary_text;`
