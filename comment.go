package tandem

import (
	"fmt"
	"strings"
	"time"
)

// The comments Tandem posts on tickets, one function per event that
// posts one. The store calls them in the transaction that records the
// event; what they say is for the teams reading their tickets.

// ChangeRequestOpenedComment says on a target's ticket which change
// request now carries its change: one the platform team proposed on a
// branch, or one Tandem adopted and follows (no branch); prev is the
// change request it replaces, nil for the first.
func ChangeRequestOpenedComment(cr ChangeRequest, prev *ChangeRequestRef) string {
	comment := fmt.Sprintf("The platform team proposed the change to %s: %s (branch %s).", cr.Codebase, cr.URL, cr.Branch)
	if cr.Branch == "" {
		comment = fmt.Sprintf("Tandem follows %s as the change to %s.", cr.URL, cr.Codebase)
	}
	if prev != nil {
		comment += fmt.Sprintf(" It follows %s, %s.", prev.URL, prev.State)
	}
	return comment
}

// ChangeRequestApprovedComment says that by, of the owning team, approved
// the change to codebase.
func ChangeRequestApprovedComment(by, codebase string) string {
	return fmt.Sprintf("%s approved the change to %s.", by, codebase)
}

// ChangeRequestMergedComment says that the owners of codebase merged the
// change request at url on their code host, and that a scan, not the
// merge, tells whether the change is done.
func ChangeRequestMergedComment(codebase, url string) string {
	return fmt.Sprintf("The owners of %s merged %s. The next scan of the default branch tells whether %s still needs the change.",
		codebase, url, codebase)
}

// ChangeRequestClosedComment says that the owners of codebase closed the
// change request at url unmerged, and that the ticket stays open.
func ChangeRequestClosedComment(codebase, url string) string {
	return fmt.Sprintf("The owners of %s closed %s without merging it. The ticket stays open for the team to make the change their own way.",
		codebase, url)
}

// ChangeRequestReopenedComment says that the change request at url was
// reopened, and is the one its target follows again.
func ChangeRequestReopenedComment(url string) string {
	return fmt.Sprintf("%s was reopened.", url)
}

// ChangeRequestReopenedUnfollowedComment says that the change request at
// url was reopened while its target follows another open one, followed:
// a target follows one open change request at a time.
func ChangeRequestReopenedUnfollowedComment(url, followed, codebase string) string {
	return fmt.Sprintf("%s was reopened; Tandem follows %s for %s.", url, followed, codebase)
}

// ChangeRequestMergedByTandemComment says that Tandem merged cr into its
// codebase's default branch, making head, as its approver approved, and
// that a scan, not the merge, tells whether the change is done.
func ChangeRequestMergedByTandemComment(cr ChangeRequest, head string) string {
	as := ""
	if cr.ApprovedBy != "" {
		as = ", as " + cr.ApprovedBy + " approved"
	}
	return fmt.Sprintf("Tandem merged %s (branch %s) into the default branch of %s at %s%s. The next scan of the default branch tells whether %s still needs the change.",
		cr.URL, cr.Branch, cr.Codebase, shortCommit(head), as, cr.Codebase)
}

// NeededAgainComment says that a scan of commit finds the change needed
// again in codebase, where it was done: a regression. evidence is what
// the scan found, its first match quoted.
func NeededAgainComment(codebase, commit string, evidence []Match) string {
	return fmt.Sprintf("%s needs the change again: the scan of commit %s finds it needed%s.",
		codebase, shortCommit(commit), firstEvidence(evidence))
}

// BackOnHostComment says that codebase, gone from its host, is back and
// that a scan of commit finds it still needing the change.
func BackOnHostComment(codebase, commit string, evidence []Match) string {
	return fmt.Sprintf("%s is back on its host and still needs the change: the scan of commit %s finds it needed%s.",
		codebase, shortCommit(commit), firstEvidence(evidence))
}

// ExemptComment says that codebase is exempt, until when, by whom and
// why.
func ExemptComment(codebase string, e Exemption) string {
	by := ""
	if e.By != "" {
		by = " (by " + e.By + ")"
	}
	return fmt.Sprintf("%s is exempt until %s%s: %s", codebase, e.Expires.Format(time.DateOnly), by, e.Reason)
}

