package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The PACT outbox holds the answers to footprint request events until they
// are delivered. It is written in SQL here, not with a job-queue library:
// River (github.com/riverqueue/river v0.51.2), the candidate that serves
// both databases, was weighed and set aside because
//   - concurrency limits partitioned by a job's arguments, which would
//     keep one partner's backlog from taking every worker, are a River Pro
//     feature (riverqueue.com/riverpro); plain River fetches jobs by
//     priority and time, so a dead partner's queued answers would be tried
//     side by side and hold the workers, the stall this replaces;
//   - its SQLite driver (riversqlite; database/sql, so modernc.org/sqlite
//     would do) is "in early testing" by its own documentation and
//     recommends a pool of one connection against SQLITE_BUSY, while the
//     registry shares one *sql.DB, with its own writer queue, among all
//     its work;
//   - it brings its own schema and migrator (rivermigrate, tables river_*)
//     beside goose, and a generic Client per transaction type (pgx.Tx,
//     *sql.Tx), so each dialect would need its own wiring.
//
// The claim is a lease: ClaimPACTAnswers sets claim and claimed_until on
// the rows it returns, in a write transaction; a dispatcher that dies
// leaves rows whose lease runs out and that another claim takes again
// (at-least-once). On SQLite the write transaction (BEGIN IMMEDIATE) holds
// the database's write lock, so claims of all processes are serial; on
// PostgreSQL they are serialised by a transaction advisory lock, and the
// rows are locked FOR UPDATE SKIP LOCKED, skipping those a finishing
// delivery is updating. Serial claims make the per-partner limit exact:
// a partner with an answer under lease gets no other claimed.

// PACTAnswer statuses.
const (
	AnswerPending = "pending" // waiting for its next attempt, or being attempted
	AnswerSent    = "sent"    // the partner accepted it
	AnswerFailed  = "failed"  // given up: a permanent error or too many attempts
)

// PACTAnswer is an answer to a PACT footprint request event in the outbox.
type PACTAnswer struct {
	// ID is the outbound CloudEvent's id, a random UUID fixed when the
	// answer is queued: every attempt sends the same event.
	ID             string
	PartnerID      string
	RequestEventID string   // id of the request event answered
	ProductIDs     []string // the products requested
	Source         string   // CloudEvents source of the answer
	RequestID      string   // of the HTTP request that brought the event, for the log
	Status         string   // AnswerPending, AnswerSent or AnswerFailed
	// Attempts counts the attempts started, one under way included.
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	// Payload is the answer as built by its first attempt; nil before.
	Payload   []byte
	CreatedAt time.Time

	// Claim is the token of the claim that returned the answer, and
	// Partner the partner, client secret included; set by
	// ClaimPACTAnswers only.
	Claim   string
	Partner PACTPartner
}

// PACTAnswerOutcome is how an attempt at a claimed answer ended, for
// FinishPACTAnswer.
type PACTAnswerOutcome struct {
	// Status is AnswerSent, AnswerFailed or AnswerPending (try again
	// after RetryIn).
	Status  string
	RetryIn time.Duration
	// PartnerDown, with AnswerPending, says the partner failed (no
	// connection, a 5xx, no token): its other pending answers are put back
	// to the same time, so that they do not each find it down in turn.
	PartnerDown bool
	Error       string // the attempt's error, "" on success
	// Payload, when not nil, is kept for the next attempts.
	Payload []byte
}

// PACTOutboxCounts counts a partner's answers in the outbox by status.
type PACTOutboxCounts struct {
	Pending, Sent, Failed int
}

const answerColumns = `o.id, o.partner_id, o.request_event_id, o.product_ids, o.source, o.request_id, o.status,
	o.attempts, o.next_attempt_at, o.last_error, o.payload, o.created_at`

