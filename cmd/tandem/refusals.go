package main

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
)

// dateFlags are the flags that take a day, YYYY-MM-DD.
var dateFlags = []string{"needed-by", "starts", "ends", "day", "until", "effective", "opened"}

// guide makes every refusal of the command line say what to do next: a
// command group given an unknown command suggests the nearest, a date or
// -o value the command cannot take is refused before anything is sent,
// with the valid ones. It returns a report of whether the command itself
// ran (cobra checks required flags after the pre-run hooks, before it), to tell cobra's refusals of the command line (which get the usage
// line, see withNextStep) from the command's own.
func guide(root *cobra.Command) (ran func() bool) {
	started := false
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		for _, name := range dateFlags {
			f := cmd.Flags().Lookup(name)
			if f == nil || !f.Changed {
				continue
			}
			if _, err := time.Parse(time.DateOnly, f.Value.String()); err != nil {
				return tandem.Errorf(tandem.EINVALID, "--%s %q: expected a day as YYYY-MM-DD, such as %s", name, f.Value.String(), time.Now().UTC().AddDate(0, 0, 14).Format(time.DateOnly))
			}
		}
		if f := cmd.Flags().Lookup("output"); f != nil {
			valid := outputs(f.DefValue)
			if v := f.Value.String(); !slices.Contains(valid, v) {
				return tandem.Errorf(tandem.EINVALID, "unknown output %q%s (valid: %s)", v, tandem.DidYouMean(v, valid), strings.Join(valid, ", "))
			}
		}
		return nil
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.Runnable() && c.HasSubCommands() {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				return unknownCommand(cmd, args[0])
			}
		}
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				started = true
				return run(cmd, args)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return func() bool { return started }
}

// outputs are the values -o takes when its default is def: the command's
// own text, json and yaml.
func outputs(def string) []string { return []string{def, "json", "yaml"} }

// unknownCommand refuses a command group's unknown subcommand name.
func unknownCommand(group *cobra.Command, name string) error {
	var names []string
	for _, c := range group.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return tandem.Errorf(tandem.EINVALID, "unknown command %q for %q%s (valid: %s; %s --help says more)",
		name, group.CommandPath(), tandem.DidYouMean(name, names), strings.Join(names, ", "), group.CommandPath())
}

// withNextStep returns err, an error of the command cmd, saying what to do
// next where it does not: cobra's refusals of the command line (a missing
// argument or required flag, an unknown flag), which ran reports, get the
// command's usage line; a refusal of a change made for another person with
// --by says who may.
func withNextStep(cmd *cobra.Command, ran bool, err error) error {
	if cmd == nil {
		return err
	}
	if !ran && tandem.ErrorCode(err) == tandem.EINTERNAL {
		return tandem.Errorf(tandem.EINVALID, "%v: usage: %s (%s --help says more)", err, cmd.UseLine(), cmd.CommandPath())
	}
	var te *tandem.Error
	if f := cmd.Flags().Lookup("by"); f != nil && f.Changed && tandem.ErrorCode(err) == tandem.EFORBIDDEN && errors.As(err, &te) {
		return tandem.Errorf(te.Code, "%s (--by names another person only with an admin's token, and only a member of the teams concerned; leave it out to act as the token's person)", te.Message)
	}
	return err
}
