package aggregate

import (
	"context"
	"fmt"
	"time"
)

// Domains returns up to limit distinct destination domains, sorted: those
// with a delivery attempt since the given time (attempts are indexed by
// time, not by domain, so the window keeps the scan short on a big
// database) and those with any TLS failure (indexed by domain). It is for
// shell completion, which wants a quick answer over a complete one.
func (s *Store) Domains(ctx context.Context, since time.Time, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT domain FROM attempts WHERE time >= ? AND domain <> ''
		UNION
		SELECT DISTINCT domain FROM tls_failures WHERE domain <> ''
		ORDER BY 1 LIMIT ?`, since.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("%s: list domains: %w", s.path, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("%s: list domains: %w", s.path, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: list domains: %w", s.path, err)
	}
	return out, nil
}
