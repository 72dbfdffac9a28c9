package main

import (
	"context"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/web"
)

func tokenCommand(e env, server *string) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Personal API tokens: create, list, revoke (admins)"}
	var q web.TokenRequest
	var db, createOut, listOut, revokeOut string
	create := &cobra.Command{
		Use:   "create --person HANDLE --role admin|platform-owner|team-member|viewer|ci [--codebase NAME] [--label TEXT]",
		Short: "Create a token and print its secret, shown this once",
		Long: `Creates a token for a person. Team-members act for the teams the catalog lists
them in, platform-owners also for the platforms those teams own; viewers read.
A ci token (--role ci --codebase NAME) only pushes the results of checks of
source ci for that codebase (tandem check --push), and reads nothing.

With --db, the token is written straight into the database, without a server or
a token: the way back in for whoever runs the database, when every admin token
is lost.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var out web.NewToken
			if db != "" {
				var err error
				if out, err = createTokenInDB(cmd.Context(), db, q); err != nil {
					return err
				}
			} else if err := client(e, *server).Post(cmd.Context(), "tokens", q, &out); err != nil {
				return err
			}
			return printAs(e, createOut, out, func() {
				printf(e.stdout, "token %d for %s (%s); its secret, shown this once:\n%s\n", out.Token.ID, out.Token.Person, out.Token.Role, out.Secret)
			})
		},
	}
	outputFlag(create, &createOut, "text")
	create.Flags().StringVar(&q.Person, "person", "", "whose token it is (a person of the catalog, but for admins and viewers)")
	create.Flags().StringVar(&q.Role, "role", tandem.RoleViewer, "admin, platform-owner, team-member, viewer or ci")
	create.Flags().StringVar(&q.Codebase, "codebase", "", "ci: the one codebase the token pushes results for")
	create.Flags().StringVar(&q.Label, "label", "", "what the token is for")
	create.Flags().StringVar(&db, "db", "", "write into this database directly instead of asking the server")

	list := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var ts []tandem.Token
			if err := client(e, *server).Get(cmd.Context(), "tokens", "", nil, &ts); err != nil {
				return err
			}
			return printAs(e, listOut, ts, func() { printTokens(e.stdout, ts) })
		},
	}
	outputFlag(list, &listOut, "table")
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token: it no longer signs anyone in",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := strconv.ParseInt(args[0], 10, 64); err != nil {
				return tandem.Errorf(tandem.EINVALID, "token id %q is not a number (tandem token list shows the ids)", args[0])
			}
			return post(cmd, e, *server, "tokens/"+args[0]+"/revoke", nil, revokeOut, func(t tandem.Token) {
				printf(e.stdout, "token %d of %s revoked\n", t.ID, t.Person)
			})
		},
	}
	outputFlag(revoke, &revokeOut, "text")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// createTokenInDB creates a token in a database directly.
func createTokenInDB(ctx context.Context, dsn string, q web.TokenRequest) (web.NewToken, error) {
	store, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return web.NewToken{}, err
	}
	defer store.Close()
	secret := tandem.NewTokenSecret()
	t, err := store.CreateToken(ctx, tandem.Token{Person: q.Person, Role: q.Role, Label: q.Label, Codebase: q.Codebase}, tandem.HashToken(secret))
	return web.NewToken{Token: t, Secret: secret}, err
}

func printTokens(w io.Writer, ts []tandem.Token) {
	printf(w, "%-4s %-16s %-15s %-20s %-17s %s\n", "ID", "PERSON", "ROLE", "LABEL", "LAST USED", "STATE")
	for _, t := range ts {
		used, state := "never", "live"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.Format("2006-01-02 15:04")
		}
		if t.RevokedAt != nil {
			state = "revoked " + t.RevokedAt.Format("2006-01-02")
		}
		role := t.Role
		if t.Codebase != "" {
			role += ":" + t.Codebase
		}
		printf(w, "%-4d %-16s %-15s %-20s %-17s %s\n", t.ID, t.Person, role, t.Label, used, state)
	}
}

// bootstrapToken creates the first admin token of a database that has
// none and returns its secret, or "" when tokens exist. TANDEM_BOOTSTRAP_TOKEN,
// when set, is the secret, for automated setups that must know it.
func bootstrapToken(ctx context.Context, db *sqlstore.DB, getenv func(string) string) (string, error) {
	var secret string
	err := db.Exclusive(ctx, "bootstrap-token", func(ctx context.Context) error {
		ts, err := db.FindTokens(ctx)
		if err != nil || len(ts) > 0 {
			return err
		}
		secret = getenv("TANDEM_BOOTSTRAP_TOKEN")
		if secret == "" {
			secret = tandem.NewTokenSecret()
		}
		_, err = db.CreateToken(ctx, tandem.Token{Person: "admin", Role: tandem.RoleAdmin, Label: "bootstrap"}, tandem.HashToken(secret))
		return err
	})
	return secret, err
}
