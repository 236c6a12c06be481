package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"alcarbon/cbamfile"
	"alcarbon/registry"
)

// fullMetadata states every metadata field; the CBAM file must show each.
const fullMetadata = `{
	"installation_name": "Taiyuan Aluminium Smelter",
	"installation_name_local": "太原铝冶炼厂",
	"economic_activity": "Primary aluminium production (NACE 24.42)",
	"address": {"street": "1 Yejin Road", "po_box": "PO Box 12", "postcode": "030000", "city": "Taiyuan", "country": "CN"},
	"unlocode": "CN TYN",
	"coordinates": {"latitude": 37.87, "longitude": 112.55},
	"representative": {"name": "Li Wei", "email": "cbam@example.cn", "phone": "+86 351 1234 5678"},
	"verifier": {"name": "Example Verification GmbH",
		"address": {"street": "Hauptstr. 1", "postcode": "10115", "city": "Berlin", "country": "DE"},
		"representative": {"name": "Anna Schmidt", "email": "anna@example.de", "phone": "+49 30 123456"},
		"accreditation": {"member_state": "DE", "body": "DAkkS", "registration_number": "D-VS-12345-01-00"}},
	"data_quality": {"general": "Metered activity data for 2023.\nAnode effects from the potline records.",
		"default_values_justification": "No default values used.", "quality_assurance": "Internal audit, ISO 14064-1."}
}`

// cbamFileEnv publishes a primary declaration with fullMetadata and a
// product declaration without metadata made from it.
func cbamFileEnv(t *testing.T, open storeOpener) (r *registryEnv, key string, primary, product declarationResponse) {
	t.Helper()
	r = newRegistryEnv(t, open)
	_, key = r.org(t, "Shanxi Aluminium Smelter Co.")
	primary = r.publish(t, key, declaration(`"visibility": "public", "metadata": `+fullMetadata))
	product = r.publish(t, key, `{"kind": "product", "request": {"product": "building_profile", "region": "CN-SX", "year": 2023,
		"metal": {"declaration_id": "`+primary.ID+`"}}, "product_name": "6063 window profile",
		"reference_period": {"start": "2024-01-01", "end": "2024-12-31"}}`)
	return r, key, primary, product
}

// getCBAMFile fetches the declaration's CBAM file and checks the headers
// of a 200.
func getCBAMFile(t *testing.T, r *registryEnv, id string, headers ...string) []byte {
	t.Helper()
	rec := do(t, r.e, http.MethodGet, "/v1/declarations/"+id+"/cbam.xlsx", "", "", headers...)
	if rec.Code != http.StatusOK {
		t.Fatalf("cbam.xlsx: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get(headerContentType); ct != mimeXLSX {
		t.Fatalf("content type %q, want %s", ct, mimeXLSX)
	}
	if cd, want := rec.Header().Get("Content-Disposition"), `attachment; filename="cbam-communication-`+id+`.xlsx"`; cd != want {
		t.Fatalf("Content-Disposition %q, want %q", cd, want)
	}
	return rec.Body.Bytes()
}

const headerContentType = "Content-Type"

// readCBAMFile reads every filled cell of the workbook by the layout
// cbamfile documents: a field as "section label" (the section number of
// column A, then the label of column B) with the value of column C; a
// table cell as "ID header" (the row's ID, then its column's header).
// Cells reading cbamfile.NotProvided are left out. Sheets are in order.
func readCBAMFile(t *testing.T, body []byte) (sheets []string, cells map[string]map[string]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()
	digits := regexp.MustCompile(`^[0-9]+$`)
	cells = map[string]map[string]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		put := func(key, value string) {
			if _, dup := got[key]; dup {
				t.Errorf("%s: %q appears twice", sheet, key)
			}
			if value != cbamfile.NotProvided {
				got[key] = value
			}
		}
		var header []string
		section := ""
		for _, row := range rows {
			cell := func(i int) string {
				if i < len(row) {
					return row[i]
				}
				return ""
			}
			switch {
			case strings.Join(row, "") == "":
				header = nil
			case cell(0) == "ID":
				header = row
			case header != nil:
				for j := 1; j < len(row) && j < len(header); j++ {
					if row[j] != "" {
						put(cell(0)+" "+header[j], row[j])
					}
				}
			case digits.MatchString(cell(0)) && cell(2) == "":
				section = cell(0)
			case cell(1) != "" && cell(2) != "":
				put(section+" "+cell(1), cell(2))
			}
		}
		sheets = append(sheets, sheet)
		cells[sheet] = got
	}
	return sheets, cells
}

