package pact

import (
	"strings"
	"testing"
)

func TestPACTEvents(t *testing.T) {
	r := newEnv(t, openSQLite)
	supplier := r.org(t, "Supplier")
	buyer := r.org(t, "Buyer")
	d := r.publish(t, supplier.ID, buyers(buyer.ID))
	token := r.clientToken(t, buyer.ID)
	event := func(typ, data string) string {
		return `{"type": "` + typ + `", "specversion": "1.0", "id": "ev-1", "source": "//buyer.example/pact", "time": "2025-01-01T00:00:00Z", "data": ` + data + `}`
	}
	ce := "application/cloudevents+json; charset=UTF-8"
	cases := []struct{ name, body, log string }{
		{"published", event(EventPublished, `{"pfIds": ["`+d.ID+`"]}`), `"msg":"PACT footprints published"`},
		{"request by vendor code", event(EventRequestCreated, `{"pf": {"productIds": ["`+VendorProductURN+`SX-P1020"]}, "comment": "please"}`), `"outcome":"fulfilled","pf_ids":"` + d.ID + `"`},
		{"request by URN", event(EventRequestCreated, `{"pf": {"productIds": ["urn:gtin:06901234567892"]}}`), `"outcome":"fulfilled"`},
		{"request unknown", event(EventRequestCreated, `{"pf": {"productIds": ["urn:gtin:1"]}}`), `"outcome":"rejected: NoSuchFootprint"`},
	}
	for _, tc := range cases {
		rec := r.serve("POST", "/2/events", ce, tc.body, bearer(token))
		if rec.Code != 200 || rec.Body.Len() != 0 {
			t.Fatalf("%s: %d %q", tc.name, rec.Code, rec.Body)
		}
		if !strings.Contains(r.logs.String(), tc.log) {
			t.Fatalf("%s: log lacks %s:\n%s", tc.name, tc.log, r.logs)
		}
	}
}
