package desk

import (
	"fmt"
	"strconv"
)

// DemoSettings returns the YAML `settings:` block of a source of type rest
// that connects the desk at baseURL with token: search by name, domain or a
// user's email; the organization as the header facet, with its domain and
// its users' emails as keys; its tickets, open ones first, with events for
// the timeline. Indent it under the source's other keys.
func DemoSettings(baseURL, token string) string {
	return fmt.Sprintf(demoSettings, strconv.Quote(baseURL), strconv.Quote(token))
}

// demoSettings is written for YAML: jq expressions are single-quoted, where
// a backslash is literal.
const demoSettings = `settings:
  base_url: %s
  auth:
    type: bearer
    token: %s
  health: /api/v2/users/me
  search:
    path: /api/v2/search?query={q}&include=users
    items: '.users as $users | .results[] | select(.result_type == "organization") | . as $org | .emails = [$users[] | select(.organization_id == $org.id) | .email]'
    pagination:
      style: next_link
      next: .next_page
    max_pages: 5
    id: .id
    name: .name
    url: '"/agent/organizations/\(.id)"'
    keys:
      domain: .domain_names
      email: .emails
      external_id: .external_id
  facets:
    - name: organization
      title: Support organization
      header: true
      path: /api/v2/organizations/{id}?include=users
      items: '.users as $users | .organization | .emails = [$users[].email]'
      fields:
        name: .name
        website: 'if .domain_names[0] then "https://\(.domain_names[0])" else null end'
        type: '.tags[0]'
        last_modified: .updated_at
      keys:
        domain: .domain_names
        email: .emails
        external_id: .external_id
      url: '"/agent/organizations/\(.id)"'
    - name: tickets
      title: Support tickets
      path: /api/v2/organizations/{id}/tickets?per_page=10
      items: .tickets
      pagination:
        style: next_link
        next: .next_page
      max_pages: 5
      total: .count
      order: 'sort_by((if .status == "solved" or .status == "closed" then 1 else 0 end), (.updated_at | fromdateiso8601 | -.))'
      columns:
        - title: Subject
          value: .subject
        - title: Status
          value: .status
        - title: Priority
          value: .priority
        - title: Requester
          value: '.requester.name // .requester.email'
        - title: Updated
          value: .updated_at
          kind: datetime
      url: '"/agent/tickets/\(.id)"'
      emphasis: '(.priority == "urgent" or .priority == "high") and (.status == "new" or .status == "open" or .status == "pending")'
      summary:
        - label: Open tickets
          key: open_tickets
          value: 'map(select(.status == "new" or .status == "open" or .status == "pending")) | length'
        - label: Urgent and open
          value: 'map(select(.priority == "urgent" and .status != "solved" and .status != "closed")) | length'
      events:
        at: .created_at
        kind: ticket
        title: '"Ticket #\(.id): \(.subject)"'
        detail: '"\(.priority) priority, requested by \(.requester.name)"'
        status: .status
        url: '"/agent/tickets/\(.id)"'
`
