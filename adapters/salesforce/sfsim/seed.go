package sfsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Well-known records of the demo data. Their ids do not depend on the random
// content, so tests and demo links can name them.
const (
	// DemoAccountAcme is Acme Corporation, an ordinary customer with a dozen
	// contacts, open and closed opportunities and cases.
	DemoAccountAcme = "001Dn00000Acme1IAB"
	// DemoAccountManyContacts is Initech Global Services, with DemoManyContacts
	// contacts: more than one page of a query.
	DemoAccountManyContacts = "001Dn00000BigCtIAJ"
	// DemoAccountManyDeals is Globex Logistics, with DemoManyDeals opportunities
	// and DemoManyDealsCases cases.
	DemoAccountManyDeals = "001Dn00000BigOpIAJ"
	// DemoAccountApostrophe is O'Reilly Media Group, whose name needs escaping in
	// SOQL.
	DemoAccountApostrophe = "001Dn00000OReilIAD"
	// DemoAccountPercent is 100% Pure Foods, whose name holds a LIKE wildcard.
	DemoAccountPercent = "001Dn0000100PctIAE"
	// DemoAccountEmpty is Bluebird Ventures, a prospect with no contacts,
	// opportunities, cases or tasks.
	DemoAccountEmpty = "001Dn00000EmptyIAB"
	// DemoUserIntegration is the integration user, whose username is
	// DemoUsername.
	DemoUserIntegration = "005Dn00000IntegIAB"
	DemoUsername        = "integration@atrium-demo.example"
)

// Sizes of the large demo accounts.
const (
	DemoManyContacts   = 2300
	DemoManyDeals      = 2100
	DemoManyDealsCases = 450
)

// demoGenerated is how many ordinary accounts DemoData generates besides the
// well-known ones.
const demoGenerated = 60

// DemoData returns the demo org: users, 66 accounts with their contacts,
// opportunities, cases and tasks. Its content depends only on now, which dates
// are relative to: pass a fixed time in tests, time.Now() for the demo.
func DemoData(now time.Time) *Dataset {
	now = now.UTC().Truncate(time.Second)
	sd := &seeder{
		d:   NewDataset(now),
		r:   rand.New(rand.NewPCG(20260131, 62)),
		now: now,
	}
	sd.users()
	sd.wellKnown()
	sd.generated()
	return sd.d
}

// seeder builds the demo data set from a seeded random source.
type seeder struct {
	d      *Dataset
	r      *rand.Rand
	now    time.Time
	owners []string
}

// account describes an account to create and how much hangs off it.
type account struct {
	id, name, domain, industry, kind string
	place                            place
	employees                        int
	contacts, deals, cases, tasks    int
}

func (sd *seeder) users() {
	sd.d.mustAdd("User", Fields{"Id": DemoUserIntegration, "Username": DemoUsername, "FirstName": "Atrium",
		"LastName": "Integration", "Email": DemoUsername, "Title": "Integration User", "CreatedDate": sd.ago(900, 900)})
	people := []struct{ first, last, title string }{
		{"Dana", "Lee", "Senior Account Executive"}, {"Marcus", "Whitfield", "Account Executive"},
		{"Priya", "Raman", "Customer Success Manager"}, {"Sofia", "Alvarez", "Regional Sales Director"},
		{"Jonas", "Becker", "Account Executive"}, {"Amara", "Okafor", "Key Account Manager"},
		{"Hiroshi", "Tanaka", "Account Executive"}, {"Claire", "Dubois", "Customer Success Manager"},
	}
	for _, p := range people {
		email := strings.ToLower(p.first+"."+p.last) + "@atrium-demo.example"
		id := sd.d.mustAdd("User", Fields{"Username": email, "FirstName": p.first, "LastName": p.last,
			"Email": email, "Title": p.title, "Phone": sd.phone(place{phone: "+1 415"}), "CreatedDate": sd.ago(400, 1200)})
		sd.owners = append(sd.owners, id)
	}
}

func (sd *seeder) wellKnown() {
	ps := places()
	find := func(city string) place {
		for _, p := range ps {
			if p.city == city {
				return p
			}
		}
		return ps[0]
	}
	for _, a := range []account{
		{id: DemoAccountAcme, name: "Acme Corporation", domain: "acme-corp.com", industry: "Manufacturing",
			kind: "Customer - Direct", place: find("San Francisco"), employees: 5400, contacts: 12, deals: 8, cases: 10, tasks: 4},
		{id: DemoAccountManyContacts, name: "Initech Global Services", domain: "initech-global.com", industry: "Technology",
			kind: "Customer - Direct", place: find("Austin"), employees: 48000, contacts: DemoManyContacts, deals: 3, cases: 5, tasks: 2},
		{id: DemoAccountManyDeals, name: "Globex Logistics", domain: "globex-logistics.com", industry: "Transportation",
			kind: "Customer - Channel", place: find("Chicago"), employees: 31000, contacts: 8, deals: DemoManyDeals, cases: DemoManyDealsCases, tasks: 3},
		{id: DemoAccountApostrophe, name: "O'Reilly Media Group", domain: "oreilly-media-group.com", industry: "Media",
			kind: "Customer - Direct", place: find("Boston"), employees: 2100, contacts: 6, deals: 4, cases: 3, tasks: 2},
		{id: DemoAccountPercent, name: "100% Pure Foods", domain: "100-pure-foods.com", industry: "Food & Beverage",
			kind: "Customer - Direct", place: find("Amsterdam"), employees: 640, contacts: 4, deals: 2, cases: 2, tasks: 1},
		{id: DemoAccountEmpty, name: "Bluebird Ventures", domain: "bluebird-ventures.com", industry: "Finance",
			kind: "Prospect", place: find("London"), employees: 35},
	} {
		sd.account(a)
	}
}

