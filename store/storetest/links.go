package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Links checks link decisions and their history.
func Links[S LinkStore](t *testing.T, open func(t *testing.T) S) {
	ctx := context.Background()

	t.Run("decisions and history", func(t *testing.T) {
		s := open(t)
		d := store.LinkDecision{AnchorSource: "salesforce", AnchorID: "001A", Source: "billing", RecordID: "cus_1",
			Decision: store.DecisionConfirmed, Rule: "domain", Value: "acme.com", Actor: "dave@example.com", At: now}
		if err := s.DecideLink(ctx, d); err != nil {
			t.Fatal(err)
		}
		split := d
		split.Decision, split.At, split.Actor = store.DecisionSplit, now.Add(time.Minute), "carol@example.com"
		if err := s.DecideLink(ctx, split); err != nil {
			t.Fatal(err)
		}
		other := store.LinkDecision{AnchorSource: "salesforce", AnchorID: "001A", Source: "erp", RecordID: "C-1",
			Decision: store.DecisionManual, Actor: "dave@example.com", At: now.Add(2 * time.Minute)}
		if err := s.DecideLink(ctx, other); err != nil {
			t.Fatal(err)
		}
		got, err := s.LinkDecisions(ctx, "salesforce", "001A")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Source != "erp" || got[1].Decision != store.DecisionSplit || got[1].Actor != "carol@example.com" ||
			!got[1].At.Equal(split.At) || got[1].AnchorID != "001A" {
			t.Fatalf("decisions = %+v: the later decision about a pair must replace the earlier", got)
		}
		hist, err := s.LinkHistory(ctx, "salesforce", "001A")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 || hist[0].Decision != store.DecisionConfirmed || hist[1].Decision != store.DecisionSplit ||
			hist[2].Source != "erp" || !hist[1].At.Equal(split.At) || hist[0].Actor != "dave@example.com" {
			t.Fatalf("history = %+v: every decision is kept, in order", hist)
		}
		if none, err := s.LinkDecisions(ctx, "salesforce", "001B"); err != nil || len(none) != 0 {
			t.Fatalf("another customer's decisions: %+v, %v", none, err)
		}
	})

	t.Run("a cleared decision is taken back and stays in the history", func(t *testing.T) {
		s := open(t)
		split := store.LinkDecision{AnchorSource: "salesforce", AnchorID: "001A", Source: "billing", RecordID: "cus_1",
			Decision: store.DecisionSplit, Actor: "carol@example.com", At: now}
		keep := store.LinkDecision{AnchorSource: "salesforce", AnchorID: "001A", Source: "billing", RecordID: "cus_2",
			Decision: store.DecisionSplit, Actor: "carol@example.com", At: now}
		for _, d := range []store.LinkDecision{split, keep} {
			if err := s.DecideLink(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		undo := split
		undo.Decision, undo.Actor, undo.At = store.DecisionCleared, "dave@example.com", now.Add(time.Minute)
		if err := s.DecideLink(ctx, undo); err != nil {
			t.Fatal(err)
		}
		got, err := s.LinkDecisions(ctx, "salesforce", "001A")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].RecordID != "cus_2" || got[0].Decision != store.DecisionSplit {
			t.Fatalf("decisions = %+v: a cleared pair has no decision, the others keep theirs", got)
		}
		hist, err := s.LinkHistory(ctx, "salesforce", "001A")
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 3 || hist[2].Decision != store.DecisionCleared || hist[2].Actor != "dave@example.com" ||
			hist[2].RecordID != "cus_1" || !hist[2].At.Equal(undo.At) {
			t.Fatalf("history = %+v: the undo is appended, who and when", hist)
		}
	})

	t.Run("an unknown decision is refused", func(t *testing.T) {
		s := open(t)
		bad := store.LinkDecision{AnchorSource: "salesforce", AnchorID: "001A", Source: "billing", RecordID: "cus_1",
			Decision: "maybe", Actor: "dave@example.com", At: now}
		if err := s.DecideLink(ctx, bad); err == nil {
			t.Error("an unknown decision was stored")
		}
		if hist, err := s.LinkHistory(ctx, "salesforce", "001A"); err != nil || len(hist) != 0 {
			t.Errorf("the refused decision is in the history: %+v, %v", hist, err)
		}
	})
}
