package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// newDB provisions an empty database for one test and returns a function
// that opens a Store on it; it may be called again to reopen the same data.
// Stores it opens are closed when the test ends.
type newDB func(t *testing.T) (open func(t *testing.T) Store)

// testStore is the suite every implementation must pass.
func testStore(t *testing.T, fresh newDB) {
	cases := []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) Store)
	}{
		{"MigrationsIdempotent", testMigrationsIdempotent},
		{"Organisations", testOrganisations},
		{"APIKeys", testAPIKeys},
		{"PACTClients", testPACTClients},
		{"PACTPartners", testPACTPartners},
		{"PACTOutbox", testPACTOutbox},
		{"PACTOutboxRequeueFailed", testPACTOutboxRequeueFailed},
		{"CreateGetDeclaration", testCreateGetDeclaration},
		{"InvalidDeclarations", testInvalidDeclarations},
		{"ListFilters", testListFilters},
		{"ListFiltersASCIICase", testListFiltersASCIICase},
		{"RestrictedVisibility", testRestrictedVisibility},
		{"SupersedeChain", testSupersedeChain},
		{"ConcurrentSupersede", testConcurrentSupersede},
		{"Pagination", testPagination},
		{"ListWithoutDocuments", testListWithoutDocuments},
		{"ConcurrentCreate", testConcurrentCreate},
		{"Durability", testDurability},
		{"Immutable", testImmutable},
		{"PingAfterClose", testPingAfterClose},
		{"BatchJobs", testBatchJobs},
	}
	cases = append(cases, tamperCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, fresh(t))
		})
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustOrg(t *testing.T, s Store, name string) Organisation {
	t.Helper()
	org, err := s.CreateOrganisation(ctxFor(t), name)
	if err != nil {
		t.Fatalf("CreateOrganisation(%q): %v", name, err)
	}
	return org
}

// sampleRequest keeps odd spacing and key order: the store must return the
// bytes it was given, or recomputing the content hash would fail.
const sampleRequest = `{"region": "CN-SX",  "production_t": 300000, "alumina": {"consumption_t_per_t": 1.92}}`

func sample(orgID string, edit ...func(*Declaration)) Declaration {
	d := Declaration{
		OrgID:          orgID,
		Kind:           KindPrimary,
		ProductName:    "P1020A ingot",
		ProductIDs:     []string{"urn:gtin:06901234567892"},
		Region:         "CN-SX",
		PeriodStart:    "2023-01-01",
		PeriodEnd:      "2023-12-31",
		Visibility:     VisibilityPublic,
		Request:        json.RawMessage(sampleRequest),
		Result:         json.RawMessage(`{"total_tco2e_per_t":{"location_based":16.2,"market_based":12.1}}`),
		DatasetVersion: "2024.1",
		EngineVersion:  "0.1.0",
		TotalTCO2ePerT: 12.1,
	}
	for _, e := range edit {
		e(&d)
	}
	return d
}

