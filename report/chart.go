package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pftls/pftls/aggregate"
)

// This file holds what every rendering's charts share: the series they
// show, taken from the Model once, and the sparkline of the text formats.
// The charts only picture what the tables say (the per-hour table, the
// TLS mix, the failing domains): a reader without colour, without images
// or with a screen reader loses nothing but the picture. Each target has
// its own drawing (chart_text.go, chart_svg.go, chart_mail.go).

// chartSeries is one named row of values, with the legend's words.
type chartSeries struct {
	Name   string
	Values []int64
}

// total is the sum of the series.
func (s chartSeries) total() int64 {
	var t int64
	for _, v := range s.Values {
		t += v
	}
	return t
}

// peak is the largest value and its index (the first one).
func (s chartSeries) peak() (int64, int) {
	var p int64
	at := 0
	for i, v := range s.Values {
		if v > p {
			p, at = v, i
		}
	}
	return p, at
}

// hourlyCharts are the series of the hourly chart, by hour of day 00..23:
// volume (received, delivered) and problems (deferral lines, bounced
// recipients, failed TLS sessions), the per-hour table's counts. ok is
// false when the window has no traffic.
func (m *Model) hourlyCharts() (volume, problems []chartSeries, ok bool) {
	if len(m.Hourly) == 0 {
		return nil, nil, false
	}
	var rec, del, def, bou, tls [24]int64
	for _, r := range m.Hourly {
		h, err := strconv.Atoi(r.Period)
		if err != nil || h < 0 || h > 23 {
			continue
		}
		rec[h], del[h], def[h], bou[h], tls[h] = r.Received, r.Delivered, r.Deferrals, r.Bounced, r.TLSFailures
	}
	volume = []chartSeries{{"received", rec[:]}, {"delivered", del[:]}}
	problems = []chartSeries{{"deferrals", def[:]}, {"bounced", bou[:]}, {"TLS failures", tls[:]}}
	return volume, problems, true
}

// trendSeries are a failing domain's problems per bucket, by kind.
func trendSeries(d DomainTrend) []chartSeries {
	return []chartSeries{{"TLS failures", d.TLSFailures}, {"deferrals", d.Deferrals}, {"bounced", d.Bounced}}
}

// trendSum is a domain's problems of every kind per bucket.
func trendSum(d DomainTrend) []int64 {
	out := make([]int64, len(d.TLSFailures))
	for i := range out {
		out[i] = d.TLSFailures[i] + d.Deferrals[i] + d.Bounced[i]
	}
	return out
}

// trendBreakdown says a domain's problems in words: "53 TLS failures, 12
// deferrals".
func trendBreakdown(d DomainTrend) string {
	var parts []string
	for _, s := range trendSeries(d) {
		if t := s.total(); t > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t, s.Name))
		}
	}
	return strings.Join(parts, ", ")
}

// trendCaption says what a trend chart's columns are: "2026-11-23 00:19
// to 00:26 (UTC), 1m a column".
func (t *Trends) caption(zone *time.Location) string {
	step := time.Duration(t.StepSeconds) * time.Second
	end := t.From.Add(step * time.Duration(t.Buckets))
	return span(t.From, end, zone) + " (" + t.From.In(zone).Format("MST") + "), " + shortStep(step) + " a column"
}

