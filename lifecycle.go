package tandem

// Lifecycle is the table of a kind of thing's states and the moves between
// them: the one place that says which state changes can happen. Stores
// write a state only through Check, so an impossible change is an error
// rather than a silent write; docs/lifecycles.md draws each table.
type Lifecycle struct {
	// Kind names the things, as errors say it: "target".
	Kind   string
	States []string
	// Moves lists every allowed change; From "" is the creation.
	Moves []Move
}

// Move is one allowed change of state, and what makes it.
type Move struct {
	From, To string
	On       string
}

// Allows reports whether a thing may move from one state to another.
func (l Lifecycle) Allows(from, to string) bool {
	for _, m := range l.Moves {
		if m.From == from && m.To == to {
			return true
		}
	}
	return false
}

// Check returns nil when the move is in the table, EINVALID naming the
// thing (what) and both states otherwise.
func (l Lifecycle) Check(what, from, to string) error {
	if l.Allows(from, to) {
		return nil
	}
	if from == "" {
		return Errorf(EINVALID, "%s cannot start %s", what, to)
	}
	return Errorf(EINVALID, "%s is %s: it cannot become %s", what, from, to)
}

// TargetLifecycle is a migration target's way from found to done.
var TargetLifecycle = Lifecycle{Kind: "target", States: TargetStates, Moves: []Move{
	{"", TargetPending, "scan finds it, the codebase owned"},
	{"", TargetUnowned, "scan finds it, the codebase unowned"},
	{TargetUnowned, TargetPending, "the codebase gains an owner"},
	{TargetPending, TargetUnowned, "the codebase loses its owner"},
	{TargetPending, TargetTicketed, "launch files the ticket"},
	{TargetUnowned, TargetTicketed, "a ticket is adopted"},
	{TargetPending, TargetPROpen, "a change request is adopted"},
	{TargetTicketed, TargetPROpen, "escalate opens a change request"},
	{TargetTourProposed, TargetPROpen, "a change request is adopted"},
	{TargetTicketed, TargetTourProposed, "escalate proposes a Tour of Duty"},
	{TargetTourProposed, TargetTicketed, "the Tour of Duty is withdrawn or ended"},
	{TargetPROpen, TargetTicketed, "the change request merged, still needed, or closed unmerged"},
	{TargetPROpen, TargetPending, "the same, before launch: no ticket yet"},
	{TargetUnowned, TargetExempt, "exempt"},
	{TargetPending, TargetExempt, "exempt"},
	{TargetTicketed, TargetExempt, "exempt"},
	{TargetTourProposed, TargetExempt, "exempt"},
	{TargetPROpen, TargetExempt, "exempt"},
	{TargetExempt, TargetUnowned, "the exemption ends"},
	{TargetExempt, TargetPending, "the exemption ends"},
	{TargetExempt, TargetTicketed, "the exemption ends"},
	{TargetExempt, TargetTourProposed, "the exemption ends"},
	{TargetExempt, TargetPROpen, "the exemption ends"},
	{TargetUnowned, TargetDone, "scan: no longer needed"},
	{TargetPending, TargetDone, "scan: no longer needed"},
	{TargetTicketed, TargetDone, "scan: no longer needed"},
	{TargetTourProposed, TargetDone, "scan: no longer needed"},
	{TargetPROpen, TargetDone, "scan: no longer needed"},
	{TargetExempt, TargetDone, "scan: no longer needed"},
	{TargetDone, TargetUnowned, "scan: needed again, no owner"},
	{TargetDone, TargetPending, "scan: needed again"},
	{TargetDone, TargetTicketed, "scan: needed again, ticket reopened"},
	{TargetUnowned, TargetGone, "the codebase left its host"},
	{TargetPending, TargetGone, "the codebase left its host"},
	{TargetTicketed, TargetGone, "the codebase left its host"},
	{TargetTourProposed, TargetGone, "the codebase left its host"},
	{TargetPROpen, TargetGone, "the codebase left its host"},
	{TargetExempt, TargetGone, "the codebase left its host"},
	{TargetGone, TargetUnowned, "scan: the codebase is back, no owner"},
	{TargetGone, TargetPending, "scan: the codebase is back"},
	{TargetGone, TargetTicketed, "scan: the codebase is back, ticket reopened"},
	{TargetGone, TargetDone, "scan: the codebase is back, no longer needed"},
}}

