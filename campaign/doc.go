// Package campaign runs migration campaigns: it renders the text of the
// tickets and change requests a campaign files, decides when a ticket is
// due a nudge, when a target becomes a straggler and how many more tickets
// a rollout allows, and reports a campaign's burndown, lead times and
// progress by team. Its functions are pure: they read the domain types and
// the time they are given, and touch no store, tracker or code host.
package campaign
