package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// declarationMetadata is what a publisher may state about the installation
// beside the footprint, for the CBAM communication file
// (GET /v1/declarations/{id}/cbam.xlsx): the fields of the Commission's
// "CBAM Communication template for installations" (sheet A_InstData,
// sections 2 and 3, and the data-quality fields of Summary_Communication)
// that the declaration does not hold. Every field is optional; what is
// left out stays empty in the file.
type declarationMetadata struct {
	// InstallationName is the installation's name in English (template A_InstData 2.ii), 1–200 characters.
	InstallationName string `json:"installation_name,omitempty" example:"Taiyuan Aluminium Smelter"`
	// InstallationNameLocal is its name in the local language (A_InstData 2.i), 1–200 characters.
	InstallationNameLocal string `json:"installation_name_local,omitempty" example:"太原铝冶炼厂"`
	// EconomicActivity is the installation's economic activity (A_InstData 2.iv), 1–200 characters.
	EconomicActivity string           `json:"economic_activity,omitempty" example:"Primary aluminium production (NACE 24.42)"`
	Address          *metadataAddress `json:"address,omitempty"`
	// UNLOCODE is the UN/LOCODE of the installation's location (A_InstData 2.ix): the ISO 3166-1 alpha-2 country code and three capital letters or digits 2–9, with or without a space between; its country must be the address's.
	UNLOCODE    string               `json:"unlocode,omitempty" example:"CN TYN"`
	Coordinates *metadataCoordinates `json:"coordinates,omitempty"`
	// Representative is the installation's authorised representative (A_InstData 2.xii–xiv).
	Representative *metadataContact     `json:"representative,omitempty"`
	Verifier       *metadataVerifier    `json:"verifier,omitempty"`
	DataQuality    *metadataDataQuality `json:"data_quality,omitempty"`
}

// metadataAddress is a postal address.
type metadataAddress struct {
	// Street and number, 1–200 characters.
	Street string `json:"street,omitempty" example:"1 Yejin Road"`
	// POBox is the P.O. box, 1–40 characters.
	POBox string `json:"po_box,omitempty"`
	// Postcode, 1–20 characters.
	Postcode string `json:"postcode,omitempty" example:"030000"`
	// City, 1–200 characters.
	City string `json:"city,omitempty" example:"Taiyuan"`
	// Country is the ISO 3166-1 alpha-2 code, in capitals.
	Country string `json:"country,omitempty" example:"CN"`
}

// metadataCoordinates locate the installation's main emission source (A_InstData 2.x–xi); both are required when coordinates are given.
type metadataCoordinates struct {
	// LatitudeDeg, −90 to 90, north positive [°].
	LatitudeDeg *float64 `json:"latitude" minimum:"-90" maximum:"90" unit:"°" example:"37.87"`
	// LongitudeDeg, −180 to 180, east positive [°].
	LongitudeDeg *float64 `json:"longitude" minimum:"-180" maximum:"180" unit:"°" example:"112.55"`
}

// metadataContact is a person to contact.
type metadataContact struct {
	// Name, 1–200 characters.
	Name string `json:"name,omitempty" example:"Li Wei"`
	// Email is a bare address (local@domain), at most 254 characters.
	Email string `json:"email,omitempty" example:"cbam@example.cn"`
	// Phone: digits, spaces and ( ) - . /, optionally led by +, with 5–20 digits.
	Phone string `json:"phone,omitempty" example:"+86 351 1234 5678"`
}

// metadataVerifier is the verifier of the installation's report (A_InstData section 3), where there is one.
type metadataVerifier struct {
	// Name is the verifier's company name, 1–200 characters.
	Name           string                 `json:"name,omitempty" example:"Example Verification GmbH"`
	Address        *metadataAddress       `json:"address,omitempty"`
	Representative *metadataContact       `json:"representative,omitempty"`
	Accreditation  *metadataAccreditation `json:"accreditation,omitempty"`
}

// metadataAccreditation is the verifier's accreditation (A_InstData 3(c)).
type metadataAccreditation struct {
	// MemberState is the EU Member State of accreditation, ISO 3166-1 alpha-2.
	MemberState string `json:"member_state,omitempty" example:"DE"`
	// Body is the national accreditation body, 1–200 characters.
	Body string `json:"body,omitempty" example:"DAkkS"`
	// RegistrationNumber issued by the accreditation body, 1–200 characters.
	RegistrationNumber string `json:"registration_number,omitempty" example:"D-VS-12345-01-00"`
}

// metadataDataQuality are the publisher's notes on data quality (template Summary_Communication, section 3), each 1–2000 characters.
type metadataDataQuality struct {
	// General information on data quality.
	General string `json:"general,omitempty" example:"Activity data from the plant's metered records for 2024."`
	// DefaultValuesJustification: justification for the use of default values, if relevant.
	DefaultValuesJustification string `json:"default_values_justification,omitempty"`
	// QualityAssurance: information on quality assurance.
	QualityAssurance string `json:"quality_assurance,omitempty"`
}

