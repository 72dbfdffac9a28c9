package tandem

import "strings"

// Ref is a reference to a Backstage entity, written [kind:][namespace/]name,
// as in a catalog-info.yaml spec.owner. It lives in this package, not in
// package backstage, because ResolveOwner compares refs and the root
// package imports none of Tandem's other packages; package backstage uses
// ParseRef from here.
type Ref struct {
	Kind      string // "" when not given
	Namespace string
	Name      string
}

// ParseRef returns the parts of the entity ref s, lower-cased because
// Backstage compares refs without case, with Namespace "default" when not
// given. A "/" before the first ":" makes the ":" part of the name, as in
// Backstage. It returns the zero Ref when s has an empty part ("group:",
// "default/", ""), which names no entity.
func ParseRef(s string) Ref {
	s = strings.ToLower(strings.TrimSpace(s))
	colon, slash := strings.Index(s, ":"), strings.Index(s, "/")
	if slash >= 0 && slash < colon {
		colon = -1
	}
	r := Ref{Namespace: "default", Name: s[max(colon+1, slash+1):]}
	if colon >= 0 {
		r.Kind = s[:colon]
	}
	if slash >= 0 {
		r.Namespace = s[colon+1 : slash]
	}
	if r.Name == "" || r.Namespace == "" || (colon >= 0 && r.Kind == "") {
		return Ref{}
	}
	return r
}

// ResolveOwner returns the name of the team that owns a codebase and the
// source that named it (OwnerExplicit, OwnerBackstage or OwnerCodeowners),
// or "", "" when no source names a known team: it never guesses. The
// sources are tried from most to least authoritative, and within one
// source the first owner that maps to a team wins:
//
//   - an explicit policy.Owner (policy may be nil), returned as is;
//   - the Backstage refs of own.Backstage: a ref of kind "" or "group" maps
//     to the team of the same name or to a team with an alias equal to it
//     as a ref (so "group:default/payments", "default/payments" and
//     "payments" are equal); refs of other kinds, users included, are not
//     teams;
//   - the CODEOWNERS owners of own.Codeowners: "@org/payments" maps to the
//     team named "payments" or to a team with the alias "@org/payments"
//     (or "org/payments"); a user handle or an email address maps only to
//     a team that lists it among its aliases.
//
// Names, refs and handles are compared without case.
func ResolveOwner(policy *CodebasePolicy, own Ownership, teams []Team) (owner, source string) {
	if policy != nil && policy.Owner != "" {
		return policy.Owner, OwnerExplicit
	}
	for _, s := range own.Backstage {
		if t := backstageTeam(s, teams); t != "" {
			return t, OwnerBackstage
		}
	}
	for _, s := range own.Codeowners {
		if t := codeownersTeam(s, teams); t != "" {
			return t, OwnerCodeowners
		}
	}
	return "", ""
}

// backstageTeam returns the name of the team the Backstage ref s means, or
// "" when it means none.
func backstageTeam(s string, teams []Team) string {
	ref := groupRef(ParseRef(s))
	if ref.Kind != "group" {
		return ""
	}
	for _, t := range teams {
		if strings.EqualFold(t.Name, ref.Name) {
			return t.Name
		}
	}
	for _, t := range teams {
		for _, a := range t.Aliases {
			if alias := groupRef(ParseRef(a)); alias.Name != "" && alias == ref {
				return t.Name
			}
		}
	}
	return ""
}

// groupRef returns r with an omitted kind read as "group", the kind
// Backstage assumes for an owner.
func groupRef(r Ref) Ref {
	if r.Name != "" && r.Kind == "" {
		r.Kind = "group"
	}
	return r
}

// codeownersTeam returns the name of the team the CODEOWNERS owner s
// means, or "" when it means none.
func codeownersTeam(s string, teams []Team) string {
	if i := strings.LastIndex(s, "/"); strings.HasPrefix(s, "@") && i > 0 && i < len(s)-1 {
		slug := s[i+1:]
		for _, t := range teams {
			if strings.EqualFold(t.Name, slug) {
				return t.Name
			}
		}
		for _, t := range teams {
			for _, a := range t.Aliases {
				if strings.EqualFold(strings.TrimPrefix(a, "@"), s[1:]) {
					return t.Name
				}
			}
		}
		return ""
	}
	for _, t := range teams {
		for _, a := range t.Aliases {
			if strings.EqualFold(a, s) {
				return t.Name
			}
		}
	}
	return ""
}