// scanAnswer scans answerColumns and, withPartner, the claim and
// partnerColumns after them.
func scanAnswer(r row, withPartner bool) (PACTAnswer, error) {
	var (
		a                         PACTAnswer
		products                  string
		next, created, pCreatedAt dbTime
		payload                   []byte
		org                       sql.NullString
		secret                    string
	)
	dest := []any{&a.ID, &a.PartnerID, &a.RequestEventID, &products, &a.Source, &a.RequestID, &a.Status,
		&a.Attempts, &next, &a.LastError, &payload, &created}
	if withPartner {
		p := &a.Partner
		dest = append(dest, &a.Claim, &p.ID, &org, &p.Source, &p.BaseURL, &p.TokenURL, &p.ClientID, &secret, &pCreatedAt)
	}
	if err := r.Scan(dest...); err != nil {
		return PACTAnswer{}, err
	}
	if err := json.Unmarshal([]byte(products), &a.ProductIDs); err != nil {
		return PACTAnswer{}, fmt.Errorf("registry: outbox row %s: product IDs: %w", a.ID, err)
	}
	a.NextAttemptAt, a.CreatedAt = next.Time, created.Time
	if len(payload) > 0 {
		a.Payload = payload
	}
	if withPartner {
		a.Partner.OrgID, a.Partner.ClientSecret, a.Partner.CreatedAt = org.String, Secret(secret), pCreatedAt.Time
	}
	return a, nil
}

func (s *sqlStore) EnqueuePACTAnswer(ctx context.Context, in PACTAnswer) (PACTAnswer, bool, error) {
	if in.PartnerID == "" || in.RequestEventID == "" || in.Source == "" {
		return PACTAnswer{}, false, fmt.Errorf("%w: an answer needs a partner, a request event ID and a source", ErrInvalid)
	}
	products, _ := json.Marshal(nonNil(in.ProductIDs))
	now := s.timestamp()
	a := PACTAnswer{
		ID: uuid.NewString(), PartnerID: in.PartnerID, RequestEventID: in.RequestEventID, ProductIDs: nonNil(in.ProductIDs),
		Source: in.Source, RequestID: in.RequestID, Status: AnswerPending, NextAttemptAt: now, CreatedAt: now,
	}
	created := false
	err := s.db.write(ctx, func(q querier) error {
		// A partner that is backing off (its answers wait after a failed
		// attempt) is not tried again sooner for a new answer.
		var backoff dbTime
		if err := q.queryRow(ctx, `SELECT MAX(next_attempt_at) FROM pact_outbox
			WHERE partner_id = ? AND status = 'pending' AND last_error <> ''`, in.PartnerID).Scan(&backoff); err != nil {
			return err
		}
		if backoff.Valid && backoff.Time.After(now) {
			a.NextAttemptAt = backoff.Time
		}
		n, err := q.exec(ctx, `INSERT INTO pact_outbox
			(id, partner_id, request_event_id, product_ids, source, request_id, status, attempts, next_attempt_at, last_error, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, '', ?, ?)
			ON CONFLICT (partner_id, request_event_id) DO NOTHING`,
			a.ID, a.PartnerID, a.RequestEventID, string(products), a.Source, a.RequestID,
			s.db.timeArg(a.NextAttemptAt), s.db.timeArg(now), s.db.timeArg(now))
		if err != nil {
			return err
		}
		if n == 1 {
			created = true
			return nil
		}
		// The partner sent this request event before: its answer is the
		// one already queued (or sent). One that failed for good is queued
		// again, due now with its attempts reset (the partner asking again
		// is the way to retry), keeping its event id.
		requeued, err := q.exec(ctx, `UPDATE pact_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = '',
			claim = NULL, claimed_until = NULL, updated_at = ? WHERE partner_id = ? AND request_event_id = ? AND status = 'failed'`,
			s.db.timeArg(a.NextAttemptAt), s.db.timeArg(now), in.PartnerID, in.RequestEventID)
		if err != nil {
			return err
		}
		created = requeued == 1
		a, err = scanAnswer(q.queryRow(ctx, `SELECT `+answerColumns+` FROM pact_outbox o
			WHERE o.partner_id = ? AND o.request_event_id = ?`, in.PartnerID, in.RequestEventID), false)
		return err
	})
	if err != nil {
		return PACTAnswer{}, false, s.fail("queue PACT answer", err)
	}
	return a, created, nil
}

