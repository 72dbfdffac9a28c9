package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/web"
)

func applyCommand(e env, server *string) *cobra.Command {
	var paths []string
	var output string
	cmd := &cobra.Command{
		Use:   "apply -f PATH",
		Short: "Create or update objects from YAML files (a file or a folder), all or nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var files []web.File
			for _, p := range paths {
				srcs, err := manifest.Read(p)
				if err != nil {
					return err
				}
				for _, s := range srcs {
					files = append(files, web.File{Name: s.Name, Content: string(s.Data)})
				}
			}
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			applied, err := client(e, *server).Apply(cmd.Context(), wd, files)
			if err != nil {
				return err
			}
			err = printAs(e, output, applied, func() {
				for _, a := range applied {
					printf(e.stdout, "%s/%s %s\n", strings.ToLower(a.Kind), a.Name, a.Action)
				}
			})
			// Warnings go to stderr in every format: what was applied
			// stands, and -o json stays one document.
			for _, a := range applied {
				if a.Warning != "" {
					printf(e.stderr, "warning: %s\n", a.Warning)
				}
			}
			return err
		},
	}
	cmd.Flags().StringArrayVarP(&paths, "filename", "f", nil, "YAML file or folder to apply (repeatable)")
	_ = cmd.MarkFlagRequired("filename")
	outputFlag(cmd, &output, "text")
	return cmd
}
