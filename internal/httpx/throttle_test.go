package httpx

import (
	"context"
	"fmt"
	"testing"
)

// TestAuthFailuresBurst: FailureBurst failures from an address are
// counted, the next one is throttled with a wait; IPv6 addresses of one
// /64 share a bucket; another address is unaffected.
func TestAuthFailuresBurst(t *testing.T) {
	a := NewAuthFailures()
	for i := range FailureBurst {
		if _, throttled := a.Failed(context.Background(), "2001:db8:1:2::"+fmt.Sprint(i+1)); throttled {
			t.Fatalf("failure %d throttled", i+1)
		}
	}
	if wait, throttled := a.Failed(context.Background(), "2001:db8:1:2:ffff::1"); !throttled || wait <= 0 {
		t.Fatalf("failure %d from the same /64: throttled %v, wait %v", FailureBurst+1, throttled, wait)
	}
	if _, throttled := a.Failed(context.Background(), "2001:db8:1:3::1"); throttled {
		t.Fatal("another /64 throttled")
	}
}

// TestAuthFailuresFloodCannotReset (issue 16, row 1): an address that used
// up its failures stays throttled while fresh addresses flood the table
// past its capacity; the flood shares one overflow bucket and throttles
// itself.
func TestAuthFailuresFloodCannotReset(t *testing.T) {
	a := newAuthFailures(100)
	for range FailureBurst {
		a.Failed(context.Background(), "192.0.2.1")
	}
	if _, throttled := a.Failed(context.Background(), "192.0.2.1"); !throttled {
		t.Fatal("not throttled after the burst")
	}
	floodThrottled := 0
	for i := range 1000 {
		if _, throttled := a.Failed(context.Background(), fmt.Sprintf("198.51.%d.%d", i/250, i%250)); throttled {
			floodThrottled++
		}
	}
	if _, throttled := a.Failed(context.Background(), "192.0.2.1"); !throttled {
		t.Fatal("the flood of fresh addresses reset the throttled address")
	}
	if floodThrottled < 1000-100-FailureBurst {
		t.Fatalf("only %d of 1000 flooding failures throttled", floodThrottled)
	}
}
