package main

import (
	"bytes"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/term"

	"github.com/pftls/pftls/report"
)

// liveScreen is the terminal while tail's live view runs: the alternate
// screen, a hidden cursor, keys read raw ('q' or Ctrl-C quits) and resize
// signals. close restores everything.
type liveScreen struct {
	out     *os.File
	resize  chan os.Signal
	resized chan struct{} // a receive for each resize (at most one waiting)
	quit    chan struct{}
	keys    *os.File
	restore func()
	once    sync.Once
}

// openLiveScreen takes over the terminal on stdout. Keys are read from
// stdin, or from /dev/tty when stdin is the log being followed.
func openLiveScreen(e env, stdinIsLog bool) (*liveScreen, error) {
	out := e.stdout.(*os.File)
	s := &liveScreen{out: out, resize: make(chan os.Signal, 1), resized: make(chan struct{}, 1), quit: make(chan struct{}), restore: func() {}}
	keys, ok := e.stdin.(*os.File)
	if stdinIsLog || !ok || !isTerminal(keys) {
		keys = nil
		if tty, err := os.Open("/dev/tty"); err == nil {
			keys = tty
			s.keys = tty
		}
	}
	if keys != nil && isTerminal(keys) {
		if old, err := term.MakeRaw(int(keys.Fd())); err == nil {
			fd := int(keys.Fd())
			s.restore = func() { term.Restore(fd, old) }
			go s.readKeys(keys)
		}
	}
	signal.Notify(s.resize, syscall.SIGWINCH)
	go func() {
		for range s.resize {
			select {
			case s.resized <- struct{}{}:
			default:
			}
		}
	}()
	out.WriteString("\x1b[?1049h\x1b[?25l") // alternate screen, hide cursor
	return s, nil
}

// readKeys ends the view on q, Q, Ctrl-C or Ctrl-D (raw mode delivers them
// as bytes instead of signals).
func (s *liveScreen) readKeys(f *os.File) {
	buf := make([]byte, 16)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		for _, c := range buf[:n] {
			if c == 'q' || c == 'Q' || c == 3 || c == 4 {
				s.once.Do(func() { close(s.quit) })
				return
			}
		}
	}
}

// draw replaces the screen's content in one write, line by line with
// clear-to-end-of-line, so the view never flickers.
func (s *liveScreen) draw(m report.LiveModel) {
	width, height, err := term.GetSize(int(s.out.Fd()))
	if err != nil || width <= 0 || height <= 0 {
		width, height = 100, 30
	}
	var view bytes.Buffer
	if err := report.RenderLive(&view, m, width, height); err != nil {
		return
	}
	var frame bytes.Buffer
	frame.WriteString("\x1b[H")
	lines := strings.Split(strings.TrimRight(view.String(), "\n"), "\n")
	for i, line := range lines {
		// Clear first, then write: clearing after a line that fills the
		// width would erase its last character on many terminals.
		frame.WriteString("\x1b[K")
		frame.WriteString(line)
		if i < len(lines)-1 {
			frame.WriteString("\r\n")
		}
	}
	frame.WriteString("\x1b[J")
	s.out.Write(frame.Bytes())
}

// close gives the terminal back as it was.
func (s *liveScreen) close() {
	signal.Stop(s.resize)
	close(s.resize) // no signal comes after Stop: ends the goroutine above
	s.out.WriteString("\x1b[?25h\x1b[?1049l")
	s.restore()
	if s.keys != nil {
		s.keys.Close()
	}
}
