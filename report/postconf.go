package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// PostfixConfig is what pftls read of the Postfix configuration (with
// --postconf), to confirm a diagnosis and quote the line to change. pftls
// never changes it.
type PostfixConfig struct {
	Source string            // where the parameters came from ("postconf -n", a main.cf path)
	Params map[string]string // parameter = value, as set (not the defaults)
	Policy []PolicyEntry     // the smtp_tls_policy_maps source file(s)
}

// PolicyEntry is one line of a TLS policy table source file.
type PolicyEntry struct {
	File  string
	Line  int
	Key   string // "example.com", ".example.com", "[mx.example.com]:25"
	Value string // "secure match=.example.com"
}

// String quotes the entry as "file:line: key value".
func (e PolicyEntry) String() string {
	return fmt.Sprintf("%s:%d: %s %s", e.File, e.Line, e.Key, e.Value)
}

// ParsePostconf reads "name = value" lines: postconf -n output or main.cf
// (comments, blank lines and continuation lines starting with whitespace
// are understood).
func ParsePostconf(r io.Reader) (map[string]string, error) {
	params := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	last := ""
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			params[last] = strings.TrimSpace(params[last] + " " + trimmed)
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		last = strings.TrimSpace(name)
		params[last] = strings.TrimSpace(value)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read postconf: %w", err)
	}
	return params, nil
}

// PolicyMapFiles returns the source files behind smtp_tls_policy_maps
// (hash:/etc/postfix/tls_policy -> /etc/postfix/tls_policy); tables that
// are not files (socketmap, mysql, ...) are left out.
func PolicyMapFiles(params map[string]string) []string {
	var files []string
	for _, m := range strings.FieldsFunc(params["smtp_tls_policy_maps"], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		typ, path, ok := strings.Cut(m, ":")
		if !ok {
			continue
		}
		switch typ {
		case "hash", "btree", "lmdb", "cdb", "dbm", "texthash", "inline":
			if typ != "inline" && strings.HasPrefix(path, "/") {
				files = append(files, path)
			}
		}
	}
	return files
}

// ParsePolicyFile reads a TLS policy table source: "key value..." lines.
func ParsePolicyFile(name string, r io.Reader) ([]PolicyEntry, error) {
	var out []PolicyEntry
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, _ := strings.Cut(line, " ")
		if k, v, ok := strings.Cut(line, "\t"); ok && len(k) < len(key) {
			key, value = k, v
		}
		out = append(out, PolicyEntry{File: name, Line: n, Key: key, Value: strings.TrimSpace(value)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// PolicyFor finds the policy entry that applies to a destination domain or
// to one of its MX hosts: the next-hop forms Postfix looks up
// ("domain", ".parent", "[mx]", "[mx]:port").
func (c *PostfixConfig) PolicyFor(domain string, mxHosts []string) (PolicyEntry, bool) {
	if c == nil {
		return PolicyEntry{}, false
	}
	match := func(key string) bool {
		k := strings.ToLower(key)
		if k == domain || (strings.HasPrefix(k, ".") && strings.HasSuffix(domain, k)) {
			return true
		}
		host := strings.Trim(strings.SplitN(strings.TrimPrefix(k, "["), "]", 2)[0], "[]")
		for _, mx := range mxHosts {
			if host == strings.ToLower(mx) {
				return true
			}
		}
		return host == "mx."+domain || strings.HasSuffix(host, "."+domain)
	}
	for _, e := range c.Policy {
		if match(e.Key) {
			return e, true
		}
	}
	return PolicyEntry{}, false
}

// Param returns a parameter's value and whether it is set.
func (c *PostfixConfig) Param(name string) (string, bool) {
	if c == nil {
		return "", false
	}
	v, ok := c.Params[name]
	return v, ok
}
