package factors

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
)

// SolarSite is a PV resource preset: a weather station with its monthly
// global horizontal irradiation and air temperature, transcribed from CBED
// (China Building Energy Data) and CDSRD (China Daily Solar Radiation
// Dataset) as the row's source says. Values are copied, never
// interpolated; a series no source gave is nil and Note says so.
type SolarSite struct {
	ID       string `json:"id"`       // lowercase station name: "taiyuan", "houma"
	NameEN   string `json:"name_en"`  // "Taiyuan"
	NameZH   string `json:"name_zh"`  // "太原"
	Province string `json:"province"` // ISO 3166-2 code, a province of regions.csv: "CN-SX"

	// Located is false when no source gave coordinates for
	// the station; LatitudeDeg and LongitudeDeg are then 0 and meaningless.
	// Only sites without GHI can be unlocated.
	Located      bool    `json:"located"`
	LatitudeDeg  float64 `json:"latitude_deg"`  // + north
	LongitudeDeg float64 `json:"longitude_deg"` // + east
	AltitudeM    float64 `json:"altitude_m"`    // station elevation [m]; 0 when not found (Yushe)

	WMO         string `json:"wmo,omitempty"`          // WMO station number, 5 digits
	StationNote string `json:"station_note,omitempty"` // which station, and the city it stands for if a proxy

	// GHIMonthlyKWhM2 is the monthly global horizontal irradiation,
	// January first [kWh/m² per month], dataset A (CBED); nil when not found.
	GHIMonthlyKWhM2 []float64 `json:"ghi_monthly_kwh_m2"`
	// GHIHighMonthlyKWhM2 is the same from dataset B (CDSRD, 1988–2017
	// mean), about 3.4 % above A: the "high" case [kWh/m² per month]; nil
	// when not found.
	GHIHighMonthlyKWhM2 []float64 `json:"ghi_high_monthly_kwh_m2"`
	// TempMonthlyC is the monthly mean air temperature, January first
	// [°C]; nil when not found.
	TempMonthlyC []float64 `json:"temp_monthly_c"`
	// TempRangeMonthlyC is the monthly mean diurnal temperature range,
	// January first [°C]: the multi-year monthly mean of the daily maximum
	// minus that of the daily minimum. nil when not found, and in dataset
	// versions whose solar_sites.csv has no temp_range_c column.
	TempRangeMonthlyC []float64 `json:"temp_range_monthly_c,omitempty"`
	// TempRangeSource is the citation of TempRangeMonthlyC's source; empty
	// without them.
	TempRangeSource string `json:"temp_range_source,omitempty"`

	// SourceID lists the ids of sources.csv the row cites, separated by
	// ";": first the source of GHI A and temperature, then dataset B, then
	// cross-checks named in Note ("cbed;cdsrd;solarbe_2017").
	SourceID   string     `json:"source_id"`
	Source     string     `json:"source"` // the citations of SourceID, joined by "; "
	Confidence Confidence `json:"confidence"`
	Note       string     `json:"note,omitempty"`
}

// SolarSites returns every PV resource preset: the Shanxi sites first,
// then the others, each group sorted by id. A dataset version without a
// solar_sites.csv has none.
func (d *Dataset) SolarSites() []SolarSite {
	out := make([]SolarSite, len(d.solarSites))
	for i, s := range d.solarSites {
		out[i] = s.clone()
	}
	return out
}

// SolarSite returns the preset with the given id ("taiyuan") and whether it
// exists.
func (d *Dataset) SolarSite(id string) (SolarSite, bool) {
	i, ok := d.bySolarSite[id]
	if !ok {
		return SolarSite{}, false
	}
	return d.solarSites[i].clone(), true
}

// clone copies the monthly series so that callers cannot change the dataset.
func (s SolarSite) clone() SolarSite {
	s.GHIMonthlyKWhM2 = slices.Clone(s.GHIMonthlyKWhM2)
	s.GHIHighMonthlyKWhM2 = slices.Clone(s.GHIHighMonthlyKWhM2)
	s.TempMonthlyC = slices.Clone(s.TempMonthlyC)
	s.TempRangeMonthlyC = slices.Clone(s.TempRangeMonthlyC)
	return s
}

const (
	solarSitesFile = "solar_sites.csv"
	shanxi         = "CN-SX"
)