func mustDeclare(t *testing.T, s Store, d Declaration) Declaration {
	t.Helper()
	got, err := s.CreateDeclaration(ctxFor(t), d)
	if err != nil {
		t.Fatalf("CreateDeclaration(%s): %v", d.ProductName, err)
	}
	return got
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

// ids returns the IDs of ds in order.
func ids(ds []Declaration) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// listAll lists every page of f and returns the items in order.
func listAll(t *testing.T, s Store, f DeclarationFilter) []Declaration {
	t.Helper()
	var all []Declaration
	for page := 0; ; page++ {
		items, next, err := s.ListDeclarations(ctxFor(t), f)
		if err != nil {
			t.Fatalf("ListDeclarations(%+v): %v", f, err)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if page > 1000 {
			t.Fatal("pagination does not end")
		}
		f.Cursor = next
	}
}

// newestFirst sorts IDs of ds the way the store pages them.
func newestFirst(ds ...Declaration) []string {
	ds = slices.Clone(ds)
	sort.Slice(ds, func(i, j int) bool {
		if !ds[i].CreatedAt.Equal(ds[j].CreatedAt) {
			return ds[i].CreatedAt.After(ds[j].CreatedAt)
		}
		return ds[i].ID > ds[j].ID
	})
	return ids(ds)
}

func rawRead(t *testing.T, s Store, fn func(ctx context.Context, q querier) error) {
	t.Helper()
	ctx := ctxFor(t)
	if err := s.(*sqlStore).db.read(ctx, func(q querier) error { return fn(ctx, q) }); err != nil {
		t.Fatal(err)
	}
}

func testMigrationsIdempotent(t *testing.T, open func(t *testing.T) Store) {
	s1 := open(t)
	org := mustOrg(t, s1, "Shanxi Aluminium")
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t) // applies nothing, keeps the data
	got, err := s2.OrganisationByID(ctxFor(t), org.ID)
	if err != nil || got.Name != org.Name {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	// Every migration applied once, recorded once.
	want := migrationVersions(t, s2.(*sqlStore).db.dialect())
	if got := appliedVersions(t, s2); !slices.Equal(got, want) {
		t.Fatalf("%s records versions %v, want %v", migrationTable, got, want)
	}
}

func testOrganisations(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	org := mustOrg(t, s, "  Shanxi Aluminium ")
	if org.Name != "Shanxi Aluminium" || org.ID == "" || org.CreatedAt.IsZero() {
		t.Fatalf("created %+v", org)
	}
	byName, err := s.OrganisationByName(ctx, "Shanxi Aluminium")
	if err != nil || byName != org {
		t.Fatalf("OrganisationByName = %+v, %v; want %+v", byName, err, org)
	}
	byID, err := s.OrganisationByID(ctx, org.ID)
	if err != nil || byID != org {
		t.Fatalf("OrganisationByID = %+v, %v; want %+v", byID, err, org)
	}
	_, err = s.CreateOrganisation(ctx, "Shanxi Aluminium")
	wantErr(t, "duplicate name", err, ErrConflict)
	if strings.Contains(err.Error(), "organisations") || strings.Contains(err.Error(), "INSERT") {
		t.Errorf("conflict message leaks SQL detail: %q", err)
	}
	_, err = s.CreateOrganisation(ctx, " ")
	wantErr(t, "blank name", err, ErrInvalid)
	_, err = s.OrganisationByName(ctx, "nobody")
	wantErr(t, "unknown name", err, ErrNotFound)
	_, err = s.OrganisationByID(ctx, "nobody")
	wantErr(t, "unknown id", err, ErrNotFound)
}

func testAPIKeys(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	org := mustOrg(t, s, "Smelter A")
	other := mustOrg(t, s, "Smelter B")

	plain, key, err := s.CreateAPIKey(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plain, key.Prefix+"_") || key.OrgID != org.ID || key.RevokedAt != nil {
		t.Fatalf("key %q, %+v", plain, key)
	}
	got, err := s.AuthenticateAPIKey(ctx, plain)
	if err != nil || got != org {
		t.Fatalf("AuthenticateAPIKey = %+v, %v; want %+v", got, err, org)
	}
	plainB, _, err := s.CreateAPIKey(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.AuthenticateAPIKey(ctx, plainB); err != nil || got.ID != other.ID {
		t.Fatalf("second organisation's key authenticates as %+v, %v", got, err)
	}

	// Same prefix, one character of the secret changed.
	last := plain[len(plain)-1]
	wrong := plain[:len(plain)-1] + map[bool]string{true: "A", false: "B"}[last != 'A']
	for name, k := range map[string]string{
		"wrong secret":   wrong,
		"unknown prefix": "alc_000000000000" + plain[len("alc_000000000000"):],
		"malformed":      "not-a-key",
		"empty":          "",
	} {
		_, err := s.AuthenticateAPIKey(ctx, k)
		wantErr(t, name, err, ErrNotFound)
	}

	// The stored row holds the hash, never the key.
	rawRead(t, s, func(ctx context.Context, q querier) error {
		var id, orgID, prefix string
		var hash []byte
		err := q.queryRow(ctx, `SELECT id, org_id, prefix, key_hash FROM api_keys WHERE id = ?`, key.ID).
			Scan(&id, &orgID, &prefix, &hash)
		if err != nil {
			return err
		}
		secret := plain[len(key.Prefix)+1:]
		for _, col := range [][]byte{[]byte(id), []byte(orgID), []byte(prefix), hash} {
			if bytes.Contains(col, []byte(plain)) || bytes.Contains(col, []byte(secret)) {
				t.Errorf("api_keys row holds the key in clear: %q", col)
			}
		}
		if want := sha256.Sum256([]byte(plain)); !bytes.Equal(hash, want[:]) {
			t.Errorf("key_hash = %x, want SHA-256 of the key %x", hash, want)
		}
		return nil
	})

	_, second, err := s.CreateAPIKey(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, key.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.AuthenticateAPIKey(ctx, plain)
	wantErr(t, "revoked key", err, ErrNotFound)
	if err := s.RevokeAPIKey(ctx, key.ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	wantErr(t, "revoke unknown", s.RevokeAPIKey(ctx, "nope"), ErrNotFound)

	keys, err := s.ListAPIKeys(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != key.ID || keys[1].ID != second.ID {
		t.Fatalf("ListAPIKeys = %+v, want %s then %s", keys, key.ID, second.ID)
	}
	if keys[0].RevokedAt == nil || keys[1].RevokedAt != nil || keys[0].Prefix != key.Prefix {
		t.Fatalf("ListAPIKeys = %+v: want the first revoked, the second not", keys)
	}
	_, err = s.ListAPIKeys(ctx, "nope")
	wantErr(t, "list for unknown org", err, ErrNotFound)
	_, _, err = s.CreateAPIKey(ctx, "nope")
	wantErr(t, "key for unknown org", err, ErrNotFound)
}

func testPACTClients(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	org := mustOrg(t, s, "Extruder")
	id, secret, err := s.CreatePACTClient(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" || len(secret) < 40 {
		t.Fatalf("client %q secret %q", id, secret)
	}
	got, err := s.AuthenticatePACTClient(ctx, id, secret)
	if err != nil || got != org {
		t.Fatalf("AuthenticatePACTClient = %+v, %v; want %+v", got, err, org)
	}
	_, err = s.AuthenticatePACTClient(ctx, id, secret+"x")
	wantErr(t, "wrong secret", err, ErrNotFound)
	_, err = s.AuthenticatePACTClient(ctx, id, "")
	wantErr(t, "empty secret", err, ErrNotFound)
	_, err = s.AuthenticatePACTClient(ctx, "unknown", secret)
	wantErr(t, "unknown client", err, ErrNotFound)
	_, _, err = s.CreatePACTClient(ctx, "nope")
	wantErr(t, "client for unknown org", err, ErrNotFound)

	// List and revoke.
	id2, secret2, err := s.CreatePACTClient(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	clients, err := s.ListPACTClients(ctx, org.ID)
	if err != nil || len(clients) != 2 || clients[0].ClientID != id || clients[1].ClientID != id2 ||
		clients[0].OrgID != org.ID || clients[0].RevokedAt != nil || clients[0].CreatedAt.IsZero() {
		t.Fatalf("ListPACTClients = %+v, %v", clients, err)
	}
	if err := s.PACTClientActive(ctx, id); err != nil {
		t.Fatalf("PACTClientActive before revoking: %v", err)
	}
	if err := s.RevokePACTClient(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokePACTClient(ctx, id); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	wantErr(t, "active after revoking", s.PACTClientActive(ctx, id), ErrNotFound)
	_, err = s.AuthenticatePACTClient(ctx, id, secret)
	wantErr(t, "revoked client authenticates", err, ErrNotFound)
	if got, err := s.AuthenticatePACTClient(ctx, id2, secret2); err != nil || got != org {
		t.Fatalf("the other client: %+v, %v", got, err)
	}
	clients, _ = s.ListPACTClients(ctx, org.ID)
	if len(clients) != 2 || clients[0].RevokedAt == nil || clients[1].RevokedAt != nil {
		t.Fatalf("after revoking: %+v", clients)
	}
	wantErr(t, "revoke unknown", s.RevokePACTClient(ctx, "unknown"), ErrNotFound)
	wantErr(t, "active unknown", s.PACTClientActive(ctx, "unknown"), ErrNotFound)
	_, err = s.ListPACTClients(ctx, "nope")
	wantErr(t, "list for unknown org", err, ErrNotFound)

	rawRead(t, s, func(ctx context.Context, q querier) error {
		var hash []byte
		if err := q.queryRow(ctx, `SELECT secret_hash FROM pact_clients WHERE client_id = ?`, id).Scan(&hash); err != nil {
			return err
		}
		if want := sha256.Sum256([]byte(secret)); !bytes.Equal(hash, want[:]) {
			t.Errorf("secret_hash = %x, want SHA-256 of the secret", hash)
		}
		return nil
	})
}

func testCreateGetDeclaration(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	org := mustOrg(t, s, "Smelter A")
	buyer := mustOrg(t, s, "Buyer")
	in := sample(org.ID, func(d *Declaration) {
		d.ProductIDs = []string{"a", "b", "a"}
		d.Buyers = []string{buyer.ID, buyer.ID}
		d.ID, d.Status, d.Version, d.ContentHash = "mine", "weird", 7, "forged" // ignored
	})
	before := time.Now().Add(-time.Second)
	got := mustDeclare(t, s, in)
	if got.ID == "" || got.ID == "mine" || got.Status != StatusActive || got.Version != 1 ||
		got.CompanyName != org.Name || got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now()) {
		t.Fatalf("created %+v", got)
	}
	if !slices.Equal(got.ProductIDs, []string{"a", "b"}) || !slices.Equal(got.Buyers, []string{buyer.ID}) {
		t.Fatalf("lists not deduplicated: %v %v", got.ProductIDs, got.Buyers)
	}
	if got.ContentHash != ContentHash(got) || len(got.ContentHash) != 64 {
		t.Fatalf("content hash %q, want %q", got.ContentHash, ContentHash(got))
	}

	fetched, err := s.GetDeclaration(ctx, got.ID, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !equalDeclarations(fetched, got) {
		t.Fatalf("GetDeclaration =\n%+v\nwant\n%+v", fetched, got)
	}
	if string(fetched.Request) != sampleRequest {
		t.Fatalf("request changed in storage:\n%s\nwant\n%s", fetched.Request, sampleRequest)
	}
	if ContentHash(fetched) != got.ContentHash {
		t.Fatal("content hash of the stored declaration does not recompute")
	}
	// The public view hides the buyers.
	public, err := s.GetDeclaration(ctx, got.ID, "")
	if err != nil || public.Buyers != nil {
		t.Fatalf("anonymous GetDeclaration = %v, %v; want no buyers", public.Buyers, err)
	}
	_, err = s.GetDeclaration(ctx, "nope", org.ID)
	wantErr(t, "unknown declaration", err, ErrNotFound)
}

// equalDeclarations compares all fields, times with Equal.
func equalDeclarations(a, b Declaration) bool {
	at, bt := a.CreatedAt, b.CreatedAt
	a.CreatedAt, b.CreatedAt = time.Time{}, time.Time{}
	aj, _ := json.Marshal(a)
	bj, _ := json.Marshal(b)
	return at.Equal(bt) && bytes.Equal(aj, bj)
}

func testInvalidDeclarations(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	org := mustOrg(t, s, "Smelter A")
	for name, c := range map[string]struct {
		edit func(*Declaration)
		want error
	}{
		"no org":           {func(d *Declaration) { d.OrgID = "" }, ErrInvalid},
		"unknown org":      {func(d *Declaration) { d.OrgID = "nope" }, ErrNotFound},
		"kind":             {func(d *Declaration) { d.Kind = "scrap" }, ErrInvalid},
		"visibility":       {func(d *Declaration) { d.Visibility = "secret" }, ErrInvalid},
		"no product":       {func(d *Declaration) { d.ProductName = " " }, ErrInvalid},
		"blank product id": {func(d *Declaration) { d.ProductIDs = []string{""} }, ErrInvalid},
		"date format":      {func(d *Declaration) { d.PeriodStart = "2023-1-1" }, ErrInvalid},
		"period reversed":  {func(d *Declaration) { d.PeriodEnd = "2022-12-31" }, ErrInvalid},
		"request JSON":     {func(d *Declaration) { d.Request = json.RawMessage(`{"a":`) }, ErrInvalid},
		"no result":        {func(d *Declaration) { d.Result = nil }, ErrInvalid},
		"NaN total":        {func(d *Declaration) { d.TotalTCO2ePerT = math.NaN() }, ErrInvalid},
		"infinite total":   {func(d *Declaration) { d.TotalTCO2ePerT = math.Inf(1) }, ErrInvalid},
		"unknown buyer":    {func(d *Declaration) { d.Buyers = []string{"nope"} }, ErrInvalid},
	} {
		_, err := s.CreateDeclaration(ctx, sample(org.ID, c.edit))
		wantErr(t, name, err, c.want)
	}
	if all := listAll(t, s, DeclarationFilter{Viewer: org.ID}); len(all) != 0 {
		t.Fatalf("rejected declarations were stored: %v", ids(all))
	}
	for name, f := range map[string]DeclarationFilter{
		"status":      {Status: "gone"},
		"period from": {PeriodFrom: "2023"},
		"period to":   {PeriodTo: "31/12/2023"},
		"cursor":      {Cursor: "!!"},
		"cursor body": {Cursor: "bm90LWEtY3Vyc29y"}, // "not-a-cursor"
		"max NaN":     {MaxTCO2ePerT: ptr(math.NaN())},
	} {
		_, _, err := s.ListDeclarations(ctx, f)
		wantErr(t, name, err, ErrInvalid)
	}
}

func ptr[T any](v T) *T { return &v }

func testListFilters(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	a := mustOrg(t, s, "Smelter A")
	b := mustOrg(t, s, "Extruder B")
	ingot := mustDeclare(t, s, sample(a.ID))
	profile := mustDeclare(t, s, sample(b.ID, func(d *Declaration) {
		d.Kind, d.ProductName, d.ProductIDs = KindProduct, "6063 building profile", []string{"B-6063-01", "B-6063-02"}
		d.Region, d.PeriodStart, d.PeriodEnd, d.TotalTCO2ePerT = "CN-NM", "2024-01-01", "2024-06-30", 7.5
	}))
	foil := mustDeclare(t, s, sample(b.ID, func(d *Declaration) {
		d.Kind, d.ProductName, d.ProductIDs = KindProduct, "8011 household foil", nil
		d.Region, d.PeriodStart, d.PeriodEnd, d.TotalTCO2ePerT = "CN-SX", "2022-07-01", "2022-12-31", 14
	}))
	ingot2 := mustDeclare(t, s, sample(a.ID, func(d *Declaration) {
		d.Supersedes, d.TotalTCO2ePerT = ingot.ID, 11.9
	}))
	ingot, _ = s.GetDeclaration(ctxFor(t), ingot.ID, "")

	for name, c := range map[string]struct {
		f    DeclarationFilter
		want []Declaration
	}{
		"none":               {DeclarationFilter{}, []Declaration{ingot, profile, foil, ingot2}},
		"product name":       {DeclarationFilter{Product: "6063 building profile"}, []Declaration{profile}},
		"product id":         {DeclarationFilter{Product: "B-6063-02"}, []Declaration{profile}},
		"product gtin":       {DeclarationFilter{Product: "urn:gtin:06901234567892"}, []Declaration{ingot, ingot2}},
		"product partial":    {DeclarationFilter{Product: "6063"}, []Declaration{profile}},
		"product any case":   {DeclarationFilter{Product: "BUILDING Prof"}, []Declaration{profile}},
		"product id partial": {DeclarationFilter{Product: "B-6063"}, nil}, // IDs match whole
		"product wildcards":  {DeclarationFilter{Product: "%"}, nil},      // % and _ are literal
		"product underscore": {DeclarationFilter{Product: "6063_building"}, nil},
		// ProductKeys: whole product IDs or whole names (ASCII case
		// ignored), any of them, in one query (PACT footprint requests).
		"product keys":          {DeclarationFilter{ProductKeys: []string{"B-6063-02", "8011 HOUSEHOLD FOIL", "none"}}, []Declaration{profile, foil}},
		"product keys partial":  {DeclarationFilter{ProductKeys: []string{"B-6063", "8011"}}, nil},
		"product keys and more": {DeclarationFilter{ProductKeys: []string{"urn:gtin:06901234567892"}, Status: StatusActive}, []Declaration{ingot2}},
		"company name":          {DeclarationFilter{Company: "Extruder B"}, []Declaration{profile, foil}},
		"company partial":       {DeclarationFilter{Company: "extruder"}, []Declaration{profile, foil}},
		"company id":            {DeclarationFilter{Company: a.ID}, []Declaration{ingot, ingot2}},
		"company unknown":       {DeclarationFilter{Company: "Nobody"}, nil},
		"region":                {DeclarationFilter{Region: "CN-NM"}, []Declaration{profile}},
		"status active":         {DeclarationFilter{Status: StatusActive}, []Declaration{profile, foil, ingot2}},
		"status deprecated":     {DeclarationFilter{Status: StatusDeprecated}, []Declaration{ingot}},
		"period from":           {DeclarationFilter{PeriodFrom: "2023-12-31"}, []Declaration{ingot, profile, ingot2}},
		"period to":             {DeclarationFilter{PeriodTo: "2023-01-01"}, []Declaration{ingot, foil, ingot2}},
		"period window":         {DeclarationFilter{PeriodFrom: "2023-02-01", PeriodTo: "2023-03-01"}, []Declaration{ingot, ingot2}},
		"period gap":            {DeclarationFilter{PeriodFrom: "2021-01-01", PeriodTo: "2021-12-31"}, nil},
		"max total":             {DeclarationFilter{MaxTCO2ePerT: ptr(12.0)}, []Declaration{profile, ingot2}},
		"max total inclusive":   {DeclarationFilter{MaxTCO2ePerT: ptr(7.5)}, []Declaration{profile}},
		"combined":              {DeclarationFilter{Company: "Extruder B", Region: "CN-SX", Status: StatusActive}, []Declaration{foil}},
	} {
		got := listAll(t, s, c.f)
		if want := newestFirst(c.want...); !slices.Equal(ids(got), want) {
			t.Errorf("%s: listed %v, want %v", name, ids(got), want)
		}
	}
}

func testRestrictedVisibility(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	owner := mustOrg(t, s, "Smelter A")
	buyer := mustOrg(t, s, "Buyer B")
	stranger := mustOrg(t, s, "Stranger C")
	secret := mustDeclare(t, s, sample(owner.ID, func(d *Declaration) {
		d.Visibility, d.Buyers = VisibilityRestricted, []string{buyer.ID}
	}))
	public := mustDeclare(t, s, sample(owner.ID, func(d *Declaration) { d.ProductName = "public ingot" }))

	for _, c := range []struct {
		name, viewer string
		sees         bool
	}{
		{"owner", owner.ID, true},
		{"buyer", buyer.ID, true},
		{"other organisation", stranger.ID, false},
		{"anonymous", "", false},
	} {
		got, err := s.GetDeclaration(ctx, secret.ID, c.viewer)
		switch {
		case c.sees && (err != nil || got.ID != secret.ID):
			t.Errorf("%s: GetDeclaration = %v, %v; want the declaration", c.name, got.ID, err)
		case !c.sees && !errors.Is(err, ErrNotFound):
			t.Errorf("%s: GetDeclaration error %v, want ErrNotFound", c.name, err)
		}
		want := []Declaration{public}
		if c.sees {
			want = append(want, secret)
		}
		for _, f := range []DeclarationFilter{{Viewer: c.viewer}, {Viewer: c.viewer, Company: owner.Name}} {
			if got := listAll(t, s, f); !slices.Equal(ids(got), newestFirst(want...)) {
				t.Errorf("%s: listed %v, want %v", c.name, ids(got), newestFirst(want...))
			}
		}
	}
	// Only the owner learns who the buyers are.
	if got, _ := s.GetDeclaration(ctx, secret.ID, owner.ID); !slices.Equal(got.Buyers, []string{buyer.ID}) {
		t.Errorf("owner sees buyers %v", got.Buyers)
	}
	if got, _ := s.GetDeclaration(ctx, secret.ID, buyer.ID); got.Buyers != nil {
		t.Errorf("buyer sees buyers %v", got.Buyers)
	}
}

func testSupersedeChain(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := open(t), ctxFor(t)
	a := mustOrg(t, s, "Smelter A")
	b := mustOrg(t, s, "Smelter B")
	v1 := mustDeclare(t, s, sample(a.ID))
	v2 := mustDeclare(t, s, sample(a.ID, func(d *Declaration) { d.Supersedes = v1.ID }))
	if v2.Version != 2 || v2.Status != StatusActive || v2.Supersedes != v1.ID {
		t.Fatalf("v2 = version %d, %s, supersedes %q", v2.Version, v2.Status, v2.Supersedes)
	}
	if got, err := s.GetDeclaration(ctx, v1.ID, ""); err != nil || got.Status != StatusDeprecated || got.Version != 1 {
		t.Fatalf("v1 after supersede = %s v%d, %v; want deprecated v1", got.Status, got.Version, err)
	}

	_, err := s.CreateDeclaration(ctx, sample(a.ID, func(d *Declaration) { d.Supersedes = v1.ID }))
	wantErr(t, "superseding a deprecated declaration", err, ErrConflict)
	_, err = s.CreateDeclaration(ctx, sample(b.ID, func(d *Declaration) { d.Supersedes = v2.ID }))
	wantErr(t, "superseding another organisation's declaration", err, ErrForbidden)
	_, err = s.CreateDeclaration(ctx, sample(a.ID, func(d *Declaration) { d.Supersedes = "nope" }))
	wantErr(t, "superseding an unknown declaration", err, ErrNotFound)

	// The failures changed nothing: v2 is still active and nothing was added.
	if got, _ := s.GetDeclaration(ctx, v2.ID, ""); got.Status != StatusActive {
		t.Fatalf("v2 is %s after failed supersedes", got.Status)
	}
	if all := listAll(t, s, DeclarationFilter{}); len(all) != 2 {
		t.Fatalf("%d declarations after failed supersedes, want 2", len(all))
	}
	v3 := mustDeclare(t, s, sample(a.ID, func(d *Declaration) { d.Supersedes = v2.ID }))
	if v3.Version != 3 {
		t.Fatalf("v3.Version = %d", v3.Version)
	}
	active := listAll(t, s, DeclarationFilter{Status: StatusActive})
	if !slices.Equal(ids(active), []string{v3.ID}) {
		t.Fatalf("active = %v, want only v3 %s", ids(active), v3.ID)
	}
}

// testConcurrentSupersede races publishers replacing the same version:
// exactly one may win.
func testConcurrentSupersede(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	a := mustOrg(t, s, "Smelter A")
	v1 := mustDeclare(t, s, sample(a.ID))
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.CreateDeclaration(ctxFor(t), sample(a.ID, func(d *Declaration) { d.Supersedes = v1.ID }))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrConflict):
			t.Errorf("losing supersede: %v, want ErrConflict", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent supersedes succeeded, want 1", won)
	}
	if all := listAll(t, s, DeclarationFilter{}); len(all) != 2 {
		t.Fatalf("%d declarations, want 2", len(all))
	}
}

func testPagination(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	org := mustOrg(t, s, "Smelter A")
	// Three declarations share one timestamp, so the ID must break ties.
	clock := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	s.(*sqlStore).now = func() time.Time { return clock }
	var made []Declaration
	for i := range 7 {
		if i >= 3 {
			clock = clock.Add(time.Duration(i) * time.Microsecond)
		}
		made = append(made, mustDeclare(t, s, sample(org.ID, func(d *Declaration) {
			d.ProductName = fmt.Sprintf("ingot %d", i)
		})))
	}
	want := newestFirst(made...)

	var got []string
	f := DeclarationFilter{Limit: 3}
	for page := 0; ; page++ {
		items, next, err := s.ListDeclarations(ctxFor(t), f)
		if err != nil {
			t.Fatal(err)
		}
		if wantLen := min(3, 7-3*page); len(items) != wantLen {
			t.Fatalf("page %d has %d items, want %d", page, len(items), wantLen)
		}
		got = append(got, ids(items)...)
		if next == "" {
			break
		}
		if page == 2 {
			t.Fatal("a cursor after the last page")
		}
		f.Cursor = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages listed\n%v\nwant\n%v", got, want)
	}
	// An exact multiple of the limit ends without an empty page.
	items, next, err := s.ListDeclarations(ctxFor(t), DeclarationFilter{Limit: 7})
	if err != nil || len(items) != 7 || next != "" {
		t.Fatalf("limit 7: %d items, next %q, %v", len(items), next, err)
	}
}

func testConcurrentCreate(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	org := mustOrg(t, s, "Smelter A")
	buyer := mustOrg(t, s, "Buyer")
	const n = 20
	made := make([]Declaration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			made[i], errs[i] = s.CreateDeclaration(ctxFor(t), sample(org.ID, func(d *Declaration) {
				d.ProductName = fmt.Sprintf("ingot %d", i)
				d.Buyers = []string{buyer.ID}
			}))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	got := listAll(t, s, DeclarationFilter{Limit: MaxLimit})
	if !slices.Equal(ids(got), newestFirst(made...)) {
		t.Fatalf("listed %d declarations %v, want %v", len(got), ids(got), newestFirst(made...))
	}
}

func testDurability(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	org := mustOrg(t, s, "Smelter A")
	plain, _, err := s.CreateAPIKey(ctxFor(t), org.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := mustDeclare(t, s, sample(org.ID))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t)
	got, err := s.GetDeclaration(ctxFor(t), d.ID, org.ID)
	if err != nil || !equalDeclarations(got, d) {
		t.Fatalf("after reopening: %+v, %v; want %+v", got, err, d)
	}
	if _, err := s.AuthenticateAPIKey(ctxFor(t), plain); err != nil {
		t.Fatalf("API key lost on reopening: %v", err)
	}
}

func testImmutable(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	org := mustOrg(t, s, "Smelter A")
	d := mustDeclare(t, s, sample(org.ID))
	db := s.(*sqlStore).db
	for _, stmt := range []string{
		`UPDATE declarations SET request = '{}' WHERE id = ?`,
		`UPDATE declarations SET total_tco2e_per_t = 0 WHERE id = ?`,
		`DELETE FROM declaration_products WHERE declaration_id = ?`,
		`DELETE FROM declarations WHERE id = ?`,
	} {
		err := db.write(ctxFor(t), func(q querier) error {
			_, err := q.exec(ctxFor(t), stmt, d.ID)
			return err
		})
		if err == nil {
			t.Errorf("%s: succeeded; declarations must be immutable", stmt)
		}
	}
	got, err := s.GetDeclaration(ctxFor(t), d.ID, org.ID)
	if err != nil || !equalDeclarations(got, d) {
		t.Fatalf("declaration changed: %+v, %v", got, err)
	}
}

func testPingAfterClose(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	if err := s.Ping(ctxFor(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Ping after Close", s.Ping(ctxFor(t)), ErrUnavailable)
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestContentHash pins the hash's definition: the JSON below is written out
// by hand from the ContentHash doc comment, so a change to the encoding that
// would break published hashes fails here.
func TestContentHash(t *testing.T) {
	d := sample("org-1", func(d *Declaration) {
		d.Supersedes = "prev"
		d.ProductIDs = []string{"a<b", "c"}
		d.Visibility, d.Buyers, d.ID, d.Version = VisibilityRestricted, []string{"x"}, "ignored", 9
	})
	canonical := `{"org_id":"org-1","kind":"primary","product_name":"P1020A ingot","product_ids":["a<b","c"],` +
		`"region":"CN-SX","period_start":"2023-01-01","period_end":"2023-12-31","supersedes":"prev",` +
		`"request":{"region":"CN-SX","production_t":300000,"alumina":{"consumption_t_per_t":1.92}},` +
		`"result":{"total_tco2e_per_t":{"location_based":16.2,"market_based":12.1}},` +
		`"dataset_version":"2024.1","engine_version":"0.1.0","total_tco2e_per_t":12.1}`
	sum := sha256.Sum256([]byte(canonical))
	if got, want := ContentHash(d), fmt.Sprintf("%x", sum); got != want {
		t.Fatalf("ContentHash = %s, want %s (SHA-256 of %s)", got, want, canonical)
	}
	e := d
	e.TotalTCO2ePerT = 12.2
	if ContentHash(e) == ContentHash(d) {
		t.Fatal("the total is not covered by the hash")
	}
}

// testListWithoutDocuments: summaries carry everything but the request
// and result, on the same page boundaries.
func testListWithoutDocuments(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	org := mustOrg(t, s, "Smelter A")
	made := mustDeclare(t, s, sample(org.ID))
	full, _, err := s.ListDeclarations(ctxFor(t), DeclarationFilter{Viewer: org.ID})
	if err != nil || len(full) != 1 || string(full[0].Result) != string(made.Result) {
		t.Fatalf("full list: %v %v", full, err)
	}
	sum, _, err := s.ListDeclarations(ctxFor(t), DeclarationFilter{Viewer: org.ID, WithoutDocuments: true})
	if err != nil || len(sum) != 1 {
		t.Fatalf("summaries: %v %v", sum, err)
	}
	got := sum[0]
	if len(got.Request) != 0 || len(got.Result) != 0 {
		t.Fatalf("summary carries documents: %q %q", got.Request, got.Result)
	}
	want := full[0]
	want.Request, want.Result = got.Request, got.Result
	if got.ID != want.ID || got.ContentHash != want.ContentHash || got.TotalTCO2ePerT != want.TotalTCO2ePerT ||
		!got.CreatedAt.Equal(want.CreatedAt) || len(got.Buyers) != len(want.Buyers) || got.CompanyName != want.CompanyName {
		t.Fatalf("summary %+v, want %+v", got, want)
	}
}

// testListFiltersASCIICase: text filters ignore ASCII case only, the same
// in both dialects (the review found Go folded all of Unicode while SQLite
// folded ASCII): "ÉLECTRODE" finds "Électrode pitch", "électrode" does not
// (É and é differ), and a Kelvin sign is not a k.
func testListFiltersASCIICase(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	a := mustOrg(t, s, "Smelter A")
	pitch := mustDeclare(t, s, sample(a.ID, func(d *Declaration) { d.ProductName, d.ProductIDs = "Électrode pitch", nil }))
	bar := mustDeclare(t, s, sample(a.ID, func(d *Declaration) { d.ProductName, d.ProductIDs = "Kelvin bar", nil }))
	for _, c := range []struct {
		f    DeclarationFilter
		want []string
	}{
		{DeclarationFilter{Product: "ÉLECTRODE"}, []string{pitch.ID}},
		{DeclarationFilter{Product: "électrode"}, nil},
		{DeclarationFilter{ProductKeys: []string{"ÉLECTRODE PITCH"}}, []string{pitch.ID}},
		{DeclarationFilter{Product: "kelvin"}, []string{bar.ID}},
		{DeclarationFilter{Product: "\u212aelvin"}, nil},
		{DeclarationFilter{ProductKeys: []string{"\u212aelvin bar"}}, nil},
	} {
		got, _, err := s.ListDeclarations(ctxFor(t), c.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range got {
			ids = append(ids, d.ID)
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("%+v: %v, want %v", c.f, ids, c.want)
		}
	}
}
