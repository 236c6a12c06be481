// Package httpx holds what alcarbon's two HTTP packages, api and pact,
// share: the request ID and the authenticated organisation kept on an echo
// context, bearer-token parsing, the throttle of failed authentications,
// the message for an oversize body, the public base URL behind trusted
// proxies (origin.go), next-page links and the error of a registry that did
// not open at start.
package httpx

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"alcarbon/registry"
)

// Keys of the values kept on an echo context.
const (
	ctxRequestID = "request_id"
	// ctxViewer holds the registry.Organisation a request authenticated as.
	ctxViewer = "viewer"
)

// SetRequestID records the request's ID for RequestID.
func SetRequestID(c echo.Context, id string) { c.Set(ctxRequestID, id) }

// RequestID returns the ID of the request, "" before SetRequestID.
func RequestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// SetViewer records the organisation the request authenticated as.
func SetViewer(c echo.Context, org registry.Organisation) { c.Set(ctxViewer, org) }

// Viewer returns the organisation the request authenticated as, if any.
func Viewer(c echo.Context) (registry.Organisation, bool) {
	org, ok := c.Get(ctxViewer).(registry.Organisation)
	return org, ok
}

// ViewerID returns the authenticated organisation's ID, "" for anonymous.
func ViewerID(c echo.Context) string {
	org, _ := Viewer(c)
	return org.ID
}

// Bearer returns the token of an "Authorization: Bearer <token>" header.
// present is false without an Authorization header; ok is false when the
// header is there but not a bearer token (RFC 6750 §2.1; the scheme is
// case-insensitive).
func Bearer(r *http.Request) (token string, present, ok bool) {
	h := r.Header.Get(echo.HeaderAuthorization)
	if h == "" {
		return "", false, false
	}
	scheme, token, found := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", true, false
	}
	return token, true, true
}

// ErrNoRegistry stands for a registry that failed to open at start.
var ErrNoRegistry = fmt.Errorf("registry not opened at start: %w", registry.ErrUnavailable)

// NextLink returns the absolute URL of the request with cursor replaced,
// at the service's public base URL (PublicBase).
func NextLink(c echo.Context, cursor string) string {
	q := c.QueryParams()
	q.Set("cursor", cursor)
	u := PublicBase(c)
	u.Path += c.Request().URL.Path
	u.RawQuery = q.Encode()
	return u.String()
}

// BodyTooLarge says why an oversize body was refused, for the error shapes
// that name the limit (PACT's and OAuth2's; problem+json says it in api's
// error handler).
func BodyTooLarge(limit int64) string {
	return fmt.Sprintf("the request body is larger than %d bytes", limit)
}
