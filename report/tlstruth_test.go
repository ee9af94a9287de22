package report

import "testing"

// Untrusted everywhere and Trusted nowhere, without a big provider among
// the domains: probably no CA bundle (medium); one Trusted session
// anywhere, and it is not said.
func TestDiagnoseAllUntrusted(t *testing.T) {
	model := func(trusted int64) *Model {
		m := &Model{}
		m.TLS.Outbound.ByTrust = map[string]int64{"untrusted": 12, "trusted": trusted}
		for _, d := range []string{"a.example", "b.example", "c.example"} {
			m.TLS.Outbound.Domains = append(m.TLS.Outbound.Domains, TLSDomainRow{Domain: d, Deliveries: 4, Sent: 4, Untrusted: 4})
		}
		return m
	}
	ds := Diagnose(model(0), nil)
	if len(ds) != 1 || ds[0].ID != "no-ca-bundle" || ds[0].Confidence != Medium {
		t.Errorf("all untrusted: %+v", ds)
	}
	if ds := Diagnose(model(1), nil); len(ds) != 0 {
		t.Errorf("one trusted session: want no finding, got %+v", ds)
	}
}
