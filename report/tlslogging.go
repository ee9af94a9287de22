package report

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// tlsLogging decides, for the Builder and the Metrics alike, whether a
// delivery with no TLS line and no tls= field was plaintext or had its
// TLS not logged (aggregate.PostureNotLogged): plaintext when its host
// had a delivery whose TLS was logged in the window's
// aggregate.InTLSLoggedSpan, to any domain.
type tlsLogging struct {
	from, to time.Time       // the window
	logged   map[string]bool // hosts known to log TLS
	// undecided are the hosts with deliveries the rule has yet to decide
	// (plaintext, no TLS line), until the end of the counting.
	undecided map[string]bool
}

func newTLSLogging(from, to time.Time) tlsLogging {
	return tlsLogging{from: from, to: to, logged: map[string]bool{}, undecided: map[string]bool{}}
}

// note remembers the host of a delivery at t whose TLS was logged (of any
// domain, in the window or before it: a short window, or one domain's,
// may hold none of a host that logs TLS).
func (l *tlsLogging) note(host string, t time.Time, logged bool) {
	if logged && !l.logged[host] && aggregate.InTLSLoggedSpan(t, l.from, l.to) {
		l.logged[strings.Clone(host)] = true
	}
}

// unknown says that host has a delivery to decide at the end (posture).
func (l *tlsLogging) unknown(host string) {
	if !l.undecided[host] {
		l.undecided[strings.Clone(host)] = true
	}
}

// posture is the trust of host's deliveries with no TLS line.
func (l *tlsLogging) posture(host string) aggregate.TLSPosture {
	if l.logged[host] {
		return aggregate.PosturePlaintext
	}
	return aggregate.PostureNotLogged
}

// settle asks the store about the undecided hosts that showed no
// delivery whose TLS was logged: a report from it reads no delivery
// outside its window and domain (aggregate.Store.TLSLogged, a probe
// each).
func (l *tlsLogging) settle(ctx context.Context, st *aggregate.Store) error {
	for _, h := range slices.Sorted(maps.Keys(l.undecided)) {
		if l.logged[h] {
			continue
		}
		logged, err := st.TLSLogged(ctx, h, l.from, l.to)
		if err != nil {
			return err
		}
		l.logged[h] = logged
	}
	return nil
}
