package report

import "fmt"

// This file holds the sections of pflogsumm's staples: traffic by hour
// and by day, received messages by sender domain, top senders and
// recipients. The Builder counts them (build.go) by the Totals' rules.

func (m *Model) hourlyTable() Table {
	t := trafficTable("per-hour", "Traffic by hour of day", "hour", m.Hourly)
	t.Note = "pflogsumm's per-hour traffic and smtpd connection summaries, summed over the days of the window; deferred counts deferral lines; connections are inbound smtpd sessions, by the hour they started"
	for i, r := range m.Hourly {
		t.Rows[i][0] = r.Period + ":00-" + r.Period + ":59"
	}
	return t
}

func (m *Model) dailyTable() Table {
	t := trafficTable("per-day", "Traffic by day", "day", m.Daily)
	t.Note = "deferred counts deferral lines; connections are inbound smtpd sessions"
	return t
}

func trafficTable(id, title, period string, rows []TrafficRow) Table {
	t := Table{ID: id, Title: title,
		Header: []string{period, "received", "delivered", "deferred", "bounced", "rejected", "connections", "time conn."},
		Align:  []Align{Left, Right, Right, Right, Right, Right, Right, Right}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.Period, n(r.Received), n(r.Delivered), n(r.Deferrals), n(r.Bounced), n(r.Rejected),
			n(r.Connections), hms(r.ConnectSeconds)})
	}
	return t
}

func (m *Model) volumeTable(id, title, name string, rows []VolumeRow) Table {
	t := Table{ID: id, Title: title, Header: []string{name, "messages", "bytes"}, Align: []Align{Left, Right, Right}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.Name, n(r.Messages), Bytes(r.Bytes)})
	}
	return t
}

// domainDeliveryTable is pflogsumm's "Host/Domain Summary: Message
// Delivery": the domains by recipients delivered, with bytes and delays.
func (m *Model) domainDeliveryTable() Table {
	t := Table{ID: "domain-delivery", Title: "Delivery by destination domain",
		Note:   "pflogsumm's host/domain summary: delay avg of the deliveries, max of deliveries and deferrals",
		Header: []string{"domain", "delivered", "bytes", "deferrals", "delay avg", "delay max"},
		Align:  []Align{Left, Right, Right, Right, Right, Right}}
	for _, r := range m.Delivery {
		t.Rows = append(t.Rows, []string{r.Domain, n(r.Delivered), Bytes(r.BytesDelivered), n(r.Deferrals), secs(r.AvgDelay), secs(r.MaxDelay)})
	}
	return t
}

// smtpdTable is pflogsumm's "Host/Domain Summary: SMTPD Connections":
// inbound sessions and the time connected by client host/domain.
func (m *Model) smtpdTable() Table {
	t := Table{ID: "smtpd", Title: "Inbound smtpd connections by client host/domain",
		Note:   "pflogsumm's --smtpd-stats: time from connect to disconnect in whole seconds; clients under their domain, or their address when unknown",
		Header: []string{"client host/domain", "connections", "time connected", "avg/conn", "max"},
		Align:  []Align{Left, Right, Right, Right, Right}}
	for _, r := range m.SMTPD {
		client := r.Client
		if client == "" {
			client = "(not recorded)" // counts stored before the time connected was kept
		}
		avg := 0.0
		if r.Connections > 0 {
			avg = float64(r.Seconds) / float64(r.Connections)
		}
		t.Rows = append(t.Rows, []string{client, n(r.Connections), hms(r.Seconds), secs(avg), secs(float64(r.MaxSeconds))})
	}
	return t
}

// hms writes seconds as pflogsumm's time connected: "0:00:07", "27:46:40".
func hms(s int64) string {
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// masterTable is pflogsumm's "Master daemon messages": Postfix starts,
// reloads and stops.
func (m *Model) masterTable() Table {
	t := Table{ID: "master", Title: "Postfix master daemon", Note: "master(8) lines: starts, reloads, stops (terminating on signal)",
		Header: []string{"event", "lines"}, Align: []Align{Left, Right}}
	for _, r := range []struct {
		event string
		n     int64
	}{{"started", m.Master.Started}, {"reloaded", m.Master.Reloaded}, {"stopped", m.Master.Stopped}} {
		if r.n > 0 {
			t.Rows = append(t.Rows, []string{r.event, n(r.n)})
		}
	}
	return t
}
