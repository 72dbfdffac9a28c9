package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/tandem-dev/tandem/sqlstore"
)

func backupCommand(e env) *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the SQLite database to a new FILE, while the server keeps running",
		Long: `Writes a consistent copy of the SQLite database to FILE, which must not exist.
It reads the database file directly, so the server may keep serving and writing
meanwhile. A PostgreSQL database is backed up with pg_dump -Fc instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := sqlstore.OpenExisting(cmd.Context(), db)
			if err != nil {
				return err
			}
			defer store.Close()
			if err := store.Backup(cmd.Context(), args[0]); err != nil {
				return err
			}
			return printWritten(e, args[0], "backup of "+db)
		},
	}
	cmd.Flags().StringVar(&db, "db", defaultDB, "the SQLite database file to back up")
	return cmd
}

func restoreCommand(e env) *cobra.Command {
	var db string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the SQLite database with a backup FILE; stop the server first",
		Long: `Checks that FILE is a sound backup of a Tandem database, then copies it to the
database file. Stop the server first: a database in use is refused. An existing
database is only replaced with --force. A PostgreSQL database is restored with
pg_restore --clean --if-exists instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sqlstore.Restore(cmd.Context(), args[0], db, force); err != nil {
				return err
			}
			path, _ := sqlstore.SQLiteFile(db)
			return printWritten(e, path, "restored from "+args[0])
		},
	}
	cmd.Flags().StringVar(&db, "db", defaultDB, "the SQLite database file to restore into")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing database")
	return cmd
}

// printWritten prints the file written, its size and what it is.
func printWritten(e env, path, what string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	printf(e.stdout, "wrote %s (%s), %s\n", path, size(info.Size()), what)
	return nil
}