// expectedCells are the cells the CBAM file of declaration d must fill,
// taken from d, its CBAM view v and its metadata m (nil when none).
func expectedCells(d declarationResponse, v declarationCBAMResponse, m *declarationMetadata) map[string]map[string]any {
	want := map[string]map[string]any{}
	set := func(sheet, key string, value any) {
		if want[sheet] == nil {
			want[sheet] = map[string]any{}
		}
		switch x := value.(type) {
		case string:
			if x == "" {
				return
			}
		case *float64:
			if x == nil {
				return
			}
			value = *x
		case *bool:
			if x == nil {
				return
			}
			value = map[bool]string{true: "yes", false: "no"}[*x]
		}
		want[sheet][key] = value
	}
	if m == nil {
		m = &declarationMetadata{}
	}
	addr, coord, rep := derefOrZero(m.Address), derefOrZero(m.Coordinates), derefOrZero(m.Representative)
	ver := derefOrZero(m.Verifier)
	vaddr, vrep, acc, q := derefOrZero(ver.Address), derefOrZero(ver.Representative), derefOrZero(ver.Accreditation), derefOrZero(m.DataQuality)

	s := cbamfile.SheetVersions
	set(s, "1 Template followed:", cbamfile.TemplateVersion)
	set(s, "2 Written by:", "alcarbon")
	set(s, "2 Declaration ID:", d.ID)
	set(s, "2 Declaration status:", d.Status)
	set(s, "2 Declaration version:", float64(d.Version))
	set(s, "2 Content hash (SHA-256):", d.ContentHash)
	set(s, "2 Dataset version:", d.DatasetVersion)
	set(s, "2 Engine version:", d.EngineVersion)
	set(s, "2 CBAM rules:", v.Rules)
	set(s, "2 Method:", v.Method)
	set(s, "2 Operator (publisher of the declaration):", d.CompanyName)

	s = cbamfile.SheetInstData
	set(s, "1 Start:", d.ReferencePeriod.Start)
	set(s, "1 End:", d.ReferencePeriod.End)
	for label, value := range map[string]any{
		"Name of the installation (optional):": m.InstallationNameLocal, "Name of the installation (English name):": m.InstallationName,
		"Street, Number:": addr.Street, "Economic activity:": m.EconomicActivity, "Post code:": addr.Postcode, "P.O. Box:": addr.POBox,
		"City:": addr.City, "Country:": v.Installation.Country, "UNLOCODE:": m.UNLOCODE,
		"Coordinates of the main emission source (latitude):":  coord.LatitudeDeg,
		"Coordinates of the main emission source (longitude):": coord.LongitudeDeg,
		"Name of authorized representative:":                   rep.Name, "Email:": rep.Email, "Telephone:": rep.Phone,
	} {
		set(s, "2 "+label, value)
	}
	for label, value := range map[string]string{
		"Company Name:": ver.Name, "Street, Number:": vaddr.Street, "City:": vaddr.City, "Postcode/ZIP:": vaddr.Postcode,
		"Country:": vaddr.Country, "Name:": vrep.Name, "Email address:": vrep.Email, "Telephone number:": vrep.Phone,
		"Accreditation Member State:": acc.MemberState, "Name of the national accreditation body:": acc.Body,
		"Registration number issued by the Accreditation body:": acc.RegistrationNumber,
	} {
		set(s, "3 "+label, value)
	}
	set(s, "G1 Aggregated goods category", v.AggregatedGoodsCategory)
	set(s, "G1 Route 1", v.ProductionRoute)
	set(s, "P1 Aggregated goods category", v.AggregatedGoodsCategory)
	set(s, "P1 Included goods categories listed under (a)", "G1")
	set(s, "P1 Name", v.ProductionRoute)
	for i, p := range v.Precursors {
		set(s, fmt.Sprintf("PP%d Production process", i+1), p.AggregatedGoodsCategory)
	}

	s = cbamfile.SheetEmInst
	set(s, "2 Method:", v.PFCMethod)
	set(s, "2 Method of IR 2025/2547 Annex II B.7 (verifiable):", v.PFCVerifiable)
	set(s, "2 PFC emissions (CF4 and C2F6, AR5 GWPs) per t of good:", v.PFCTCO2ePerT)

	s = cbamfile.SheetProcesses
	for label, value := range map[string]any{
		"Name:": v.ProductionRoute, "Aggregated goods category:": v.AggregatedGoodsCategory, "CN code:": v.CNCode,
		"Product name:": d.ProductName, "Specific embedded direct emissions (SEE (direct)):": v.SEEDirectTCO2ePerT,
		"Specific electricity consumption (for SEE (indirect)):":                                      v.ElectricityMWhPerT,
		"Electricity emission factor (for SEE (indirect)):":                                           v.ElectricityEFTCO2MWh,
		"Source for electricity EF:":                                                                  v.ElectricityEFSource,
		"Specific embedded indirect emissions (SEE (indirect)):":                                      v.SEEIndirectTCO2ePerT,
		"Specific embedded emissions (SEE (total)):":                                                  v.SEETotalTCO2ePerT,
		"Emissions counted for the CBAM obligation (direct only, Regulation (EU) 2023/956 Annex II):": v.ObligationTCO2ePerT,
		"Commission default value, for comparison:":                                                   v.DefaultValueTCO2ePerT,
		"Note on the default value:":                                                                  v.DefaultValueNote,
	} {
		set(s, "1 "+label, value)
	}

	s = cbamfile.SheetPurchPrec
	for i, p := range v.Precursors {
		id := fmt.Sprintf("PP%d ", i+1)
		set(s, id+"Purchased precursor", p.AggregatedGoodsCategory)
		set(s, id+"CN code", p.CNCode)
		set(s, id+"Consumed per t of good (t/t)", p.TPerT)
		set(s, id+"Specific embedded direct emissions (SEE (direct)) (tCO2e/t precursor)", p.SEEDirectTCO2ePerT)
		set(s, id+"Specific embedded indirect emissions (SEE (indirect)) (tCO2e/t precursor)", p.SEEIndirectTCO2ePerT)
		set(s, id+"Embedded direct emissions per t of good (tCO2e/t)", p.EmbeddedDirectTCO2ePerT)
		set(s, id+"Justification for use of default values (if relevant)", p.Note)
	}

	for _, s := range []string{cbamfile.SheetProducts, cbamfile.SheetCommunication} {
		for header, value := range map[string]any{
			"Production process from which the products arise": "P1", "Type of aggregated good or precursor": v.AggregatedGoodsCategory,
			"CN Codes": v.CNCode, "CN Name": v.CNDescription,
			"Product name (used for communication with reporting declarant, e.g. on invoices)": d.ProductName,
			"SEE (direct)": v.SEEDirectTCO2ePerT, "SEE (indirect)": v.SEEIndirectTCO2ePerT, "SEE (total)": v.SEETotalTCO2ePerT,
			"Unit": "tCO2e/t", "Source for electricity EF": v.ElectricityEFSource,
			"Embedded electricity (MWh/t)": v.ElectricityMWhPerT, "Electricity EF (tCO2/MWh)": v.ElectricityEFTCO2MWh,
		} {
			set(s, "1 "+header, value)
		}
	}
	s = cbamfile.SheetCommunication
	for label, value := range map[string]any{
		"Name of the installation (English name):": m.InstallationName, "Street, Number:": addr.Street,
		"Economic activity:": m.EconomicActivity, "Post code:": addr.Postcode, "City:": addr.City,
		"Country:": v.Installation.Country, "UNLOCODE:": m.UNLOCODE,
		"Coordinates of the main emission source (latitude):":  coord.LatitudeDeg,
		"Coordinates of the main emission source (longitude):": coord.LongitudeDeg,
		"Reporting period start:":                              d.ReferencePeriod.Start, "Reporting period end:": d.ReferencePeriod.End,
		"General information on data quality:":                   q.General,
		"Justification for use of default values (if relevant):": q.DefaultValuesJustification,
		"Information on quality assurance:":                      q.QualityAssurance,
		"Any additional information:":                            strings.Join(v.Notes, "\n"),
	} {
		set(s, "1 "+label, value)
	}
	set(s, "G1 Aggregated good produced", v.AggregatedGoodsCategory)
	set(s, "G1 Route 1", v.ProductionRoute)
	set(s, "P1 Production process", v.ProductionRoute)
	set(s, "P1 Aggregated goods category", v.AggregatedGoodsCategory)
	return want
}

