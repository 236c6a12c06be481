package factors

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FileError reports a defect in a dataset file: the file, relative to the
// catalog root ("2026.1/factors.csv"), the 1-based line (0 when the defect
// is not tied to one line) and what is wrong.
type FileError struct {
	File string
	Line int
	Msg  string
}

// Error renders the defect as "factors: file:line: message".
func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("factors: %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("factors: %s: %s", e.File, e.Msg)
}

const (
	gridPrefix     = "grid/"
	levelNational  = "national"
	levelGrid      = "regional_grid"
	levelProvince  = "province"
	basisOperation = "co2_operational"
	basisLifecycle = "lifecycle"
)

var (
	factorsHeader = []string{"id", "value", "unit", "kind", "region", "year", "basis", "source_id", "confidence", "note"}
	sourcesHeader = []string{"id", "publisher", "document", "year", "url"}
	regionsHeader = []string{"code", "name_en", "name_zh", "level", "grid"}
	gapsHeader    = []string{"id", "what", "note"}
)

// loadDataset reads and validates the version folder dir of fsys.
func loadDataset(fsys fs.FS, dir string) (*Dataset, error) {
	d := &Dataset{}
	if err := d.readMeta(fsys, dir); err != nil {
		return nil, err
	}
	if err := d.readSources(fsys, dir); err != nil {
		return nil, err
	}
	if err := d.readRegions(fsys, dir); err != nil {
		return nil, err
	}
	if err := d.readFactors(fsys, dir); err != nil {
		return nil, err
	}
	if err := d.readGaps(fsys, dir); err != nil {
		return nil, err
	}
	if err := d.readSolarSites(fsys, dir); err != nil {
		return nil, err
	}
	d.index()
	if err := d.readProducts(fsys, dir); err != nil {
		return nil, err
	}
	digest, err := digestDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	d.digest = digest
	return d, nil
}

