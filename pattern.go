package tandem

// Pattern is a way of working across teams (../shared/DOMAIN.md): how one
// team changes code another owns, or how a platform supports the teams
// that consume it. A request records the one chosen, an engagement is
// one, and the advisor ranks them.
type Pattern string

// Patterns, in the order of the domain: how teams change each other's
// code, then how a platform supports its consumers.
const (
	FileATicket          Pattern = "file-a-ticket"
	TourOfDuty           Pattern = "tour-of-duty"
	TrustedOutsider      Pattern = "trusted-outsider"
	InternalOpenSource   Pattern = "internal-open-source"
	EmbeddedExpert       Pattern = "embedded-expert"
	ProfessionalServices Pattern = "professional-services"
	WhiteGlove           Pattern = "white-glove"
	CommunityOfPractice  Pattern = "community-of-practice"
	SelfService          Pattern = "self-service"
)

// Patterns lists every pattern a request may record.
var Patterns = []Pattern{FileATicket, TrustedOutsider, InternalOpenSource, TourOfDuty,
	EmbeddedExpert, ProfessionalServices, WhiteGlove}

// EngagementTypes lists the patterns that move a person between teams for
// a time box: what an Engagement is.
var EngagementTypes = []Pattern{TourOfDuty, EmbeddedExpert, WhiteGlove}

// HandsOn reports whether a pattern has the platform team doing the work
// or sitting with the consumer: the load that does not scale.
func (p Pattern) HandsOn() bool {
	switch p {
	case ProfessionalServices, WhiteGlove, TourOfDuty, EmbeddedExpert:
		return true
	}
	return false
}

// Phase is a phase of cross-team work: which team drives it, and which
// owns the code that changes.
type Phase string

// Phases of cross-team work.
const (
	PhaseMigration   Phase = "migration"   // platform drives, product owns
	PhaseConsumption Phase = "consumption" // product drives, product owns
	PhaseEvolution   Phase = "evolution"   // product drives, platform owns
)

// Phases lists every phase, in the order of the domain.
var Phases = []Phase{PhaseMigration, PhaseConsumption, PhaseEvolution}

// Strings returns typed values as plain strings, for lists of valid
// values in messages.
func Strings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