func derefOrZero[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// TestCBAMFileCells writes the CBAM file of a primary declaration with
// every metadata field and of a product declaration without metadata
// through the HTTP endpoint, reads it back with excelize and checks every
// filled cell against the declaration, its CBAM view (GET …/cbam) and its
// metadata: each expected cell holds its value, and no other cell is
// filled; the rest read "not provided". On both stores.
func TestCBAMFileCells(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r, key, primary, product := cbamFileEnv(t, st.open)
			for _, d := range []declarationResponse{primary, product} {
				var full declarationResponse
				if rec := getJSON(t, r.e, "/v1/declarations/"+d.ID, &full, auth(key)...); rec.Code != 200 {
					t.Fatalf("get: %d %s", rec.Code, rec.Body)
				}
				var view declarationCBAMResponse
				if rec := getJSON(t, r.e, "/v1/declarations/"+d.ID+"/cbam", &view, auth(key)...); rec.Code != 200 {
					t.Fatalf("cbam: %d %s", rec.Code, rec.Body)
				}
				sheets, got := readCBAMFile(t, getCBAMFile(t, r, d.ID, auth(key)...))
				wantSheets := []string{cbamfile.SheetVersions, cbamfile.SheetInstData, cbamfile.SheetEmInst,
					cbamfile.SheetProcesses, cbamfile.SheetPurchPrec, cbamfile.SheetProducts, cbamfile.SheetCommunication}
				if strings.Join(sheets, ",") != strings.Join(wantSheets, ",") {
					t.Fatalf("sheets %v, want %v", sheets, wantSheets)
				}
				want := expectedCells(full, view, full.Metadata)
				filled := 0
				for _, sheet := range sheets {
					for key, value := range got[sheet] {
						w, ok := want[sheet][key]
						if !ok {
							t.Errorf("%s %s: %s!%q = %q, which the declaration does not state", d.Kind, d.ID, sheet, key, value)
							continue
						}
						if !cellEqual(value, w) {
							t.Errorf("%s: %s!%q = %q, want %v", d.Kind, sheet, key, value, w)
						}
						filled++
					}
					for key, w := range want[sheet] {
						if _, ok := got[sheet][key]; !ok {
							t.Errorf("%s: %s!%q is not filled; want %v", d.Kind, sheet, key, w)
						}
					}
				}
				t.Logf("%s declaration: %d filled cells checked", d.Kind, filled)
			}
			// The figures are the CBAM view's: spot-check the kinds.
			var pv, dv declarationCBAMResponse
			getJSON(t, r.e, "/v1/declarations/"+primary.ID+"/cbam", &pv)
			getJSON(t, r.e, "/v1/declarations/"+product.ID+"/cbam", &dv, auth(key)...)
			if pv.CNCode != "7601" || pv.PFCMethod == "" || pv.PFCTCO2ePerT == nil || len(pv.Precursors) != 0 ||
				pv.Installation.UNLOCODE != "CN TYN" || pv.Verifier == nil || pv.DataQuality == nil {
				t.Errorf("primary CBAM view: %+v", pv)
			}
			if dv.CNCode == "7601" || dv.CNDescription == "" || len(dv.Precursors) != 1 || dv.Installation.Name != "" ||
				math.Abs(dv.Precursors[0].EmbeddedDirectTCO2ePerT-dv.Precursors[0].TPerT*dv.Precursors[0].SEEDirectTCO2ePerT) > 1e-9 {
				t.Errorf("product CBAM view: %+v", dv)
			}
		})
	}
}