// claimCandidates picks, for each partner with a due answer and none under
// lease, its oldest due answer; the partners whose answer waited longest
// come first. One answer per partner per claim, and none while one is under
// lease, keeps a partner that is down or slow to at most one worker: the
// other partners' answers are claimed beside it.
const claimCandidates = `SELECT id FROM (
		SELECT o.id, o.next_attempt_at, o.created_at,
			row_number() OVER (PARTITION BY o.partner_id ORDER BY o.next_attempt_at, o.created_at, o.id) AS rn
		FROM pact_outbox o
		WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.claim IS NULL OR o.claimed_until <= ?)
			AND NOT EXISTS (SELECT 1 FROM pact_outbox b WHERE b.partner_id = o.partner_id
				AND b.status = 'pending' AND b.claim IS NOT NULL AND b.claimed_until > ?)
	) c WHERE rn = 1 ORDER BY next_attempt_at, created_at, id LIMIT ?`

// pgOutboxClaimLock is the advisory lock key serialising outbox claims on
// PostgreSQL ("pact").
const pgOutboxClaimLock = 0x70616374

func (s *sqlStore) ClaimPACTAnswers(ctx context.Context, n int, lease time.Duration) ([]PACTAnswer, error) {
	if n <= 0 {
		return nil, nil
	}
	now := s.timestamp()
	// Look before taking the write lock (and, on PostgreSQL, the claim
	// lock): dispatchers poll, and the outbox is mostly empty.
	var due []string
	err := s.db.read(ctx, func(q querier) error {
		var err error
		due, err = queryStrings(ctx, q, claimCandidates, s.db.timeArg(now), s.db.timeArg(now), s.db.timeArg(now), 1)
		return err
	})
	if err != nil {
		return nil, s.fail("claim PACT answers", err)
	}
	if len(due) == 0 {
		return nil, nil
	}
	claim := uuid.NewString()
	var claimed []PACTAnswer
	err = s.db.write(ctx, func(q querier) error {
		claimed = nil
		pg := s.db.dialect() == "postgres"
		if pg {
			if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(pgOutboxClaimLock)); err != nil {
				return err
			}
		}
		ids, err := queryStrings(ctx, q, claimCandidates, s.db.timeArg(now), s.db.timeArg(now), s.db.timeArg(now), n)
		if err != nil || len(ids) == 0 {
			return err
		}
		if pg {
			// Skip rows a finishing delivery holds: they are not due.
			ids, err = queryStrings(ctx, q, `SELECT id FROM pact_outbox WHERE id = ANY(?::text[])
				AND status = 'pending' AND (claim IS NULL OR claimed_until <= ?) FOR UPDATE SKIP LOCKED`,
				ids, s.db.timeArg(now))
			if err != nil {
				return err
			}
		}
		for _, id := range ids {
			if _, err := q.exec(ctx, `UPDATE pact_outbox SET claim = ?, claimed_until = ?, attempts = attempts + 1, updated_at = ?
				WHERE id = ? AND status = 'pending' AND (claim IS NULL OR claimed_until <= ?)`,
				claim, s.db.timeArg(now.Add(lease)), s.db.timeArg(now), id, s.db.timeArg(now)); err != nil {
				return err
			}
		}
		rs, err := q.query(ctx, `SELECT `+answerColumns+`, o.claim, `+prefixed("p", partnerColumns)+`
			FROM pact_outbox o JOIN pact_partners p ON p.id = o.partner_id
			WHERE o.claim = ? ORDER BY o.next_attempt_at, o.created_at, o.id`, claim)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			a, err := scanAnswer(rs, true)
			if err != nil {
				return err
			}
			claimed = append(claimed, a)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, s.fail("claim PACT answers", err)
	}
	return claimed, nil
}

// prefixed qualifies each of a comma-separated list of columns with table.
func prefixed(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rs, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var v string
		if err := rs.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rs.Err()
}

// errLeaseLost: the claim of an answer ran out and another dispatcher took it.
var errLeaseLost = fmt.Errorf("%w: the answer's claim ran out and it was claimed again", ErrConflict)