// ExemptionRevokedComment says that codebase is no longer exempt, for
// why, and still needs the change.
func ExemptionRevokedComment(codebase, why string) string {
	return fmt.Sprintf("%s is no longer exempt (%s) and still needs the change.", codebase, strings.TrimSuffix(why, "."))
}

// ExemptionExpiredComment says that codebase's exemption expired on
// expires, and that it still needs the change.
func ExemptionExpiredComment(codebase string, expires time.Time) string {
	return ExemptionRevokedComment(codebase, "its exemption expired on "+expires.Format(time.DateOnly)+".")
}

// TicketClosedComment says why a ticket closes: the change done in the
// codebases done, the ones exempt until when, and the ones gone from
// their host; and, where any is exempt or gone, when it reopens.
func TicketClosedComment(done, gone []string, exempt []Target) string {
	if len(gone) > 0 {
		return ticketClosedGoneComment(done, gone, exempt)
	}
	doneIn := "The change is done in " + strings.Join(done, ", ")
	var why string
	switch {
	case len(exempt) == 0:
		return doneIn + ": closing. Thank you!"
	case len(exempt) == 1 && len(done) == 0:
		why = exempt[0].Codebase + " is exempt" + exemptUntil(exempt[0]) + ": closing."
	case len(exempt) == 1:
		why = doneIn + "; " + exempt[0].Codebase + " is exempt" + exemptUntil(exempt[0]) + ": closing. Thank you!"
	default:
		var each []string
		for _, t := range exempt {
			each = append(each, t.Codebase+exemptUntil(t))
		}
		if len(done) == 0 {
			why = "Every codebase on this ticket is exempt (" + strings.Join(each, ", ") + "): closing."
		} else {
			why = doneIn + "; the rest are exempt (" + strings.Join(each, ", ") + "): closing. Thank you!"
		}
	}
	if len(exempt) == 1 {
		return why + " The ticket reopens if the change is still needed when the exemption ends."
	}
	return why + " The ticket reopens if the change is still needed when an exemption ends."
}

// ticketClosedGoneComment is TicketClosedComment when some codebases
// are gone from their host: the change done in some, the others gone or
// exempt (until when).
func ticketClosedGoneComment(done, gone []string, exempt []Target) string {
	var why []string
	if len(done) > 0 {
		why = append(why, "The change is done in "+strings.Join(done, ", "))
	}
	why = append(why, goneFromHost(gone))
	for _, t := range exempt {
		why = append(why, t.Codebase+" is exempt"+exemptUntil(t))
	}
	text := strings.Join(why, "; ") + ": closing."
	if len(done) > 0 {
		text += " Thank you!"
	}
	text += " The ticket reopens if a repository comes back still needing the change"
	if len(exempt) > 0 {
		text += ", or if the change is still needed when an exemption ends"
	}
	return text + "."
}

// CodebasesGoneComment tells an open ticket that codebases on it left
// their host and no longer count among what it waits for.
func CodebasesGoneComment(codebases []string) string {
	return fmt.Sprintf("%s: %s no longer %s on this ticket. %s back, it counts again.",
		goneFromHost(codebases), plural(len(codebases), "it", "they"), plural(len(codebases), "counts", "count"),
		plural(len(codebases), "If it comes", "If one comes"))
}

// TourProposedComment says on the ticket of codebase, closed to outside
// changes, that the platform team proposes Tour of Duty e, and how to
// take it up or turn it down.
func TourProposedComment(e Engagement, codebase string) string {
	return fmt.Sprintf("%s does not take outside changes, so the platform team proposes a Tour of Duty (engagement %d): "+
		"an engineer of %s joins %s from %s to %s to make the change with you. "+
		"Other codebases of %s closed to outside changes join this proposal. "+
		"%s or %s names the engineer (tandem engagement staff %d --person NAME) and starts it (tandem engagement start %d), "+
		"or withdraws it with a reason (tandem engagement withdraw %d --reason TEXT).",
		codebase, e.ID, e.HomeTeam, e.HostTeam, e.Starts, e.Ends, e.HostTeam, e.HostTeam, e.HomeTeam, e.ID, e.ID, e.ID)
}

