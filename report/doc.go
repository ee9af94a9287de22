// Package report turns the facts pftls stores into what people read: the
// report (a Model built once, then rendered as text, Markdown, JSON, CSV,
// HTML or e-mail; its counts also as Prometheus metrics), the diagnoses in it, the per-domain explanation of
// "pftls explain", and the live view and event stream of "pftls tail".
//
// Renderers only format a Model; they never query the store. Every
// log-derived string is escaped for its target in exactly one function per
// target.
//
// # The report
//
//   - model.go: Model and its rows, whose JSON form is the stable machine
//     interface.
//   - build.go: Build, and the Builder that counts a stream of facts (the
//     one place of pftls's counting rules).
//   - build_tls.go: the Builder's TLS counting (the outbound mix and
//     posture per domain, TLSRPT beside pftls's own view, failed TLS
//     sessions by the domain they are filed under, inbound sessions).
//   - build_model.go: the Builder's last step, from counts to a sorted,
//     trimmed Model.
//   - distinct.go: counting distinct senders and recipients by hash, in a
//     sorted slice.
//   - ids.go: numbering the hosts, queue IDs and recipients of the
//     messages counted once (deferred, expired, held up by TLS), and the
//     smtpd clients, so that their sets and counts hold small
//     pointer-free keys; arena.go: where the numbered names' text is
//     kept, in shared blocks.
//   - volume.go: the bounded ranked lists of the staples (Space-Saving).
//   - state.go: what a window amounts to, decided once: Problem, State,
//     Model.Problems/Has/State/Summary (the mail subject, the state line,
//     --only-problems and --fail-on), the input not understood
//     (Model.AddInput, Model.Alerts).
//   - diagnose.go: Diagnose, the problems a Model shows and what to change.
//   - postconf.go: reading the Postfix configuration that confirms a
//     diagnosis (--postconf).
//   - redact.go: Redact, hashing the local part of e-mail addresses.
//   - explain.go: Explain and RenderExplain, one domain's timeline.
//   - tlsrpt.go: TLSRPTBuilder, RFC 8460 TLS reports of a day per policy
//     domain (pure), their JSON, §5.3 file name, gzip and mail
//     (WriteTLSRPTEmail); pftls tlsrpt writes and sends them.
//
// # Rendering
//
//   - render.go: Render, which picks a format, and RenderOptions.
//   - sections.go: the Model as Tables, the shape the tabular renderers
//     format.
//   - staples.go: the sections of pflogsumm's staples (delivery by
//     domain, traffic by hour and day, smtpd connections by client,
//     received by sender domain, top senders and recipients).
//   - chart.go: what the charts of every format share (the series, the
//     TLS mix bars, sparklines, ASCIICharts); chart_trend.go: the
//     failing domains' problems over time, counted by the Builder;
//     chart_text.go (text and Markdown), chart_svg.go (HTML: inline SVG)
//     and chart_mail.go (the e-mail: HTML tables) draw them.
//   - text.go: plain-text tables (the only file that imports tablewriter),
//     wrapped at spaces and commas only (tokenWrap).
//   - markdown.go, json.go, csv.go, html.go: the other formats.
//   - email.go: WriteEmail, a MIME message with text and HTML parts.
//   - escape.go: TerminalSafe and JSONSafe; the Markdown and CSV escapes
//     stand in their renderers, HTML's is html/template's.
//   - prometheus.go: Metrics, the Prometheus families counted from facts
//     (pftls tail --listen, and report --format prometheus through
//     WritePrometheus); it asks aggregate what a fact counts as.
//
// # The live view of pftls tail
//
//   - live.go: Live, the rolling window of facts, and the LiveModel of one
//     frame.
//   - events.go: LiveEvent, Events and the event stream written when stdout
//     is not a terminal (WriteEventText, WriteEventJSON).
//   - layout.go: the table layout: display cells, clipping, columns that
//     narrow and drop to fit the width.
//   - live_screen.go: RenderLive, the full-screen frame (RenderLiveStyled:
//     with colours).
//   - live_view.go: LiveView, what the keys chose (sort, filter, pause,
//     help), and the frame's colours (LiveStyle).
package report
