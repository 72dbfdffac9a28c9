// Command tandem runs Tandem's server and talks to it.
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // nudge schedules name time zones; do not depend on the host having them

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what commands read from outside their flags.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// run runs the command line args and returns the exit code: 0 on success,
// 1 on error, printed plainly on stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	e := env{getenv: getenv, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "tandem",
		Short:         "Tandem gets platform changes into other teams' code",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.DisableSuggestions = true // guide suggests, on one line
	root.SetOut(stdout)
	root.SetErr(stderr)
	server := root.PersistentFlags().String("server", serverDefault(getenv), "Tandem server URL (env TANDEM_SERVER)")
	root.AddCommand(
		serveCommand(e),
		applyCommand(e, server),
		getCommand(e, server),
		scanCommand(e, server),
		checkCommand(e, server),
		adoptionCommand(e, server),
		campaignCommand(e, server),
		requestCommand(e, server),
		engagementCommand(e, server),
		sessionCommand(e, server),
		platformCommand(e, server),
		contributionCommand(e, server),
		adviseCommand(e, server),
		contributorsCommand(e, server),
		viewCommand(e, server, "interactions", "How every pair of teams works together now: collaboration, facilitating, X-as-a-service",
			"interactions", "interactions", cobra.NoArgs),
		tokenCommand(e, server),
		benchCommand(e),
		backupCommand(e),
		restoreCommand(e),
	)
	ran := guide(root)
	if cmd, err := root.ExecuteContextC(ctx); err != nil {
		printError(stderr, withNextStep(cmd, ran(), err))
		return 1
	}
	return 0
}

func serverDefault(getenv func(string) string) string {
	if s := getenv("TANDEM_SERVER"); s != "" {
		return s
	}
	return "http://127.0.0.1:8080"
}

// printError prints located problems one a line, and any other error as
// one line.
func printError(w io.Writer, err error) {
	var invalid *tandem.InvalidError
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			printf(w, "error: %s\n", p)
		}
		return
	}
	printf(w, "error: %s\n", err)
}
