package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// streams are the command's standard streams, injected so tests can assert
// exact output.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// Exit codes, as documented in the README.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

// exitErr carries an exit code out of a command. A nil err with code 1 means
// "findings reported" (already printed); code 2 carries the message to print.
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// findingsExit signals exit code 1 without printing anything more.
func findingsExit() error { return &exitErr{code: exitFindings} }

// usageErr is an exit-2 error for bad flags or arguments.
func usageErr(format string, args ...any) error {
	return &exitErr{code: exitError, err: fmt.Errorf(format, args...)}
}

// run executes the CLI with args and returns the process exit code.
func run(ctx context.Context, args []string, s *streams) int {
	out := &stickyWriter{w: s.out}
	code := execute(ctx, args, &streams{in: s.in, out: out, err: s.err})
	if code != exitError && out.err != nil {
		// What the command printed did not all reach its reader (a full
		// disk, a closed file): its result is lost, which is an error.
		werr := out.err
		var pe *fs.PathError
		if errors.As(werr, &pe) {
			werr = pe.Err // "write /dev/stdout: …" says less than "standard output"
		}
		fmt.Fprintf(s.err, "rampart: write standard output: %v\n", werr)
		return exitError
	}
	return code
}

func execute(ctx context.Context, args []string, s *streams) int {
	root := newRootCmd(s)
	root.SetArgs(args)
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitClean
	}
	var ee *exitErr
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(s.err, "rampart: %s\n", interrupted(ctx, userMessage(ee.err)))
		}
		return ee.code
	}
	fmt.Fprintf(s.err, "rampart: %s\n", interrupted(ctx, userMessage(err)))
	return exitError
}

// stickyWriter passes writes on and keeps the first error, so that a
// command printing with fmt.Fprintf (hook status, version, help), which
// does not look at each write's error, still exits 2 when standard output
// could not take what it printed.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (sw *stickyWriter) Write(p []byte) (int, error) {
	n, err := sw.w.Write(p)
	if err != nil && sw.err == nil {
		sw.err = err
	}
	return n, err
}

// underlying is the writer w wraps, if it is a stickyWriter: colour and
// progress ask whether the real stream is a terminal.
func underlying(w io.Writer) io.Writer {
	if sw, ok := w.(*stickyWriter); ok {
		return sw.w
	}
	return w
}

// interrupted words a run stopped by Ctrl-C or SIGTERM for the user: the
// bare "context canceled" it ended with says neither what happened nor
// that nothing was reported.
func interrupted(ctx context.Context, msg string) string {
	if ctx.Err() != nil && strings.HasSuffix(msg, context.Canceled.Error()) {
		return "interrupted (Ctrl-C or SIGTERM): the run stopped before the end, and what it had found is not reported"
	}
	return msg
}

func newRootCmd(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "rampart",
		Short:         "Keep cloud credentials out of git and GitHub repositories locked down",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// rampart --version, cobra's convention, prints what `rampart version` does.
	root.Version = readBuildInfo(debug.ReadBuildInfo()).String()
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitErr{code: exitError, err: err}
	})
	root.AddCommand(
		newScanCmd(s),
		newBaselineCmd(s),
		newRulesCmd(s),
		newConfigCmd(s),
		newHookCmd(s),
		newAuditCmd(s),
		newReportCmd(s),
		newVersionCmd(s),
	)
	return root
}
