package report

import (
	"bytes"
	"encoding/json"
	"io"
)

// renderJSON writes the model as one indented JSON object: the stable
// machine interface. Log text is written as is (JSON escapes what it must).
func renderJSON(w io.Writer, m *Model) error {
	return writeJSON(w, struct {
		*Model
		State State `json:"state"` // Model.State: clear, problems, empty or incomplete
	}{jsonModel(m), m.State()})
}

// writeJSON is the one JSON writer of the package (report and explain):
// indented, no HTML escaping, then JSONSafe.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(JSONSafe(buf.Bytes()))
	return err
}

// jsonModel makes empty lists [] rather than null, so that consumers can
// iterate without checks.
func jsonModel(m *Model) *Model {
	c := *m
	if c.Hosts == nil {
		c.Hosts = []string{}
	}
	if c.TLSFailures == nil {
		c.TLSFailures = []TLSFailureRow{}
	}
	if c.Domains == nil {
		c.Domains = []DomainRow{}
	}
	if c.Deferrals == nil {
		c.Deferrals = []DeferralRow{}
	}
	if c.TLS.Outbound.Domains == nil {
		c.TLS.Outbound.Domains = []TLSDomainRow{}
	}
	if c.TLS.Inbound.LegacyClients == nil {
		c.TLS.Inbound.LegacyClients = []ClientCount{}
	}
	if c.TLS.Inbound.HandshakeFailure == nil {
		c.TLS.Inbound.HandshakeFailure = []ClientCount{}
	}
	if c.Bounces == nil {
		c.Bounces = []BounceRow{}
	}
	if c.Rejects == nil {
		c.Rejects = []RejectRow{}
	}
	if c.Warnings == nil {
		c.Warnings = []WarningRow{}
	}
	if c.Unparsed == nil {
		c.Unparsed = []UnparsedRow{}
	}
	if c.Inputs == nil {
		c.Inputs = []InputRow{}
	}
	if c.Gaps == nil {
		c.Gaps = []GapRow{}
	}
	if c.Diagnoses == nil {
		c.Diagnoses = []Diagnosis{}
	}
	return &c
}