var solarSitesHeader = []string{
	"id", "name_en", "name_zh", "province", "latitude", "longitude", "altitude_m", "wmo", "station_note",
	"ghi_kwh_m2", "ghi_high_kwh_m2", "temp_c", "source_id", "confidence", "note",
}

// tempRangeColumns are the optional last columns of solar_sites.csv:
// temp_range_c, 12 monthly mean diurnal temperature ranges [°C]
// ";"-separated like temp_c (empty when not found), and
// temp_range_source_id, the sources.csv id they come from (empty with
// them). Versions before 2026.2 have no such columns.
var tempRangeColumns = []string{"temp_range_c", "temp_range_source_id"}

// maxTempRangeC bounds a monthly mean diurnal range [°C]; the largest
// station means are about 20 °C (the API accepts up to the same 40).
const maxTempRangeC = 40

// solarSitesHeaderOf returns the header solar_sites.csv at name must have:
// solarSitesHeader, with tempRangeColumns appended when its first line
// ends with them. Any other header is then reported by readCSV.
func solarSitesHeaderOf(fsys fs.FS, name string) []string {
	withRange := append(slices.Clone(solarSitesHeader), tempRangeColumns...)
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return solarSitesHeader
	}
	first, err := csv.NewReader(bytes.NewReader(b)).Read()
	if err != nil || len(first) != len(withRange) {
		return solarSitesHeader
	}
	for i := range first {
		first[i] = strings.TrimSpace(first[i])
	}
	if !slices.Equal(first[len(solarSitesHeader):], tempRangeColumns) {
		return solarSitesHeader
	}
	return withRange
}

