package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	goosedb "github.com/pressly/goose/v3/database"

	"alcarbon/internal/testpg"
)

// migrationVersions returns the versions of dialect's embedded migrations.
func migrationVersions(t *testing.T, dialect string) []int64 {
	t.Helper()
	entries, err := fs.ReadDir(migrationFiles, path.Join("migrations", dialect))
	if err != nil {
		t.Fatal(err)
	}
	var vs []int64
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", e.Name(), err)
		}
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// appliedVersions returns the versions recorded in goose's table, in
// order, duplicates included, without goose's version 0.
func appliedVersions(t *testing.T, s Store) []int64 {
	t.Helper()
	return appliedVersionsOf(t, s.(*sqlStore).db)
}

func appliedVersionsOf(t *testing.T, db database) []int64 {
	t.Helper()
	var vs []int64
	readRaw(t, db, func(ctx context.Context, q querier) error {
		rs, err := q.query(ctx, `SELECT version_id FROM `+migrationTable+` WHERE version_id > 0 AND is_applied ORDER BY version_id`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var v int64
			if err := rs.Scan(&v); err != nil {
				return err
			}
			vs = append(vs, v)
		}
		return rs.Err()
	})
	return vs
}

func readRaw(t *testing.T, db database, fn func(ctx context.Context, q querier) error) {
	t.Helper()
	ctx := ctxFor(t)
	if err := db.read(ctx, func(q querier) error { return fn(ctx, q) }); err != nil {
		t.Fatal(err)
	}
}

// The runner goose replaced, as it was, to build databases it migrated.

type legacyMigration struct {
	version int
	name    string
	sql     string
}

