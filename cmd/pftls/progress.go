package main

import (
	"fmt"
	"io"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
)

// progress draws "bytes read of total, rate, ETA" on a terminal for big
// inputs, and nothing on a pipe.
type progress struct {
	w       io.Writer
	total   int64
	start   time.Time
	enabled bool
	drawn   bool
}

const progressMinBytes = 32 << 20

func newProgress(w io.Writer, id source.Identity) *progress {
	p := &progress{w: w, total: id.Size, start: time.Now()}
	if isTerminal(w) && id.Compression == "" && id.Size >= progressMinBytes {
		p.enabled = true
	}
	return p
}

func (p *progress) update(r aggregate.FileResult) {
	if !p.enabled {
		return
	}
	elapsed := time.Since(p.start).Seconds()
	rate := float64(r.BytesRead) / elapsed
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-r.BytesRead)/rate) * time.Second).Round(time.Second).String()
	}
	pct := 100 * float64(r.BytesRead) / float64(p.total)
	fmt.Fprintf(p.w, "\r%s: %5.1f%% %d/%d MB, %.1f MB/s, ETA %s   ", r.Path, pct, r.BytesRead>>20, p.total>>20, rate/(1<<20), eta)
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
