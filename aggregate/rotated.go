package aggregate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/pftls/pftls/logparse/source"
)

// ErrRotatedAway means the log pftls last read from a path was rotated
// since, and none of the path's rotated copies is it: the lines written
// to it after that read are not where pftls can find them.
var ErrRotatedAway = errors.New("the log read last time was rotated and is not among its rotated copies")

// RotatedBefore returns what must be read before the log at path so that
// nothing written between the last run and a rotation is lost: when the
// file at path is no longer the source last read from that path (logrotate
// renamed it, or copied and truncated it), the rotated copy that is that
// source (found among path's siblings, mail.log.1, mail.log.2.gz,
// mail.log-20261205, maillog-20261205.gz, by its fingerprint) and every
// newer rotated copy, oldest first. Reading them resumes each from its
// stored offset, as any file does. A cron job that passes only
// /var/log/mail.log then reads the lines that landed in mail.log.1.
//
// When the file read last time is among none of them (deleted, moved
// elsewhere), it returns a *RotatedAwayError (ErrRotatedAway) with the
// gap that log leaves: the caller records it (Store.RecordGap), so that
// reports over its time say that lines are missing.
func (p *Pump) RotatedBefore(ctx context.Context, path string) ([]string, error) {
	if p.Store == nil || path == "-" || !source.IsLive(path) {
		// A rotated copy named on the command line (mail.log.1) is not
		// followed by a later one: what it held last time is its own.
		return nil, nil
	}
	// Not only the log read last: a tail killed after it had moved on to
	// the new log may have left the one before unfinished (its last burst
	// not committed), and several rotations may have happened since.
	srcs, err := p.Store.SourcesAt(ctx, path, olderSourcesChecked)
	if err != nil {
		return nil, err
	}
	var sibs []string
	looked := false
	siblings := func() ([]string, error) {
		if !looked {
			s, err := source.Siblings(path)
			if err != nil {
				return nil, err
			}
			sibs, looked = s, true
		}
		return sibs, nil
	}
	from := -1 // the oldest sibling to read from, with every newer one
	var unfinished []int
	for i, last := range srcs {
		if last.FingerprintLen < MinFingerprint {
			continue
		}
		fp, err := source.Fingerprint(path, last.FingerprintLen)
		switch {
		case err == nil && fp == last.Fingerprint:
			continue // still the log at path (grown, or not)
		case err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, io.ErrUnexpectedEOF):
			// It cannot be read (permission denied, a directory): whether
			// it is still the log read last is unknown, and a gap said on
			// a guess would be false.
			return nil, fmt.Errorf("%s: cannot tell whether it is still the log read last time: %w", path, err)
		}
		ss, err := siblings()
		if err != nil {
			return nil, err
		}
		at := -1
		for j := len(ss) - 1; j >= 0; j-- {
			if fp, err := source.Fingerprint(ss[j], last.FingerprintLen); err == nil && fp == last.Fingerprint {
				at = j
				break
			}
		}
		switch {
		case i == 0 && at < 0:
			return nil, &RotatedAwayError{Gap{SourceID: last.ID, Path: path, Lines: last.Lines, Offset: last.Offset,
				LastLine: last.LastLine, LastRead: last.LastIngest, Found: p.now()}}
		case i == 0:
			from = at
		case at >= 0 && maybeUnfinished(ss[at], last):
			unfinished = append(unfinished, at)
		}
	}
	// A rotated copy read before it settled may hold more since: a last
	// line left without its newline (a writer might still complete it),
	// or lines the syslog daemon wrote to it before it reopened its files.
	// Its source bears the copy's name now (Pump.begin), not path's, and
	// nothing but this would read it again. A directory pftls may not list
	// leaves it to the runs that can.
	if ss, err := siblings(); err == nil {
		grown, err := p.grownCopies(ctx, ss)
		if err != nil {
			return nil, err
		}
		unfinished = append(unfinished, grown...)
	}
	var out []string
	seen := map[int]bool{}
	for _, j := range unfinished {
		if from < 0 || j < from {
			seen[j] = true
		}
	}
	for j := range sibs {
		if seen[j] || from >= 0 && j >= from {
			out = append(out, sibs[j])
		}
	}
	return out, nil
}

// grownCopies are the indexes of the rotated copies among sibs (a log's,
// source.Siblings) that were read under their own name and are still what
// they were then (same first bytes, not compressed) and longer now.
func (p *Pump) grownCopies(ctx context.Context, sibs []string) ([]int, error) {
	read, err := p.Store.SourcesIn(ctx, sibs)
	if err != nil {
		return nil, err
	}
	var grown []int
	for j, s := range sibs {
		src, found := read[s]
		if !found || src.Compression != "" || src.FingerprintLen < MinFingerprint || !maybeUnfinished(s, src) {
			continue
		}
		if fp, err := source.Fingerprint(s, src.FingerprintLen); err != nil || fp != src.Fingerprint {
			continue
		}
		grown = append(grown, j)
	}
	return grown, nil
}

// olderSourcesChecked is how many of the sources last read from a path
// RotatedBefore looks at: the rotations a tail may have been killed
// across, and then some.
const olderSourcesChecked = 8

// maybeUnfinished says whether the rotated copy at path of the source src
// may hold lines after src's stored offset: a plain file longer than it,
// or a compressed one (its decompressed size is known only by reading it;
// reading resumes at the stored offset).
func maybeUnfinished(path string, src Source) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	if strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".bz2") || strings.HasSuffix(path, ".zst") {
		return true
	}
	return fi.Size() > src.Offset
}

// rotatedSettle is how long after its last write a rotated copy is taken
// as final. A syslog daemon writes on into the copy it has open until it
// is told to reopen its files, seconds after the rotation.
const rotatedSettle = 5 * time.Minute

// settledCopy says whether id is a rotated copy of a log (mail.log.1,
// mail.log-20261205) that no writer has touched for rotatedSettle: what
// it holds is final, so a last line without its newline is read as it
// is. Left for a next run, it would never be read: no writer completes
// it, and the copy is read again only from its stored offset.
func settledCopy(id source.Identity) bool {
	return !source.IsLive(id.Path) && !id.ModTime.IsZero() && time.Since(id.ModTime) > rotatedSettle
}