// cellEqual compares a cell read back with its expected value: a number
// within a relative 1e-12, text exactly.
func cellEqual(got string, want any) bool {
	switch w := want.(type) {
	case float64:
		g, err := strconv.ParseFloat(got, 64)
		return err == nil && math.Abs(g-w) <= 1e-12*math.Max(1, math.Abs(w))
	case string:
		return got == w
	}
	return false
}

// TestCBAMFileErrors: the file has the visibility of the declaration
// (404 problem+json to others), and a declaration whose result has no CBAM
// view is a 409 problem.
func TestCBAMFileErrors(t *testing.T) {
	r := newRegistryEnv(t, openSQLite)
	seller, key := r.org(t, "Seller")
	buyer, buyerKey := r.org(t, "Buyer")
	_, otherKey := r.org(t, "Other")
	d := r.publish(t, key, declaration(`"buyers": ["`+buyer.ID+`"]`))
	getCBAMFile(t, r, d.ID, auth(buyerKey)...)
	getCBAMFile(t, r, d.ID, auth(key)...)
	for name, h := range map[string][]string{"anonymous": nil, "other organisation": auth(otherKey)} {
		rec := do(t, r.e, http.MethodGet, "/v1/declarations/"+d.ID+"/cbam.xlsx", "", "", h...)
		if rec.Code != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", name, rec.Code)
		}
		decodeProblem(t, rec)
	}
	rec := do(t, r.e, http.MethodGet, "/v1/declarations/00000000-0000-4000-8000-000000000000/cbam.xlsx", "", "")
	if rec.Code != http.StatusNotFound {
		t.Fatalf("unknown declaration: %d", rec.Code)
	}
	decodeProblem(t, rec)
	old := r.publishDirect(t, seller.ID, func(d *registry.Declaration) {
		d.Visibility, d.Result = registry.VisibilityPublic, json.RawMessage(`{"total_tco2e_per_t": {"location_based": 1, "market_based": 1}}`)
	})
	for _, path := range []string{"/cbam", "/cbam.xlsx"} {
		rec := do(t, r.e, http.MethodGet, "/v1/declarations/"+old.ID+path, "", "")
		if p := decodeProblem(t, rec); rec.Code != http.StatusConflict || !strings.Contains(p.Detail, "no CBAM view") {
			t.Fatalf("%s without a CBAM view: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// TestCBAMFileLibreOffice converts the CBAM file to CSV with LibreOffice
// headless, every sheet to a file of its own (the CSV filter's sheet
// option -1), which must succeed for each sheet and show the
// declaration's figures on Summary_Communication. It skips without
// soffice unless CI is set (scripts/test.sh installs it).
func TestCBAMFileLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice (LibreOffice) is not installed; scripts/test.sh installs libreoffice-calc-nogui")
		}
		t.Skip("soffice (LibreOffice) is not installed; scripts/test.sh installs it")
	}
	r, key, primary, _ := cbamFileEnv(t, openSQLite)
	body := getCBAMFile(t, r, primary.ID, auth(key)...)
	dir := t.TempDir()
	in := filepath.Join(dir, "cbam.xlsx")
	if err := os.WriteFile(in, body, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// A profile of its own, so that a running LibreOffice does not take
	// the conversion over. Filter options: comma, double quote, UTF-8,
	// from line 1, …, values not as shown, every sheet (-1).
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice --convert-to csv: %v\n%s", err, out)
	}
	sheets := map[string][][]string{}
	for _, sheet := range []string{cbamfile.SheetVersions, cbamfile.SheetInstData, cbamfile.SheetEmInst,
		cbamfile.SheetProcesses, cbamfile.SheetPurchPrec, cbamfile.SheetProducts, cbamfile.SheetCommunication} {
		f, err := os.Open(filepath.Join(dir, "cbam-"+sheet+".csv"))
		if err != nil {
			t.Fatalf("sheet %s not converted: %v\n%s", sheet, err, out)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) < 3 {
			t.Fatalf("CSV of %s: %d rows, %v", sheet, len(rows), err)
		}
		sheets[sheet] = rows
	}
	var view declarationCBAMResponse
	getJSON(t, r.e, "/v1/declarations/"+primary.ID+"/cbam", &view)
	text := fmt.Sprint(sheets[cbamfile.SheetCommunication])
	for _, want := range []string{`Sheet "Summary_Communication"`, cbamfile.TemplateVersion, "Taiyuan Aluminium Smelter", "CN TYN",
		view.CNCode, strconv.FormatFloat(view.SEEDirectTCO2ePerT, 'f', 6, 64)[:4]} {
		if !strings.Contains(text, want) {
			t.Errorf("CSV of Summary_Communication lacks %q:\n%s", want, text)
		}
	}
}

