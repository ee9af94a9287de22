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
// screen, a hidden cursor, keys read raw (keys.go) and resize and
// suspend signals. close restores everything.
type liveScreen struct {
	out     *os.File
	color   bool
	signals chan os.Signal
	resized chan struct{} // a receive for each resize or key that changes the view (at most one waiting)
	quit    chan struct{}
	keys    *os.File // opened here (/dev/tty): closed by close
	rawFd   int      // the terminal keys are read from; -1 when none
	cooked  *term.State
	once    sync.Once

	mu        sync.Mutex // guards what follows, and writes to out
	view      report.LiveView
	last      report.LiveModel // the last frame drawn while running: what a pause shows
	suspended bool
}

// openLiveScreen takes over the terminal on stdout. Keys are read from
// stdin, or from /dev/tty when stdin is the log being followed.
func openLiveScreen(e env, stdinIsLog, color bool) (*liveScreen, error) {
	out := e.stdout.(*os.File)
	s := &liveScreen{out: out, color: color, signals: make(chan os.Signal, 4), resized: make(chan struct{}, 1), quit: make(chan struct{}), rawFd: -1}
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
			s.rawFd, s.cooked = int(keys.Fd()), old
			go s.readKeys(keys)
		}
	}
	signal.Notify(s.signals, syscall.SIGWINCH, syscall.SIGTSTP, syscall.SIGCONT)
	go func() {
		for sig := range s.signals {
			switch sig {
			case syscall.SIGTSTP:
				s.suspend()
			case syscall.SIGCONT:
				s.resume()
			}
			s.redraw()
		}
	}()
	out.WriteString("\x1b[?1049h\x1b[?25l") // alternate screen, hide cursor
	return s, nil
}

// redraw asks the pump for a frame (at most one waits).
func (s *liveScreen) redraw() {
	select {
	case s.resized <- struct{}{}:
	default:
	}
}

// readKeys hands each read to the key state machine (raw mode delivers
// Ctrl-C, Ctrl-D and Ctrl-Z as bytes instead of signals).
func (s *liveScreen) readKeys(f *os.File) {
	buf := make([]byte, 64)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		s.mu.Lock()
		act := press(&s.view, buf[:n])
		s.mu.Unlock()
		switch act {
		case keyQuit:
			s.once.Do(func() { close(s.quit) })
			return
		case keySuspend:
			// As the terminal would without raw mode: the whole job
			// (a pipeline into tail) stops; our SIGTSTP handler gives
			// the terminal back first.
			syscall.Kill(0, syscall.SIGTSTP)
		case keyRedraw:
			s.redraw()
		}
	}
}

// suspend leaves raw mode and the alternate screen and stops the
// process; resume takes the terminal again when it is continued (fg
// sends SIGCONT). The stop may take effect after Kill returns, so the
// terminal is taken back on SIGCONT, not when Kill returns.
func (s *liveScreen) suspend() {
	s.mu.Lock()
	s.suspended = true
	s.leave()
	s.mu.Unlock()
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
}

// resume takes the terminal back after a suspend, or after a stop that
// was not ours (kill -STOP: the shell has set the terminal back to
// cooked); the caller redraws.
func (s *liveScreen) resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.enter()
	s.suspended = false
}

// enter takes the terminal: raw keys, alternate screen, no cursor.
func (s *liveScreen) enter() {
	if s.rawFd >= 0 {
		term.MakeRaw(s.rawFd) // the shell may have set it back to cooked
	}
	s.out.WriteString("\x1b[?1049h\x1b[?25l")
}

// leave gives the terminal back as it was.
func (s *liveScreen) leave() {
	s.out.WriteString("\x1b[?25h\x1b[?1049l")
	if s.rawFd >= 0 {
		term.Restore(s.rawFd, s.cooked)
	}
}

// draw replaces the screen's content in one write, line by line with
// clear-to-end-of-line, so the view never flickers. It applies the view
// the keys chose; paused, it shows the last frame drawn before.
func (s *liveScreen) draw(m report.LiveModel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.suspended {
		return
	}
	if s.view.Paused && !s.last.Now.IsZero() {
		m = s.last
	} else {
		s.last = m
	}
	m.View = s.view
	width, height, err := term.GetSize(int(s.out.Fd()))
	if err != nil || width <= 0 || height <= 0 {
		width, height = 100, 30
	}
	var view bytes.Buffer
	if err := report.RenderLiveStyled(&view, m, width, height, report.LiveStyle{Color: s.color}); err != nil {
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
	signal.Stop(s.signals)
	close(s.signals) // no signal comes after Stop: ends the goroutine above
	s.mu.Lock()
	s.leave()
	s.mu.Unlock()
	if s.keys != nil {
		s.keys.Close()
	}
}

// useColor decides --color: never, always, or (auto) unless NO_COLOR is
// set to anything (https://no-color.org) or TERM is dumb or unset. The
// caller has checked that stdout is a terminal.
func useColor(mode string, getenv func(string) string) bool {
	switch mode {
	case "never":
		return false
	case "always":
		return true
	}
	t := getenv("TERM")
	return getenv("NO_COLOR") == "" && t != "" && t != "dumb"
}
