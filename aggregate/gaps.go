package aggregate

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// A gap is a log pftls read part of and then lost: the log at a path was
// rotated after a run read it, and when pftls next read that path, none
// of the path's rotated copies was that log (deleted, moved elsewhere,
// compressed under a name pftls does not know). The lines written to it
// after the last one pftls read, until the rotation, are nowhere pftls
// can find them. The store remembers each gap (schema step 15), so that
// every report over its time says that lines are missing, however long
// after it was found, until the copy is read after all.

// schemaGaps is schema step 15: the stamp of the newest line read from
// each source (sources.last_line, 0: read before this step), and the gaps
// (log_gaps), one row per source rotated away, keyed by the source.
// last_line and last_read are those of the source when it was found
// gone; found is when (the command's clock, as last_ingest).
const schemaGaps = `ALTER TABLE sources ADD COLUMN last_line INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE log_gaps (
		source_id INTEGER PRIMARY KEY,
		path      TEXT    NOT NULL,
		lines     INTEGER NOT NULL,
		offset    INTEGER NOT NULL,
		last_line INTEGER NOT NULL,
		last_read INTEGER NOT NULL,
		found     INTEGER NOT NULL,
		dev       INTEGER NOT NULL DEFAULT 0,
		inode     INTEGER NOT NULL DEFAULT 0,
		until     INTEGER NOT NULL DEFAULT 0
	);`

// Gap is a log rotated away before pftls read its end: the lines written
// to it after its last line read (After), until the rotation, before
// Found, are missing.
type Gap struct {
	SourceID int64  // the source (Source.ID)
	Path     string // the path it was read from
	Lines    int64  // its lines stored
	Offset   int64  // its bytes read (decompressed)
	// LastLine is the stamp of its newest line read; zero when unknown
	// (read before schema step 15).
	LastLine time.Time
	LastRead time.Time // when pftls last committed its offset
	Found    time.Time // when pftls found it rotated away
	// Dev and Inode are those of a file never read (Unread), so that
	// reading it after all fills the gap (fillGap); 0 where unknown.
	Dev, Inode uint64
	// Until is the first line of the log that took its place at the path,
	// read in the run that found it gone (BoundGap): its lines were
	// written before (give or take untilSlack). Zero: unknown, and Found
	// bounds them.
	Until time.Time
}

// untilSlack is how long after the first line of the log that took its
// place a log rotated away may still have been written to: syslog writes
// to the old file until it reopens its logs.
const untilSlack = 5 * time.Minute

// end is when its missing lines were written by at the latest.
func (g Gap) end() time.Time {
	if !g.Until.IsZero() && g.Until.Add(untilSlack).Before(g.Found) {
		return g.Until.Add(untilSlack)
	}
	return g.Found
}

// After is the time after which its lines are missing: the stamp of its
// last line read or, when that is unknown or later, when pftls last read
// it (nothing written before that run was left unread). Not the stamp
// alone: a host whose clock runs ahead, a wrong --tz or a year guessed
// wrong would put it past every window, and the gap would never be said.
func (g Gap) After() time.Time {
	if !g.LastLine.IsZero() && (g.LastRead.IsZero() || g.LastLine.Before(g.LastRead)) {
		return g.LastLine
	}
	return g.LastRead
}

// Touches says whether its missing lines may fall in [from, to) (zero:
// unbounded): they were written after After, and before Found (or, known
// better, Until).
func (g Gap) Touches(from, to time.Time) bool {
	return (from.IsZero() || g.end().After(from)) && (to.IsZero() || g.After().Before(to))
}

