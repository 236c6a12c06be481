package pact

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"alcarbon/internal/httpx"
	"alcarbon/registry"
)

// HandleListFootprints is PACT Action ListFootprints.
//
//	@Summary		PACT: list footprints
//	@Description	ProductFootprints the token's organisation may see (public, its own, and restricted ones naming it as a buyer), newest first, every version (deprecated ones with status Deprecated). limit caps the page (at most 500 are returned); a Link header with rel="next" gives the absolute URL of the next page, valid indefinitely. $filter takes the PACT v2 subset: created and updated compared (eq, lt, le, gt, ge) with a quoted DateTime, productCategoryCpc, status and pcf/geographyCountry eq a quoted string, productIds/any(p:(p eq 'urn:…')) and companyIds/any(c:(c eq 'urn:…')), joined by and; a filter it cannot read is BadRequest naming what. Errors are PACT error responses {code, message}.
//	@Tags			PACT
//	@Produce		json
//	@Security		PACTToken
//	@Param			limit	query		int		false	"page size, a positive integer"
//	@Param			$filter	query		string	false	"OData filter, e.g. created ge '2024-01-01T00:00:00Z' and status eq 'Active'"
//	@Success		200		{object}	ListResponse
//	@Header			200		{string}	Link	"<…>; rel=\"next\" when there are more"
//	@Failure		400		{object}	Error	"BadRequest"
//	@Failure		401		{object}	Error	"TokenExpired"
//	@Failure		403		{object}	Error	"AccessDenied"
//	@Router			/2/footprints [get]
func (h *Handler) HandleListFootprints(c echo.Context) error {
	if h.store == nil {
		return httpx.ErrNoRegistry
	}
	f := registry.DeclarationFilter{Viewer: httpx.ViewerID(c), Cursor: c.QueryParam("cursor"), Limit: registry.DefaultLimit}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return pactErr(http.StatusBadRequest, "BadRequest", "limit must be a positive integer")
		}
		f.Limit = min(n, registry.MaxLimit)
	}
	var filter footprintFilter
	if expr := c.QueryParam("$filter"); expr != "" {
		var err error
		if filter, err = parseFilter(expr); err != nil {
			return pactErr(http.StatusBadRequest, "BadRequest", "$filter: "+err.Error())
		}
	}
	out, next, err := h.listFootprints(c, f, filter)
	if err != nil {
		return err
	}
	if next != "" {
		c.Response().Header().Set("Link", "<"+httpx.NextLink(c, next)+`>; rel="next"`)
	}
	return c.JSON(http.StatusOK, out)
}

// maxFilterScan bounds the declarations one filtered list request reads:
// a filter that matches little answers a short page (with a next link)
// rather than reading the whole registry.
const maxFilterScan = 5 * registry.MaxLimit

// listFootprints returns up to f.Limit footprints that match filter, from
// f.Cursor on, and the cursor of the next page ("" at the end). It reads
// the registry in pages; a page is cut right after the last footprint
// used (registry.CursorAfter), and at most maxFilterScan declarations are
// read, so a filter that matches little gives a short page and a next link.
func (h *Handler) listFootprints(c echo.Context, f registry.DeclarationFilter, filter footprintFilter) (ListResponse, string, error) {
	out := ListResponse{Data: make([]ProductFootprint, 0, f.Limit)}
	want := f.Limit
	if len(filter) > 0 {
		f.Limit = registry.MaxLimit
	}
	for scanned := 0; ; {
		items, next, err := h.store.ListDeclarations(c.Request().Context(), f)
		if err != nil {
			return out, "", err
		}
		for i, d := range items {
			fp, err := NewFootprint(d)
			if err != nil {
				return out, "", err
			}
			if filter.matches(fp) {
				out.Data = append(out.Data, fp)
			}
			scanned++
			if len(out.Data) == want || scanned >= maxFilterScan {
				if i == len(items)-1 {
					return out, next, nil
				}
				return out, registry.CursorAfter(d), nil
			}
		}
		if next == "" {
			return out, "", nil
		}
		f.Cursor = next
	}
}

// HandleGetFootprint is PACT Action GetFootprint.
//
//	@Summary		PACT: get a footprint
//	@Description	The ProductFootprint with that id if the token's organisation may see it; otherwise NoSuchFootprint (404).
//	@Tags			PACT
//	@Produce		json
//	@Security		PACTToken
//	@Param			id	path		string	true	"footprint id (the declaration ID)"
//	@Success		200	{object}	GetResponse
//	@Failure		401	{object}	Error	"TokenExpired"
//	@Failure		403	{object}	Error	"AccessDenied"
//	@Failure		404	{object}	Error	"NoSuchFootprint"
//	@Router			/2/footprints/{id} [get]
func (h *Handler) HandleGetFootprint(c echo.Context) error {
	if h.store == nil {
		return httpx.ErrNoRegistry
	}
	d, err := h.store.GetDeclaration(c.Request().Context(), c.Param("id"), httpx.ViewerID(c))
	if err != nil {
		return err
	}
	return WriteFootprint(c, d)
}

// WriteFootprint answers with d as GetFootprint's body: what GET
// /2/footprints/{id} sends, and any other view of a declaration as a
// ProductFootprint.
func WriteFootprint(c echo.Context, d registry.Declaration) error {
	fp, err := NewFootprint(d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, GetResponse{Data: fp})
}
