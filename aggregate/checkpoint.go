package aggregate

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
)

// checkpointEvery is how many bytes of rows the store writes between two
// background checkpoints (about as many bytes of WAL): small enough that
// the WAL and the checkpoint at close stay small, and that the writer's own
// checkpoint (below) finds little to sync. That one stops the writer until
// the WAL and the database file are synced, so its length is what is left
// unsynced: on the 1M-line bench log, every 8 MiB left 140-210 ms of such
// stops per run, every 4 MiB 70-100 ms, every 2 MiB no less.
const checkpointEvery = 4 << 20

// writerAutoCheckpoint sets the writer connection's own checkpoint
// threshold in pages (32 MiB of a new database's 16 KiB pages). A PASSIVE
// checkpoint beside a writer that keeps committing never finds the WAL
// fully copied, and only then can the WAL start over from its beginning;
// the writer's own checkpoint, after the background one has copied most
// frames, finishes the rest so that it can.
const writerAutoCheckpoint = "PRAGMA wal_autocheckpoint = 2048"

// checkpointer copies the WAL into the database file in the background,
// on a connection of its own. When the writer did it itself, its commit
// stopped for the copy and the sync (a tenth of a bulk ingest's time,
// with the parsing goroutines waiting for it); a PASSIVE checkpoint runs
// alongside the writer and never blocks it or a reader.
type checkpointer struct {
	db      *sql.DB
	path    string
	every   int64         // bytes between checkpoints (checkpointEvery)
	pending atomic.Int64  // bytes written since the last request
	poke    chan struct{} // a checkpoint is wanted
	stop    chan struct{}
	wg      sync.WaitGroup
	closed  sync.Once
	err     error // the last checkpoint's failure (nil once one succeeds again); read after run has ended
}

func startCheckpointer(db *sql.DB, path string) *checkpointer {
	c := &checkpointer{db: db, path: path, every: checkpointEvery, poke: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Add(1)
	go c.run()
	return c
}

// wrote counts n bytes written by a commit and asks for a checkpoint
// when enough have been written.
func (c *checkpointer) wrote(n int64) {
	if c.pending.Add(n) < c.every {
		return
	}
	c.pending.Store(0)
	select {
	case c.poke <- struct{}{}:
	default: // one is already wanted
	}
}

func (c *checkpointer) run() {
	defer c.wg.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.poke:
		}
		// PASSIVE copies what no reader still needs, without waiting for
		// anyone; what it leaves is copied the next time or at close. Its
		// result row (busy, frames in the WAL, frames copied) says nothing
		// an ingest needs to act on.
		// A failure (a full disk, say) loses nothing: the rows are in the
		// WAL, and the next checkpoint tries again.
		var busy, logFrames, copied int
		err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		if err != nil {
			err = fmt.Errorf("%s: background checkpoint: %w", c.path, err)
		}
		c.err = err
	}
}

// close stops the checkpointer and its connection, and reports the last
// background checkpoint's failure, if no later one succeeded; closing
// again does nothing more. The store's own connection, closed after it,
// checkpoints what is left.
func (c *checkpointer) close() error {
	var cerr error
	c.closed.Do(func() {
		close(c.stop)
		c.wg.Wait()
		cerr = c.db.Close()
	})
	if c.err != nil { // run has ended: close waited for it
		return c.err
	}
	if cerr != nil {
		return fmt.Errorf("%s: close checkpoint connection: %w", c.path, cerr)
	}
	return nil
}
