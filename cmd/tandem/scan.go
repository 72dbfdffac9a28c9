package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/web"
)

func scanCommand(e env, server *string) *cobra.Command {
	var wait bool
	var output string
	cmd := &cobra.Command{
		Use:   "scan [--wait]",
		Short: "Discover the codebases of every code host and read their owners",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := client(e, *server)
			scan, err := c.StartScan(cmd.Context())
			if err != nil {
				return err
			}
			if !wait {
				return printAs(e, output, scan, func() { printf(e.stdout, "scan %d started over %d code hosts\n", scan.ID, len(scan.Hosts)) })
			}
			if output != "text" {
				if scan, err = waitScan(cmd.Context(), c, scan, io.Discard, e.stderr); err != nil {
					return err
				}
				return encode(e.stdout, output, scan)
			}
			_, err = waitScan(cmd.Context(), c, scan, e.stdout, e.stderr)
			return err
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the scan is done, showing progress")
	outputFlag(cmd, &output, "text")
	return cmd
}

// waitScan follows a scan until it is done, the server answering as it
// moves on, drawing progress on stderr (in place on a terminal, a line per
// change elsewhere), then prints a summary and the problems met on
// stdout. It returns the scan done.
func waitScan(ctx context.Context, c *web.Client, scan tandem.Scan, stdout, stderr io.Writer) (tandem.Scan, error) {
	start := time.Now()
	tty := isTerminal(stderr)
	last := ""
	draw := func() {
		line := progressLine(scan, time.Since(start))
		switch {
		case tty:
			printf(stderr, "\r%s", line)
		case counts(line) != counts(last):
			printf(stderr, "%s\n", line)
		}
		last = line
	}
	for scan.State != tandem.ScanDone {
		draw()
		var err error
		if scan, err = c.Scan(ctx, scan.ID, time.Second); err != nil {
			return scan, err
		}
	}
	draw()
	if tty {
		printf(stderr, "\n")
	}
	printf(stdout, "scan %d done: %d codebases read, %d failed, %s of files read, %d problems\n",
		scan.ID, scan.Done, scan.Failed, size(scan.Bytes), len(scan.Problems))
	for _, p := range scan.Problems {
		printf(stdout, "  %s\n", p)
	}
	return scan, nil
}

// size prints a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// counts is a progress line without its rates, which change every tick.
func counts(line string) string {
	if i := strings.LastIndex(line, " · "); i >= 0 {
		return line[:i]
	}
	return line
}

// isTerminal reports whether w is a character device, where progress can
// be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine draws a scan's progress as a bar, counts and a rate.
func progressLine(s tandem.Scan, elapsed time.Duration) string {
	const width = 30
	read := s.Done + s.Failed
	filled := 0
	if s.Codebases > 0 {
		filled = width * read / s.Codebases
	}
	secs := max(elapsed.Seconds(), 0.001)
	return fmt.Sprintf("[%s%s] %d/%d codebases · %d/%d hosts · %d failed · %s read · %.0f codebases/s, %s/s ",
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		read, s.Codebases, s.HostsDone, len(s.Hosts), s.Failed, size(s.Bytes), float64(read)/secs, size(int64(float64(s.Bytes)/secs)))
}