// TicketLifecycle is a ticket's: open until every codebase on it is done,
// exempt or gone from its host, open again when one needs the change
// again.
var TicketLifecycle = Lifecycle{Kind: "ticket", States: []string{TicketOpen, TicketClosed}, Moves: []Move{
	{"", TicketOpen, "launch files it"},
	{TicketOpen, TicketClosed, "its last codebase is done, exempt or gone"},
	{TicketClosed, TicketOpen, "a codebase needs the change again"},
}}

// ChangeRequestLifecycle is a change request's. Merged is final: a revert
// is a regression of the target, and the next escalation opens a new
// change request.
var ChangeRequestLifecycle = Lifecycle{Kind: "change request", States: []string{ChangeOpen, ChangeMerged, ChangeClosed}, Moves: []Move{
	{"", ChangeOpen, "escalate or adopt"},
	{ChangeOpen, ChangeMerged, "approve merges it, the code host or a scan says so"},
	{ChangeOpen, ChangeClosed, "the owners close it"},
	{ChangeClosed, ChangeOpen, "the owners reopen it"},
}}

// RequestLifecycle is a request's, from filed to finished.
var RequestLifecycle = Lifecycle{Kind: "request", States: RequestStates, Moves: []Move{
	{"", RequestNew, "a team files it"},
	{RequestNew, RequestAccepted, "the platform team accepts"},
	{RequestNew, RequestInProgress, "the platform team starts"},
	{RequestNew, RequestDone, "done"},
	{RequestNew, RequestDeclined, "declined, with a reason"},
	{RequestAccepted, RequestInProgress, "the platform team starts"},
	{RequestAccepted, RequestDone, "done"},
	{RequestAccepted, RequestDeclined, "declined, with a reason"},
	{RequestInProgress, RequestDone, "done"},
	{RequestInProgress, RequestDeclined, "declined, with a reason"},
}}

// EngagementLifecycle is an engagement's: a proposal is staffed and
// started, or withdrawn; a started one ends.
var EngagementLifecycle = Lifecycle{Kind: "engagement", States: EngagementStates, Moves: []Move{
	{"", EngagementProposed, "a campaign proposes a Tour of Duty"},
	{"", EngagementActive, "started with a person"},
	{EngagementProposed, EngagementActive, "start, once staffed"},
	{EngagementProposed, EngagementWithdrawn, "withdrawn, or its targets done, exempt or gone"},
	{EngagementActive, EngagementEnded, "end"},
}}

// SupportChangeLifecycle is a support model change's: announced, then
// effective on its date unless withdrawn before.
var SupportChangeLifecycle = Lifecycle{Kind: "support change", States: SupportChangeStates, Moves: []Move{
	{"", SupportAnnounced, "announce"},
	{SupportAnnounced, SupportApplied, "its effective date comes"},
	{SupportAnnounced, SupportWithdrawn, "withdrawn before it takes effect"},
}}

// ContributionLifecycle is an outside contribution's.
var ContributionLifecycle = Lifecycle{Kind: "contribution", States: ContributionStates, Moves: []Move{
	{"", ContributionOpen, "opened"},
	{"", ContributionMerged, "recorded merged"},
	{"", ContributionClosed, "recorded closed"},
	{ContributionOpen, ContributionMerged, "merged"},
	{ContributionOpen, ContributionClosed, "closed unmerged"},
	{ContributionClosed, ContributionOpen, "reopened"},
	{ContributionMerged, ContributionReverted, "reverted"},
}}

// Lifecycles lists every lifecycle, for docs and tests.
var Lifecycles = []Lifecycle{TargetLifecycle, TicketLifecycle, ChangeRequestLifecycle, RequestLifecycle,
	EngagementLifecycle, SupportChangeLifecycle, ContributionLifecycle}
