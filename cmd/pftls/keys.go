package main

import (
	"unicode/utf8"

	"github.com/pftls/pftls/report"
)

// This file is the live view's keys as a small pure state machine: press
// takes what one read of the terminal gave and changes the view
// (report.LiveView), and says what the screen must do. No terminal is
// needed to test it.

// keyAction is what a key press asks of the screen, weakest first.
type keyAction int

const (
	keyNone    keyAction = iota
	keyRedraw            // the view changed
	keySuspend           // Ctrl-Z
	keyQuit              // q, Ctrl-C, Ctrl-D
)

const (
	ctrlC     = 3
	ctrlD     = 4
	backspace = 8
	ctrlU     = 21
	ctrlZ     = 26
	esc       = 27
	del       = 127
)

// press applies the bytes of one read from the raw terminal to v and
// returns the strongest action they ask for. Escape sequences (arrows,
// function keys) are passed over; a lone Esc is the Esc key.
func press(v *report.LiveView, b []byte) keyAction {
	act := keyNone
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == esc && i+1 < len(b) && (b[i+1] == '[' || b[i+1] == 'O') {
			i += 2 // CSI or SS3: parameters, then a final byte in @..~
			for i < len(b) && (b[i] < 0x40 || b[i] > 0x7e) {
				i++
			}
			continue
		}
		a := key(v, c, b[i:])
		if a == keyQuit {
			return keyQuit
		}
		if c >= 0x80 {
			_, n := utf8.DecodeRune(b[i:])
			i += n - 1
		}
		act = max(act, a)
	}
	return act
}

// key is one key: c, the first byte of rest.
func key(v *report.LiveView, c byte, rest []byte) keyAction {
	if c == ctrlC || c == ctrlD {
		return keyQuit
	}
	if c == ctrlZ {
		return keySuspend
	}
	if v.Typing {
		switch {
		case c == '\r' || c == '\n':
			v.Typing, v.Filter, v.Input = false, v.Input, ""
		case c == esc:
			v.Typing, v.Filter, v.Input = false, "", ""
		case c == backspace || c == del:
			_, n := utf8.DecodeLastRuneInString(v.Input)
			v.Input = v.Input[:len(v.Input)-n]
		case c == ctrlU:
			v.Input = ""
		case c >= 0x80:
			r, n := utf8.DecodeRune(rest)
			if r == utf8.RuneError && n <= 1 {
				return keyNone
			}
			v.Input += string(rest[:n])
		case c >= 0x20:
			v.Input += string(c)
		default:
			return keyNone
		}
		return keyRedraw
	}
	if v.Help { // any key closes the help
		if c == 'q' || c == 'Q' {
			return keyQuit
		}
		v.Help = false
		return keyRedraw
	}
	switch c {
	case 'q', 'Q':
		return keyQuit
	case 's', 'S':
		v.Sort = v.Sort.Next()
	case '/':
		v.Typing, v.Input = true, v.Filter
	case esc:
		if v.Filter == "" {
			return keyNone
		}
		v.Filter = ""
	case 'p', 'P':
		v.Paused = !v.Paused
	case '?':
		v.Help = true
	default:
		return keyNone
	}
	return keyRedraw
}