// TestDeclarationMetadata: metadata is validated field by field (JSON
// pointer, stable code), stored, shown by GET and covered by the content
// hash; declarations with and without it verify, on both stores.
func TestDeclarationMetadata(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			r := newRegistryEnv(t, st.open)
			_, key := r.org(t, "Smelter")
			with := r.publish(t, key, declaration(`"visibility": "public", "metadata": `+fullMetadata))
			without := r.publish(t, key, declaration(`"visibility": "public"`))
			empty := r.publish(t, key, declaration(`"visibility": "public", "metadata": {}`))
			var want declarationMetadata
			if err := json.Unmarshal([]byte(fullMetadata), &want); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				d    declarationResponse
				want *declarationMetadata
			}{{with, &want}, {without, nil}, {empty, nil}} {
				var got declarationResponse
				getJSON(t, r.e, "/v1/declarations/"+c.d.ID, &got)
				gj, _ := json.Marshal(got.Metadata)
				wj, _ := json.Marshal(c.want)
				if !bytes.Equal(gj, wj) || !bytes.Equal(gj, mustMarshal(c.d.Metadata)) {
					t.Errorf("metadata %s (published %s), want %s", gj, mustMarshal(c.d.Metadata), wj)
				}
				var v verifyResponse
				if getJSON(t, r.e, "/v1/declarations/"+c.d.ID+"/verify", &v); !v.Reproduced || !v.StoredHashValid || v.HashVersion != 2 {
					t.Errorf("verify %s: %+v", c.d.ID, v)
				}
			}
			// Metadata is hashed: the stored hash is the one with it, not the one without.
			d, err := r.store.GetDeclaration(context.Background(), with.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Metadata) == 0 || !json.Valid(d.Metadata) {
				t.Fatalf("stored metadata %q", d.Metadata)
			}
			check, err := r.store.CheckDeclaration(context.Background(), with.ID)
			if err != nil {
				t.Fatal(err)
			}
			stripped := d
			stripped.Metadata = nil
			if check.ContentHash(d) != with.ContentHash || check.ContentHash(stripped) == with.ContentHash {
				t.Error("the content hash does not cover the metadata")
			}
		})
	}
}

