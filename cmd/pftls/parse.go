package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
	"github.com/pftls/pftls/report"
)

// runParse prints one JSON object per input line: a debugging aid ("how did
// pftls read this line?") and the parser's interface for tests.
func runParse(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "parse", "[--year N] [--tz ZONE] [--only KIND,...] [FILE|-]...")
	var tf timeFlags
	tf.register(fs)
	var format inputFormat
	registerInputFormat(fs, &format)
	only := fs.String("only", "", "print only these kinds, comma-separated (e.g. unparsed,tls-cert-failure)")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	paths, err := inputPaths(files)
	if err != nil {
		return err
	}
	want := splitList(*only)
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	defer out.Flush()
	for _, path := range paths {
		if err := parseOne(ctx, e, path, &tf, format.Format(), want, out); err != nil {
			return err
		}
	}
	return out.Flush()
}

// parseOne prints the lines of one input as the pump reads and parses
// them, without correlating.
func parseOne(ctx context.Context, e env, path string, tf *timeFlags, format logparse.Format, want map[string]bool, out *bufio.Writer) error {
	r, err := openInput(ctx, e, path)
	if err != nil {
		return err
	}
	defer r.Close()
	resolvers, err := tf.resolvers(e.now)
	if err != nil {
		return err
	}
	stamps := &logparse.StampCache{Resolver: resolvers(r.Identity())}
	return aggregate.EachLine(ctx, r, format, func(number int64, l *logparse.Line) error {
		var at time.Time // every line's, --only or not: which pass of the hour that happens twice a stamp is depends on the lines before it
		if l.Timed() {
			at = stamps.Time(l.Stamp)
		}
		if len(want) > 0 && !want[string(l.Event.Kind())] {
			return nil
		}
		b, err := encodeLine(l, at, path, number)
		if err != nil {
			return fmt.Errorf("%s:%d: encode: %w", path, number, err)
		}
		out.Write(b)
		out.WriteByte('\n')
		return nil
	})
}

// openInput opens a FILE argument, "-" meaning standard input. Reading
// it ends when ctx is done, even from an idle pipe or a device whose
// line never ends (SIGTERM during "ingest /dev/zero").
func openInput(ctx context.Context, e env, path string) (*source.Reader, error) {
	if path == "-" {
		return source.NewReaderContext(ctx, "-", e.stdin)
	}
	return source.OpenContext(ctx, path)
}

// parsedEnvelope is the part of a parse record every kind has.
type parsedEnvelope struct {
	File     string `json:"file"`
	Line     int64  `json:"line"`
	Time     string `json:"time,omitempty"`
	Host     string `json:"host,omitempty"`
	Program  string `json:"program,omitempty"`
	PID      int    `json:"pid,omitempty"`
	Severity string `json:"severity,omitempty"`
	QueueID  string `json:"queue_id,omitempty"`
	Kind     string `json:"kind"`
	Text     string `json:"text,omitempty"`
}

// encodeLine writes the envelope and the event's own fields as one object;
// at is the line's time (zero for a line without one of its own).
func encodeLine(l *logparse.Line, at time.Time, file string, number int64) ([]byte, error) {
	env := parsedEnvelope{File: file, Line: number, Kind: string(l.Event.Kind())}
	if !at.IsZero() {
		env.Time = at.Format(time.RFC3339Nano)
	}
	if _, malformed := l.Event.(logparse.Malformed); !malformed {
		env.Host, env.Program, env.PID, env.QueueID = l.Host, l.Program, l.PID, l.QueueID
		if l.Severity != logparse.SevInfo && l.Severity != "" {
			env.Severity = string(l.Severity)
		}
	}
	switch l.Event.(type) {
	case logparse.Unparsed, logparse.Foreign:
		env.Text = l.Text
	case logparse.Malformed:
		env.Text = l.Raw
	}
	head, err := marshalPlain(env)
	if err != nil {
		return nil, err
	}
	body, err := marshalPlain(l.Event)
	if err != nil {
		return nil, err
	}
	if len(body) <= 2 { // "{}"
		return head, nil
	}
	head[len(head)-1] = ','
	return append(head, body[1:]...), nil
}

// marshalPlain is json.Marshal without HTML escaping of <, > and &, which
// would make addresses unreadable, and without the trailing newline.
func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return report.JSONSafe(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}
