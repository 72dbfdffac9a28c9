package campaign

import (
	"context"
	"errors"
	"fmt"

	"github.com/tandem-dev/tandem"
)

// SyncTickets writes to each team's own tracker what Tandem recorded of
// its tickets: files the tickets not filed there yet (or finds them by
// their marker, after a crash or the loss of the database), posts the
// comments not posted, and opens or closes them as recorded. Every write
// is looked up first, so a retry never writes twice. A tracker that fails
// leaves its error on the ticket, and the next sync tries again; the
// others go on. It returns how many tickets it brought up to date.
func (s *Service) SyncTickets(ctx context.Context) (int, error) {
	if s.Trackers == nil {
		return 0, nil
	}
	// Two syncs at once, in one process or two, would both find a ticket
	// unfiled and both file it.
	n := 0
	var errs []error
	err := s.Store.Exclusive(ctx, "ticket-sync", func(ctx context.Context) error {
		pending, err := s.Store.PendingTicketSyncs(ctx)
		if err != nil {
			return err
		}
		for _, t := range pending {
			if err := s.syncTicket(ctx, t); err != nil {
				errs = append(errs, fmt.Errorf("ticket %d: %w", t.ID, err))
				if merr := s.Store.MarkTicketRemote(ctx, t.ID, "", "", "", tandem.ErrorMessage(err)); merr != nil {
					return merr
				}
				continue
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, errors.Join(errs...)
}

func (s *Service) syncTicket(ctx context.Context, t tandem.Ticket) error {
	tr, err := s.Trackers(t.Where)
	if err != nil {
		return err
	}
	remoteID, url, remoteState := t.RemoteID, "", t.RemoteState
	if remoteID == "" {
		found, ok, err := tr.Find(ctx, t.Marker)
		if err != nil {
			return err
		}
		if !ok {
			labels := []string{"tandem"}
			if t.Migration != "" {
				labels = append(labels, "migration:"+t.Migration)
			}
			if found, err = tr.Create(ctx, t.Title, t.Body, labels); err != nil {
				return err
			}
		}
		remoteID, url, remoteState = found.ID, found.URL, found.State
		if err := s.Store.MarkTicketRemote(ctx, t.ID, remoteID, url, remoteState, ""); err != nil {
			return err
		}
	}
	for _, c := range t.Comments {
		if c.SyncedAt != nil {
			continue
		}
		marker := fmt.Sprintf("<!-- tandem:comment=%d -->", c.ID)
		if err := tr.Comment(ctx, remoteID, c.Body+"\n\n"+marker, marker); err != nil {
			return err
		}
		if err := s.Store.MarkCommentSynced(ctx, c.ID); err != nil {
			return err
		}
	}
	if remoteState != t.State {
		if err := tr.SetState(ctx, remoteID, t.State == tandem.TicketOpen); err != nil {
			return err
		}
	}
	return s.Store.MarkTicketRemote(ctx, t.ID, remoteID, "", t.State, "")
}
