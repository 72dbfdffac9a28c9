// Package tandem holds Tandem's domain and the interfaces between the parts
// that read, store and act on it, one concept per file:
//
//   - the catalog: Team and Person (team.go), CodeHost and Repository
//     (codehost.go), Codebase and its owner (codebase.go, owner.go),
//     Platform (platform.go), the objects applied from YAML (object.go);
//   - adoption: Check and its results (check.go, result.go), Adoption
//     (adoption.go), Scan (scan.go);
//   - the migration phase: Migration (migration.go), Campaign
//     (campaign.go), Target (target.go), Ticket (ticket.go), ChangeRequest
//     (changerequest.go), the comments they post (comment.go);
//   - consumption and evolution: Request (request.go), Session
//     (session.go), SupportChange (supportchange.go), Contribution and the
//     trust ladder (contribution.go), Engagement (engagement.go);
//   - how teams work together: Pattern and Phase (pattern.go), the
//     lifecycle of every object with states (lifecycle.go);
//   - who may do what: roles, tokens and sessions (auth.go);
//   - errors with a code and located problems (error.go).
//
// Store (store.go) is the composition of one store interface per concept,
// each beside the types it keeps.
package tandem
