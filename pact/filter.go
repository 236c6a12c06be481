package pact

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// The $filter of Action ListFootprints: the OData subset PACT v2 defines
// (spec § "Filtering"):
//
//	created|updated  eq|lt|le|gt|ge  '<DateTime>'
//	productCategoryCpc|status|pcf/geographyCountry  eq  '<string>'
//	productIds/any(p:(p eq '<urn>'))   companyIds/any(c:(c eq '<urn>'))
//
// joined by "and", optionally in parentheses. Anything else is a
// BadRequest naming what could not be read.

// footprintFilter is a parsed $filter: every condition must hold.
type footprintFilter []condition

// condition is one comparison of a footprint property with a literal.
type condition struct {
	property string // created, updated, productCategoryCpc, status, pcf/geographyCountry, productIds, companyIds
	op       string // eq, lt, le, gt, ge
	value    string
	when     time.Time // value as a time, for created and updated
}

// filterProperties maps each filterable property to the operators it takes.
var filterProperties = map[string][]string{
	"created": {"eq", "lt", "le", "gt", "ge"}, "updated": {"eq", "lt", "le", "gt", "ge"},
	"productCategoryCpc": {"eq"}, "status": {"eq"}, "pcf/geographyCountry": {"eq"},
}

// parseFilter parses a $filter expression.
func parseFilter(expr string) (footprintFilter, error) {
	toks, err := filterTokens(expr)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks}
	f, err := p.conjunction()
	if err != nil {
		return nil, err
	}
	if !p.done() {
		return nil, fmt.Errorf("unexpected %q after a complete condition; conditions are joined with and", p.peek())
	}
	return f, nil
}

// filterTokens splits a $filter into words, quoted literals (kept with
// their quotes, ” unescaped) and the characters ( ) : .
func filterTokens(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		switch r := rune(s[i]); {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')' || r == ':':
			toks = append(toks, string(r))
			i++
		case r == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("a string literal opened at character %d is not closed with '", i+1)
			}
			toks = append(toks, "'"+b.String())
			i = j + 1
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && !strings.ContainsRune("():'", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("the filter is empty")
	}
	return toks, nil
}

type filterParser struct {
	toks []string
	i    int
}

func (p *filterParser) done() bool { return p.i >= len(p.toks) }

func (p *filterParser) peek() string {
	if p.done() {
		return "the end"
	}
	return p.toks[p.i]
}

func (p *filterParser) next() string { t := p.peek(); p.i++; return t }

func (p *filterParser) expect(t string) error {
	if got := p.next(); got != t {
		return fmt.Errorf("expected %q, found %q", t, got)
	}
	return nil
}

// conjunction := term ("and" term)*
func (p *filterParser) conjunction() (footprintFilter, error) {
	var f footprintFilter
	for {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		f = append(f, t...)
		if p.peek() != "and" {
			return f, nil
		}
		p.next()
	}
}

// term := "(" conjunction ")" | collection "/any(" v ":" ["("] v "eq" literal [")"] ")" | property op literal
func (p *filterParser) term() (footprintFilter, error) {
	if p.peek() == "(" {
		p.next()
		f, err := p.conjunction()
		if err != nil {
			return nil, err
		}
		return f, p.expect(")")
	}
	name := p.next()
	if coll, ok := strings.CutSuffix(name, "/any"); ok {
		return p.any(coll)
	}
	ops, ok := filterProperties[name]
	if !ok {
		return nil, fmt.Errorf("cannot filter on %q; filterable: created, updated, productCategoryCpc, status, pcf/geographyCountry, productIds/any(…), companyIds/any(…)", name)
	}
	op := p.next()
	if !slices.Contains(ops, op) {
		return nil, fmt.Errorf("%s takes %s, not %q", name, strings.Join(ops, ", "), op)
	}
	c := condition{property: name, op: op}
	var err error
	if c.value, err = p.literal(); err != nil {
		return nil, err
	}
	if name == "created" || name == "updated" {
		if c.when, err = time.Parse(time.RFC3339Nano, c.value); err != nil {
			return nil, fmt.Errorf("%s compares with a date and time such as '2024-01-01T00:00:00Z'; got '%s'", name, c.value)
		}
	}
	return footprintFilter{c}, nil
}

// any parses the rest of coll/any(v:(v eq 'x')) after "coll/any".
func (p *filterParser) any(coll string) (footprintFilter, error) {
	if coll != "productIds" && coll != "companyIds" {
		return nil, fmt.Errorf("any() applies to productIds and companyIds, not %q", coll)
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	v := p.next()
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	inner := p.peek() == "("
	if inner {
		p.next()
	}
	if err := p.expect(v); err != nil {
		return nil, err
	}
	if err := p.expect("eq"); err != nil {
		return nil, err
	}
	value, err := p.literal()
	if err != nil {
		return nil, err
	}
	if inner {
		if err := p.expect(")"); err != nil {
			return nil, err
		}
	}
	return footprintFilter{{property: coll, op: "eq", value: value}}, p.expect(")")
}

func (p *filterParser) literal() (string, error) {
	t := p.next()
	v, ok := strings.CutPrefix(t, "'")
	if !ok {
		return "", fmt.Errorf("expected a string literal in single quotes, found %q", t)
	}
	return v, nil
}

// matches reports whether the footprint satisfies every condition.
func (f footprintFilter) matches(fp ProductFootprint) bool {
	for _, c := range f {
		if !c.matches(fp) {
			return false
		}
	}
	return true
}

func (c condition) matches(fp ProductFootprint) bool {
	switch c.property {
	case "created", "updated":
		s := fp.Created
		if c.property == "updated" {
			s = fp.Updated
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		return err == nil && compareTimes(t, c.op, c.when)
	case "productCategoryCpc":
		return fp.ProductCategoryCpc == c.value
	case "status":
		return fp.Status == c.value
	case "pcf/geographyCountry":
		country := fp.PCF.GeographyCountry
		if sub := fp.PCF.GeographyCountrySubdivision; country == "" && len(sub) >= 2 {
			country = sub[:2]
		}
		return country == c.value
	case "productIds":
		return slices.Contains(fp.ProductIDs, c.value)
	case "companyIds":
		return slices.Contains(fp.CompanyIDs, c.value)
	}
	return false
}

func compareTimes(a time.Time, op string, b time.Time) bool {
	switch op {
	case "eq":
		return a.Equal(b)
	case "lt":
		return a.Before(b)
	case "le":
		return !a.After(b)
	case "gt":
		return a.After(b)
	case "ge":
		return !a.Before(b)
	}
	return false
}
