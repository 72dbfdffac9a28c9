package web

import (
	"net/http"
	"time"

	"github.com/tandem-dev/tandem"
)

// TokenRequest asks for a token.
type TokenRequest struct {
	Person string `json:"person"`
	Role   string `json:"role"`
	Label  string `json:"label,omitempty"`
	// Codebase binds a ci token to the codebase it pushes results for.
	Codebase string `json:"codebase,omitempty"`
}

// NewToken is a token just created, with its secret: the one time it is
// shown.
type NewToken struct {
	Token  tandem.Token `json:"token"`
	Secret string       `json:"secret"`
}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, func(string) ([]tandem.Token, error) { return s.store.FindTokens(r.Context()) })
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request, q TokenRequest) {
	secret := tandem.NewTokenSecret()
	t, err := s.store.CreateToken(r.Context(), tandem.Token{Person: q.Person, Role: q.Role, Label: q.Label, Codebase: q.Codebase}, tandem.HashToken(secret))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, NewToken{Token: t, Secret: secret})
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "token")
	if !ok {
		return
	}
	t, err := s.store.RevokeToken(r.Context(), id, time.Now().UTC())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
