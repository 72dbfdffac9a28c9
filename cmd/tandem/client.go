package main

import (
	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem/web"
)

func client(e env, server string) *web.Client {
	return &web.Client{URL: server, Token: e.getenv("TANDEM_TOKEN")}
}

// post sends body to the API at path and prints the answer, a T: as JSON
// or YAML when output asks for them, and with text, for people, otherwise.
func post[T any](cmd *cobra.Command, e env, server, path string, body any, output string, text func(T)) error {
	var out T
	if err := client(e, server).Post(cmd.Context(), path, body, &out); err != nil {
		return err
	}
	return printAs(e, output, out, func() { text(out) })
}

// whoami is who a command acts as: by, the person its --by names, or when
// it names nobody TANDEM_USER, for an admin acting for someone, or else
// nobody named, and the server records the person whose token it is.
func whoami(e env, by string) string {
	if by != "" {
		return by
	}
	return e.getenv("TANDEM_USER")
}
