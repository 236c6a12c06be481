package factors

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Product is a downstream product family (building profile, foil, …): its
// default alloys, its default route as ordered processing steps and its
// CBAM CN code. The numbers it rests on (step energies, yields, splits) are
// factors, so each keeps its own source and confidence.
type Product struct {
	ID            string `json:"id"` // "building_profile"
	NameEN        string `json:"name_en"`
	NameZH        string `json:"name_zh"`
	CNCode        string `json:"cn_code"` // "7604"
	CNDescription string `json:"cn_description"`
	// Alloys lists the typical alloys, the default first ("6063").
	Alloys []string `json:"alloys"`
	// Route lists the step ids in order; the first is the casting step
	// that takes the metal (molten or remelted).
	Route []string `json:"route"`
	// YieldFactor is the id of the factor with the default yield
	// [t product/t cast metal]: "product/{id}/yield".
	YieldFactor string `json:"yield_factor"`
	Note        string `json:"note,omitempty"`
}

// ProductStep is one processing step with its GB 21351-2023 grade limits.
type ProductStep struct {
	ID    string `json:"id"`    // "extrusion_building"
	Stage string `json:"stage"` // "casting" or "processing"
	// Basis says what the step's energy is per: "cast" (t of cast metal,
	// before the yield loss) or "product" (t of product).
	Basis  string `json:"basis"`
	NameEN string `json:"name_en"`
	NameZH string `json:"name_zh"`
	// Grades is the factor-id prefix of the step's grade limits: the
	// factors Grades+"/grade1" … "/grade3" [kgce/t] exist.
	Grades string `json:"grades"`
	// RemeltGrades is, for a casting step, the prefix of the grade limits
	// of remelting solid feed [kgce per t remelted]; empty otherwise.
	RemeltGrades string `json:"remelt_grades,omitempty"`
	// ElectricityFraction is the id of the factor with the electricity
	// share of the step's energy: "product_step/{id}/electricity_fraction".
	ElectricityFraction string `json:"electricity_fraction"`
	Note                string `json:"note,omitempty"`
}

// Alloy is a wrought alloy with its nominal composition: midpoints of the
// ranged elements of its composition limits, in mass %.
type Alloy struct {
	ID string `json:"id"` // "6063"
	// Elements maps an element symbol to its nominal mass fraction [%].
	// Impurity maxima are not listed: they count zero.
	Elements   map[string]float64 `json:"elements"`
	SourceID   string             `json:"source_id"`
	Source     string             `json:"source"`
	Confidence Confidence         `json:"confidence"`
	Note       string             `json:"note,omitempty"`
}

// Step stages.
const (
	StageCasting    = "casting"
	StageProcessing = "processing"
	BasisCast       = "cast"
	BasisProduct    = "product"
)

// RemeltingElectricityFraction is the id of the electricity share of
// remelting solid feed.
const RemeltingElectricityFraction = "product_step/remelting/electricity_fraction"

// Products returns every product family, sorted by id. A dataset version
// without products.csv has none.
func (d *Dataset) Products() []Product {
	out := make([]Product, len(d.products))
	for i, p := range d.products {
		out[i] = p.clone()
	}
	return out
}

// Product returns the family with the given id and whether it exists.
func (d *Dataset) Product(id string) (Product, bool) {
	for _, p := range d.products {
		if p.ID == id {
			return p.clone(), true
		}
	}
	return Product{}, false
}

// ProductSteps returns every processing step, in file order.
func (d *Dataset) ProductSteps() []ProductStep { return slices.Clone(d.productSteps) }

// ProductStep returns the step with the given id and whether it exists.
func (d *Dataset) ProductStep(id string) (ProductStep, bool) {
	for _, s := range d.productSteps {
		if s.ID == id {
			return s, true
		}
	}
	return ProductStep{}, false
}

// Alloys returns every alloy, sorted by id.
func (d *Dataset) Alloys() []Alloy {
	out := make([]Alloy, len(d.alloys))
	for i, a := range d.alloys {
		out[i] = a.clone()
	}
	return out
}

// Alloy returns the alloy with the given id ("6063") and whether it exists.
func (d *Dataset) Alloy(id string) (Alloy, bool) {
	for _, a := range d.alloys {
		if a.ID == id {
			return a.clone(), true
		}
	}
	return Alloy{}, false
}

func (p Product) clone() Product {
	p.Alloys = slices.Clone(p.Alloys)
	p.Route = slices.Clone(p.Route)
	return p
}