// TourWithdrawnComment says that e.WithdrawnBy withdrew proposal e, and
// why (e.Reason), and that the codebases back on the ticket still need
// the change.
func TourWithdrawnComment(e Engagement, back []string) string {
	return backOnTicket(fmt.Sprintf("%s withdrew the Tour of Duty proposed for %s (engagement %d): %s.",
		e.WithdrawnBy, strings.Join(e.Codebases, ", "), e.ID, strings.TrimSuffix(e.Reason, ".")), back)
}

// TourEndedComment says that Tour of Duty e ended (on e.EndedOn), and
// that the codebases back on the ticket still need the change.
func TourEndedComment(e Engagement, back []string) string {
	return backOnTicket(fmt.Sprintf("%s's Tour of Duty with %s (engagement %d) ended on %s.", e.Person, e.HostTeam, e.ID, e.EndedOn), back)
}

// backOnTicket follows what happened to a Tour of Duty with the codebases
// it gives back to their team's ticket.
func backOnTicket(what string, back []string) string {
	return fmt.Sprintf("%s %s still %s the change, and %s with you on this ticket.",
		what, strings.Join(back, ", "), plural(len(back), "needs", "need"), plural(len(back), "it stays", "they stay"))
}

// TourFinishedReason is the reason a proposed Tour of Duty is withdrawn
// by itself when nothing is left for it: its codebases done, exempt
// (until when) or gone from their host.
func TourFinishedReason(done, gone []string, exempt []Target) string {
	return "nothing is left for it: " + nothingLeft(done, gone, exempt)
}

// TourFinishedComment says that proposal id, for codebases, is withdrawn
// because nothing is left for it (TourFinishedReason).
func TourFinishedComment(codebases []string, id int64, done, gone []string, exempt []Target) string {
	return fmt.Sprintf("The Tour of Duty proposed for %s (engagement %d) is withdrawn: %s.",
		strings.Join(codebases, ", "), id, nothingLeft(done, gone, exempt))
}

// nothingLeft says which codebases of a Tour of Duty are done, exempt or
// gone.
func nothingLeft(done, gone []string, exempt []Target) string {
	var why []string
	if len(done) > 0 {
		why = append(why, strings.Join(done, ", ")+" "+plural(len(done), "is", "are")+" done")
	}
	if len(exempt) > 0 {
		each := make([]string, len(exempt))
		for i, t := range exempt {
			each[i] = t.Codebase + exemptUntil(t)
		}
		why = append(why, strings.Join(each, ", ")+" "+plural(len(exempt), "is", "are")+" exempt")
	}
	if len(gone) > 0 {
		why = append(why, goneFromHost(gone))
	}
	if len(why) == 0 {
		return "its codebases are no targets"
	}
	return strings.Join(why, "; ")
}

// SupportChangeWithdrawnComment closes the announcement of support change
// c, withdrawn before it took effect, with why.
func SupportChangeWithdrawnComment(c SupportChange, reason string) string {
	return fmt.Sprintf("Withdrawn: %s's support stays %s; it will not change to %s on %s. %s", c.Platform, c.From.OrNone(), c.To, c.Effective, reason)
}

// SupportChangeAppliedComment closes the announcement of support change
// c, in effect now.
func SupportChangeAppliedComment(c SupportChange) string {
	return fmt.Sprintf("In effect: from %s, %s's support is %s.", c.Effective, c.Platform, c.To)
}

// goneFromHost says that codebases are gone from their host, for the
// comments of tickets and Tours of Duty.
func goneFromHost(codebases []string) string {
	return strings.Join(codebases, ", ") + ": " + plural(len(codebases), "repository gone from its host", "repositories gone from their host")
}

// exemptUntil returns " until DATE" for an exempt target's exemption.
func exemptUntil(t Target) string {
	if t.Exemption == nil {
		return ""
	}
	return " until " + t.Exemption.Expires.Format(time.DateOnly)
}

// firstEvidence returns " (where)" for the first of the evidence, "" when
// there is none.
func firstEvidence(ms []Match) string {
	if len(ms) == 0 {
		return ""
	}
	return " (" + ms[0].String() + ")"
}

