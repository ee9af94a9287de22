package aggregate

import (
	"context"
	"errors"
	"fmt"

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
// elsewhere), it returns ErrRotatedAway, wrapped with what was read of it.
func (p *Pump) RotatedBefore(ctx context.Context, path string) ([]string, error) {
	if p.Store == nil || path == "-" || !source.IsLive(path) {
		// A rotated copy named on the command line (mail.log.1) is not
		// followed by a later one: what it held last time is its own.
		return nil, nil
	}
	last, found, err := p.Store.SourceAt(ctx, path)
	if err != nil || !found || last.FingerprintLen < MinFingerprint {
		return nil, err
	}
	if fp, err := source.Fingerprint(path, last.FingerprintLen); err == nil && fp == last.Fingerprint {
		return nil, nil // still the same log (grown, or not)
	}
	sibs, err := source.Siblings(path)
	if err != nil {
		return nil, err
	}
	for i := len(sibs) - 1; i >= 0; i-- {
		if fp, err := source.Fingerprint(sibs[i], last.FingerprintLen); err == nil && fp == last.Fingerprint {
			return sibs[i:], nil
		}
	}
	return nil, fmt.Errorf("%s: %w (%d lines of it were stored; look for it beside %s)", path, ErrRotatedAway, last.Lines, path)
}