func (s *sqlStore) FinishPACTAnswer(ctx context.Context, id, claim string, o PACTAnswerOutcome) error {
	now := s.timestamp()
	var next time.Time
	switch o.Status {
	case AnswerSent, AnswerFailed:
		next = now
	case AnswerPending:
		next = now.Add(max(o.RetryIn, 0))
	default:
		return fmt.Errorf("%w: outcome status %q", ErrInvalid, o.Status)
	}
	var payload any
	if o.Payload != nil {
		payload = o.Payload
	}
	err := s.db.write(ctx, func(q querier) error {
		var partnerID string
		if err := q.queryRow(ctx, `SELECT partner_id FROM pact_outbox WHERE id = ? AND claim = ?`, id, claim).Scan(&partnerID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errLeaseLost
			}
			return err
		}
		// The claim is checked again by the UPDATE itself: between the
		// SELECT and here another dispatcher may have re-claimed a lapsed
		// lease (PostgreSQL's READ COMMITTED), and its claim must stand.
		n, err := q.exec(ctx, `UPDATE pact_outbox SET status = ?, next_attempt_at = ?, claim = NULL, claimed_until = NULL,
			last_error = ?, payload = COALESCE(?, payload), updated_at = ? WHERE id = ? AND claim = ?`,
			o.Status, s.db.timeArg(next), o.Error, payload, s.db.timeArg(now), id, claim)
		if err != nil {
			return err
		}
		if n != 1 {
			return errLeaseLost
		}
		free := `partner_id = ? AND status = 'pending' AND id <> ? AND (claim IS NULL OR claimed_until <= ?)`
		switch {
		case o.Status == AnswerPending && o.PartnerDown:
			// Back off from the partner, not only from this answer.
			_, err := q.exec(ctx, `UPDATE pact_outbox SET next_attempt_at = ? WHERE `+free+` AND next_attempt_at < ?`,
				s.db.timeArg(next), partnerID, id, s.db.timeArg(now), s.db.timeArg(next))
			return err
		case o.Status == AnswerSent:
			// The partner is back: what waited for it goes now.
			_, err := q.exec(ctx, `UPDATE pact_outbox SET next_attempt_at = ? WHERE `+free+` AND next_attempt_at > ?`,
				s.db.timeArg(now), partnerID, id, s.db.timeArg(now), s.db.timeArg(now))
			return err
		}
		return nil
	})
	if err != nil {
		return s.fail("finish PACT answer", err)
	}
	return nil
}

func (s *sqlStore) PACTOutbox(ctx context.Context) (map[string]PACTOutboxCounts, error) {
	counts := map[string]PACTOutboxCounts{}
	err := s.db.read(ctx, func(q querier) error {
		rs, err := q.query(ctx, `SELECT partner_id, status, count(*) FROM pact_outbox GROUP BY partner_id, status`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var (
				partner, status string
				n               int
			)
			if err := rs.Scan(&partner, &status, &n); err != nil {
				return err
			}
			c := counts[partner]
			switch status {
			case AnswerPending:
				c.Pending = n
			case AnswerSent:
				c.Sent = n
			case AnswerFailed:
				c.Failed = n
			}
			counts[partner] = c
		}
		return rs.Err()
	})
	if err != nil {
		return nil, s.fail("count PACT answers", err)
	}
	return counts, nil
}

func (s *sqlStore) PACTAnswer(ctx context.Context, id string) (PACTAnswer, error) {
	var a PACTAnswer
	err := s.db.read(ctx, func(q querier) error {
		var err error
		a, err = scanAnswer(q.queryRow(ctx, `SELECT `+answerColumns+` FROM pact_outbox o WHERE o.id = ?`, id), false)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return PACTAnswer{}, fmt.Errorf("%w: PACT answer %q", ErrNotFound, id)
	}
	if err != nil {
		return PACTAnswer{}, s.fail("get PACT answer", err)
	}
	return a, nil
}

func (s *sqlStore) PrunePACTAnswers(ctx context.Context, sentBefore time.Time) (int64, error) {
	var n int64
	err := s.db.write(ctx, func(q querier) error {
		var err error
		n, err = q.exec(ctx, `DELETE FROM pact_outbox WHERE status = 'sent' AND updated_at < ?`, s.db.timeArg(sentBefore.UTC()))
		return err
	})
	if err != nil {
		return 0, s.fail("prune PACT answers", err)
	}
	return n, nil
}
