package registry

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"time"

	"github.com/pressly/goose/v3"
	goosedb "github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are run by goose (github.com/pressly/goose/v3), through its
// Provider API on the *sql.DB of either dialect, rather than by
// golang-migrate:
//   - goose's library imports no SQLite driver ("sqlite3" is only the name
//     of its SQL dialect), so modernc.org/sqlite stays the only one and the
//     binary builds with CGO_ENABLED=0. golang-migrate's sqlite3 driver is
//     mattn/go-sqlite3, which needs cgo; its pure-Go sqlite driver would do,
//     but locks within the process only, and its default version table
//     (one row: version, dirty) is named like our old runner's.
//   - goose applies each migration in a transaction that also records it;
//     golang-migrate leaves a failed migration "dirty", to be forced by hand.
//   - goose runs under a lock we give it (lock.SessionLocker), held on the
//     connection it migrates on: on PostgreSQL the advisory lock the old
//     runner took (pgMigrationLocker), so that replicas of old and new
//     builds migrate one at a time, and that adoptLegacy runs under it too;
//     on SQLite a file lock (sqliteMigrationLock). golang-migrate derives
//     its advisory lock key from the database and table names.
//
// goose is pinned at v3.29.0: v3.30 requires modernc.org/libc v1.80.2,
// while modernc.org/sqlite v1.62.0 must run with exactly the libc its
// go.mod names (v1.80.1).
//
// Each dialect has its own folder of migrations named NNNN_description.sql,
// applied in order of NNNN, each in its own transaction. A file starts with
// "-- +goose Up"; a statement holding semicolons of its own (a trigger, a
// function) sits between "-- +goose StatementBegin" and "-- +goose
// StatementEnd". A migration is never edited once released; a change is a
// new file, in both folders.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrationTable is goose's version table.
const migrationTable = goose.DefaultTablename

// legacyMigrationTable is where the runner used before goose recorded the
// versions it applied (version, name, applied_at). A database it migrated
// is adopted: its versions are copied into goose's table (see adoptLegacy)
// and it is left as it was, read no more. So the previous release, which
// reads only this table, still starts on the database while the schema is
// at the version it knows. The next migration (0004) should start with
// DROP TABLE IF EXISTS schema_migrations: a release from before goose then
// fails to start (its migration 0001 meets the existing tables and rolls
// back) instead of running on a schema it does not know.
const legacyMigrationTable = "schema_migrations"

// migrationLockTimeout bounds the wait for another process's migrations.
const migrationLockTimeout = 5 * time.Minute

func gooseDialect(dialect string) (goose.Dialect, error) {
	switch dialect {
	case "sqlite":
		return goose.DialectSQLite3, nil
	case "postgres":
		return goose.DialectPostgres, nil
	}
	return "", fmt.Errorf("registry: no migrations for dialect %q", dialect)
}

// newMigrationProvider returns a goose Provider for db's dialect's
// migrations, serialised across processes by locker.
func newMigrationProvider(db *sql.DB, dialect string, locker lock.SessionLocker) (*goose.Provider, error) {
	gd, err := gooseDialect(dialect)
	if err != nil {
		return nil, err
	}
	fsys, err := fs.Sub(migrationFiles, path.Join("migrations", dialect))
	if err != nil {
		return nil, err
	}
	store, err := goosedb.NewStore(gd, migrationTable)
	if err != nil {
		return nil, err
	}
	var p *goose.Provider
	adopt := func(ctx context.Context, conn *sql.Conn) error {
		return adoptLegacy(ctx, conn, dialect, store, p.ListSources())
	}
	p, err = goose.NewProvider(gd, db, fsys,
		goose.WithDisableGlobalRegistry(true), // only the files above
		goose.WithSessionLocker(adoptingLocker{SessionLocker: locker, adopt: adopt}),
	)
	if err != nil {
		return nil, fmt.Errorf("registry: load migrations: %w", err)
	}
	return p, nil
}

// migrate applies the pending migrations of dialect to db. It refuses a
// database migrated by a newer build, whose schema this code may not
// understand.
func migrate(ctx context.Context, db *sql.DB, dialect string, locker lock.SessionLocker) error {
	p, err := newMigrationProvider(db, dialect, locker)
	if err != nil {
		return err
	}
	current, known, err := p.GetVersions(ctx)
	if err != nil {
		return err
	}
	if current > known {
		return newerSchemaError(current, known)
	}
	if _, err := p.Up(ctx); err != nil {
		if pe, ok := errors.AsType[*goose.PartialError](err); ok {
			return fmt.Errorf("migration %s: %w", path.Base(pe.Failed.Source.Path), pe.Err)
		}
		return err
	}
	return nil
}

func newerSchemaError(current, known int64) error {
	return fmt.Errorf("registry: database schema version %d is newer than this build's %d", current, known)
}

// adoptingLocker takes the migration lock and then, still holding it and
// before goose reads its version table, adopts a database migrated by the
// old runner.
type adoptingLocker struct {
	lock.SessionLocker
	adopt func(ctx context.Context, conn *sql.Conn) error
}

func (l adoptingLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if err := l.SessionLocker.SessionLock(ctx, conn); err != nil {
		return err
	}
	if err := l.adopt(ctx, conn); err != nil {
		// goose unlocks only after a successful SessionLock.
		return errors.Join(err, l.SessionLocker.SessionUnlock(context.WithoutCancel(ctx), conn))
	}
	return nil
}

// adoptLegacy copies the versions the old runner recorded into goose's
// table, in one transaction, if goose has recorded none yet. Versions this
// build does not know mean a newer schema: refused.
func adoptLegacy(ctx context.Context, conn *sql.Conn, dialect string, store goosedb.Store, sources []*goose.Source) (err error) {
	exists := func(q goosedb.DBTxConn, table string) (bool, error) {
		query := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
		if dialect == "postgres" {
			query = `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`
		}
		var n int
		err := q.QueryRowContext(ctx, query, table).Scan(&n)
		return n > 0, err
	}
	if ok, err := exists(conn, legacyMigrationTable); err != nil || !ok {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	hasGoose, err := exists(tx, migrationTable)
	if err != nil {
		return err
	}
	if hasGoose {
		// goose creates its table, empty but for version 0, before it
		// takes the lock; versions in it mean the adoption is done.
		ms, err := store.ListMigrations(ctx, tx)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(ms, func(m *goosedb.ListMigrationsResult) bool { return m.Version > 0 }) {
			return tx.Rollback()
		}
	} else {
		if err := store.CreateVersionTable(ctx, tx); err != nil {
			return err
		}
		if err := store.Insert(ctx, tx, goosedb.InsertRequest{Version: 0}); err != nil {
			return err
		}
	}
	versions, err := legacyVersions(ctx, tx)
	if err != nil {
		return err
	}
	known := map[int64]bool{}
	for _, s := range sources {
		known[s.Version] = true
	}
	for _, v := range versions {
		if !known[v] {
			return newerSchemaError(v, sources[len(sources)-1].Version)
		}
		if err := store.Insert(ctx, tx, goosedb.InsertRequest{Version: v}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func legacyVersions(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM `+legacyMigrationTable+` ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}