// Lengths of metadata fields [characters].
const (
	maxMetaText     = 200
	maxMetaPostcode = 20
	maxMetaPOBox    = 40
	maxMetaNote     = 2000
	maxMetaEmail    = 254
)

// euMemberStates are the ISO 3166-1 alpha-2 codes of the EU's 27 Member
// States, where a CBAM verifier is accredited.
var euMemberStates = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
	"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

var (
	unlocodePattern = regexp.MustCompile(`^([A-Z]{2}) ?[A-Z2-9]{3}$`)
	phonePattern    = regexp.MustCompile(`^\+?[0-9 ()./-]+$`)
)

// empty reports whether m states nothing.
func (m *declarationMetadata) empty() bool {
	return m == nil || *m == declarationMetadata{}
}

// validate checks the metadata's fields under ptr (/metadata).
func (m *declarationMetadata) validate(v *validator, ptr string) {
	if m == nil {
		return
	}
	v.metaText(ptr+"/installation_name", m.InstallationName, maxMetaText, false)
	v.metaText(ptr+"/installation_name_local", m.InstallationNameLocal, maxMetaText, false)
	v.metaText(ptr+"/economic_activity", m.EconomicActivity, maxMetaText, false)
	m.Address.validate(v, ptr+"/address")
	if m.UNLOCODE != "" {
		sub := unlocodePattern.FindStringSubmatch(m.UNLOCODE)
		switch {
		case sub == nil:
			v.addCode(ptr+"/unlocode", codeInvalidFormat, map[string]any{"format": "unlocode", "got": m.UNLOCODE},
				"must be a UN/LOCODE: the ISO 3166-1 alpha-2 country code and three capital letters or digits 2–9, e.g. \"CN TYN\"; got %q", m.UNLOCODE)
		case !isCountry(sub[1]):
			v.addCode(ptr+"/unlocode", codeUnknownValue, map[string]any{"kind": "country", "got": sub[1]},
				"must start with an ISO 3166-1 alpha-2 country code; %q is none", sub[1])
		case m.Address != nil && m.Address.Country != "" && sub[1] != m.Address.Country:
			v.addCode(ptr+"/unlocode", codeMustMatch, map[string]any{"want": m.Address.Country, "got": sub[1]},
				"must be in the address's country %s; got %s", m.Address.Country, sub[1])
		}
	}
	if c := m.Coordinates; c != nil {
		if c.LatitudeDeg == nil {
			v.add(ptr+"/coordinates/latitude", "is required with coordinates (−90 to 90 °)")
		}
		if c.LongitudeDeg == nil {
			v.add(ptr+"/coordinates/longitude", "is required with coordinates (−180 to 180 °)")
		}
	}
	m.Representative.validate(v, ptr+"/representative")
	if r := m.Verifier; r != nil {
		v.metaText(ptr+"/verifier/name", r.Name, maxMetaText, false)
		r.Address.validate(v, ptr+"/verifier/address")
		r.Representative.validate(v, ptr+"/verifier/representative")
		if a := r.Accreditation; a != nil {
			v.enum(ptr+"/verifier/accreditation/member_state", a.MemberState, euMemberStates)
			v.metaText(ptr+"/verifier/accreditation/body", a.Body, maxMetaText, false)
			v.metaText(ptr+"/verifier/accreditation/registration_number", a.RegistrationNumber, maxMetaText, false)
		}
	}
	if q := m.DataQuality; q != nil {
		v.metaText(ptr+"/data_quality/general", q.General, maxMetaNote, true)
		v.metaText(ptr+"/data_quality/default_values_justification", q.DefaultValuesJustification, maxMetaNote, true)
		v.metaText(ptr+"/data_quality/quality_assurance", q.QualityAssurance, maxMetaNote, true)
	}
}

func (a *metadataAddress) validate(v *validator, ptr string) {
	if a == nil {
		return
	}
	v.metaText(ptr+"/street", a.Street, maxMetaText, false)
	v.metaText(ptr+"/po_box", a.POBox, maxMetaPOBox, false)
	v.metaText(ptr+"/postcode", a.Postcode, maxMetaPostcode, false)
	v.metaText(ptr+"/city", a.City, maxMetaText, false)
	if a.Country != "" && !isCountry(a.Country) {
		v.addCode(ptr+"/country", codeUnknownValue, map[string]any{"kind": "country", "got": a.Country},
			"must be an ISO 3166-1 alpha-2 country code in capitals, e.g. CN; got %q", a.Country)
	}
}

