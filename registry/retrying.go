package registry

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sync"
	"time"
)

// Retrying is a Store whose database was unreachable when the service
// started: it keeps trying to open it in the background, and until it
// succeeds every method returns an error wrapping ErrUnavailable, so the
// registry endpoints answer 503 and recover by themselves when the database
// comes back, without a restart.
type Retrying struct {
	mu     sync.RWMutex
	store  Store
	public ed25519.PublicKey
	cancel context.CancelFunc
	done   chan struct{}
}

// OpenRetrying starts opening the database at databaseURL (as Open) every
// interval until it succeeds or Close is called. onError receives each
// failed attempt (for a log line); it may be nil.
func OpenRetrying(databaseURL, dataDir string, interval time.Duration, onError func(error), opts ...StoreOption) *Retrying {
	ctx, cancel := context.WithCancel(context.Background())
	probe := &sqlStore{}
	for _, o := range opts {
		o(probe)
	}
	r := &Retrying{public: probe.SigningPublicKey(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s, err := Open(ctx, databaseURL, dataDir, opts...)
			if err == nil {
				r.mu.Lock()
				r.store = s
				r.mu.Unlock()
				return
			}
			if onError != nil && ctx.Err() == nil {
				onError(err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return r
}

func (r *Retrying) current() (Store, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.store == nil {
		return nil, fmt.Errorf("registry: database not reachable yet: %w", ErrUnavailable)
	}
	return r.store, nil
}

// Ping reports ErrUnavailable until the database is open.
func (r *Retrying) Ping(ctx context.Context) error {
	s, err := r.current()
	if err != nil {
		return err
	}
	return s.Ping(ctx)
}

// Close stops retrying and closes the database if it was opened.
func (r *Retrying) Close() error {
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.store == nil {
		return nil
	}
	err := r.store.Close()
	r.store = nil
	return err
}

// with runs fn on the open store, or returns ErrUnavailable.
func with[T any](r *Retrying, fn func(Store) (T, error)) (T, error) {
	s, err := r.current()
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(s)
}

func (r *Retrying) CreateOrganisation(ctx context.Context, name string) (Organisation, error) {
	return with(r, func(s Store) (Organisation, error) { return s.CreateOrganisation(ctx, name) })
}

func (r *Retrying) OrganisationByName(ctx context.Context, name string) (Organisation, error) {
	return with(r, func(s Store) (Organisation, error) { return s.OrganisationByName(ctx, name) })
}

func (r *Retrying) OrganisationByID(ctx context.Context, id string) (Organisation, error) {
	return with(r, func(s Store) (Organisation, error) { return s.OrganisationByID(ctx, id) })
}

func (r *Retrying) CreateAPIKey(ctx context.Context, orgID string) (string, APIKey, error) {
	s, err := r.current()
	if err != nil {
		return "", APIKey{}, err
	}
	return s.CreateAPIKey(ctx, orgID)
}

func (r *Retrying) AuthenticateAPIKey(ctx context.Context, plaintext string) (Organisation, error) {
	return with(r, func(s Store) (Organisation, error) { return s.AuthenticateAPIKey(ctx, plaintext) })
}

func (r *Retrying) ListAPIKeys(ctx context.Context, orgID string) ([]APIKey, error) {
	return with(r, func(s Store) ([]APIKey, error) { return s.ListAPIKeys(ctx, orgID) })
}

func (r *Retrying) RevokeAPIKey(ctx context.Context, keyID string) error {
	_, err := with(r, func(s Store) (struct{}, error) { return struct{}{}, s.RevokeAPIKey(ctx, keyID) })
	return err
}

func (r *Retrying) CreatePACTClient(ctx context.Context, orgID string) (string, string, error) {
	s, err := r.current()
	if err != nil {
		return "", "", err
	}
	return s.CreatePACTClient(ctx, orgID)
}

func (r *Retrying) AuthenticatePACTClient(ctx context.Context, clientID, secret string) (Organisation, error) {
	return with(r, func(s Store) (Organisation, error) { return s.AuthenticatePACTClient(ctx, clientID, secret) })
}

func (r *Retrying) ListPACTClients(ctx context.Context, orgID string) ([]PACTClient, error) {
	return with(r, func(s Store) ([]PACTClient, error) { return s.ListPACTClients(ctx, orgID) })
}

func (r *Retrying) RevokePACTClient(ctx context.Context, clientID string) error {
	_, err := with(r, func(s Store) (struct{}, error) { return struct{}{}, s.RevokePACTClient(ctx, clientID) })
	return err
}

func (r *Retrying) PACTClientActive(ctx context.Context, clientID string) error {
	_, err := with(r, func(s Store) (struct{}, error) { return struct{}{}, s.PACTClientActive(ctx, clientID) })
	return err
}

func (r *Retrying) CreatePACTPartner(ctx context.Context, p PACTPartner) (PACTPartner, error) {
	return with(r, func(s Store) (PACTPartner, error) { return s.CreatePACTPartner(ctx, p) })
}

func (r *Retrying) PACTPartnerBySource(ctx context.Context, source string) (PACTPartner, error) {
	return with(r, func(s Store) (PACTPartner, error) { return s.PACTPartnerBySource(ctx, source) })
}

func (r *Retrying) ListPACTPartners(ctx context.Context) ([]PACTPartner, error) {
	return with(r, func(s Store) ([]PACTPartner, error) { return s.ListPACTPartners(ctx) })
}

func (r *Retrying) EnqueuePACTAnswer(ctx context.Context, a PACTAnswer) (PACTAnswer, bool, error) {
	s, err := r.current()
	if err != nil {
		return PACTAnswer{}, false, err
	}
	return s.EnqueuePACTAnswer(ctx, a)
}

func (r *Retrying) ClaimPACTAnswers(ctx context.Context, n int, lease time.Duration) ([]PACTAnswer, error) {
	return with(r, func(s Store) ([]PACTAnswer, error) { return s.ClaimPACTAnswers(ctx, n, lease) })
}

func (r *Retrying) FinishPACTAnswer(ctx context.Context, id, claim string, o PACTAnswerOutcome) error {
	_, err := with(r, func(s Store) (struct{}, error) { return struct{}{}, s.FinishPACTAnswer(ctx, id, claim, o) })
	return err
}

func (r *Retrying) PrunePACTAnswers(ctx context.Context, sentBefore time.Time) (int64, error) {
	return with(r, func(s Store) (int64, error) { return s.PrunePACTAnswers(ctx, sentBefore) })
}

func (r *Retrying) PACTAnswer(ctx context.Context, id string) (PACTAnswer, error) {
	return with(r, func(s Store) (PACTAnswer, error) { return s.PACTAnswer(ctx, id) })
}

func (r *Retrying) PACTOutbox(ctx context.Context) (map[string]PACTOutboxCounts, error) {
	return with(r, func(s Store) (map[string]PACTOutboxCounts, error) { return s.PACTOutbox(ctx) })
}

func (r *Retrying) CreateDeclaration(ctx context.Context, d Declaration) (Declaration, error) {
	return with(r, func(s Store) (Declaration, error) { return s.CreateDeclaration(ctx, d) })
}

func (r *Retrying) GetDeclaration(ctx context.Context, id, viewer string) (Declaration, error) {
	return with(r, func(s Store) (Declaration, error) { return s.GetDeclaration(ctx, id, viewer) })
}

func (r *Retrying) ListDeclarations(ctx context.Context, f DeclarationFilter) ([]Declaration, string, error) {
	s, err := r.current()
	if err != nil {
		return nil, "", err
	}
	return s.ListDeclarations(ctx, f)
}

func (r *Retrying) CheckDeclaration(ctx context.Context, id string) (DeclarationCheck, error) {
	s, err := r.current()
	if err != nil {
		return DeclarationCheck{}, err
	}
	return s.CheckDeclaration(ctx, id)
}

func (r *Retrying) VerifyChain(ctx context.Context, pub ed25519.PublicKey) (ChainReport, error) {
	s, err := r.current()
	if err != nil {
		return ChainReport{}, err
	}
	return s.VerifyChain(ctx, pub)
}

// SigningPublicKey is known before the database is open: it comes from
// the options.
func (r *Retrying) SigningPublicKey() ed25519.PublicKey { return r.public }

var _ Store = (*Retrying)(nil)
