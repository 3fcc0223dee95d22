package erp

import (
	"encoding/json"
	"strings"

	"github.com/atrium-dev/atrium/adapters/salesforce/sfsim"
)

// DemoAccounts are the ERP's customers in `atrium demo`: some carry the id of
// their account in the demo Salesforce org, some share only its website
// domain, and a few exist only in the ERP.
func DemoAccounts() []Account {
	return []Account{
		{Name: "Acme Corporation", Domain: "acme-corp.com", SalesforceID: sfsim.DemoAccountAcme, City: "San Francisco", Country: "US"},
		{Name: "Globex Logistics", Domain: "globex-logistics.com", SalesforceID: sfsim.DemoAccountManyDeals, City: "Chicago", Country: "US"},
		{Name: "O'Reilly Media Group", Domain: "oreilly-media-group.com", SalesforceID: sfsim.DemoAccountApostrophe, City: "Boston", Country: "US"},
		{Name: "100% Pure Foods", Domain: "100-pure-foods.com", SalesforceID: sfsim.DemoAccountPercent, City: "Amsterdam", Country: "NL"},
		{Name: "Initech Global Services", Domain: "initech-global.com", City: "Austin", Country: "US"},
		{Name: "Baker & Sons Construction", Domain: "baker-and-sons.com", City: "Denver", Country: "US"},
		{Name: "Nordwind Handels GmbH", Domain: "nordwind-handel.de", City: "Hamburg", Country: "DE"},
		{Name: "Kestrel Marine Supply Ltd", Domain: "kestrel-marine.co.uk", City: "Southampton", Country: "GB"},
		{Name: "Tanaka Precision K.K.", Domain: "tanaka-precision.co.jp", City: "Osaka", Country: "JP"},
	}
}

// DemoSettings returns the settings that connect the sqldb adapter to the
// SQLite database Create wrote at path.
func DemoSettings(path string) string { return Settings("sqlite", path) }

// Settings returns the body of a sqldb source's `settings:` block for the
// ERP's schema in a database reached by driver and dsn: a search by name,
// domain, billing email, customer number or Salesforce id; the customer as
// header, with the keys that link it to other systems; recent orders (with the
// last order as a key metric) and shipments, both also on the timeline. The
// SQL is the same for SQLite and PostgreSQL.
func Settings(driver, dsn string) string {
	quote := func(s string) string {
		b, _ := json.Marshal(s) // a JSON string is a YAML double-quoted scalar
		return string(b)
	}
	return strings.NewReplacer("{driver}", quote(driver), "{dsn}", quote(dsn)).Replace(settingsTemplate)
}

const settingsTemplate = `driver: {driver}
dsn: {dsn}
search:
  sql: |
    SELECT customer_no, name, city, domain, billing_email, salesforce_id
    FROM customers
    WHERE lower(name) LIKE '%' || lower(:q_like) || '%' ESCAPE '\'
       OR lower(domain) LIKE '%' || lower(:q_like) || '%' ESCAPE '\'
       OR lower(billing_email) = :q_lower
       OR upper(customer_no) = upper(:q)
       OR salesforce_id = :q
    ORDER BY name, customer_no
    LIMIT :limit
  params: [q_like, q_lower, q, limit]
  fields:
    id: customer_no
    name: name
    city: city
    domain: domain
    email: billing_email
    external_id: salesforce_id
  external_system: salesforce
facets:
  - name: customer
    title: ERP customer
    sql: |
      SELECT name, city, country, domain, billing_email, salesforce_id
      FROM customers
      WHERE customer_no = :id
    params: [id]
    fields:
      name: name
      city: city
      country: country
      website: domain
      domain: domain
      email: billing_email
      external_id: salesforce_id
    external_system: salesforce
  - name: orders
    title: Recent orders
    sql: |
      SELECT o.order_no, o.ordered_at, o.status, o.total, o.currency,
             (SELECT sum(l.qty) FROM order_lines l WHERE l.order_no = o.order_no) AS items,
             count(*) OVER () AS order_count
      FROM orders o
      WHERE o.customer_no = :id
      ORDER BY o.ordered_at DESC, o.order_no DESC
      LIMIT :limit
    params: [id, limit]
    max_rows: 25
    total_column: order_count
    columns:
      - {column: order_no, title: Order}
      - {column: ordered_at, title: Date, kind: date}
      - {column: status, title: Status}
      - {column: total, title: Total, kind: money, currency_column: currency}
      - {column: items, title: Items, kind: number}
    summary:
      - {label: Open orders, count: "*", where: {status: open}}
      - {label: Open value, sum: total, where: {status: open}}
      - {label: Last order, max: ordered_at, key: last_order}
    event:
      kind: order
      at: ordered_at
      title: "Order {order_no}"
      detail: "{items} items"
      status: status
      amount: total
  - name: shipments
    title: Shipments
    sql: |
      SELECT s.shipment_no, s.order_no, s.carrier, s.tracking_no, s.shipped_at, s.delivered_at,
             CASE WHEN s.delivered_at IS NULL THEN 'in transit' ELSE 'delivered' END AS state
      FROM shipments s
      JOIN orders o ON o.order_no = s.order_no
      WHERE o.customer_no = :id
      ORDER BY s.shipped_at DESC, s.shipment_no DESC
      LIMIT :limit
    params: [id, limit]
    max_rows: 25
    columns:
      - {column: shipment_no, title: Shipment}
      - {column: order_no, title: Order}
      - {column: carrier, title: Carrier}
      - {column: tracking_no, title: Tracking number}
      - {column: shipped_at, title: Shipped, kind: datetime}
      - {column: state, title: Status}
      - {column: delivered_at, title: Delivered, kind: datetime}
    summary:
      - {label: In transit, count: "*", where: {state: in transit}}
    event:
      kind: shipment
      at: shipped_at
      title: "Shipment {shipment_no} of order {order_no} sent with {carrier}"
      detail: "Tracking number {tracking_no}"
      status: state
`
