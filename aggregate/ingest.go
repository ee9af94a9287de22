package aggregate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// Pump moves lines from sources through the parser and the correlator into
// the store: the one path that both ingest and tail use. It commits every
// CommitLines lines (and at the end), each time with the sources' offsets
// and the correlator's state, so an interrupted run loses nothing and a
// repeated one adds nothing.
type Pump struct {
	Store       *Store
	Corr        *Correlator
	CommitLines int
	// Resolver gives the stamp resolver for a source (year and zone).
	Resolver func(id source.Identity) logparse.Resolver
	// Now is the wall clock, for the sources' bookkeeping only.
	Now func() time.Time
	// OnLine, when set, sees every parsed line (tail's live view).
	OnLine func(l *logparse.Line, t time.Time)
	// OnCommit, when set, is told after each commit.
	OnCommit func(f FileResult)
}

// FileResult says what ingesting one source did.
type FileResult struct {
	Path          string
	Lines         int64 // lines read in this run
	Skipped       bool  // already fully ingested before
	Resumed       int64 // lines already ingested before, skipped now
	Unparsed      int64
	Partial       bool  // an incomplete last line was left for the next run
	BytesRead     int64 // decompressed bytes consumed up to now
	Truncated     int64 // lines cut at the maximum line length
	Elapsed       time.Duration
	Facts         int
	FingerprintOK bool
}

// Restore loads the correlator's stored state.
func (p *Pump) Restore(ctx context.Context) error {
	b, err := p.Store.LoadState(ctx)
	if err != nil || b == nil {
		return err
	}
	return p.Corr.UnmarshalState(b)
}

// IngestReader reads one source to its end. follow=false: a last line
// without a newline is left for the next run when the source is a plain
// file that may still be growing.
func (p *Pump) IngestReader(ctx context.Context, r *source.Reader) (FileResult, error) {
	start := time.Now()
	id := r.Identity()
	res := FileResult{Path: id.Path}
	src, found, err := p.Store.FindSource(ctx, id, func(n int) (string, error) { return source.Fingerprint(id.Path, n) })
	if err != nil {
		return res, err
	}
	if !found {
		src = Source{Fingerprint: id.Fingerprint, FingerprintLen: id.FingerprintLen}
	}
	src.Path, src.Dev, src.Inode, src.Compression = id.Path, id.Dev, id.Inode, id.Compression
	if found && src.Offset > 0 {
		if err := r.SkipTo(src.Offset); err != nil {
			if errors.Is(err, io.EOF) {
				res.Skipped = true
				return res, nil
			}
			return res, fmt.Errorf("%s: resume at byte %d: %w", id.Path, src.Offset, err)
		}
		res.Resumed = src.Lines
	}
	resolver := p.Resolver(id)
	track := id.Fingerprint != "" // stdin without a fingerprint cannot be resumed
	commit := func() error {
		batch := p.Corr.Drain()
		state, err := p.Corr.MarshalState()
		if err != nil {
			return err
		}
		var prog []SourceProgress
		if track {
			prog = []SourceProgress{{Source: &src, Identity: id}}
		}
		res.Facts += batch.Len()
		if err := p.Store.Commit(ctx, &batch, state, prog, p.now()); err != nil {
			return err
		}
		if p.OnCommit != nil {
			p.OnCommit(res)
		}
		return nil
	}
	every := p.CommitLines
	if every <= 0 {
		every = 50000
	}
	sinceCommit := 0
	mayGrow := id.Compression == "" && id.Path != "-"
	for {
		if err := ctx.Err(); err != nil {
			return res, errors.Join(err, commit())
		}
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// Keep what was read: commit it, then report the error.
			return res, errors.Join(err, commit())
		}
		if line.Partial && mayGrow {
			res.Partial = true
			break
		}
		l := logparse.Parse(line.Bytes)
		t := resolver.Time(l.Stamp)
		p.Corr.Add(&l, t)
		if p.OnLine != nil {
			p.OnLine(&l, t)
		}
		if l.Event.Kind() == logparse.KindUnparsed {
			res.Unparsed++
		}
		if line.Truncated {
			res.Truncated++
		}
		res.Lines++
		src.Lines++
		src.Offset = line.End
		res.BytesRead = line.End
		sinceCommit++
		if sinceCommit >= every {
			if err := commit(); err != nil {
				return res, err
			}
			sinceCommit = 0
		}
	}
	p.Corr.FlushPending()
	res.Elapsed = time.Since(start)
	if err := commit(); err != nil {
		return res, err
	}
	return res, nil
}

func (p *Pump) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}