// digestDir hashes the files of the version folder dir: SHA-256 over each
// file's name and contents, in name order.
func digestDir(fsys fs.FS, dir string) (string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return "", &FileError{File: dir, Msg: err.Error()}
	}
	h := sha256.New()
	for _, e := range entries { // ReadDir sorts by name
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return "", &FileError{File: path.Join(dir, e.Name()), Msg: err.Error()}
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (d *Dataset) readMeta(fsys fs.FS, dir string) error {
	name := path.Join(dir, "dataset.json")
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return &FileError{File: name, Msg: err.Error()}
	}
	var meta struct {
		Version  string            `json:"version"`
		Released string            `json:"released"`
		Status   string            `json:"status"`
		Notes    []string          `json:"notes"`
		Rules    map[string]string `json:"rules"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		line := 0
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = 1 + bytes.Count(b[:se.Offset], []byte("\n"))
		}
		return &FileError{File: name, Line: line, Msg: err.Error()}
	}
	if meta.Version != dir {
		return &FileError{File: name, Msg: fmt.Sprintf("version %q does not match folder %q", meta.Version, dir)}
	}
	switch meta.Status {
	case "", StatusReleased:
		meta.Status = StatusReleased
	case StatusDraft:
	default:
		return &FileError{File: name, Msg: fmt.Sprintf("status %q is neither %q nor %q", meta.Status, StatusReleased, StatusDraft)}
	}
	// A draft has no release date yet; if it gives one, it must be a date.
	if meta.Status == StatusReleased || meta.Released != "" {
		if _, err := time.Parse(time.DateOnly, meta.Released); err != nil {
			return &FileError{File: name, Msg: fmt.Sprintf("released %q is not a YYYY-MM-DD date", meta.Released)}
		}
	}
	for k, v := range meta.Rules {
		allowed, ok := ruleValues[k]
		if !ok || !slices.Contains(allowed, v) {
			return &FileError{File: name, Msg: fmt.Sprintf("rule %q = %q is not a known rule and value (%v)", k, v, ruleValues)}
		}
	}
	d.version, d.released, d.status, d.notes, d.rules = meta.Version, meta.Released, meta.Status, meta.Notes, meta.Rules
	return nil
}

// readCSV reads the file name of fsys, checks its header and calls row for
// every record with the record's line number. Fields are trimmed.
func readCSV(fsys fs.FS, name string, header []string, row func(line int, rec []string) error) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return &FileError{File: name, Msg: err.Error()}
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1 // counted below, so a bad header is reported as such
	first := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &FileError{File: name, Line: pe.Line, Msg: pe.Err.Error()}
			}
			return &FileError{File: name, Msg: err.Error()}
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if first {
			first = false
			if !slices.Equal(rec, header) {
				return &FileError{File: name, Line: line, Msg: fmt.Sprintf("header is %q, want %q", rec, header)}
			}
			continue
		}
		if len(rec) != len(header) {
			return &FileError{File: name, Line: line, Msg: fmt.Sprintf("wrong number of fields: %d, want %d", len(rec), len(header))}
		}
		if err := row(line, rec); err != nil {
			return &FileError{File: name, Line: line, Msg: err.Error()}
		}
	}
	if first {
		return &FileError{File: name, Msg: "empty file, want a header"}
	}
	return nil
}

// seen tracks the first line of each id in a file.
type seen map[string]int

func (s seen) add(id string, line int) error {
	if id == "" {
		return errors.New("empty id")
	}
	if first, ok := s[id]; ok {
		return fmt.Errorf("duplicate id %q (first on line %d)", id, first)
	}
	s[id] = line
	return nil
}

func (d *Dataset) readSources(fsys fs.FS, dir string) error {
	ids := seen{}
	return readCSV(fsys, path.Join(dir, "sources.csv"), sourcesHeader, func(line int, rec []string) error {
		s := Source{ID: rec[0], Publisher: rec[1], Document: rec[2], Year: rec[3], URL: rec[4]}
		if err := ids.add(s.ID, line); err != nil {
			return err
		}
		if s.Publisher == "" || s.Document == "" {
			return fmt.Errorf("source %q: publisher and document are required", s.ID)
		}
		d.sources = append(d.sources, s)
		return nil
	})
}

func (d *Dataset) readRegions(fsys fs.FS, dir string) error {
	name := path.Join(dir, "regions.csv")
	ids := seen{}
	level := map[string]string{}
	gridLine := map[string]int{} // province code -> line, checked once all rows are read
	err := readCSV(fsys, name, regionsHeader, func(line int, rec []string) error {
		r := Region{Code: rec[0], NameEN: rec[1], NameZH: rec[2], Level: rec[3], Grid: rec[4]}
		if err := ids.add(r.Code, line); err != nil {
			return err
		}
		if r.NameEN == "" || r.NameZH == "" {
			return fmt.Errorf("region %q: name_en and name_zh are required", r.Code)
		}
		switch r.Level {
		case levelProvince:
			if r.Grid == "" {
				return fmt.Errorf("province %q has no grid", r.Code)
			}
			gridLine[r.Code] = line
		case levelNational, levelGrid:
			if r.Grid != "" {
				return fmt.Errorf("region %q of level %q cannot have a grid", r.Code, r.Level)
			}
		default:
			return fmt.Errorf("region %q: unknown level %q, want national, regional_grid or province", r.Code, r.Level)
		}
		level[r.Code] = r.Level
		d.regions = append(d.regions, r)
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range d.regions {
		if r.Level == levelProvince && level[r.Grid] != levelGrid {
			return &FileError{File: name, Line: gridLine[r.Code], Msg: fmt.Sprintf("province %q: grid %q is not a regional_grid region", r.Code, r.Grid)}
		}
	}
	return nil
}

func (d *Dataset) readFactors(fsys fs.FS, dir string) error {
	ids := seen{}
	regions := map[string]bool{}
	for _, r := range d.regions {
		regions[r.Code] = true
	}
	sources := map[string]Source{}
	for _, s := range d.sources {
		sources[s.ID] = s
	}
	return readCSV(fsys, path.Join(dir, "factors.csv"), factorsHeader, func(line int, rec []string) error {
		f := Factor{
			ID: rec[0], Unit: rec[2], Kind: rec[3], Region: rec[4], Basis: rec[6],
			SourceID: rec[7], Confidence: Confidence(rec[8]), Note: rec[9],
		}
		if err := ids.add(f.ID, line); err != nil {
			return err
		}
		v, err := strconv.ParseFloat(rec[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("factor %q: value %q is not a finite number", f.ID, rec[1])
		}
		f.Value = v
		if f.Unit == "" || f.Kind == "" {
			return fmt.Errorf("factor %q: unit and kind are required", f.ID)
		}
		if rec[5] != "" {
			y, err := strconv.Atoi(rec[5])
			if err != nil || y <= 0 {
				return fmt.Errorf("factor %q: year %q is not a positive integer", f.ID, rec[5])
			}
			f.Year = y
		}
		if f.Region != "" && !regions[f.Region] {
			return fmt.Errorf("factor %q: region %q is not in regions.csv", f.ID, f.Region)
		}
		switch f.Basis {
		case "", basisOperation, basisLifecycle:
		default:
			return fmt.Errorf("factor %q: unknown basis %q, want empty, co2_operational or lifecycle", f.ID, f.Basis)
		}
		src, ok := sources[f.SourceID]
		if !ok {
			return fmt.Errorf("factor %q: unknown source_id %q", f.ID, f.SourceID)
		}
		f.Source = src.Citation()
		switch f.Confidence {
		case ConfidenceHigh, ConfidenceMedium, ConfidenceLow:
		default:
			return fmt.Errorf("factor %q: unknown confidence %q, want H, M or L", f.ID, f.Confidence)
		}
		if strings.HasPrefix(f.ID, gridPrefix) {
			if f.Region == "" || f.Year == 0 {
				return fmt.Errorf("grid factor %q: region and year are required", f.ID)
			}
			if want := gridPrefix + f.Kind + "/" + f.Region + "/" + strconv.Itoa(f.Year); f.ID != want {
				return fmt.Errorf("grid factor %q: id does not match kind, region and year (want %q)", f.ID, want)
			}
		}
		d.factors = append(d.factors, f)
		return nil
	})
}

func (d *Dataset) readGaps(fsys fs.FS, dir string) error {
	ids := seen{}
	return readCSV(fsys, path.Join(dir, "gaps.csv"), gapsHeader, func(line int, rec []string) error {
		g := Gap{ID: rec[0], What: rec[1], Note: rec[2]}
		if err := ids.add(g.ID, line); err != nil {
			return err
		}
		if g.What == "" {
			return fmt.Errorf("gap %q: what is required", g.ID)
		}
		d.gaps = append(d.gaps, g)
		return nil
	})
}
