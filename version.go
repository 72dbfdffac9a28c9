package tandem

import "context"

// VersionStore tells readers whether anything stored has changed: caches
// of what was read (rendered pages, JSON answers) are good while the
// version they were made at is current.
type VersionStore interface {
	// DataVersion returns a number that grows with every committed write,
	// from any process sharing the database. A reader that reads it and
	// then the data sees every write the version counts.
	DataVersion(ctx context.Context) (int64, error)
}