// shortCommit returns the first 12 characters of a commit id.
func shortCommit(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// plural returns one when n is 1, many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ReviewStepComment says on a target's ticket which review routing step
// change request cr, unreviewed since it was opened, takes at at: its
// reviewers asked again (ReviewRerequestComment), a nudge
// (ReviewNudgeComment) or a Tour of Duty proposed (ReviewTourComment).
func ReviewStepComment(cr ChangeRequest, step string, at time.Time) string {
	switch step {
	case ReviewRerequest:
		return ReviewRerequestComment(cr, at)
	case ReviewNudge:
		return ReviewNudgeComment(cr, at)
	}
	return ReviewTourComment(cr, at)
}

// ReviewRerequestComment says that nobody reviewed cr in the time since
// it was opened, and that its reviewers were asked again: on its code
// host, or here for a built-in change request (which has no other place
// to ask them) or one that names no reviewers.
func ReviewRerequestComment(cr ChangeRequest, at time.Time) string {
	if strings.HasPrefix(cr.URL, "/") || len(cr.Reviewers) == 0 {
		return fmt.Sprintf("%s: %s, please review it.", unreviewed(cr, at), reviewersOf(cr))
	}
	return fmt.Sprintf("%s: Tandem asked %s to review it again.", unreviewed(cr, at), reviewersOf(cr))
}

// ReviewNudgeComment is the nudge on a target's ticket for its change
// request cr, which waits for its reviewers.
func ReviewNudgeComment(cr ChangeRequest, at time.Time) string {
	return fmt.Sprintf("Reminder: %s has waited %s for a review by %s.", changeTo(cr), DurationText(at.Sub(cr.CreatedAt)), reviewersOf(cr))
}

// ReviewTourComment says that nobody reviewed cr in the time since it
// was opened, and that the platform team proposes a Tour of Duty to see
// it reviewed and merged with the team.
func ReviewTourComment(cr ChangeRequest, at time.Time) string {
	return fmt.Sprintf("%s: the platform team proposes a Tour of Duty to review and merge it with you.", unreviewed(cr, at))
}

// TourProposedForReviewComment says on the ticket of the target at
// address, whose change request waits for review, that the platform team
// proposes Tour of Duty e, and how to take it up or turn it down.
func TourProposedForReviewComment(e Engagement, address string) string {
	return fmt.Sprintf("Nobody has reviewed the change to %s, so the platform team proposes a Tour of Duty (engagement %d): "+
		"an engineer of %s joins %s from %s to %s to review and merge it with you. "+
		"%s or %s names the engineer (tandem engagement staff %d --person NAME) and starts it (tandem engagement start %d), "+
		"or withdraws it with a reason (tandem engagement withdraw %d --reason TEXT).",
		address, e.ID, e.HomeTeam, e.HostTeam, e.Starts, e.Ends, e.HostTeam, e.HomeTeam, e.ID, e.ID, e.ID)
}

// unreviewed says that nobody reviewed cr in the time from its opening
// to at.
func unreviewed(cr ChangeRequest, at time.Time) string {
	return fmt.Sprintf("Nobody has reviewed %s in the %s since it was opened", changeTo(cr), DurationText(at.Sub(cr.CreatedAt)))
}

// changeTo names change request cr and the target it is for.
func changeTo(cr ChangeRequest) string {
	return fmt.Sprintf("%s (the change to %s)", cr.URL, TargetAddress(cr.Codebase, cr.Part))
}

// reviewersOf names cr's reviewers, or its owners when it names none.
func reviewersOf(cr ChangeRequest) string {
	if len(cr.Reviewers) == 0 {
		return "the owners of " + TargetAddress(cr.Codebase, cr.Part)
	}
	return strings.Join(cr.Reviewers, ", ")
}

// ReminderComment is the nudge a campaign posts on a ticket still open:
// the migration's title and its deadline, when it has one.
func ReminderComment(m Migration) string {
	body := fmt.Sprintf("Reminder: %s.", m.Title)
	if m.Deadline != "" {
		body += " The deadline is " + m.Deadline + "."
	}
	return body
}