// readSolarSites reads the optional solar_sites.csv of dir; regions and
// sources must be read first. It sorts the sites and builds the index.
func (d *Dataset) readSolarSites(fsys fs.FS, dir string) error {
	name := path.Join(dir, solarSitesFile)
	if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	provinces := map[string]bool{}
	for _, r := range d.regions {
		if r.Level == levelProvince {
			provinces[r.Code] = true
		}
	}
	sources := map[string]Source{}
	for _, s := range d.sources {
		sources[s.ID] = s
	}
	ids := seen{}
	err := readCSV(fsys, name, solarSitesHeaderOf(fsys, name), func(line int, rec []string) error {
		s, err := parseSolarSite(rec, provinces, sources)
		if err != nil {
			return err
		}
		if err := ids.add(s.ID, line); err != nil {
			return err
		}
		d.solarSites = append(d.solarSites, s)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(d.solarSites, func(a, b SolarSite) int {
		if sa, sb := a.Province == shanxi, b.Province == shanxi; sa != sb {
			if sa {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	d.bySolarSite = make(map[string]int, len(d.solarSites))
	for i, s := range d.solarSites {
		d.bySolarSite[s.ID] = i
	}
	return nil
}

// parseSolarSite validates one record of solar_sites.csv.
func parseSolarSite(rec []string, provinces map[string]bool, sources map[string]Source) (SolarSite, error) {
	s := SolarSite{
		ID: rec[0], NameEN: rec[1], NameZH: rec[2], Province: rec[3], WMO: rec[7], StationNote: rec[8],
		SourceID: rec[12], Confidence: Confidence(rec[13]), Note: rec[14],
	}
	if s.ID == "" || strings.Trim(s.ID, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return s, fmt.Errorf("solar site id %q: want lowercase ascii letters, digits and _", s.ID)
	}
	if s.NameEN == "" || s.NameZH == "" {
		return s, fmt.Errorf("solar site %q: name_en and name_zh are required", s.ID)
	}
	if !provinces[s.Province] {
		return s, fmt.Errorf("solar site %q: province %q is not a province of regions.csv", s.ID, s.Province)
	}
	var err error
	if s.GHIMonthlyKWhM2, err = monthlySeries(rec[9], 0); err != nil {
		return s, fmt.Errorf("solar site %q: ghi_kwh_m2: %v", s.ID, err)
	}
	if s.GHIHighMonthlyKWhM2, err = monthlySeries(rec[10], 0); err != nil {
		return s, fmt.Errorf("solar site %q: ghi_high_kwh_m2: %v", s.ID, err)
	}
	if s.TempMonthlyC, err = monthlySeries(rec[11], -100); err != nil {
		return s, fmt.Errorf("solar site %q: temp_c: %v", s.ID, err)
	}
	if len(rec) > len(solarSitesHeader) {
		if err := parseTempRange(&s, rec[len(solarSitesHeader)], rec[len(solarSitesHeader)+1], sources); err != nil {
			return s, fmt.Errorf("solar site %q: %v", s.ID, err)
		}
	}
	switch {
	case rec[4] == "" && rec[5] == "":
		if s.GHIMonthlyKWhM2 != nil || s.GHIHighMonthlyKWhM2 != nil {
			return s, fmt.Errorf("solar site %q: a site with GHI needs latitude and longitude", s.ID)
		}
	default:
		if s.LatitudeDeg, err = number(rec[4], -90, 90); err != nil {
			return s, fmt.Errorf("solar site %q: latitude: %v", s.ID, err)
		}
		if s.LongitudeDeg, err = number(rec[5], -180, 180); err != nil {
			return s, fmt.Errorf("solar site %q: longitude: %v", s.ID, err)
		}
		s.Located = true
	}
	if rec[6] != "" {
		if s.AltitudeM, err = number(rec[6], -500, 9000); err != nil {
			return s, fmt.Errorf("solar site %q: altitude_m: %v", s.ID, err)
		}
	}
	if s.WMO != "" && (len(s.WMO) != 5 || strings.Trim(s.WMO, "0123456789") != "") {
		return s, fmt.Errorf("solar site %q: wmo %q is not a 5-digit station number", s.ID, s.WMO)
	}
	if s.GHIMonthlyKWhM2 == nil && s.Note == "" {
		return s, fmt.Errorf("solar site %q: a site without GHI needs a note saying why", s.ID)
	}
	var cites []string
	for id := range strings.SplitSeq(s.SourceID, ";") {
		src, ok := sources[id]
		if !ok {
			return s, fmt.Errorf("solar site %q: unknown source_id %q", s.ID, id)
		}
		cites = append(cites, src.Citation())
	}
	s.Source = strings.Join(cites, "; ")
	switch s.Confidence {
	case ConfidenceHigh, ConfidenceMedium, ConfidenceLow:
	default:
		return s, fmt.Errorf("solar site %q: unknown confidence %q, want H, M or L", s.ID, s.Confidence)
	}
	return s, nil
}

// parseTempRange sets s's diurnal ranges from the temp_range_c field and
// their source from temp_range_source_id: both or neither, 12 values in
// [0, maxTempRangeC], and only with monthly means.
func parseTempRange(s *SolarSite, field, sourceID string, sources map[string]Source) error {
	var err error
	if s.TempRangeMonthlyC, err = monthlySeries(field, 0); err != nil {
		return fmt.Errorf("temp_range_c: %v", err)
	}
	for m, v := range s.TempRangeMonthlyC {
		if v > maxTempRangeC {
			return fmt.Errorf("temp_range_c: month %d: %v is above %v °C", m+1, v, maxTempRangeC)
		}
	}
	switch {
	case s.TempRangeMonthlyC == nil && sourceID == "":
		return nil
	case s.TempRangeMonthlyC == nil || sourceID == "":
		return errors.New("give temp_range_c and temp_range_source_id together, or neither")
	case s.TempMonthlyC == nil:
		return errors.New("temp_range_c needs temp_c (the range is about the monthly mean)")
	}
	src, ok := sources[sourceID]
	if !ok {
		return fmt.Errorf("unknown temp_range_source_id %q", sourceID)
	}
	s.TempRangeSource = src.Citation()
	return nil
}

// monthlySeries parses 12 ";"-separated numbers, January first, each at
// least lo. An empty field is a series not found: nil.
func monthlySeries(field string, lo float64) ([]float64, error) {
	if field == "" {
		return nil, nil
	}
	parts := strings.Split(field, ";")
	if len(parts) != 12 {
		return nil, fmt.Errorf("%d values, want 12 (January to December) or none", len(parts))
	}
	out := make([]float64, 12)
	for i, p := range parts {
		v, err := number(strings.TrimSpace(p), lo, math.Inf(1))
		if err != nil {
			return nil, fmt.Errorf("month %d: %v", i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

// number parses a finite number in [lo, hi].
func number(field string, lo, hi float64) (float64, error) {
	v, err := strconv.ParseFloat(field, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", field)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%v is outside [%v, %v]", v, lo, hi)
	}
	return v, nil
}
