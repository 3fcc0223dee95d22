package desk

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"
)

// Ticket statuses and priorities, as the desk names them.
const (
	StatusNew     = "new"
	StatusOpen    = "open"
	StatusPending = "pending"
	StatusSolved  = "solved"
	StatusClosed  = "closed"

	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// MaxTicketsPerOrg bounds the tickets seeded for one organization.
const MaxTicketsPerOrg = 25

// First ids of seeded records.
const (
	firstOrgID    = 360000001
	firstUserID   = 380000001
	firstTicketID = 10001
)

var (
	firstNames = []string{"Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro", "Ines", "Jonas",
		"Kemal", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yara"}
	lastNames = []string{"Almeida", "Brandt", "Chen", "Dubois", "Eze", "Fischer", "García", "Hansen", "Ito", "Jansen",
		"Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Patel", "Quist", "Rossi", "Schmidt", "Tanaka"}
	freeMail = []string{"gmail.com", "outlook.com", "yahoo.com", "proton.me"}
	subjects = []string{
		"Cannot log in after password reset",
		"Invoice shows the wrong VAT number",
		"Export to CSV times out",
		"Feature request: dark mode",
		"Two-factor codes arrive late",
		"API returns 500 on bulk update",
		"Please add a second admin",
		"Data missing from last week's report",
		"Webhook deliveries failing",
		"How do I change our billing address?",
		"Mobile app crashes on start",
		"SSO login loops back to the sign-in page",
		"Request to cancel one seat",
		"Slow search since the last release",
		"Attachment upload fails for PDFs over 10 MB",
		"Wrong time zone in email notifications",
	}
	statuses   = weighted{{StatusNew, 10}, {StatusOpen, 25}, {StatusPending, 15}, {StatusSolved, 30}, {StatusClosed, 20}}
	priorities = weighted{{PriorityLow, 25}, {PriorityNormal, 45}, {PriorityHigh, 20}, {PriorityUrgent, 10}}
)

type weighted []struct {
	word   string
	weight int
}

func (w weighted) pick(r *rand.Rand) string {
	total := 0
	for _, c := range w {
		total += c.weight
	}
	n := r.IntN(total)
	for _, c := range w {
		if n < c.weight {
			return c.word
		}
		n -= c.weight
	}
	return w[len(w)-1].word
}

// seed builds the desk's records from the organizations, the same for the
// same list and time.
func (s *Server) seed(orgs []Org, now time.Time) {
	now = now.UTC().Truncate(time.Second)
	userID, ticketID := int64(firstUserID), int64(firstTicketID)
	for i, o := range orgs {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s\x00%s", o.Name, o.Domain)
		r := rand.New(rand.NewPCG(h.Sum64(), uint64(i)))

		created := now.AddDate(-2-r.IntN(4), -r.IntN(12), -r.IntN(28))
		org := Organization{
			ID:          int64(firstOrgID + i),
			Name:        o.Name,
			DomainNames: []string{strings.ToLower(o.Domain)},
			CreatedAt:   created,
			UpdatedAt:   now.Add(-time.Duration(r.IntN(90*24)) * time.Hour),
			Tags:        []string{[]string{"enterprise", "smb", "mid-market"}[r.IntN(3)]},
		}
		if o.ExternalID != "" {
			id := o.ExternalID
			org.ExternalID = &id
		}
		s.orgs = append(s.orgs, org)

		var people []User
		seen := map[string]bool{}
		for n := 2 + r.IntN(5); len(people) < n; {
			first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
			local := asciiLower(first) + "." + asciiLower(last)
			email := local + "@" + org.DomainNames[0]
			if r.IntN(6) == 0 {
				email = fmt.Sprintf("%s%d@%s", local, 10+r.IntN(90), freeMail[r.IntN(len(freeMail))])
			}
			if seen[email] {
				continue
			}
			seen[email] = true
			people = append(people, User{ID: userID, Name: first + " " + last, Email: email, OrganizationID: org.ID, Role: "end-user"})
			userID++
		}
		s.users[org.ID] = people

		var tickets []Ticket
		for range r.IntN(MaxTicketsPerOrg + 1) {
			who := people[r.IntN(len(people))]
			opened := now.Add(-time.Duration(3600+r.IntN(365*24*3600)) * time.Second)
			t := Ticket{
				ID:             ticketID,
				Subject:        subjects[r.IntN(len(subjects))],
				Status:         statuses.pick(r),
				Priority:       priorities.pick(r),
				Requester:      Person{Name: who.Name, Email: who.Email},
				OrganizationID: org.ID,
				CreatedAt:      opened,
				UpdatedAt:      opened.Add(time.Duration(r.Int64N(int64(now.Sub(opened)))) / time.Second * time.Second),
				CommentsCount:  1,
			}
			if t.Status != StatusNew {
				t.CommentsCount += 1 + r.IntN(12)
			}
			tickets = append(tickets, t)
			ticketID++
		}
		// Newest activity first, as the desk lists tickets by default.
		sortTickets(tickets)
		s.tickets[org.ID] = tickets
	}
}

// asciiLower folds a name into an email address's local part.
func asciiLower(s string) string {
	r := strings.NewReplacer("é", "e", "í", "i", "á", "a", "ó", "o", "ü", "u")
	return strings.ToLower(r.Replace(s))
}
