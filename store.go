package tandem

// Store keeps the catalog and the state of background work, one concept
// per interface; each part of Tandem takes only the ones it uses. Every
// method is one transaction: it happens whole or not at all.
type Store interface {
	CatalogStore
	CheckStore
	ScanStore
	TargetStore
	TicketStore
	ChangeRequestStore
	CampaignStore
	EngagementStore
	RequestStore
	SessionStore
	SupportChangeStore
	ContributionStore
	TokenStore
	DeliveryStore
	GuardStore
	VersionStore
	SummaryStore
}
