package aggregate_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/pftls/pftls/aggregate"
)

// TestMatchHost: --host is the name as the lines spell it, in any case; a
// name no line is of is an error naming the hosts there are, but not when
// no line was read at all (the empty window says what is wrong then).
func TestMatchHost(t *testing.T) {
	hosts := []string{"mx1", "MX2", "mail"}
	for _, tc := range []struct {
		hosts   []string
		host    string
		want    string
		unknown bool
	}{
		{hosts, "mail", "mail", false},
		{hosts, "MAIL", "mail", false},
		{hosts, "mx2", "MX2", false},
		{hosts, "mial", "", true},
		{nil, "mail", "mail", false},
	} {
		got, err := aggregate.MatchHost(tc.hosts, tc.host)
		var unknown *aggregate.UnknownHostError
		switch {
		case tc.unknown && (!errors.As(err, &unknown) || !errors.Is(err, aggregate.ErrUnknownHost) || !slices.Equal(unknown.Hosts, tc.hosts)):
			t.Errorf("MatchHost(%q, %q): %v; want an UnknownHostError naming the hosts", tc.hosts, tc.host, err)
		case !tc.unknown && (err != nil || got != tc.want):
			t.Errorf("MatchHost(%q, %q) = %q, %v; want %q", tc.hosts, tc.host, got, err, tc.want)
		}
	}
}
