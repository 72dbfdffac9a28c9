package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/advisor"
)

// adviceQuestion reads the advisor's question from a request's query: the
// driver and owner teams (or a codebase), a platform, and what the person
// says of the work. Numbers and flags that do not parse read as unsaid.
func adviceQuestion(q url.Values) (advisor.Question, error) {
	aq := advisor.Question{Driver: q.Get("driver"), Owner: q.Get("owner"), Phase: q.Get("phase"), Policy: q.Get("policy"),
		Maturity: q.Get("maturity"), Size: q.Get("size"), Codebase: q.Get("codebase"), Platform: q.Get("platform")}
	aq.Trusted, _ = strconv.ParseBool(q.Get("trusted"))
	aq.Teams, _ = strconv.Atoi(q.Get("teams"))
	aq.TourWeeks, _ = strconv.Atoi(q.Get("tour_weeks"))
	aq.CollaboratingWeeks, _ = strconv.Atoi(q.Get("collaborating_weeks"))
	if n := q.Get("notice"); n != "" {
		d, err := tandem.ParseDuration(n)
		if err != nil {
			return aq, tandem.Errorf(tandem.EINVALID, "notice: %v", err)
		}
		aq.Notice = d
	}
	if nb := q.Get("needed_by"); nb != "" {
		day, err := time.Parse(time.DateOnly, nb)
		if err != nil {
			return aq, tandem.Errorf(tandem.EINVALID, "needed_by: %q is not a date (YYYY-MM-DD)", nb)
		}
		aq.NeededBy = day
	}
	return aq, nil
}

func (s *Server) handleAdvice(w http.ResponseWriter, r *http.Request) {
	out, err := s.advise(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// advise answers the question of a request's query.
func (s *Server) advise(r *http.Request) (advisor.Advice, error) {
	q, err := adviceQuestion(r.URL.Query())
	if err != nil {
		return advisor.Advice{}, err
	}
	return s.advice.Advise(r.Context(), q)
}

// adviseData is the advice page: the question as asked, and the answer.
type adviseData struct {
	Q      map[string]string
	Phases []string
	Sizes  []string
	Advice *advisor.Advice
	Error  string
}

func (s *Server) handleAdvicePage(w http.ResponseWriter, r *http.Request) {
	d := adviseData{Q: map[string]string{}, Phases: tandem.Strings(tandem.Phases),
		Sizes: []string{tandem.SizeSmall, tandem.SizeLarge}}
	for k := range r.URL.Query() {
		d.Q[k] = r.URL.Query().Get(k)
	}
	if len(d.Q) > 0 {
		a, err := s.advise(r)
		if err != nil {
			d.Error = tandem.ErrorMessage(err)
		} else {
			d.Advice = &a
		}
	}
	s.render(w, r, "advise", "Advice", d)
}
