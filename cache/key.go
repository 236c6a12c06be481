package cache

import "strings"

// Key joins parts with ":", e.g. Key(dataset, engineVersion, endpoint, hash).
func Key(parts ...string) string {
	return strings.Join(parts, ":")
}
