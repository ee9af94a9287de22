package report

import (
	"slices"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestSendingDomains_as_pflogsumm: pflogsumm counts a received message
// whose sender has no domain (from=<>, a local name) under the domain of
// the client that sent it over SMTP, and under the sender itself when it
// was picked up locally. pftls put every from=<> message under one
// "from=<>" domain: 248 sending domains on a generated log where
// pflogsumm counts 260.
func TestSendingDomains_as_pflogsumm(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	msgs := []aggregate.Message{
		{QueueID: "1A", Origin: aggregate.OriginSMTPD, Client: "mx1.alpha.example[192.0.2.1]", ClientIP: "192.0.2.1", Sender: ""},
		{QueueID: "2A", Origin: aggregate.OriginSMTPD, Client: "mail.beta.co.uk[192.0.2.2]", ClientIP: "192.0.2.2", Sender: ""},
		{QueueID: "3A", Origin: aggregate.OriginSMTPD, Client: "unknown[192.0.2.3]", ClientIP: "192.0.2.3", Sender: ""},
		{QueueID: "4A", Origin: aggregate.OriginPickup, Sender: ""},
		{QueueID: "5A", Origin: aggregate.OriginPickup, Sender: "root"},
		{QueueID: "6A", Origin: aggregate.OriginSMTPD, Client: "mx3.gamma.example[192.0.2.4]", ClientIP: "192.0.2.4", Sender: "Bob@Gamma.Example"},
	}
	b := NewBuilder(Options{Zone: time.UTC})
	for i := range msgs {
		m := &msgs[i]
		m.Host, m.Start, m.LastSeen, m.HasSender, m.Size = "mail", at, at, true, 1000
		b.Message(m)
	}
	model := b.Finish()
	var got []string
	for _, r := range model.ReceivedFrom {
		got = append(got, r.Name)
	}
	slices.Sort(got)
	want := []string{"192.0.2.3", "beta.co.uk", "from=<>", "gamma.example", "mx1.alpha.example", "root"}
	if !slices.Equal(got, want) || model.Totals.SendingDomains != int64(len(want)) {
		t.Errorf("sending domains %d %q, want %d %q", model.Totals.SendingDomains, got, len(want), want)
	}
}
