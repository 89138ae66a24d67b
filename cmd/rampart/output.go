package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkOutput refuses, before any work is done, an output file that could
// not be written afterwards: its directory is missing or not writable, or
// it names a directory. It writes nothing to path itself, so an existing
// file survives a run that fails for another reason. "" and "-" (standard
// output) pass. what names the output in the message ("report", "sarif
// report", "baseline").
func checkOutput(what, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErr("cannot write the %s to %s: it is a directory", what, path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageErr("cannot write the %s to %s: the directory %s does not exist", what, path, dir)
	case err != nil:
		return usageErr("cannot write the %s to %s: %v", what, path, err)
	case !st.IsDir():
		return usageErr("cannot write the %s to %s: %s is not a directory", what, path, dir)
	}
	probe, err := os.CreateTemp(dir, ".rampart-write-check-*")
	if err != nil {
		return usageErr("cannot write the %s to %s: %v", what, path, errors.Unwrap(err))
	}
	name := probe.Name()
	probe.Close()
	if err := os.Remove(name); err != nil {
		return &exitErr{code: exitError, err: fmt.Errorf("remove %s: %w", name, err)}
	}
	return nil
}
