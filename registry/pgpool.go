package registry

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgPool is a minimal pool of pgx connections: at most max open, idle ones
// reused newest first, pinged before reuse after a second of idleness, and
// discarded when broken or left inside a transaction.
//
// It stands in for pgxpool, whose dependency (github.com/jackc/puddle/v2)
// is not in go.sum yet; acquire/release map onto pgxpool.Pool.Acquire and
// Conn.Release, so swapping it is local to postgres.go.
type pgPool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per open or opening connection

	mu     sync.Mutex
	idle   []idlePGConn
	closed bool
}

type idlePGConn struct {
	conn  *pgx.Conn
	since time.Time
}

var errPoolClosed = errors.New("connection pool closed")

const (
	pgPingAfterIdle = time.Second
	pgPingTimeout   = 2 * time.Second
	pgCloseTimeout  = 2 * time.Second
)

func newPGPool(cfg *pgx.ConnConfig, maxConns int) *pgPool {
	return &pgPool{cfg: cfg, slots: make(chan struct{}, maxConns)}
}

// acquire returns a connection for the caller's sole use until release.
func (p *pgPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			<-p.slots
			return nil, errPoolClosed
		}
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		ic := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if time.Since(ic.since) < pgPingAfterIdle {
			return ic.conn, nil
		}
		pingCtx, cancel := context.WithTimeout(ctx, pgPingTimeout)
		err := ic.conn.Ping(pingCtx)
		cancel()
		if err == nil {
			return ic.conn, nil
		}
		closeConn(ic.conn)
		if ctx.Err() != nil {
			<-p.slots
			return nil, ctx.Err()
		}
	}
	conn, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.slots
		return nil, err
	}
	return conn, nil
}

// release returns conn to the pool, or closes it if it is unfit for reuse.
func (p *pgPool) release(conn *pgx.Conn) {
	defer func() { <-p.slots }()
	pg := conn.PgConn()
	if conn.IsClosed() || pg.IsBusy() || pg.TxStatus() != 'I' {
		closeConn(conn)
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		closeConn(conn)
		return
	}
	p.idle = append(p.idle, idlePGConn{conn: conn, since: time.Now()})
	p.mu.Unlock()
}

// close closes the idle connections and makes acquire fail; connections in
// use are closed as they are released.
func (p *pgPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, ic := range idle {
		closeConn(ic.conn)
	}
}

func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), pgCloseTimeout)
	defer cancel()
	_ = conn.Close(ctx)
}
