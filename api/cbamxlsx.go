package api

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"alcarbon/cbamfile"
	"alcarbon/registry"
)

// handleDeclarationCBAMFile writes a declaration's CBAM communication file.
//
//	@Summary		CBAM communication file of a declaration (XLSX)
//	@Description	The declaration's CBAM view (GET …/cbam, the same figures) as an XLSX workbook that follows the sheets, labels and order of the European Commission's "CBAM Communication template for installations" (version en_20241213), for an EU importer (the reporting declarant): Summary_Communication (installation details, reporting period, goods by aggregated category and route, data-quality notes, the summary of products with SEE direct, indirect and total, the electricity factor and its source), Summary_Products, A_InstData (reporting period, installation, verifier, goods and processes, purchased precursors), B_EmInst (PFC method and emissions), D_Processes (the production process's SEE and electricity) and E_PurchPrec (precursors with their embedded emissions), with 0_Versions citing the template and the declaration (ID, content hash, dataset and engine versions). Installation name, address, UN/LOCODE, coordinates, contacts, verifier and data-quality notes come from the metadata the publisher gave at publication; every field without a source in the declaration reads "not provided". It is not the official workbook: its formulas, code lists and the installation-level emission totals are not reproduced (README, CBAM communication file). Visibility as GET /v1/declarations/{id}.
//	@Tags			registry
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Produce		json
//	@Security		APIKey
//	@Param			id	path		string	true	"declaration ID"
//	@Success		200	{file}		file	"the workbook, as an attachment named cbam-communication-{id}.xlsx"
//	@Header			200	{string}	Content-Disposition	"attachment; filename=\"cbam-communication-{id}.xlsx\""
//	@Failure		401	{object}	Problem	"wrong API key"
//	@Failure		404	{object}	Problem	"no such declaration visible to the caller"
//	@Failure		409	{object}	Problem	"the declaration's result has no CBAM view"
//	@Failure		503	{object}	Problem	"registry unavailable"
//	@Router			/v1/declarations/{id}/cbam.xlsx [get]
func (s *server) handleDeclarationCBAMFile(c echo.Context) error {
	d, err := s.declaration(c)
	if err != nil {
		return err
	}
	view, err := s.declarationCBAM(d)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := cbamfile.Write(&b, newCBAMCommunication(d, view)); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="cbam-communication-`+d.ID+`.xlsx"`)
	return c.Blob(http.StatusOK, mimeXLSX, b.Bytes())
}

// newCBAMCommunication is what the CBAM communication file of d says: its
// CBAM view, field for field.
func newCBAMCommunication(d registry.Declaration, v declarationCBAMResponse) cbamfile.Communication {
	in := v.Installation
	out := cbamfile.Communication{
		Source: cbamfile.Source{
			Publisher: "alcarbon", DeclarationID: v.DeclarationID, Status: v.Status, Version: d.Version,
			ContentHash: v.ContentHash, DatasetVersion: v.DatasetVersion, EngineVersion: v.EngineVersion,
			CBAMRules: v.Rules, Method: v.Method,
		},
		PeriodStart: v.ReportingPeriod.Start, PeriodEnd: v.ReportingPeriod.End,
		Installation: cbamfile.Installation{
			Name: in.Name, NameLocal: in.NameLocal, EconomicActivity: in.EconomicActivity, UNLOCODE: in.UNLOCODE,
			Country: in.Country, Operator: in.Operator,
		},
		Good: cbamfile.Good{
			AggregatedCategory: v.AggregatedGoodsCategory, Route: v.ProductionRoute, CNCode: v.CNCode, CNName: v.CNDescription,
			ProductName: v.ProductName, SEEDirect: &v.SEEDirectTCO2ePerT, SEEIndirect: &v.SEEIndirectTCO2ePerT,
			SEETotal: &v.SEETotalTCO2ePerT, Obligation: &v.ObligationTCO2ePerT, ElectricityMWhPerT: &v.ElectricityMWhPerT,
			ElectricityEF: &v.ElectricityEFTCO2MWh, ElectricityEFSource: v.ElectricityEFSource,
			DefaultValue: v.DefaultValueTCO2ePerT, DefaultValueNote: v.DefaultValueNote,
		},
		PFC:   cbamfile.PFC{Method: v.PFCMethod, Verifiable: v.PFCVerifiable, TCO2ePerT: v.PFCTCO2ePerT},
		Notes: v.Notes,
	}
	if a := in.Address; a != nil {
		out.Installation.Street, out.Installation.POBox, out.Installation.Postcode, out.Installation.City = a.Street, a.POBox, a.Postcode, a.City
	}
	if co := in.Coordinates; co != nil {
		out.Installation.LatitudeDeg, out.Installation.LongitudeDeg = co.LatitudeDeg, co.LongitudeDeg
	}
	out.Installation.Representative = newCBAMContact(in.Representative)
	if r := v.Verifier; r != nil {
		out.Verifier.Name, out.Verifier.Representative = r.Name, newCBAMContact(r.Representative)
		if a := r.Address; a != nil {
			out.Verifier.Street, out.Verifier.City, out.Verifier.Postcode, out.Verifier.Country = a.Street, a.City, a.Postcode, a.Country
		}
		if a := r.Accreditation; a != nil {
			out.Verifier.MemberState, out.Verifier.Body, out.Verifier.Registration = a.MemberState, a.Body, a.RegistrationNumber
		}
	}
	if q := v.DataQuality; q != nil {
		out.DataQuality = cbamfile.DataQuality{General: q.General, DefaultValuesJustification: q.DefaultValuesJustification, QualityAssurance: q.QualityAssurance}
	}
	for _, p := range v.Precursors {
		out.Precursors = append(out.Precursors, cbamfile.Precursor{
			AggregatedCategory: p.AggregatedGoodsCategory, CNCode: p.CNCode, TPerT: &p.TPerT,
			SEEDirect: &p.SEEDirectTCO2ePerT, SEEIndirect: p.SEEIndirectTCO2ePerT, EmbeddedDirect: &p.EmbeddedDirectTCO2ePerT, Note: p.Note,
		})
	}
	return out
}

func newCBAMContact(c *metadataContact) cbamfile.Contact {
	if c == nil {
		return cbamfile.Contact{}
	}
	return cbamfile.Contact{Name: c.Name, Email: c.Email, Phone: c.Phone}
}