func (sd *seeder) generated() {
	stems, kinds, ps, types := companyStems(), companyKinds(), places(), accountTypes()
	sd.r.Shuffle(len(stems), func(i, j int) { stems[i], stems[j] = stems[j], stems[i] })
	for i := range demoGenerated {
		k := kinds[sd.r.IntN(len(kinds))]
		name := stems[i] + " " + k.word
		a := account{
			name: name, domain: domainOf(name) + ".com", industry: k.industry,
			kind: types[sd.r.IntN(len(types))], place: ps[sd.r.IntN(len(ps))],
			employees: int(math.Round(math.Exp(3 + sd.r.Float64()*7.5))), // 20 to about 36,000
			contacts:  2 + sd.r.IntN(14), deals: 1 + sd.r.IntN(10), cases: sd.r.IntN(13), tasks: sd.r.IntN(5),
		}
		if i == 7 {
			a.name, a.domain = "Baker & Sons Construction", "baker-and-sons.com"
			a.industry = "Construction"
		}
		sd.account(a)
	}
}

// account creates an account and its related records.
func (sd *seeder) account(a account) {
	owner := sd.owners[sd.r.IntN(len(sd.owners))]
	created := sd.ago(420, 1500)
	revenue := float64(a.employees) * (80000 + sd.r.Float64()*320000)
	id := sd.d.mustAdd("Account", Fields{
		"Id": a.id, "Name": a.name, "Type": a.kind, "Industry": a.industry,
		"Website": "https://www." + a.domain, "Phone": sd.phone(a.place),
		"BillingCity": a.place.city, "BillingCountry": a.place.country,
		"AnnualRevenue": math.Round(revenue/100000) * 100000, "NumberOfEmployees": a.employees,
		"OwnerId": owner, "CreatedDate": created, "LastModifiedDate": sd.between(created, sd.now),
	})
	contacts := sd.contacts(id, owner, a)
	var deals []string
	for i := range a.deals {
		deals = append(deals, sd.deal(id, owner, a, i))
	}
	for range a.cases {
		sd.caseFor(id, owner, contacts)
	}
	for range a.tasks {
		what := id
		if len(deals) > 0 && sd.r.IntN(2) == 0 {
			what = deals[sd.r.IntN(len(deals))]
		}
		sd.task(what, owner, contacts)
	}
}

func (sd *seeder) contacts(accountID, owner string, a account) []string {
	firsts, lasts, ts, deps := firstNames(), lastNames(), titles(), departments()
	used := map[string]bool{}
	ids := make([]string, 0, a.contacts)
	for range a.contacts {
		first, last := firsts[sd.r.IntN(len(firsts))], lasts[sd.r.IntN(len(lasts))]
		local := emailPart(first) + "." + emailPart(last)
		for n := 2; used[local]; n++ {
			local = fmt.Sprintf("%s.%s%d", emailPart(first), emailPart(last), n)
		}
		used[local] = true
		created := sd.ago(10, 700)
		ids = append(ids, sd.d.mustAdd("Contact", Fields{
			"AccountId": accountID, "FirstName": first, "LastName": last,
			"Title": ts[sd.r.IntN(len(ts))], "Department": deps[sd.r.IntN(len(deps))],
			"Email": local + "@" + a.domain, "Phone": sd.phone(a.place), "OwnerId": owner,
			"CreatedDate": created, "LastModifiedDate": sd.between(created, sd.now),
		}))
	}
	return ids
}