// shortStep writes a bucket size: "1m", "6h", "2d".
func shortStep(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// mixPart is one slice of a TLS mix bar.
type mixPart struct {
	Name  string
	Count int64
	Style mixStyle // its colour and pattern, by what it means
}

// mixStyle indexes the charts' palettes (svgPatterns and mailColors, in
// the same order): a part of the TLS mix is drawn by what it means, so
// that failed TLS is red and verified TLS green whatever else the window
// holds.
type mixStyle int

const (
	styleGrey mixStyle = iota
	styleBlue
	styleOrange
	styleRed
	stylePurple
	styleGreen
	styleBrown
	styleLight
)

// postureStyles are the styles of the trust postures.
var postureStyles = map[aggregate.TLSPosture]mixStyle{
	aggregate.PostureVerified:  styleGreen,
	aggregate.PostureTrusted:   styleBlue,
	aggregate.PostureUntrusted: stylePurple,
	aggregate.PostureAnonymous: styleBrown,
	aggregate.PostureEncrypted: styleGrey,
	aggregate.PosturePlaintext: styleOrange,
	aggregate.PostureTLSFailed: styleRed,
	aggregate.PostureNotLogged: styleLight,
}

// protocolStyle is the style of a TLS protocol version: the current one
// green, TLS 1.2 blue, the older ones brown, orange and red (each its own,
// as they sort next to each other), a name pftls does not know grey.
func protocolStyle(protocol string) mixStyle {
	switch protocol {
	case "TLSv1.3":
		return styleGreen
	case "TLSv1.2":
		return styleBlue
	case "TLSv1.1":
		return styleBrown
	case "TLSv1":
		return styleOrange
	case "SSLv3", "SSLv2":
		return styleRed
	}
	return styleGrey
}

// mixBar is one 100% bar of the TLS mix chart.
type mixBar struct {
	Title string
	Total int64
	Parts []mixPart
}

// tlsMixBars are the bars of the TLS mix chart: outbound attempts by
// trust, TLS sessions by protocol, and the share of TLS sessions with a
// post-quantum hybrid key exchange. Empty when nothing reached a server.
func (m *Model) tlsMixBars() []mixBar {
	o := m.TLS.Outbound
	if o.Deliveries == 0 {
		return nil
	}
	var bars []mixBar
	trust := mixBar{Title: "outbound trust"}
	for _, p := range aggregate.Postures {
		if v := o.ByTrust[string(p)]; v > 0 {
			trust.Parts = append(trust.Parts, mixPart{string(p), v, postureStyles[p]})
			trust.Total += v
		}
	}
	if trust.Total > 0 {
		bars = append(bars, trust)
	}
	proto := mixBar{Title: "outbound protocol"}
	for _, k := range sortedKeys(o.ByProtocol) {
		if v := o.ByProtocol[k]; v > 0 {
			proto.Parts = append(proto.Parts, mixPart{k, v, protocolStyle(k)})
			proto.Total += v
		}
	}
	if proto.Total > 0 {
		bars = append(bars, proto)
	}
	if o.TLS > 0 {
		pq := mixBar{Title: "post-quantum key exchange", Total: o.TLS}
		if o.PostQuantum > 0 {
			pq.Parts = append(pq.Parts, mixPart{"post-quantum hybrid", o.PostQuantum, styleGreen})
		}
		if rest := o.TLS - o.PostQuantum; rest > 0 {
			pq.Parts = append(pq.Parts, mixPart{"classical", rest, styleGrey})
		}
		bars = append(bars, pq)
	}
	return bars
}

// share writes v of total as a percentage: "42%", "<1%".
func share(v, total int64) string {
	if total <= 0 {
		return ""
	}
	p := 100 * float64(v) / float64(total)
	if p > 0 && p < 1 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// Sparkline levels: a zero is a blank, any other value at least the
// lowest bar, the peak the full one.
var (
	sparkUnicode = []rune("▁▂▃▄▅▆▇█")
	sparkASCII   = []rune(".:-=+*#@")
)

// sparkline draws values as one character each, scaled to their peak.
func sparkline(values []int64, ascii bool) string {
	levels := sparkUnicode
	if ascii {
		levels = sparkASCII
	}
	var top int64
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		if v <= 0 {
			b.WriteByte(' ')
			continue
		}
		i := int((v*int64(len(levels)) + top - 1) / top) // ceil: 1..len(levels)
		b.WriteRune(levels[min(max(i, 1), len(levels))-1])
	}
	return b.String()
}

// ASCIICharts reports whether the text charts should use ASCII instead of
// Unicode block characters, from the environment (getenv is os.Getenv):
// when PFTLS_ASCII is set to anything but "" or "0", or when the locale
// (the first of LC_ALL, LC_CTYPE, LANG that is set) names a character set
// other than UTF-8 ("C", "POSIX", "en_US.ISO-8859-1"). With no locale set
// at all (cron, systemd units) the charts stay Unicode: the report is
// UTF-8 whatever the locale, and mail clients show it.
func ASCIICharts(getenv func(string) string) bool {
	if v := getenv("PFTLS_ASCII"); v != "" && v != "0" {
		return true
	}
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(k); v != "" {
			v = strings.ToLower(v)
			return !strings.Contains(v, "utf-8") && !strings.Contains(v, "utf8")
		}
	}
	return false
}

// runes is the display length of s in runes (the text layout's unit).
func runes(s string) int { return utf8.RuneCountInString(s) }
