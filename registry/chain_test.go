package registry

import (
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
)

// legacyDeclare stores d as the release before migration 0005 did: a
// version 1 content hash, no hash_version, no chain entry. It returns d
// as the current code reads it back.
func legacyDeclare(t *testing.T, s *sqlStore, in Declaration) Declaration {
	t.Helper()
	ctx := ctxFor(t)
	d, err := normalise(in)
	if err != nil {
		t.Fatal(err)
	}
	d.ID, d.CreatedAt, d.Status, d.Version, d.HashVersion = uuid.NewString(), s.timestamp(), StatusActive, 1, HashV1
	productIDs, _ := json.Marshal(d.ProductIDs)
	buyers, _ := json.Marshal(d.Buyers)
	err = s.db.write(ctx, func(q querier) error {
		if err := q.queryRow(ctx, `SELECT name FROM organisations WHERE id = ?`, d.OrgID).Scan(&d.CompanyName); err != nil {
			return err
		}
		if d.Supersedes != "" {
			if d.Version, err = deprecate(ctx, q, d.Supersedes, d.OrgID); err != nil {
				return err
			}
			d.Version++
		}
		d.ContentHash = ContentHashV1(d)
		if _, err := q.exec(ctx, `INSERT INTO declarations (id, org_id, kind, product_name, product_ids, region,
			period_start, period_end, visibility, buyers, supersedes, status, version, request, result,
			dataset_version, engine_version, content_hash, total_tco2e_per_t, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.OrgID, d.Kind, d.ProductName, string(productIDs), d.Region,
			d.PeriodStart, d.PeriodEnd, d.Visibility, string(buyers),
			sql.NullString{String: d.Supersedes, Valid: d.Supersedes != ""}, d.Status, d.Version,
			string(d.Request), string(d.Result), d.DatasetVersion, d.EngineVersion, d.ContentHash,
			d.TotalTCO2ePerT, s.db.timeArg(d.CreatedAt)); err != nil {
			return err
		}
		for _, p := range d.ProductIDs {
			if _, err := q.exec(ctx, `INSERT INTO declaration_products (declaration_id, product_id) VALUES (?, ?)`, d.ID, p); err != nil {
				return err
			}
		}
		for _, b := range d.Buyers {
			if _, err := q.exec(ctx, `INSERT INTO declaration_buyers (declaration_id, buyer_org_id) VALUES (?, ?)`, d.ID, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("legacy declaration %s: %v", d.ProductName, err)
	}
	return d
}