// loadLegacyMigrations is the old runner's loadMigrations. It runs the
// files as they are now: the goose annotations are SQL comments.
func loadLegacyMigrations(dialect string) ([]legacyMigration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []legacyMigration
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
		ms = append(ms, legacyMigration{version: version, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// legacyMigrate is the old runner's migrate, limited to the migrations up
// to version upTo: all pending ones in one transaction, each file in one
// exec, recorded in schema_migrations; on PostgreSQL under
// pg_advisory_xact_lock(pgMigrationLock).
func legacyMigrate(ctx context.Context, db database, upTo int) error {
	ms, err := loadLegacyMigrations(db.dialect())
	if err != nil {
		return err
	}
	ms = slices.DeleteFunc(ms, func(m legacyMigration) bool { return m.version > upTo })
	return db.write(ctx, func(q querier) error {
		if db.dialect() == "postgres" {
			if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(pgMigrationLock)); err != nil {
				return err
			}
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

// migrationEnv is one dialect's way to provision an empty database for a
// test.
type migrationEnv struct {
	dialect string
	fresh   func(t *testing.T) *migrationDB
}

type migrationDB struct {
	// lockPath is SQLite's migration lock file.
	lockPath string
	// raw connects without migrating, as the old runner's tests need.
	raw func(t *testing.T) database
	// open opens a Store with Open, closed when the test ends.
	open func(t *testing.T) (Store, error)
}

func (m *migrationDB) mustOpen(t *testing.T) Store {
	t.Helper()
	s, err := m.open(t)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// legacy builds the database as the old runner left it at version upTo.
func (m *migrationDB) legacy(t *testing.T, upTo int) database {
	t.Helper()
	db := m.raw(t)
	if err := legacyMigrate(ctxFor(t), db, upTo); err != nil {
		t.Fatalf("old runner: %v", err)
	}
	return db
}

var sqliteMigrationEnv = migrationEnv{dialect: "sqlite", fresh: func(t *testing.T) *migrationDB {
	dir := t.TempDir()
	return &migrationDB{
		lockPath: filepath.Join(dir, SQLiteFile+migrationLockSuffix),
		raw: func(t *testing.T) database {
			sdb, err := sql.Open("sqlite", filepath.Join(dir, SQLiteFile)+sqliteDSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sdb.Close() })
			return &sqliteDB{db: sdb, writer: make(chan struct{}, 1)}
		},
		open: func(t *testing.T) (Store, error) {
			s, err := Open(context.Background(), "", dir)
			if err == nil {
				t.Cleanup(func() { s.Close() })
			}
			return s, err
		},
	}
}}

var postgresMigrationEnv = migrationEnv{dialect: "postgres", fresh: func(t *testing.T) *migrationDB {
	schema := testpg.New(t)
	return &migrationDB{
		raw: func(t *testing.T) database {
			cfg, err := pgPoolConfig(schema.URL)
			if err != nil {
				t.Fatal(err)
			}
			pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			return &pgDB{pool: pool}
		},
		open: func(t *testing.T) (Store, error) {
			// One connection: goose must not need a second one while it
			// holds the lock.
			s, err := Open(context.Background(), schema.URL+"&pool_max_conns=1", "")
			if err == nil {
				t.Cleanup(func() { s.Close() })
			}
			return s, err
		},
	}
}}

func TestSQLiteMigrations(t *testing.T) {
	testMigrations(t, sqliteMigrationEnv)
}

func TestPostgresMigrations(t *testing.T) {
	testpg.BaseURL(t)
	testMigrations(t, postgresMigrationEnv)
}

func testMigrations(t *testing.T, env migrationEnv) {
	cases := []struct {
		name string
		run  func(t *testing.T, env migrationEnv)
	}{
		{"SameSchemaAsOldRunner", testSameSchemaAsLegacy},
		{"UpgradeFromOldRunner", testUpgradeFromLegacy},
		{"UpgradeFromOldRunnerPreviousVersion", testUpgradeFromLegacyPrevious},
		{"NewerSchemaRefused", testNewerSchemaRefused},
		{"ConcurrentFresh", func(t *testing.T, env migrationEnv) { testConcurrentOpen(t, env, false) }},
		{"ConcurrentUpgrade", func(t *testing.T, env migrationEnv) { testConcurrentOpen(t, env, true) }},
		{"WaitsForLock", testWaitsForMigrationLock},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, env)
		})
	}
}

// dumpSchema describes the registry's tables, indexes, constraints,
// triggers and functions, without the migration tables, in a form that
// does not depend on the PostgreSQL schema's name.
func dumpSchema(t *testing.T, db database) []string {
	t.Helper()
	skip := `('` + migrationTable + `', '` + legacyMigrationTable + `', 'sqlite_sequence')`
	type dump struct {
		cols  int
		query string
	}
	queries := []dump{{4, `SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master
			WHERE tbl_name NOT IN ` + skip + ` ORDER BY type, name`}}
	if db.dialect() == "postgres" {
		queries = []dump{
			{6, `SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''),
				coalesce(collation_name, '') FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name NOT IN ` + skip + `
			ORDER BY table_name, ordinal_position`},
			{2, `SELECT indexname, indexdef FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename NOT IN ` + skip + ` ORDER BY indexname`},
			{3, `SELECT c.relname, con.conname, pg_get_constraintdef(con.oid)
			FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relname NOT IN ` + skip + `
			ORDER BY 1, 2`},
			{3, `SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
			FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2`},
			{2, `SELECT proname, pg_get_functiondef(oid) FROM pg_proc
			WHERE pronamespace = current_schema()::regnamespace ORDER BY 1`},
		}
	}
	var out []string
	readRaw(t, db, func(ctx context.Context, q querier) error {
		schema := ""
		if db.dialect() == "postgres" {
			if err := q.queryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
				return err
			}
		}
		for _, d := range queries {
			rs, err := q.query(ctx, d.query)
			if err != nil {
				return err
			}
			for rs.Next() {
				var cols [6]string
				dest := []any{&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]}
				n := d.cols
				if err := rs.Scan(dest[:n]...); err != nil {
					rs.Close()
					return err
				}
				row := strings.Join(cols[:n], " | ")
				if schema != "" {
					row = strings.ReplaceAll(row, schema, "S")
				}
				out = append(out, row)
			}
			rs.Close()
			if err := rs.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if len(out) < 10 {
		t.Fatalf("schema dump has %d rows: %q", len(out), out)
	}
	return out
}

// testSameSchemaAsLegacy checks that goose, which runs a file statement by
// statement, builds the schema the old runner built from the whole file.
func testSameSchemaAsLegacy(t *testing.T, env migrationEnv) {
	latest := int(slices.Max(migrationVersions(t, env.dialect)))
	legacy := dumpSchema(t, env.fresh(t).legacy(t, latest))
	s := env.fresh(t).mustOpen(t)
	if got := dumpSchema(t, s.(*sqlStore).db); !slices.Equal(got, legacy) {
		t.Fatalf("goose built\n%s\n\nthe old runner built\n%s", strings.Join(got, "\n"), strings.Join(legacy, "\n"))
	}
}

// legacyFixture is what a registry holds before the upgrade.
type legacyFixture struct {
	seller, buyer      Organisation
	key, revokedKey    string
	keys               []APIKey
	clientID, secret   string
	revokedClient      string // "" before migration 0003
	partner            PACTPartner
	first, second      Declaration // second supersedes first
	restricted         Declaration
	publicDeclarations []string
}

// populate writes through the Store's code on a database it has not
// migrated, as the previous release did.
func populate(t *testing.T, db database, withRevocation bool) legacyFixture {
	t.Helper()
	s := newSQLStore(db) // closed with db
	ctx := ctxFor(t)
	var fx legacyFixture
	fx.seller = mustOrg(t, s, "Smelter A")
	fx.buyer = mustOrg(t, s, "Buyer B")
	var err error
	if fx.key, _, err = s.CreateAPIKey(ctx, fx.seller.ID); err != nil {
		t.Fatal(err)
	}
	var revoked APIKey
	if fx.revokedKey, revoked, err = s.CreateAPIKey(ctx, fx.seller.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if fx.keys, err = s.ListAPIKeys(ctx, fx.seller.ID); err != nil {
		t.Fatal(err)
	}
	if fx.clientID, fx.secret, err = s.CreatePACTClient(ctx, fx.buyer.ID); err != nil {
		t.Fatal(err)
	}
	if withRevocation {
		if fx.revokedClient, _, err = s.CreatePACTClient(ctx, fx.buyer.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokePACTClient(ctx, fx.revokedClient); err != nil {
			t.Fatal(err)
		}
	}
	fx.partner, err = s.CreatePACTPartner(ctx, PACTPartner{
		OrgID: fx.buyer.ID, Source: "//buyer.example/pact", BaseURL: "https://buyer.example/pact",
		ClientID: "alcarbon", ClientSecret: "s3cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	// Declarations as the release before migration 0005 stored them.
	fx.first = legacyDeclare(t, s, sample(fx.seller.ID))
	fx.second = legacyDeclare(t, s, sample(fx.seller.ID, func(d *Declaration) {
		d.Supersedes = fx.first.ID
		d.TotalTCO2ePerT = 11.5
	}))
	fx.first.Status, fx.first.SupersededAt = StatusDeprecated, fx.second.CreatedAt
	fx.restricted = legacyDeclare(t, s, sample(fx.seller.ID, func(d *Declaration) {
		d.ProductName = "billet"
		d.Visibility = VisibilityRestricted
		d.Buyers = []string{fx.buyer.ID}
	}))
	fx.publicDeclarations = newestFirst(fx.first, fx.second)
	return fx
}

// check reads the fixture back through s.
func (fx legacyFixture) check(t *testing.T, s Store) {
	t.Helper()
	ctx := ctxFor(t)
	for _, org := range []Organisation{fx.seller, fx.buyer} {
		if got, err := s.OrganisationByID(ctx, org.ID); err != nil || got != org {
			t.Errorf("OrganisationByID = %+v, %v; want %+v", got, err, org)
		}
	}
	if org, err := s.AuthenticateAPIKey(ctx, fx.key); err != nil || org.ID != fx.seller.ID {
		t.Errorf("AuthenticateAPIKey = %+v, %v", org, err)
	}
	if _, err := s.AuthenticateAPIKey(ctx, fx.revokedKey); !errors.Is(err, ErrNotFound) {
		t.Errorf("AuthenticateAPIKey(revoked) = %v, want ErrNotFound", err)
	}
	if keys, err := s.ListAPIKeys(ctx, fx.seller.ID); err != nil || fmtKeys(keys) != fmtKeys(fx.keys) {
		t.Errorf("ListAPIKeys = %s, %v; want %s", fmtKeys(keys), err, fmtKeys(fx.keys))
	}
	if org, err := s.AuthenticatePACTClient(ctx, fx.clientID, fx.secret); err != nil || org.ID != fx.buyer.ID {
		t.Errorf("AuthenticatePACTClient = %+v, %v", org, err)
	}
	if fx.revokedClient != "" {
		if err := s.PACTClientActive(ctx, fx.revokedClient); !errors.Is(err, ErrNotFound) {
			t.Errorf("PACTClientActive(revoked) = %v, want ErrNotFound", err)
		}
	}
	if p, err := s.PACTPartnerBySource(ctx, fx.partner.Source); err != nil || p != fx.partner {
		t.Errorf("PACTPartnerBySource = %+v, %v; want %+v", p, err, fx.partner)
	}
	for _, c := range []struct {
		d      Declaration
		viewer string
	}{{fx.first, ""}, {fx.second, ""}, {fx.restricted, fx.buyer.ID}} {
		got, err := s.GetDeclaration(ctx, c.d.ID, c.viewer)
		c.d.Buyers = nil // shown to the owner only
		if err != nil || !equalDeclarations(got, c.d) {
			t.Errorf("GetDeclaration(%s) = %+v, %v; want %+v", c.d.ID, got, err, c.d)
		}
	}
	if got, err := s.GetDeclaration(ctx, fx.restricted.ID, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetDeclaration(restricted, anonymous) = %+v, %v; want ErrNotFound", got, err)
	}
	if got := ids(listAll(t, s, DeclarationFilter{})); !slices.Equal(got, fx.publicDeclarations) {
		t.Errorf("public declarations %v, want %v", got, fx.publicDeclarations)
	}
	// Declarations of the previous release keep their version 1 hashes,
	// which still verify, and are chained in creation order.
	for i, d := range []Declaration{fx.first, fx.second, fx.restricted} {
		c, err := s.CheckDeclaration(ctx, d.ID)
		if err != nil || c.HashVersion != HashV1 || !c.ContentHashValid || !c.LinkValid || c.Entry == nil ||
			c.Entry.Seq != int64(i+1) || len(c.Problems) > 0 {
			t.Errorf("CheckDeclaration(%s) = %+v, %v; want a valid version 1 hash at chain entry %d", d.ID, c, err, i+1)
		}
	}
	if r, err := s.VerifyChain(ctx, nil); err != nil || r.Broken != nil || r.Entries < 3 {
		t.Errorf("VerifyChain = %+v (%v), %v; want at least 3 entries, unbroken", r, r.Broken, err)
	}
}

func fmtKeys(keys []APIKey) string {
	var b strings.Builder
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.String()
		}
		fmt.Fprintf(&b, "{%s %s %s %s %s}", k.ID, k.OrgID, k.Prefix, k.CreatedAt, revoked)
	}
	return b.String()
}

func legacyRows(t *testing.T, db database) []string {
	t.Helper()
	var out []string
	readRaw(t, db, func(ctx context.Context, q querier) error {
		rs, err := q.query(ctx, `SELECT version, name, applied_at FROM `+legacyMigrationTable+` ORDER BY version`)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var v int
			var name, at string
			if err := rs.Scan(&v, &name, &at); err != nil {
				return err
			}
			out = append(out, fmt.Sprint(v, name, at))
		}
		return rs.Err()
	})
	return out
}

// testUpgradeFromLegacy opens a database the old runner migrated to the
// latest version: nothing is applied again, nothing is lost, goose's table
// takes over, the old table stays as it was, and the old runner (a
// rollback to the previous release) still accepts the database.
func testUpgradeFromLegacy(t *testing.T, env migrationEnv) {
	versions := migrationVersions(t, env.dialect)
	m := env.fresh(t)
	old := m.legacy(t, int(slices.Max(versions)))
	fx := populate(t, old, true)
	schemaBefore, legacyBefore := dumpSchema(t, old), legacyRows(t, old)
	if len(legacyBefore) != len(versions) {
		t.Fatalf("old runner recorded %q", legacyBefore)
	}

	s := m.mustOpen(t)
	fx.check(t, s)
	if got := appliedVersions(t, s); !slices.Equal(got, versions) {
		t.Fatalf("goose records %v, want %v", got, versions)
	}
	db := s.(*sqlStore).db
	if got := dumpSchema(t, db); !slices.Equal(got, schemaBefore) {
		t.Fatalf("schema changed:\n%s\n\nwas\n%s", strings.Join(got, "\n"), strings.Join(schemaBefore, "\n"))
	}
	if got := legacyRows(t, db); !slices.Equal(got, legacyBefore) {
		t.Fatalf("old table changed: %q, was %q", got, legacyBefore)
	}
	// A new Store on the same data; then it writes.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = m.mustOpen(t)
	fx.check(t, s)
	if got := appliedVersions(t, s); !slices.Equal(got, versions) {
		t.Fatalf("after reopening goose records %v, want %v", got, versions)
	}
	mustDeclare(t, s, sample(fx.seller.ID, func(d *Declaration) { d.ProductName = "after upgrade" }))

	// The previous release, rolled back to, applies nothing.
	if err := legacyMigrate(ctxFor(t), old, int(slices.Max(versions))); err != nil {
		t.Fatalf("old runner after the upgrade: %v", err)
	}
	fx.publicDeclarations = append([]string{ids(listAll(t, s, DeclarationFilter{Product: "after upgrade"}))[0]}, fx.publicDeclarations...)
	fx.check(t, s)
}

// testUpgradeFromLegacyPrevious opens a database the old runner left one
// migration behind: goose adopts the versions and applies the rest.
func testUpgradeFromLegacyPrevious(t *testing.T, env migrationEnv) {
	versions := migrationVersions(t, env.dialect)
	latest := slices.Max(versions)
	m := env.fresh(t)
	old := m.legacy(t, int(latest-1))
	fx := populate(t, old, false)
	s := m.mustOpen(t)
	fx.check(t, s)
	if got := appliedVersions(t, s); !slices.Equal(got, versions) {
		t.Fatalf("goose records %v, want %v", got, versions)
	}
	want := dumpSchema(t, env.fresh(t).legacy(t, int(latest)))
	if got := dumpSchema(t, s.(*sqlStore).db); !slices.Equal(got, want) {
		t.Fatalf("schema\n%s\n\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The migration goose applied works: clients can be revoked.
	if err := s.RevokePACTClient(ctxFor(t), fx.clientID); err != nil {
		t.Fatal(err)
	}
}

// testNewerSchemaRefused: a database a newer build migrated, recorded by
// goose or by the old runner, is refused and left alone.
func testNewerSchemaRefused(t *testing.T, env migrationEnv) {
	latest := slices.Max(migrationVersions(t, env.dialect))
	t.Run("goose", func(t *testing.T) {
		m := env.fresh(t)
		s := m.mustOpen(t)
		org := mustOrg(t, s, "Smelter A")
		db := s.(*sqlStore).db
		if err := db.write(ctxFor(t), func(q querier) error {
			_, err := q.exec(ctxFor(t), `INSERT INTO `+migrationTable+` (version_id, is_applied) VALUES (?, ?)`, latest+1, true)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err := m.open(t)
		if want := fmt.Sprintf("database schema version %d is newer than this build's %d", latest+1, latest); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Open = %v, want %q", err, want)
		}
		if got, err := s.OrganisationByID(ctxFor(t), org.ID); err != nil || got != org {
			t.Fatalf("after the refusal: %+v, %v", got, err)
		}
	})
	t.Run("old runner", func(t *testing.T) {
		m := env.fresh(t)
		old := m.legacy(t, int(latest))
		if err := old.write(ctxFor(t), func(q querier) error {
			_, err := q.exec(ctxFor(t), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				latest+1, "9999_future.sql", time.Now().UTC().Format(time.RFC3339))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err := m.open(t)
		if want := fmt.Sprintf("database schema version %d is newer than this build's %d", latest+1, latest); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Open = %v, want %q", err, want)
		}
		if got := appliedVersionsOf(t, old); len(got) != 0 {
			t.Fatalf("goose records %v after the refusal", got)
		}
	})
}

// testConcurrentOpen starts several Stores on one fresh (or old-runner)
// database at once, as replicas do: every one opens, each migration is
// applied and recorded once.
func testConcurrentOpen(t *testing.T, env migrationEnv, legacy bool) {
	versions := migrationVersions(t, env.dialect)
	m := env.fresh(t)
	if legacy {
		m.legacy(t, int(slices.Max(versions))-1)
	}
	// goose creates its table before it takes the lock, retrying a second
	// later if another process creates it meanwhile, which would space the
	// replicas out: create it first, so that they all reach the lock at once.
	raw := m.raw(t)
	sqlDB := sqlDBOf(raw)
	store, err := goosedb.NewStore(must(gooseDialect(env.dialect)), migrationTable)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateVersionTable(ctxFor(t), sqlDB); err != nil {
		t.Fatal(err)
	}
	if err := store.Insert(ctxFor(t), sqlDB, goosedb.InsertRequest{Version: 0}); err != nil {
		t.Fatal(err)
	}
	const n = 4
	stores := make([]Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = m.open(t) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
	}
	if got := appliedVersions(t, stores[0]); !slices.Equal(got, versions) {
		t.Fatalf("goose records %v, want %v", got, versions)
	}
	mustOrg(t, stores[n-1], "Smelter A")
}

// testWaitsForMigrationLock holds the migration lock as another process
// would (on PostgreSQL, the advisory lock the old runner takes too): Open
// waits for it.
func testWaitsForMigrationLock(t *testing.T, env migrationEnv) {
	m := env.fresh(t)
	release := holdMigrationLock(t, env, m)
	done := make(chan error, 1)
	go func() {
		_, err := m.open(t)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Open did not wait for the migration lock: %v", err)
	case <-time.After(time.Second):
	}
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Open still waits after the lock was released")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// sqlDBOf returns the *sql.DB goose would use on db.
func sqlDBOf(db database) *sql.DB {
	switch db := db.(type) {
	case *sqliteDB:
		return db.db
	case *pgDB:
		return stdlib.OpenDBFromPool(db.pool)
	}
	panic(fmt.Sprintf("unknown database %T", db))
}

func holdMigrationLock(t *testing.T, env migrationEnv, m *migrationDB) (release func()) {
	t.Helper()
	ctx := ctxFor(t)
	if env.dialect == "sqlite" {
		l := &sqliteMigrationLock{path: m.lockPath}
		if err := l.SessionLock(ctx, nil); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := l.SessionUnlock(ctx, nil); err != nil {
				t.Error(err)
			}
		}
	}
	conn := testpg.Connect(t, testpg.BaseURL(t))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(pgMigrationLock)); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(pgMigrationLock)); err != nil {
			t.Error(err)
		}
	}
}