// BoundGap sets the Until of the gap of source id, once: the first line
// of the log read at its path in the run that found it rotated away.
func (s *Store) BoundGap(ctx context.Context, id int64, until time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE log_gaps SET until = ?2 WHERE source_id = ?1 AND until = 0`, id, nanos(until)); err != nil {
		return s.wrapOpenErr("bound the gap of a log rotated away", err)
	}
	return nil
}

// RotatedAwayError is ErrRotatedAway with the gap the lost log leaves.
type RotatedAwayError struct{ Gap Gap }

func (e *RotatedAwayError) Error() string {
	g := e.Gap
	last := ""
	if !g.LastLine.IsZero() {
		last = ", the last of " + g.LastLine.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("%s: %v (%d lines of it were stored, up to byte %d%s; look for it beside %s)",
		g.Path, ErrRotatedAway, g.Lines, g.Offset, last, g.Path)
}

// Unwrap makes errors.Is(err, ErrRotatedAway) hold.
func (e *RotatedAwayError) Unwrap() error { return ErrRotatedAway }

// RecordGap remembers g, once per source: found again (a run before the
// new log at its path could be stored), the gap keeps what it was.
func (s *Store) RecordGap(ctx context.Context, g Gap) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO log_gaps (source_id, path, lines, offset, last_line, last_read, found)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id) DO NOTHING`,
		g.SourceID, g.Path, g.Lines, g.Offset, nanos(g.LastLine), nanos(g.LastRead), nanos(g.Found))
	if err != nil {
		return s.wrapOpenErr("record the lines lost of "+g.Path, err)
	}
	return nil
}

// RecordMissed remembers the gap of a file tail found at a path, could not
// read, and saw rotated away unread (source.MissedError): it has no
// source, since none of it was read, so its gap is keyed by a negative
// SourceID of its own (Gap.Unread), and the file by g.Dev and g.Inode: a
// run that reads that file after all fills it (fillGap); prune forgets
// it as any gap. g.Lines and g.Offset are 0. It returns the id given.
func (s *Store) RecordMissed(ctx context.Context, g Gap) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO log_gaps (source_id, path, lines, offset, last_line, last_read, found, dev, inode)
		SELECT min(0, coalesce(min(source_id), 0)) - 1, ?, 0, 0, ?, ?, ?, ?, ? FROM log_gaps RETURNING source_id`,
		g.Path, nanos(g.LastLine), nanos(g.LastRead), nanos(g.Found), int64(g.Dev), int64(g.Inode)).Scan(&id)
	if err != nil {
		return 0, s.wrapOpenErr("record the lines lost of a file of "+g.Path+" rotated away unread", err)
	}
	return id, nil
}

// Unread says whether the gap is a whole file that was never read
// (RecordMissed) rather than the end of one.
func (g Gap) Unread() bool { return g.SourceID < 0 }

// Gaps returns the gaps whose missing lines may fall in [from, to) (zero:
// unbounded; Gap.Touches), the earliest found first. There are few: one
// per log lost, forgotten by prune.
func (s *Store) Gaps(ctx context.Context, from, to time.Time) ([]Gap, error) {
	var out []Gap
	err := eachRow(ctx, s.db, `SELECT source_id, path, lines, offset, last_line, last_read, found, until FROM log_gaps
		ORDER BY found, path`, nil, func(rows *sql.Rows) error {
		var g Gap
		var last, read, found, until int64
		if err := rows.Scan(&g.SourceID, &g.Path, &g.Lines, &g.Offset, &last, &read, &found, &until); err != nil {
			return err
		}
		g.LastLine, g.LastRead, g.Found, g.Until = fromNanos(last), fromNanos(read), fromNanos(found), fromNanos(until)
		if g.Touches(from, to) {
			out = append(out, g)
		}
		return nil
	})
	if err != nil {
		return nil, s.wrapOpenErr("read the logs rotated away", err)
	}
	return out, nil
}

// fillGap forgets the gap of the source id once a run has read lines of
// it, past where the gap began, to its end: its rotated copy was found
// after all (pftls ingest /elsewhere/mail.log.1), and no line of it is
// missing. (A copy with no line past what was read may be one made
// before the last lines were written: it fills nothing.)
//
// A file never read (RecordMissed) is the file of its device and inode
// whose first line is older than the gap's find: a newer file that took
// the inode of the one deleted is not it.
func (s *Store) fillGap(ctx context.Context, id int64, dev, inode uint64, first time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM log_gaps WHERE source_id = ?1
		OR source_id < 0 AND inode != 0 AND dev = ?2 AND inode = ?3 AND ?4 < found`, id, int64(dev), int64(inode), nanos(first)); err != nil {
		return s.wrapOpenErr("forget the gap of a log read to its end", err)
	}
	return nil
}
