package aggregate

import "testing"

// Masking groups reasons without mangling the SMTP reply's codes: a
// multi-line reply joins its code and enhanced status code with a hyphen.
func TestMaskKeepsReplyCodes(t *testing.T) {
	for in, want := range map[string]string{
		// Gmail's multi-line reply, as Postfix joins it (real corpus shape).
		"host gmail-smtp-in.l.google.com[142.250.102.27] said: 550-5.1.1 The email account that you tried to reach does not exist. (in reply to RCPT TO command)": "host gmail-smtp-in.l.google.com[*] said: 550-5.1.1 The email account that you tried to reach does not exist. (in reply to RCPT TO command)",
		"host mx.example.net[192.0.2.25] said: 550 5.1.1 <bob@example.net>: Recipient address rejected":                                                           "host mx.example.net[*] said: 550 5.1.1 <*>: Recipient address rejected",
		"host mx.example.net[192.0.2.25] said: 451-4.7.1 Greylisted, try again":                                                                                   "host mx.example.net[*] said: 451-4.7.1 Greylisted, try again",
		// A dynamic pool host is still masked.
		"connect from host-1-2-3-4.dyn.example.net": "connect from host-*-*-*-*.dyn.example.net",
	} {
		if got := ReasonClass(in); got != want {
			t.Errorf("ReasonClass(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