func (c *metadataContact) validate(v *validator, ptr string) {
	if c == nil {
		return
	}
	v.metaText(ptr+"/name", c.Name, maxMetaText, false)
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		switch {
		case len(c.Email) > maxMetaEmail:
			v.addCode(ptr+"/email", codeTooLong, map[string]any{"max": maxMetaEmail, "got": len(c.Email)}, "must be at most %d characters; got %d", maxMetaEmail, len(c.Email))
		case err != nil || a.Name != "" || a.Address != c.Email || !strings.Contains(c.Email[strings.LastIndexByte(c.Email, '@')+1:], "."):
			v.addCode(ptr+"/email", codeInvalidFormat, map[string]any{"format": "email", "got": c.Email},
				"must be a bare e-mail address such as cbam@example.cn; got %q", c.Email)
		}
	}
	if c.Phone != "" {
		digits := strings.Count(strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return 'd'
			}
			return -1
		}, c.Phone), "d")
		if !phonePattern.MatchString(c.Phone) || strings.LastIndexByte(c.Phone, '+') > 0 || digits < 5 || digits > 20 {
			v.addCode(ptr+"/phone", codeInvalidFormat, map[string]any{"format": "phone", "got": c.Phone},
				"must be a telephone number of 5–20 digits, with spaces and ( ) - . / allowed and an optional leading +, e.g. \"+86 351 1234 5678\"; got %q", c.Phone)
		}
	}
}

// metaText checks an optional text field: left out (""), or 1–max
// characters that are not all spaces, without control characters (line
// breaks and tabs allowed where multiline).
func (v *validator) metaText(ptr, s string, maxLen int, multiline bool) {
	if s == "" {
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		v.addCode(ptr, codeInvalid, nil, "must be valid UTF-8 text")
	case strings.TrimSpace(s) == "":
		v.addCode(ptr, codeRequired, nil, "must not be blank; leave the field out if unknown")
	case n > maxLen:
		v.addCode(ptr, codeTooLong, map[string]any{"max": maxLen, "got": n}, "must be at most %d characters; got %d", maxLen, n)
	case strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r'))
	}) >= 0:
		what := "control characters or line breaks"
		if multiline {
			what = "control characters other than line breaks and tabs"
		}
		v.addCode(ptr, codeInvalid, nil, "must not contain %s", what)
	}
}

// isCountry reports whether s is an ISO 3166-1 alpha-2 country code in
// capitals (not a private-use or macro-region code).
func isCountry(s string) bool {
	if len(s) != 2 || strings.ToUpper(s) != s {
		return false
	}
	r, err := language.ParseRegion(s)
	return err == nil && r.IsCountry() && r.String() == s
}

// normalised returns m with the surrounding spaces of its text fields
// removed, nil when it states nothing.
func (m *declarationMetadata) normalised() *declarationMetadata {
	if m.empty() {
		return nil
	}
	out := *m
	trim := func(ps ...*string) {
		for _, p := range ps {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(&out.InstallationName, &out.InstallationNameLocal, &out.EconomicActivity, &out.UNLOCODE)
	addr := func(a *metadataAddress) *metadataAddress {
		if a == nil {
			return nil
		}
		c := *a
		trim(&c.Street, &c.POBox, &c.Postcode, &c.City)
		return &c
	}
	contact := func(p *metadataContact) *metadataContact {
		if p == nil {
			return nil
		}
		c := *p
		trim(&c.Name, &c.Email, &c.Phone)
		return &c
	}
	out.Address, out.Representative = addr(m.Address), contact(m.Representative)
	if m.Verifier != nil {
		vr := *m.Verifier
		trim(&vr.Name)
		vr.Address, vr.Representative = addr(vr.Address), contact(vr.Representative)
		if vr.Accreditation != nil {
			a := *vr.Accreditation
			trim(&a.Body, &a.RegistrationNumber)
			vr.Accreditation = &a
		}
		out.Verifier = &vr
	}
	if m.DataQuality != nil {
		q := *m.DataQuality
		trim(&q.General, &q.DefaultValuesJustification, &q.QualityAssurance)
		out.DataQuality = &q
	}
	return &out
}

// encodeMetadata returns the bytes the registry stores and hashes for m:
// the object as encoding/json writes it (fields in declaration order,
// empty ones left out, no spaces), without HTML escaping; nil when m
// states nothing.
func encodeMetadata(m *declarationMetadata) (json.RawMessage, error) {
	m = m.normalised()
	if m == nil {
		return nil, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	return json.RawMessage(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// decodeMetadata reads stored metadata; nil when there is none or it
// cannot be read (a damaged record, which verify reports).
func decodeMetadata(raw json.RawMessage) *declarationMetadata {
	if len(raw) == 0 {
		return nil
	}
	var m declarationMetadata
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	return &m
}
