package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/puddle/v2"
)

const pgDefaultConnectTimeout = 5 * time.Second

// pgMigrationLock is the advisory lock key that serialises migrations of
// replicas starting together ("alca"). goose holds it as a session lock
// (pgMigrationLocker); the runner before goose took it with
// pg_advisory_xact_lock, so replicas of both builds exclude each other
// during an upgrade.
const pgMigrationLock = 0x616c6361

type pgDB struct {
	pool *pgxpool.Pool
}

func openPostgres(ctx context.Context, databaseURL string, opts []StoreOption) (Store, error) {
	cfg, err := pgPoolConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("registry: connect to PostgreSQL: %w", err)
	}
	d := &pgDB{pool: pool}
	if err := d.ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("registry: connect to PostgreSQL: %w: %w", ErrUnavailable, err)
	}
	if err := d.migrate(ctx); err != nil {
		pool.Close()
		if d.classify(err) == ErrUnavailable {
			return nil, fmt.Errorf("registry: migrate PostgreSQL: %w: %w", ErrUnavailable, err)
		}
		return nil, fmt.Errorf("registry: migrate PostgreSQL: %w", err)
	}
	return openedStore(ctx, d, opts)
}

// pgPoolConfig parses the database URL with pgxpool, which takes
// pool_max_conns (a positive integer, default max(4, CPUs)) and the other
// pool_* parameters out of the URL and passes every remaining query
// parameter, such as search_path or application_name, to PostgreSQL as a
// run-time parameter. connect_timeout defaults to 5 s.
func pgPoolConfig(databaseURL string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgconn's parse errors redact the password.
		return nil, fmt.Errorf("registry: invalid database URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = pgDefaultConnectTimeout
	}
	return cfg, nil
}

// withConn runs fn on a pooled connection. An error that left the
// connection closed is marked as ErrUnavailable's cause for classify.
func (d *pgDB) withConn(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	c, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// Release destroys a connection that is closed, busy or left in a
	// transaction instead of returning it to the pool.
	defer c.Release()
	conn := c.Conn()
	err = fn(conn)
	if err != nil && conn.IsClosed() {
		return fmt.Errorf("%w: %w", errConnLost, err)
	}
	return err
}

var errConnLost = errors.New("connection lost")

func (d *pgDB) read(ctx context.Context, fn func(q querier) error) error {
	return d.withConn(ctx, func(conn *pgx.Conn) error {
		return fn(pgQuerier{conn})
	})
}

func (d *pgDB) write(ctx context.Context, fn func(q querier) error) error {
	return d.withConn(ctx, func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			return fn(pgQuerier{tx})
		})
	})
}

// migrate runs goose through database/sql on the pool's connections (the
// URL's search_path included), under pgMigrationLocker.
func (d *pgDB) migrate(ctx context.Context) error {
	db := stdlib.OpenDBFromPool(d.pool) // closing it leaves the pool open
	defer db.Close()
	return migrate(ctx, db, d.dialect(), pgMigrationLocker{})
}

// pgMigrationLocker is goose's session lock for PostgreSQL, held on the
// connection goose migrates on: the session advisory lock pgMigrationLock,
// waited for in pg_advisory_lock, in the server's queue, for up to
// migrationLockTimeout. (goose's own locker polls pg_try_advisory_lock
// every second or more, which makes every replica that finds the lock
// taken wait a whole period, and lets a late one win over an early one.)
// A session that ends releases it.
type pgMigrationLocker struct{}

func (pgMigrationLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, migrationLockTimeout)
	defer cancel()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(pgMigrationLock)); err != nil {
		return fmt.Errorf("registry: wait for the migration lock: %w", err)
	}
	return nil
}

func (pgMigrationLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var released bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, int64(pgMigrationLock)).Scan(&released); err != nil {
		return fmt.Errorf("registry: release the migration lock: %w", err)
	}
	if !released {
		return errors.New("registry: release the migration lock: not held")
	}
	return nil
}

func (d *pgDB) ping(ctx context.Context) error {
	return d.withConn(ctx, func(conn *pgx.Conn) error { return conn.Ping(ctx) })
}

// close closes the pool; it waits for connections in use to be released.
func (d *pgDB) close() error {
	d.pool.Close()
	return nil
}

func (d *pgDB) classify(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505": // unique_violation
			return ErrConflict
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			strings.HasPrefix(pgErr.Code, "53"),  // insufficient resources
			strings.HasPrefix(pgErr.Code, "57P"): // shutdown, cannot connect now
			return ErrUnavailable
		}
		return nil
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, puddle.ErrClosedPool), errors.Is(err, errConnLost),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		pgconn.Timeout(err):
		return ErrUnavailable
	}
	return nil
}

func (d *pgDB) timeArg(t time.Time) any { return t }

func (d *pgDB) dialect() string { return "postgres" }

// pgRunner is what *pgx.Conn and pgx.Tx share.
type pgRunner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgQuerier struct{ r pgRunner }

func (q pgQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if len(args) > 0 {
		query = rebind(query)
	}
	tag, err := q.r.Exec(ctx, query, args...)
	return tag.RowsAffected(), err
}

func (q pgQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	return q.r.Query(ctx, rebind(query), args...)
}

func (q pgQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return q.r.QueryRow(ctx, rebind(query), args...)
}

// rebind turns the ? placeholders of the shared SQL into $1, $2, …, leaving
// string literals alone.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n, inString := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
