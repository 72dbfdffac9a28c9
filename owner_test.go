package tandem_test

import (
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		name string
		ref  string
		want tandem.Ref
	}{
		{"a bare name is in the default namespace with no kind", "payments", tandem.Ref{Namespace: "default", Name: "payments"}},
		{"a namespace is kept", "finance/payments", tandem.Ref{Namespace: "finance", Name: "payments"}},
		{"a kind without a namespace takes the default namespace", "group:payments", tandem.Ref{Kind: "group", Namespace: "default", Name: "payments"}},
		{"a full ref keeps all three parts", "user:finance/alice", tandem.Ref{Kind: "user", Namespace: "finance", Name: "alice"}},
		{"every part is lower-cased", "Group:Finance/Payments", tandem.Ref{Kind: "group", Namespace: "finance", Name: "payments"}},
		{"surrounding spaces are dropped", "  group:payments ", tandem.Ref{Kind: "group", Namespace: "default", Name: "payments"}},
		{"a colon after the slash belongs to the name", "finance/pay:ments", tandem.Ref{Namespace: "finance", Name: "pay:ments"}},
		{"an empty name gives the zero ref", "group:", tandem.Ref{}},
		{"an empty namespace gives the zero ref", "group:/payments", tandem.Ref{}},
		{"an empty kind gives the zero ref", ":payments", tandem.Ref{}},
		{"an empty string gives the zero ref", "", tandem.Ref{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tandem.ParseRef(tt.ref); got != tt.want {
				t.Errorf("ParseRef(%q) = %+v, want %+v", tt.ref, got, tt.want)
			}
		})
	}
}

func TestResolveOwner(t *testing.T) {
	teams := []tandem.Team{
		{Name: "payments"},
		{Name: "Checkout", Aliases: []string{"group:retail/basket", "@acme/cart", "acme/till", "@alice", "ops@example.com"}},
		{Name: "search", Aliases: []string{"Group:Default/Finders"}},
		{Name: "platform", Aliases: []string{"default/infra"}},
	}
	tests := []struct {
		name       string
		policy     *tandem.CodebasePolicy
		own        tandem.Ownership
		wantOwner  string
		wantSource string
	}{
		{"nothing known gives no owner", nil, tandem.Ownership{}, "", ""},
		{"an explicit owner is returned as is",
			&tandem.CodebasePolicy{Owner: "Payments"}, tandem.Ownership{}, "Payments", tandem.OwnerExplicit},
		{"an explicit owner beats Backstage and CODEOWNERS",
			&tandem.CodebasePolicy{Owner: "search"},
			tandem.Ownership{Backstage: []string{"payments"}, Codeowners: []string{"@acme/payments"}},
			"search", tandem.OwnerExplicit},
		{"a policy without an owner falls through to the files",
			&tandem.CodebasePolicy{Name: "shop", Contributions: tandem.Open},
			tandem.Ownership{Backstage: []string{"payments"}}, "payments", tandem.OwnerBackstage},
		{"Backstage beats CODEOWNERS",
			nil, tandem.Ownership{Backstage: []string{"group:payments"}, Codeowners: []string{"@acme/checkout"}},
			"payments", tandem.OwnerBackstage},
		{"a Backstage group ref maps to the team of that name without case",
			nil, tandem.Ownership{Backstage: []string{"Group:Default/CHECKOUT"}}, "Checkout", tandem.OwnerBackstage},
		{"a Backstage ref maps to a team by alias with the kind and namespace as written",
			nil, tandem.Ownership{Backstage: []string{"group:retail/basket"}}, "Checkout", tandem.OwnerBackstage},
		{"a Backstage ref in another namespace does not match an alias",
			nil, tandem.Ownership{Backstage: []string{"group:default/basket"}}, "", ""},
		{"a bare Backstage ref equals a full alias",
			nil, tandem.Ownership{Backstage: []string{"finders"}}, "search", tandem.OwnerBackstage},
		{"a full Backstage ref equals a bare alias",
			nil, tandem.Ownership{Backstage: []string{"group:default/infra"}}, "platform", tandem.OwnerBackstage},
		{"a Backstage user ref is not a team",
			nil, tandem.Ownership{Backstage: []string{"user:default/payments"}}, "", ""},
		{"a Backstage user ref is skipped for the next ref",
			nil, tandem.Ownership{Backstage: []string{"user:alice", "infra"}}, "platform", tandem.OwnerBackstage},
		{"an unknown Backstage ref falls through to CODEOWNERS",
			nil, tandem.Ownership{Backstage: []string{"group:billing"}, Codeowners: []string{"@acme/search"}},
			"search", tandem.OwnerCodeowners},
		{"a malformed Backstage ref names no team",
			nil, tandem.Ownership{Backstage: []string{"group:"}}, "", ""},
		{"a CODEOWNERS team maps to the team named like its slug without case",
			nil, tandem.Ownership{Codeowners: []string{"@acme/Payments"}}, "payments", tandem.OwnerCodeowners},
		{"a GitLab nested group maps by its last part",
			nil, tandem.Ownership{Codeowners: []string{"@acme/finance/payments"}}, "payments", tandem.OwnerCodeowners},
		{"a CODEOWNERS team maps to a team by alias without case",
			nil, tandem.Ownership{Codeowners: []string{"@ACME/cart"}}, "Checkout", tandem.OwnerCodeowners},
		{"a CODEOWNERS team maps to an alias written without the at sign",
			nil, tandem.Ownership{Codeowners: []string{"@acme/till"}}, "Checkout", tandem.OwnerCodeowners},
		{"a CODEOWNERS user maps to the team listing that user",
			nil, tandem.Ownership{Codeowners: []string{"@Alice"}}, "Checkout", tandem.OwnerCodeowners},
		{"a CODEOWNERS user named like a team is not that team",
			nil, tandem.Ownership{Codeowners: []string{"@payments"}}, "", ""},
		{"a CODEOWNERS email maps to the team listing it",
			nil, tandem.Ownership{Codeowners: []string{"ops@example.com"}}, "Checkout", tandem.OwnerCodeowners},
		{"an unlisted email names no team",
			nil, tandem.Ownership{Codeowners: []string{"payments@example.com"}}, "", ""},
		{"the first CODEOWNERS owner that maps wins",
			nil, tandem.Ownership{Codeowners: []string{"@bob", "@acme/search", "@acme/payments"}}, "search", tandem.OwnerCodeowners},
		{"unknown handles give no owner",
			nil, tandem.Ownership{Backstage: []string{"group:billing"}, Codeowners: []string{"@acme/billing", "@bob"}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owner, source := tandem.ResolveOwner(tt.policy, tt.own, teams)
			if got, want := owner, tt.wantOwner; got != want {
				t.Errorf("owner = %q, want %q", got, want)
			}
			if got, want := source, tt.wantSource; got != want {
				t.Errorf("source = %q, want %q", got, want)
			}
		})
	}
}

func TestResolveOwnerPrefersNameOverAlias(t *testing.T) {
	teams := []tandem.Team{
		{Name: "impostor", Aliases: []string{"group:default/payments", "@acme/payments"}},
		{Name: "payments"},
	}
	tests := []struct {
		name string
		own  tandem.Ownership
	}{
		{"a Backstage ref maps to the team of its name before an alias", tandem.Ownership{Backstage: []string{"payments"}}},
		{"a CODEOWNERS team maps to the team of its slug before an alias", tandem.Ownership{Codeowners: []string{"@acme/payments"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := tandem.ResolveOwner(nil, tt.own, teams); got != "payments" {
				t.Errorf("owner = %q, want %q", got, "payments")
			}
		})
	}
}
