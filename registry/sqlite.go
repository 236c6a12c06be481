package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLiteFile is the registry's file name inside the data directory.
const SQLiteFile = "registry.db"

// migrationLockSuffix names, after SQLiteFile, the empty file whose lock
// serialises the migrations of processes sharing the data directory.
const migrationLockSuffix = "-migrate.lock"

// sqliteDSN sets, on every connection: WAL, so readers never wait for the
// writer; synchronous=FULL, so a commit is on disk before it returns;
// foreign keys; a busy timeout for writers in other processes (the CLI);
// and BEGIN IMMEDIATE, so a write transaction takes the write lock up front
// instead of failing with SQLITE_BUSY when it first writes.
const sqliteDSN = "?_busy_timeout=10000&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"

type sqliteDB struct {
	db *sql.DB
	// writer holds one token: this process's writes queue here, in Go,
	// rather than spinning on SQLite's busy handler.
	writer chan struct{}
}

func openSQLite(ctx context.Context, dataDir string, opts []StoreOption) (Store, error) {
	if dataDir == "" {
		return nil, errors.New("registry: data directory required for SQLite")
	}
	// Only the service's user may list or enter the folder: the registry
	// file is private, and so are the names of its -wal and -shm files.
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("registry: create data directory: %w", err)
	}
	path := filepath.Join(dataDir, SQLiteFile)
	if strings.Contains(path, "?") {
		return nil, errors.New("registry: data directory path must not contain '?'")
	}
	if err := restrictFile(path); err != nil {
		return nil, err
	}
	sdb, err := sql.Open("sqlite", path+sqliteDSN)
	if err != nil {
		return nil, fmt.Errorf("registry: open SQLite: %w", err)
	}
	conns := max(4, runtime.NumCPU())
	sdb.SetMaxOpenConns(conns)
	sdb.SetMaxIdleConns(conns)
	d := &sqliteDB{db: sdb, writer: make(chan struct{}, 1)}
	if err := d.checkDurability(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	if err := migrate(ctx, sdb, d.dialect(), &sqliteMigrationLock{path: path + migrationLockSuffix}); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("registry: migrate SQLite: %w", err)
	}
	return openedStore(ctx, d, opts)
}

// sqliteFileMode is the registry file's mode: it holds PACT partners'
// client secrets in clear, so only the service's user may read it. SQLite
// gives its -wal and -shm files the database file's mode.
const sqliteFileMode = 0o600

// restrictFile creates the registry file at path with sqliteFileMode if it
// is missing, and takes group and other permissions away from it and its
// -wal and -shm files if they have any (a file made by an older release).
func restrictFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, sqliteFileMode)
	if err != nil {
		return fmt.Errorf("registry: create %s: %w", SQLiteFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("registry: create %s: %w", SQLiteFile, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("registry: make %s private: %w", filepath.Base(p), err)
			}
		}
	}
	return nil
}

// checkDurability confirms the settings Store's promise rests on took
// effect; WAL, for one, is refused on some file systems.
func (d *sqliteDB) checkDurability(ctx context.Context) error {
	var mode string
	var sync int
	if err := d.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("registry: open SQLite: %w", err)
	}
	if err := d.db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		return fmt.Errorf("registry: open SQLite: %w", err)
	}
	if !strings.EqualFold(mode, "wal") || sync != 2 {
		return fmt.Errorf("registry: open SQLite: journal_mode=%s synchronous=%d, want wal and 2 (FULL)", mode, sync)
	}
	return nil
}

func (d *sqliteDB) read(ctx context.Context, fn func(q querier) error) error {
	return fn(sqlQuerier{d.db})
}

func (d *sqliteDB) write(ctx context.Context, fn func(q querier) error) (err error) {
	select {
	case d.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-d.writer }()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(sqlQuerier{tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (d *sqliteDB) ping(ctx context.Context) error {
	var one int
	return d.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

func (d *sqliteDB) close() error { return d.db.Close() }

func (d *sqliteDB) classify(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		if errors.Is(err, sql.ErrConnDone) {
			return ErrUnavailable
		}
		return nil
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return ErrConflict
	}
	switch se.Code() & 0xff { // primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN:
		return ErrUnavailable
	}
	return nil
}

func (d *sqliteDB) timeArg(t time.Time) any { return t.UnixMicro() }

func (d *sqliteDB) dialect() string { return "sqlite" }

// sqlRunner is what *sql.DB and *sql.Tx share.
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type sqlQuerier struct{ r sqlRunner }

func (q sqlQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.r.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	rs, err := q.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rs}, nil
}

func (q sqlQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return q.r.QueryRowContext(ctx, query, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// sqliteMigrationLock is goose's session lock for SQLite, which has no
// advisory locks: it holds the write lock of a separate, empty SQLite file
// (BEGIN IMMEDIATE, never committed) while goose migrates, so that two
// processes opening one data directory (the server and the CLI) do not
// both apply a migration. The lock is SQLite's own file lock, released by
// the operating system if the process dies. It cannot be the registry's
// write lock: goose writes on another connection meanwhile.
type sqliteMigrationLock struct {
	path string
	db   *sql.DB
	tx   *sql.Tx
}

func (l *sqliteMigrationLock) SessionLock(ctx context.Context, _ *sql.Conn) error {
	db, err := sql.Open("sqlite", l.path+"?_busy_timeout=100&_txlock=immediate")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	deadline := time.Now().Add(migrationLockTimeout)
	for {
		tx, err := db.BeginTx(ctx, nil)
		if err == nil {
			l.db, l.tx = db, tx
			return nil
		}
		var se *sqlite.Error
		busy := errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
		if !busy || ctx.Err() != nil || time.Now().After(deadline) {
			db.Close()
			return fmt.Errorf("registry: lock %s for migrations: %w", filepath.Base(l.path), err)
		}
	}
}

func (l *sqliteMigrationLock) SessionUnlock(context.Context, *sql.Conn) error {
	if l.db == nil {
		return nil
	}
	err := errors.Join(l.tx.Rollback(), l.db.Close())
	l.db, l.tx = nil, nil
	return err
}