// TestDeclarationMetadataValidation: each bad metadata field is named by
// its JSON pointer with a stable code and says what is allowed.
func TestDeclarationMetadataValidation(t *testing.T) {
	r := newRegistryEnv(t, openSQLite, func(o *Options) { o.RateBurst = 100 })
	_, key := r.org(t, "Supplier")
	long := strings.Repeat("x", 201)
	cases := []struct {
		name, metadata, pointer, code, detail string
	}{
		{"blank name", `{"installation_name": "  "}`, "/metadata/installation_name", codeRequired, "not be blank"},
		{"long name", `{"installation_name": "` + long + `"}`, "/metadata/installation_name", codeTooLong, "at most 200"},
		{"line break in name", `{"installation_name": "a\nb"}`, "/metadata/installation_name", codeInvalid, "control characters"},
		{"long note", `{"data_quality": {"general": "` + strings.Repeat("x", 2001) + `"}}`, "/metadata/data_quality/general", codeTooLong, "at most 2000"},
		{"country", `{"address": {"country": "XX"}}`, "/metadata/address/country", codeUnknownValue, "ISO 3166-1 alpha-2"},
		{"country lower case", `{"address": {"country": "cn"}}`, "/metadata/address/country", codeUnknownValue, "ISO 3166-1 alpha-2"},
		{"country of another region", `{"address": {"country": "DE"}}`, "/metadata/address/country", codeMustMatch, "CN-SX"},
		{"unlocode format", `{"unlocode": "CN-TYN"}`, "/metadata/unlocode", codeInvalidFormat, "UN/LOCODE"},
		{"unlocode country", `{"unlocode": "QQ TYN"}`, "/metadata/unlocode", codeUnknownValue, "country code"},
		{"unlocode elsewhere", `{"unlocode": "DE BER", "address": {"country": "CN"}}`, "/metadata/unlocode", codeMustMatch, "address's country CN"},
		{"unlocode outside the region", `{"unlocode": "DE BER"}`, "/metadata/unlocode", codeMustMatch, "CN-SX"},
		{"latitude", `{"coordinates": {"latitude": 91, "longitude": 112}}`, "/metadata/coordinates/latitude", codeOutOfRange, "between -90 and 90"},
		{"longitude missing", `{"coordinates": {"latitude": 37}}`, "/metadata/coordinates/longitude", codeRequired, "required"},
		{"email", `{"representative": {"email": "Li Wei <li@example.cn>"}}`, "/metadata/representative/email", codeInvalidFormat, "bare e-mail"},
		{"email without domain", `{"representative": {"email": "li@localhost"}}`, "/metadata/representative/email", codeInvalidFormat, "bare e-mail"},
		{"phone", `{"representative": {"phone": "call me"}}`, "/metadata/representative/phone", codeInvalidFormat, "telephone number"},
		{"phone plus inside", `{"representative": {"phone": "86+351 1234"}}`, "/metadata/representative/phone", codeInvalidFormat, "telephone number"},
		{"verifier email", `{"verifier": {"representative": {"email": "x"}}}`, "/metadata/verifier/representative/email", codeInvalidFormat, "e-mail"},
		{"member state", `{"verifier": {"accreditation": {"member_state": "CH"}}}`, "/metadata/verifier/accreditation/member_state", codeNotAllowed, "DE"},
		{"unknown field", `{"installation": "x"}`, "/metadata/installation", codeUnknownField, "unknown field"},
		{"wrong type", `{"coordinates": {"latitude": "37"}}`, "/metadata/coordinates/latitude", codeWrongType, ""},
	}
	for _, tc := range cases {
		rec := postJSON(t, r.e, "/v1/declarations", declaration(`"metadata": `+tc.metadata), auth(key)...)
		if rec.Code != http.StatusUnprocessableEntity && !(tc.code == codeWrongType && rec.Code == http.StatusBadRequest) {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
			continue
		}
		p := decodeProblem(t, rec)
		found := false
		for _, f := range p.Errors {
			if f.Pointer == tc.pointer && f.Code == tc.code && strings.Contains(f.Detail, tc.detail) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want %s %s %q; got %+v", tc.name, tc.pointer, tc.code, tc.detail, p.Errors)
		}
	}
	var list declarationListResponse
	if getJSON(t, r.e, "/v1/declarations", &list, auth(key)...); list.Count != 0 {
		t.Fatal("a refused publish was stored")
	}
}