// deal creates an opportunity whose stage, dates and probability agree.
func (sd *seeder) deal(accountID, owner string, a account, i int) string {
	open := []string{"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote", "Negotiation/Review"}
	var stageName string
	var closeDate, created time.Time
	switch n := sd.r.IntN(100); {
	case n < 25:
		stageName = "Closed Won"
	case n < 40:
		stageName = "Closed Lost"
	default:
		stageName = open[sd.r.IntN(len(open))]
	}
	if stageOf(stageName).closed {
		closeDate = sd.ago(1, 540)
		created = closeDate.Add(-sd.days(20, 180))
	} else {
		closeDate = sd.now.Add(sd.days(3, 270))
		created = sd.ago(5, 200)
	}
	ps := products()
	name := a.name + " - " + ps[sd.r.IntN(len(ps))]
	if a.deals > 50 {
		// Large accounts buy per site and quarter; keep their names telling.
		name = fmt.Sprintf("%s - %s Q%d %d #%d", a.name, ps[i%len(ps)], (int(closeDate.Month())-1)/3+1, closeDate.Year(), i+1)
	}
	amount := math.Round(math.Exp(8.5+sd.r.Float64()*4.3)/500) * 500 // about 5,000 to 360,000
	kinds := []string{"New Business", "Existing Customer - Upgrade", "Existing Customer - Renewal"}
	sources := []string{"Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Word of mouth"}
	last := sd.between(created, minTime(sd.now, closeDate.Add(24*time.Hour)))
	return sd.d.mustAdd("Opportunity", Fields{
		"AccountId": accountID, "Name": name, "StageName": stageName, "Amount": amount,
		"CloseDate": closeDate, "Type": kinds[sd.r.IntN(len(kinds))], "LeadSource": sources[sd.r.IntN(len(sources))],
		"OwnerId": owner, "CreatedDate": created, "LastModifiedDate": last,
	})
}

// caseFor creates a case whose status and dates agree: closed cases have a
// ClosedDate after their CreatedDate, open ones are recent.
func (sd *seeder) caseFor(accountID, owner string, contacts []string) {
	subjects := caseSubjects()
	var status string
	switch n := sd.r.IntN(100); {
	case n < 55:
		status = caseStatusClosed
	case n < 70:
		status = "New"
	case n < 90:
		status = "Working"
	default:
		status = "Escalated"
	}
	priority := []string{"High", "Medium", "Medium", "Low", "Low"}[sd.r.IntN(5)]
	if status == "Escalated" {
		priority = "High"
	}
	f := Fields{
		"AccountId": accountID, "Subject": subjects[sd.r.IntN(len(subjects))], "Status": status,
		"Priority": priority, "Origin": []string{"Phone", "Email", "Web"}[sd.r.IntN(3)],
		"Type": []string{"Question", "Problem", "Feature Request"}[sd.r.IntN(3)], "OwnerId": owner,
	}
	if len(contacts) > 0 {
		f["ContactId"] = contacts[sd.r.IntN(len(contacts))]
	}
	var created, last time.Time
	if status == caseStatusClosed {
		created = sd.ago(2, 400)
		closed := minTime(sd.now, created.Add(2*time.Hour+sd.days(0, 20)))
		f["ClosedDate"], last = closed, closed
	} else {
		created = sd.ago(0, 45)
		last = sd.between(created, sd.now)
	}
	f["CreatedDate"], f["LastModifiedDate"] = created, last
	f["Description"] = "Customer reported: " + strings.ToLower(f["Subject"].(string)[:1]) + f["Subject"].(string)[1:] + "."
	sd.d.mustAdd("Case", f)
}

func (sd *seeder) task(whatID, owner string, contacts []string) {
	subjects := taskSubjects()
	f := Fields{"WhatId": whatID, "Subject": subjects[sd.r.IntN(len(subjects))], "OwnerId": owner,
		"Priority": []string{"High", "Normal", "Normal", "Low"}[sd.r.IntN(4)]}
	if len(contacts) > 0 {
		f["WhoId"] = contacts[sd.r.IntN(len(contacts))]
	}
	if sd.r.IntN(10) < 6 {
		f["Status"], f["ActivityDate"] = taskStatusCompleted, sd.ago(1, 180)
	} else {
		f["Status"], f["ActivityDate"] = []string{"Not Started", "In Progress"}[sd.r.IntN(2)], sd.now.Add(sd.days(1, 45))
	}
	created := sd.ago(1, 200)
	f["CreatedDate"], f["LastModifiedDate"] = created, sd.between(created, sd.now)
	sd.d.mustAdd("Task", f)
}

// days returns a random duration between lo and hi days, to the second.
func (sd *seeder) days(lo, hi int) time.Duration {
	span := time.Duration(hi-lo) * 24 * time.Hour
	return time.Duration(lo)*24*time.Hour + time.Duration(sd.r.Int64N(int64(span/time.Second)+1))*time.Second
}

func (sd *seeder) ago(lo, hi int) time.Time { return sd.now.Add(-sd.days(lo, hi)) }

// between returns a random time in [from, to], to the second.
func (sd *seeder) between(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(sd.r.Int64N(int64(to.Sub(from)/time.Second)+1)) * time.Second)
}

func (sd *seeder) phone(p place) string {
	return fmt.Sprintf("%s %03d %04d", p.phone, 200+sd.r.IntN(800), sd.r.IntN(10000))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// domainOf turns a company name into a domain label: "Blue Yonder Systems" →
// "blue-yonder-systems".
func domainOf(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// emailPart turns a name into the ASCII letters of an email address.
func emailPart(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch r {
		case 'ä', 'á', 'à', 'â', 'ã':
			r = 'a'
		case 'é', 'è', 'ê':
			r = 'e'
		case 'ö', 'ó', 'ô':
			r = 'o'
		case 'ü', 'ú':
			r = 'u'
		case 'í':
			r = 'i'
		case 'ç':
			r = 'c'
		}
		if 'a' <= r && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
