package sfsim

// Word lists of the demo data. They are functions, not package variables, so the
// package holds no shared mutable state.

// companyStems are the first words of generated company names; each is used once,
// which keeps names and web domains unique.
func companyStems() []string {
	return []string{
		"Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Litware", "Proseware",
		"Lucerne", "Alpine", "Coho", "Woodgrove", "Adatum", "Blue Yonder", "Wide World",
		"Redwood", "Ironbridge", "Silverline", "Oakridge", "Harborview", "Summit", "Cedar Point",
		"Evergreen", "Brightwater", "Granite", "Northstar", "Sunrise", "Pinnacle", "Keystone",
		"Riverside", "Lakeshore", "Meridian", "Horizon", "Atlas", "Beacon", "Crescent", "Falcon",
		"Sterling", "Vanguard", "Westbrook", "Ashford", "Kingsley", "Halcyon", "Copperfield",
		"Blackwell", "Fairview", "Greenleaf", "Highland", "Ironwood", "Juniper", "Larkspur",
		"Maplewood", "Nordic", "Orion", "Pacifica", "Ridgeline", "Stonegate", "Thornbury",
		"Upland", "Verdant", "Whitmore", "Yellowpine", "Zephyr", "Bramble", "Cobalt", "Driftwood",
	}
}

// companyKind is the last word of a company name and the industry it implies.
type companyKind struct{ word, industry string }

func companyKinds() []companyKind {
	return []companyKind{
		{"Traders", "Retail"}, {"Logistics", "Transportation"}, {"Systems", "Technology"},
		{"Software", "Technology"}, {"Industries", "Manufacturing"}, {"Manufacturing", "Manufacturing"},
		{"Health", "Healthcare"}, {"Medical", "Healthcare"}, {"Energy", "Energy"}, {"Power", "Utilities"},
		{"Foods", "Food & Beverage"}, {"Capital", "Finance"}, {"Financial", "Banking"},
		{"Insurance", "Insurance"}, {"Media", "Media"}, {"Studios", "Entertainment"},
		{"Hotels", "Hospitality"}, {"Resorts", "Hospitality"}, {"Learning", "Education"},
		{"Academy", "Education"}, {"Telecom", "Telecommunications"}, {"Motors", "Transportation"},
		{"Airlines", "Transportation"}, {"Construction", "Construction"}, {"Pharma", "Biotechnology"},
		{"Labs", "Biotechnology"}, {"Outfitters", "Apparel"}, {"Consulting", "Consulting"},
		{"Engineering", "Engineering"}, {"Chemicals", "Chemicals"}, {"Agriculture", "Agriculture"},
		{"Electronics", "Electronics"}, {"Shipping", "Shipping"},
	}
}

// place is a city with its country and telephone prefix.
type place struct{ city, country, phone string }

func places() []place {
	return []place{
		{"San Francisco", "United States", "+1 415"}, {"New York", "United States", "+1 212"},
		{"Chicago", "United States", "+1 312"}, {"Austin", "United States", "+1 512"},
		{"Seattle", "United States", "+1 206"}, {"Boston", "United States", "+1 617"},
		{"Denver", "United States", "+1 303"}, {"Atlanta", "United States", "+1 404"},
		{"Toronto", "Canada", "+1 416"}, {"Vancouver", "Canada", "+1 604"},
		{"London", "United Kingdom", "+44 20"}, {"Manchester", "United Kingdom", "+44 161"},
		{"Dublin", "Ireland", "+353 1"}, {"Paris", "France", "+33 1"}, {"Lyon", "France", "+33 4"},
		{"Berlin", "Germany", "+49 30"}, {"Munich", "Germany", "+49 89"}, {"Hamburg", "Germany", "+49 40"},
		{"Amsterdam", "Netherlands", "+31 20"}, {"Brussels", "Belgium", "+32 2"},
		{"Zurich", "Switzerland", "+41 44"}, {"Vienna", "Austria", "+43 1"}, {"Milan", "Italy", "+39 02"},
		{"Madrid", "Spain", "+34 91"}, {"Barcelona", "Spain", "+34 93"}, {"Lisbon", "Portugal", "+351 21"},
		{"Stockholm", "Sweden", "+46 8"}, {"Copenhagen", "Denmark", "+45 33"}, {"Oslo", "Norway", "+47 22"},
		{"Helsinki", "Finland", "+358 9"}, {"Warsaw", "Poland", "+48 22"}, {"Prague", "Czech Republic", "+420 2"},
		{"Sydney", "Australia", "+61 2"}, {"Melbourne", "Australia", "+61 3"},
		{"Auckland", "New Zealand", "+64 9"}, {"Singapore", "Singapore", "+65 6"},
		{"Tokyo", "Japan", "+81 3"}, {"Seoul", "South Korea", "+82 2"}, {"Bangalore", "India", "+91 80"},
		{"São Paulo", "Brazil", "+55 11"}, {"Mexico City", "Mexico", "+52 55"},
		{"Cape Town", "South Africa", "+27 21"},
	}
}

