package registry

import (
	"context"
	"fmt"
)

// pactTokenSecretName is the service_secrets row of the PACT token key.
const pactTokenSecretName = "pact_token_hmac"

// pactTokenSecretBytes is the length of the PACT token key, as long as
// HMAC-SHA256's output (RFC 2104 §3).
const pactTokenSecretBytes = 32

// PACTTokenSecret returns the key that signs PACT access tokens: 32 random
// bytes created by the first caller and the same for every later one, in
// this process, in others sharing the database, and after restarts.
// Concurrent first callers agree: each inserts its candidate with ON
// CONFLICT DO NOTHING, then all read the row that won.
func (s *sqlStore) PACTTokenSecret(ctx context.Context) ([]byte, error) {
	err := s.db.write(ctx, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO service_secrets (name, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO NOTHING`,
			pactTokenSecretName, randomBytes(pactTokenSecretBytes), s.db.timeArg(s.timestamp()))
		return err
	})
	if err != nil {
		return nil, s.fail("create the PACT token secret", err)
	}
	var secret []byte
	err = s.db.read(ctx, func(q querier) error {
		return q.queryRow(ctx, `SELECT value FROM service_secrets WHERE name = ?`, pactTokenSecretName).Scan(&secret)
	})
	if err != nil {
		return nil, s.fail("read the PACT token secret", err)
	}
	if len(secret) != pactTokenSecretBytes {
		return nil, fmt.Errorf("registry: the PACT token secret is %d bytes, not %d", len(secret), pactTokenSecretBytes)
	}
	return secret, nil
}

// PACTTokenSecret is the open store's, or ErrUnavailable.
func (r *Retrying) PACTTokenSecret(ctx context.Context) ([]byte, error) {
	return with(r, func(s Store) ([]byte, error) { return s.PACTTokenSecret(ctx) })
}
