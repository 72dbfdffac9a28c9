package tandem

// SupportModel is how a platform team supports the teams that consume its
// platform.
type SupportModel string

// Support models, from the most hands-on to none.
const (
	SupportWhiteGlove           SupportModel = "white-glove"
	SupportProfessionalServices SupportModel = "professional-services"
	SupportOfficeHours          SupportModel = "office-hours"
	SupportCommunity            SupportModel = "community"
	SupportSelfService          SupportModel = "self-service"
)

// OrNone returns the support model, "none" for none.
func (m SupportModel) OrNone() string {
	if m == "" {
		return "none"
	}
	return string(m)
}

// SupportModels lists every valid support model.
var SupportModels = []SupportModel{SupportWhiteGlove, SupportProfessionalServices, SupportOfficeHours, SupportCommunity, SupportSelfService}

// Platform is an internal product a platform team builds for other teams.
type Platform struct {
	Name      string   `json:"name"`
	Owner     string   `json:"owner"`
	Codebases []string `json:"codebases"`
	// Adoption is the check that holds in a codebase that uses the platform.
	Adoption *Check       `json:"adoption,omitempty"`
	Support  SupportModel `json:"support,omitempty"`
	// SupportNotice is how long before it takes effect a change of the
	// support model must be announced to consumers (default 4 weeks).
	SupportNotice string `json:"supportNotice,omitempty"`
	Docs          []Link `json:"docs"`
	// Community links the platform's channel, mailing list or forum.
	Community []Link `json:"community"`
	// TrustLadder is how many merged contributions propose an outside
	// contributor for the commit bit (0: DefaultTrustLadder).
	TrustLadder int `json:"trustLadder,omitempty"`
}

// Link is a titled URL.
type Link struct {
	Title string `json:"title,omitempty"`
	URL   string `json:"url"`
}