func accountTypes() []string {
	return []string{"Customer - Direct", "Customer - Direct", "Customer - Direct", "Customer - Channel",
		"Prospect", "Prospect", "Channel Partner / Reseller", "Technology Partner", "Other"}
}

func firstNames() []string {
	return []string{
		"Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sophia", "Mateo",
		"Isabella", "Elijah", "Amelia", "James", "Harper", "Benjamin", "Aisha", "Omar", "Mei",
		"Wei", "Yuki", "Kenji", "Priya", "Arjun", "Fatima", "Tariq", "Ingrid", "Lars", "Chloe",
		"Hugo", "Elena", "Marco", "Lucia", "Diego", "Zanele", "Thabo", "Nadia", "Ivan", "Hannah",
		"Felix", "Grace", "Samuel", "Nora", "Daniel", "Leila", "Karim", "Sara", "Jonas", "Maya",
		"Rafael", "Anika", "Tomas", "Julia", "Adrian", "Rosa", "Victor", "Ines", "Oscar", "Eva", "Malik",
	}
}

func lastNames() []string {
	return []string{
		"Smith", "Johnson", "Nguyen", "Garcia", "Müller", "Rossi", "Kim", "Patel", "Okafor", "Tanaka",
		"Dubois", "Silva", "Kowalski", "Andersson", "Hansen", "Novak", "Fischer", "Moreau", "Costa",
		"Santos", "Chen", "Wang", "Singh", "Khan", "Haddad", "Cohen", "Murphy", "O'Brien", "Walsh",
		"Schmidt", "Weber", "Lindqvist", "Virtanen", "Jensen", "Bakker", "de Vries", "Janssen",
		"Fernandez", "Lopez", "Martin", "Bernard", "Ivanova", "Petrov", "Yilmaz", "Mensah", "Abebe",
		"Sato", "Suzuki", "Park", "Lee", "Brown", "Taylor", "Wilson", "Clarke", "Hughes", "Reyes",
		"Alvarez", "Romano", "Ferrari", "Nakamura",
	}
}

func titles() []string {
	return []string{
		"CEO", "CFO", "CTO", "COO", "VP of Sales", "VP of Engineering", "VP of Operations",
		"Head of Procurement", "IT Director", "Operations Manager", "Purchasing Manager",
		"Marketing Director", "Customer Success Lead", "Software Engineer", "Finance Manager",
		"Office Manager", "Product Manager", "Data Analyst", "Head of Support", "Solutions Architect",
		"Controller", "Facilities Manager", "Security Officer", "Logistics Coordinator",
	}
}

func departments() []string {
	return []string{"Executive", "Sales", "Engineering", "Operations", "Finance", "Procurement", "IT", "Marketing", "Support"}
}

func products() []string {
	return []string{
		"Platform Renewal", "Enterprise Expansion", "Analytics Add-on", "Premium Support Upgrade",
		"New Business", "Multi-year Renewal", "Professional Services", "Data Migration", "Pilot Program",
		"Security Module", "EMEA Rollout", "Training Package", "API Access Tier", "Field Service Bundle",
		"Integration Services", "Seat Expansion",
	}
}

func caseSubjects() []string {
	return []string{
		"Cannot log in after password reset", "Invoice shows the wrong billing address",
		"API requests timing out", "Request to add users to the contract", "Data export fails with error 500",
		"Shipment delayed at customs", "Integration sync is missing records", "Help with SSO configuration",
		"Feature request: bulk edit of orders", "Report totals do not match the dashboard",
		"Mobile app crashes on startup", "Refund request for a duplicate charge", "Quote needed for an upgrade",
		"Schedule an onboarding session", "Slow page loads in the EU region", "Email notifications not received",
		"Wrong tax rate applied on invoice", "Cannot upload attachments larger than 10 MB",
		"Two-factor codes arrive late", "Question about the renewal terms",
	}
}

func taskSubjects() []string {
	return []string{"Call", "Send quote", "Follow up on renewal", "Quarterly business review",
		"Email pricing details", "Demo for the IT team", "Check in after support case", "Prepare contract draft"}
}
