package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultJournalUnits are the units whose entries pftls reads from the
// journal unless told otherwise: Postfix as Debian and Ubuntu run it
// (postfix@-.service, the instance "-" of the template), as other
// distributions do (postfix.service), and every other instance of a
// multi-instance setup (postfix@NAME.service). journalctl -u takes glob
// patterns.
var DefaultJournalUnits = []string{"postfix.service", "postfix@*.service"}

// JournalOptions say how to run journalctl.
type JournalOptions struct {
	Command string   // the journalctl program (default "journalctl")
	Units   []string // -u patterns (default DefaultJournalUnits)
	Follow  bool     // -f: wait for new entries instead of ending
	// AtEnd starts a reading without a cursor at the journal's end
	// instead of its start (tail without a store: only what comes).
	AtEnd bool
}

// Journal is the systemd journal as a source, read through
// "journalctl -o json": never through a shell, with an argument list. It
// has no bytes of its own to recognise it by: a journal source is its set
// of units ([Journal.Key]), and a place in it is a cursor. Each [Line]
// of its Reader carries its entry's __CURSOR; the next run passes the
// cursor of the last line stored to [Journal.Open], which starts after it.
type Journal struct {
	opts   JournalOptions
	ctx    context.Context // Open's: its end kills journalctl
	args   []string        // the arguments of the journalctl that runs
	cmd    *exec.Cmd
	stdout io.ReadCloser
	stderr *limitedBuffer
	rd     *Reader
	waited bool
	err    error
}

// NewJournal returns the journal source o describes; Open starts reading it.
func NewJournal(o JournalOptions) *Journal {
	if o.Command == "" {
		o.Command = "journalctl"
	}
	if len(o.Units) == 0 {
		o.Units = DefaultJournalUnits
	}
	return &Journal{opts: o}
}

// Key names the journal source in the store: "journal:" and its units,
// sorted, so that the same set given in another order is the same source.
func (j *Journal) Key() string {
	units := slices.Clone(j.opts.Units)
	slices.Sort(units)
	units = slices.Compact(units)
	return "journal:" + strings.Join(units, ",")
}

// Args are journalctl's arguments for a reading that starts after cursor
// ("" : at the journal's start).
func (j *Journal) Args(cursor string) []string {
	args := []string{"-o", "json", "--no-pager"}
	for _, u := range j.opts.Units {
		args = append(args, "-u", u)
	}
	switch {
	case cursor != "":
		args = append(args, "--after-cursor", cursor)
	case j.opts.AtEnd:
		args = append(args, "-n", "0")
	case j.opts.Follow:
		args = append(args, "--no-tail") // else -f starts at the last ten entries
	}
	if j.opts.Follow {
		args = append(args, "-f")
	}
	return args
}

// Open starts journalctl after cursor and returns the Reader of its
// entries, one JSON object per line; each Line carries its Cursor. The
// Reader ends (io.EOF) when journalctl does, and then Close says whether
// journalctl failed. ctx's end stops journalctl. Each Open must be
// followed by a Close before the next.
func (j *Journal) Open(ctx context.Context, cursor string) (*Reader, error) {
	j.waited, j.err = false, nil
	j.ctx, j.args = ctx, j.Args(cursor)
	j.cmd = exec.CommandContext(ctx, j.opts.Command, j.args...)
	j.stderr = &limitedBuffer{max: 4096}
	j.cmd.Stderr = j.stderr
	// A child of journalctl's left holding its standard error must not
	// keep Close waiting.
	j.cmd.WaitDelay = 5 * time.Second
	out, err := j.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := j.cmd.Start(); err != nil {
		return nil, fmt.Errorf("journal: run %s: %w", j.opts.Command, err)
	}
	j.stdout = out
	rd := &Reader{
		name:    j.Key(),
		ident:   Identity{Path: j.Key()},
		br:      bufio.NewReaderSize(&stickyReader{r: out}, bufSize),
		max:     MaxLineBytes,
		journal: true,
	}
	j.rd = rd
	return rd, nil
}

// ErrJournal is the error of a journalctl that failed or could not read
// the whole journal (no permission).
var ErrJournal = errors.New("journalctl failed")