func (a Alloy) clone() Alloy {
	m := make(map[string]float64, len(a.Elements))
	for k, v := range a.Elements {
		m[k] = v
	}
	a.Elements = m
	return a
}

const (
	productsFile     = "products.csv"
	productStepsFile = "product_steps.csv"
	alloysFile       = "alloys.csv"
)

var (
	productsHeader     = []string{"id", "name_en", "name_zh", "cn_code", "cn_description", "alloys", "route", "note"}
	productStepsHeader = []string{"id", "stage", "basis", "name_en", "name_zh", "grades", "remelt_grades", "note"}
	alloysHeader       = []string{"id", "elements", "source_id", "confidence", "note"}
)

// readProducts reads the optional alloys.csv, product_steps.csv and
// products.csv of dir; factors and sources must be indexed first. Every
// factor a product or step names must exist, as must every alloy and step
// a product names. The three files come together: one without the others
// is an error.
func (d *Dataset) readProducts(fsys fs.FS, dir string) error {
	present := 0
	for _, f := range []string{productsFile, productStepsFile, alloysFile} {
		if _, err := fs.Stat(fsys, path.Join(dir, f)); err == nil {
			present++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return &FileError{File: path.Join(dir, f), Msg: err.Error()}
		}
	}
	switch present {
	case 0:
		return nil
	case 3:
	default:
		return &FileError{File: path.Join(dir, productsFile), Msg: "products.csv, product_steps.csv and alloys.csv come together"}
	}
	if err := d.checkFraction(RemeltingElectricityFraction); err != nil {
		return &FileError{File: path.Join(dir, "factors.csv"), Msg: err.Error()}
	}
	if err := d.readAlloys(fsys, path.Join(dir, alloysFile)); err != nil {
		return err
	}
	if err := d.readProductSteps(fsys, path.Join(dir, productStepsFile)); err != nil {
		return err
	}
	return d.readProductFamilies(fsys, path.Join(dir, productsFile))
}

