package components

// RecordView is a linked system's record that no customer is linked to: what
// the system says of it, and how it can become part of a customer.
type RecordView struct {
	Layout Layout
	Header CustomerHeader
	// Note says that the record is not linked, e.g. "Not linked to a
	// Salesforce customer yet; an admin can link it on the customer's page."
	Note string
	// How says how an admin links it.
	How string
	// Search finds the customers the record may belong to.
	Search Link
}