// Close stops journalctl if it still runs, waits for it, and returns its
// failure: an exit status other than 0, or a notice that it could not see
// the system's entries (a user outside the adm and systemd-journal
// groups gets only their own, and an exit status of 0), with what it
// wrote on its standard error. An empty journal read without error is
// not a failure.
func (j *Journal) Close() error {
	if j.cmd == nil || j.waited {
		return j.err
	}
	j.waited = true
	if j.opts.Follow {
		// A following journalctl never ends by itself. (When it has ended
		// already, Kill fails and Wait gives its exit status.)
		j.cmd.Process.Kill()
	}
	// A journalctl still writing to a pipe nobody reads any more gets
	// SIGPIPE. The Reader is not closed here: a goroutine may be in its
	// Next, and gets an error from the closed pipe.
	j.stdout.Close()
	werr := j.cmd.Wait()
	msg := strings.TrimSpace(j.stderr.String())
	var exit *exec.ExitError
	switch {
	case errors.As(werr, &exit) && j.cmd.ProcessState != nil && !j.cmd.ProcessState.Exited() &&
		(j.opts.Follow || j.ctx.Err() != nil):
		// Killed by us (the context ended, following stopped): not a
		// failure. Killed by anyone else (the OOM killer, an admin), it
		// is: its last entry may be cut, and the entries after it unread.
	case werr != nil:
		if msg == "" {
			msg = werr.Error()
		}
		j.err = fmt.Errorf("journal: %s %s: %w: %s", j.opts.Command, strings.Join(j.args, " "), ErrJournal, msg)
	case deniedNotice(msg):
		j.err = j.Failed()
	}
	return j.err
}

// Failed returns journalctl's notice that it cannot see the system
// journal as soon as it has written it, while it still runs: a following
// journalctl says so and then follows the user's own entries, forever.
// Close returns the same error.
func (j *Journal) Failed() error {
	if j.stderr == nil {
		return nil
	}
	if msg := strings.TrimSpace(j.stderr.String()); deniedNotice(msg) {
		return fmt.Errorf("journal: %s cannot read the system journal: %w: %s", j.opts.Command, ErrJournal, msg)
	}
	return nil
}

// deniedNotice reports whether journalctl's standard error says it could
// not read the system's entries.
func deniedNotice(msg string) bool {
	return strings.Contains(msg, "not seeing messages from other users and the system") || strings.Contains(msg, "insufficient permissions")
}

// nextEntry is Next for journalctl's output: the next entry, with its
// cursor. journalctl's notices on standard output ("-- No entries --")
// are not entries and are passed over.
func (r *Reader) nextEntry() (Line, error) {
	for {
		l, err := r.next()
		if err != nil {
			return l, err
		}
		if bytes.HasPrefix(l.Bytes, []byte("-- ")) {
			continue
		}
		if l.Partial {
			// journalctl ended in the middle of an entry (it was killed).
			// Its cursor comes first in the object: taking it would skip
			// the entry for good on the next run.
			return Line{}, fmt.Errorf("%s: journalctl's output ends in the middle of an entry: %w", r.name, io.ErrUnexpectedEOF)
		}
		l.Cursor = journalCursor(l.Bytes)
		return l, nil
	}
}

// journalCursor is the value of an entry's "__CURSOR" field. A cursor is
// made of hex digits, '=' and ';': it needs no unescaping.
func journalCursor(b []byte) string { return string(journalField(b, "__CURSOR")) }

// JournalTime is the time of a "journalctl -o json" entry, from its
// __REALTIME_TIMESTAMP (microseconds since the epoch).
func JournalTime(b []byte) (time.Time, bool) {
	us, err := strconv.ParseInt(string(journalField(b, "__REALTIME_TIMESTAMP")), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMicro(us), true
}

// journalField is the value of one of an entry's string fields whose
// values need no unescaping (cursors, timestamps), found in the raw
// bytes without decoding the object; nil when absent.
func journalField(b []byte, key string) []byte {
	i := bytes.Index(b, []byte(`"`+key+`":"`))
	if i < 0 {
		return nil
	}
	v := b[i+len(key)+4:]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return nil
	}
	return v[:j]
}

// limitedBuffer keeps the first max bytes written to it: journalctl's
// standard error, for the message of its failure.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
