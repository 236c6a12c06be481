package registry

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Each dialect has its own folder of migrations named NNNN_description.sql,
// applied in order of NNNN. A migration is never edited once released; a
// change is a new file, in both folders.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("registry: migration %s: name must start with a positive number and _", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("registry: migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate applies the pending migrations of db's dialect in one transaction,
// recording each in schema_migrations. It refuses a database migrated by a
// newer build, whose schema this code may not understand.
func migrate(ctx context.Context, db database) error {
	ms, err := loadMigrations(db.dialect())
	if err != nil {
		return err
	}
	return db.write(ctx, func(q querier) error {
		if err := db.lockMigrations(ctx, q); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TEXT NOT NULL)`); err != nil {
			return err
		}
		applied := map[int]bool{}
		rs, err := q.query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		defer rs.Close()
		latest := 0
		for rs.Next() {
			var v int
			if err := rs.Scan(&v); err != nil {
				return err
			}
			applied[v] = true
			latest = max(latest, v)
		}
		if err := rs.Err(); err != nil {
			return err
		}
		rs.Close()
		if known := ms[len(ms)-1].version; latest > known {
			return fmt.Errorf("registry: database schema version %d is newer than this build's %d", latest, known)
		}
		for _, m := range ms {
			if applied[m.version] {
				continue
			}
			if _, err := q.exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := q.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return err
			}
		}
		return nil
	})
}
