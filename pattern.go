package tandem

// Collaboration patterns (../shared/DOMAIN.md), as a request records the
// one chosen.
const (
	PatternFileATicket          = "file-a-ticket"
	PatternTrustedOutsider      = "trusted-outsider"
	PatternInternalOpenSource   = "internal-open-source"
	PatternTourOfDuty           = "tour-of-duty"
	PatternEmbeddedExpert       = "embedded-expert"
	PatternProfessionalServices = "professional-services"
	PatternWhiteGlove           = "white-glove"
)

// Patterns lists every pattern a request may record.
var Patterns = []string{PatternFileATicket, PatternTrustedOutsider, PatternInternalOpenSource, PatternTourOfDuty,
	PatternEmbeddedExpert, PatternProfessionalServices, PatternWhiteGlove}

// HandsOn reports whether a pattern has the platform team doing the work
// or sitting with the consumer: the load that does not scale.
func HandsOn(pattern string) bool {
	switch pattern {
	case PatternProfessionalServices, PatternWhiteGlove, PatternTourOfDuty, PatternEmbeddedExpert:
		return true
	}
	return false
}

// Phases of cross-team work (who drives, who owns).
const (
	PhaseMigration   = "migration"   // platform drives, product owns
	PhaseConsumption = "consumption" // product drives, product owns
	PhaseEvolution   = "evolution"   // product drives, platform owns
)