func (d *Dataset) readAlloys(fsys fs.FS, name string) error {
	ids := seen{}
	err := readCSV(fsys, name, alloysHeader, func(line int, rec []string) error {
		a := Alloy{ID: rec[0], SourceID: rec[2], Confidence: Confidence(rec[3]), Note: rec[4], Elements: map[string]float64{}}
		if err := ids.add(a.ID, line); err != nil {
			return err
		}
		if a.ID == "" {
			return fmt.Errorf("alloy id is required")
		}
		if rec[1] != "" {
			var total float64
			for part := range strings.SplitSeq(rec[1], ";") {
				el, val, ok := strings.Cut(part, ":")
				if !ok || el == "" {
					return fmt.Errorf("alloy %q: element %q: want Symbol:percent", a.ID, part)
				}
				v, err := number(val, 0, 100)
				if err != nil {
					return fmt.Errorf("alloy %q: element %s: %v", a.ID, el, err)
				}
				if _, dup := a.Elements[el]; dup {
					return fmt.Errorf("alloy %q: element %s listed twice", a.ID, el)
				}
				a.Elements[el] = v
				total += v
			}
			if total >= 100 {
				return fmt.Errorf("alloy %q: alloying elements sum to %v %%", a.ID, total)
			}
		}
		src, ok := d.Source(a.SourceID)
		if !ok {
			return fmt.Errorf("alloy %q: unknown source_id %q", a.ID, a.SourceID)
		}
		a.Source = src.Citation()
		if err := checkConfidence(a.Confidence); err != nil {
			return fmt.Errorf("alloy %q: %v", a.ID, err)
		}
		d.alloys = append(d.alloys, a)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(d.alloys, func(a, b Alloy) int { return strings.Compare(a.ID, b.ID) })
	return nil
}

func (d *Dataset) readProductSteps(fsys fs.FS, name string) error {
	ids := seen{}
	return readCSV(fsys, name, productStepsHeader, func(line int, rec []string) error {
		s := ProductStep{
			ID: rec[0], Stage: rec[1], Basis: rec[2], NameEN: rec[3], NameZH: rec[4], Grades: rec[5], RemeltGrades: rec[6], Note: rec[7],
			ElectricityFraction: "product_step/" + rec[0] + "/electricity_fraction",
		}
		if err := ids.add(s.ID, line); err != nil {
			return err
		}
		if s.ID == "" || s.ID == "remelting" {
			return fmt.Errorf("step id %q: empty or reserved", s.ID)
		}
		if s.Stage != StageCasting && s.Stage != StageProcessing {
			return fmt.Errorf("step %q: stage %q, want casting or processing", s.ID, s.Stage)
		}
		if s.Basis != BasisCast && s.Basis != BasisProduct {
			return fmt.Errorf("step %q: basis %q, want cast or product", s.ID, s.Basis)
		}
		if err := d.checkGrades(s.Grades); err != nil {
			return fmt.Errorf("step %q: grades: %v", s.ID, err)
		}
		if s.RemeltGrades != "" {
			if err := d.checkGrades(s.RemeltGrades); err != nil {
				return fmt.Errorf("step %q: remelt_grades: %v", s.ID, err)
			}
		}
		if err := d.checkFraction(s.ElectricityFraction); err != nil {
			return fmt.Errorf("step %q: %v", s.ID, err)
		}
		d.productSteps = append(d.productSteps, s)
		return nil
	})
}

func (d *Dataset) readProductFamilies(fsys fs.FS, name string) error {
	ids := seen{}
	err := readCSV(fsys, name, productsHeader, func(line int, rec []string) error {
		p := Product{
			ID: rec[0], NameEN: rec[1], NameZH: rec[2], CNCode: rec[3], CNDescription: rec[4], Note: rec[7],
			YieldFactor: "product/" + rec[0] + "/yield",
		}
		if err := ids.add(p.ID, line); err != nil {
			return err
		}
		if p.ID == "" || p.NameEN == "" {
			return fmt.Errorf("product %q: id and name_en are required", p.ID)
		}
		if len(p.CNCode) != 4 || strings.Trim(p.CNCode, "0123456789") != "" {
			return fmt.Errorf("product %q: cn_code %q is not a 4-digit heading", p.ID, p.CNCode)
		}
		p.Alloys = strings.Split(rec[5], ";")
		for _, a := range p.Alloys {
			if _, ok := d.Alloy(a); !ok {
				return fmt.Errorf("product %q: alloy %q is not in alloys.csv", p.ID, a)
			}
		}
		p.Route = strings.Split(rec[6], ";")
		for i, id := range p.Route {
			s, ok := d.ProductStep(id)
			if !ok {
				return fmt.Errorf("product %q: step %q is not in product_steps.csv", p.ID, id)
			}
			if i == 0 && s.RemeltGrades == "" {
				return fmt.Errorf("product %q: the first step %q must be a casting step with remelt_grades", p.ID, id)
			}
		}
		if err := d.checkFraction(p.YieldFactor); err != nil {
			return fmt.Errorf("product %q: yield: %v", p.ID, err)
		}
		if f, _ := d.Factor(p.YieldFactor); f.Value <= 0 {
			return fmt.Errorf("product %q: yield must be greater than 0", p.ID)
		}
		d.products = append(d.products, p)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(d.products, func(a, b Product) int { return strings.Compare(a.ID, b.ID) })
	return nil
}

// checkGrades checks that prefix/grade1..3 exist in kgce/t and ascend.
func (d *Dataset) checkGrades(prefix string) error {
	prev := -1.0
	for g := 1; g <= 3; g++ {
		id := prefix + "/grade" + strconv.Itoa(g)
		f, ok := d.Factor(id)
		if !ok {
			return fmt.Errorf("factor %q not in factors.csv", id)
		}
		if f.Unit != "kgce/t" {
			return fmt.Errorf("factor %q: unit %q, want kgce/t", id, f.Unit)
		}
		if f.Value < prev {
			return fmt.Errorf("factor %q: grade limits must not decrease", id)
		}
		prev = f.Value
	}
	return nil
}

// checkFraction checks that the factor id exists with a value in (0, 1]
// or, for an electricity fraction, [0, 1].
func (d *Dataset) checkFraction(id string) error {
	f, ok := d.Factor(id)
	if !ok {
		return fmt.Errorf("factor %q not in factors.csv", id)
	}
	if f.Value < 0 || f.Value > 1 {
		return fmt.Errorf("factor %q: %v is outside [0, 1]", id, f.Value)
	}
	return nil
}

func checkConfidence(c Confidence) error {
	switch c {
	case ConfidenceHigh, ConfidenceMedium, ConfidenceLow:
		return nil
	}
	return fmt.Errorf("unknown confidence %q, want H, M or L", c)
}
