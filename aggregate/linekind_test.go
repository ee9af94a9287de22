package aggregate_test

import (
	"testing"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// TestLineKindMaster: master(8)'s start, reload and stop lines are
// counted under kinds of their own (pflogsumm's "Master daemon
// messages"); every other line keeps its event's kind.
func TestLineKindMaster(t *testing.T) {
	for _, tt := range []struct {
		line string
		want logparse.Kind
	}{
		{"Nov 23 00:19:54 mail postfix/master[13392]: daemon started -- version 3.7.11, configuration /etc/postfix", aggregate.KindMasterStarted},
		{"Nov 23 01:00:00 mail postfix/master[13392]: reload -- version 3.7.11, configuration /etc/postfix", aggregate.KindMasterReloaded},
		{"Nov 23 02:00:00 mail postfix/master[13392]: terminating on signal 15", aggregate.KindMasterStopped},
		{"Nov 23 00:19:54 mail postfix/postfix-script[13390]: starting the Postfix mail system", logparse.KindNotice},
		{"Nov 23 00:19:58 mail postfix/smtpd[13443]: connect from localhost[127.0.0.1]", ""},
	} {
		l := logparse.ParseString(tt.line)
		want := tt.want
		if want == "" {
			want = l.Event.Kind()
		}
		if got := aggregate.LineKind(&l); got != want {
			t.Errorf("%s: kind %q, want %q", tt.line, got, want)
		}
	}
}
