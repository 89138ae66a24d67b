package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/configimport"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// configImportOptions are the flags of `rampart config import`.
type configImportOptions struct {
	output     string
	force      bool
	from       string
	gitSecrets bool
}

// Input formats for --from.
const (
	fromAuto      = "auto"
	fromGitleaks  = "gitleaks"
	fromGitConfig = "git-config"
	fromPatterns  = "patterns"
)

func newConfigCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with .rampart.toml",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("config: unknown subcommand %q (want import)", args[0])
			}
			return usageErr("config: want a subcommand (import)")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newConfigImportCmd(s))
	return cmd
}

func newConfigImportCmd(s *streams) *cobra.Command {
	o := &configImportOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE | --git-secrets [REPO]",
		Short: "Convert a .gitleaks.toml or git-secrets patterns into .rampart.toml",
		Long: "Convert another scanner's configuration into .rampart.toml.\n\n" +
			"FILE is a gitleaks config (.gitleaks.toml), a git config file with a [secrets] section\n" +
			"(git-secrets), or - for standard input; --from says which when guessing is not wanted\n" +
			"(\"patterns\" reads one git-secrets pattern per line). --git-secrets reads secrets.patterns,\n" +
			"secrets.allowed and secrets.providers from git config as seen from REPO (default .).\n\n" +
			"Whatever does not convert (regexes Go's RE2 cannot run, per-rule allow lists, commit\n" +
			"allow lists, provider commands) is reported on stderr and in the file's header, never\n" +
			"dropped silently. The result is checked by parsing it as rampart will before it is written.",
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) > 1:
				return usageErr("config import: want one FILE, got %d arguments", len(args))
			case !o.gitSecrets && len(args) == 0:
				return usageErr("config import: want a FILE (or - for standard input), or --git-secrets")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigImport(cmd.Context(), s, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", scanner.ConfigFileName, "write to `FILE` (- for standard output)")
	f.BoolVar(&o.force, "force", false, "overwrite the output file if it exists")
	f.StringVar(&o.from, "from", fromAuto, "input format: auto, gitleaks, git-config or patterns")
	f.BoolVar(&o.gitSecrets, "git-secrets", false, "read git-secrets' settings with git config in REPO (the argument, default .)")
	return cmd
}

func runConfigImport(ctx context.Context, s *streams, o *configImportOptions, args []string) error {
	switch o.from {
	case fromAuto, fromGitleaks, fromGitConfig, fromPatterns:
	default:
		return usageErr("config import: unknown --from %q (want auto, gitleaks, git-config or patterns)", o.from)
	}
	if o.gitSecrets && o.from != fromAuto {
		return usageErr("config import: --git-secrets and --from cannot be combined")
	}
	builtin, err := patterns.Builtin()
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	opts := configimport.Options{}
	for _, r := range builtin {
		opts.Builtin = append(opts.Builtin, r.ID)
	}

	var res *configimport.Result
	var source, kind string
	if o.gitSecrets {
		repo := "."
		if len(args) == 1 {
			repo = args[0]
		}
		in, err := readGitSecrets(ctx, repo)
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("config import: %w", err)}
		}
		source, kind = "git config in "+repo, "git-secrets"
		res, err = configimport.GitSecrets(in, opts)
		if errors.Is(err, configimport.ErrEmpty) {
			return &exitErr{code: exitError, err: fmt.Errorf("config import: no secrets.patterns, secrets.allowed or secrets.providers in git config of %s (is git-secrets set up there?)", repo)}
		}
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("config import: %w", err)}
		}
	} else {
		source = args[0]
		data, err := readImportInput(s, source)
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("config import: %w", err)}
		}
		if source == "-" {
			source = "standard input"
		}
		res, kind, err = convertInput(data, o.from, opts)
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("config import: %s: %w", source, err)}
		}
	}

	// Only once the input has been read and converted: a missing input is
	// the problem to report, not the existing output.
	if o.output != "-" && !o.force {
		if _, err := os.Lstat(o.output); err == nil {
			return usageErr("config import: %s exists; use --force to overwrite it or --output - to print", o.output)
		}
	}
	header := fmt.Sprintf("rampart configuration converted from %s (%s) by `rampart config import`.", source, kind)
	doc, err := configimport.Document(res, header)
	if err != nil {
		return &exitErr{code: exitError, err: fmt.Errorf("config import: %w", err)}
	}
	name := o.output
	if name == "-" {
		name = scanner.ConfigFileName
	}
	if _, err := scanner.ParseConfig(name, doc); err != nil {
		return &exitErr{code: exitError, err: fmt.Errorf("config import: the converted configuration does not load (please report this):\n%w", err)}
	}

	for _, w := range res.Warnings {
		fmt.Fprintf(s.err, "rampart: warning: %s\n", printable(w.String()))
	}
	if o.output == "-" {
		if _, err := s.out.Write(doc); err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("config import: write: %w", err)}
		}
	} else {
		if err := writeNewFile(o.output, doc, o.force); err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("config import: %w", err)}
		}
	}
	a := res.Config.Allowlist
	count := func(n int, one, many string) string { return fmt.Sprintf("%d %s", n, pluralize(n, one, many)) }
	fmt.Fprintf(s.err, "rampart: converted %s: %s, %s, allow list of %s, %s, %s; %s", printable(source),
		count(len(res.Config.Rules), "rule", "rules"), count(len(res.Config.Disable), "disabled built-in rule", "disabled built-in rules"),
		count(len(a.Paths), "path", "paths"), count(len(a.Regexes), "regex", "regexes"), count(len(a.Stopwords), "stopword", "stopwords"),
		count(len(res.Warnings), "warning", "warnings"))
	if o.output != "-" {
		fmt.Fprintf(s.err, "; wrote %s", printable(o.output))
	}
	fmt.Fprintln(s.err)
	return nil
}

// maxImportSize bounds an input configuration: real ones are kilobytes.
const maxImportSize = 16 << 20

func readImportInput(s *streams, name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = s.in
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read input: %w", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("read input: %s is a directory", name)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	if len(data) > maxImportSize {
		return nil, fmt.Errorf("read input: larger than %d bytes", maxImportSize)
	}
	return data, nil
}

var secretsSection = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?mi)^[ \t]*\[[ \t]*secrets[ \t]*\]`) })

// convertInput converts data in format from, guessing the format for
// "auto": a git config with a [secrets] section is git-secrets', else TOML
// is gitleaks'. It returns the result and the format's name.
func convertInput(data []byte, from string, opts configimport.Options) (*configimport.Result, string, error) {
	if from == fromAuto {
		var probe map[string]any
		_, tomlErr := toml.Decode(string(data), &probe)
		switch {
		case secretsSection().Match(data):
			from = fromGitConfig
		case tomlErr == nil:
			from = fromGitleaks
		default:
			return nil, "", fmt.Errorf("neither a gitleaks TOML config (%v) nor a git config with a [secrets] section; use --from patterns for one git-secrets pattern per line", tomlErr)
		}
	}
	var (
		res *configimport.Result
		err error
	)
	kind := "git-secrets"
	switch from {
	case fromGitleaks:
		kind = "gitleaks"
		res, err = configimport.Gitleaks(data, opts)
	case fromGitConfig:
		in, perr := configimport.ParseGitConfig(data)
		if perr != nil {
			return nil, "", perr
		}
		res, err = configimport.GitSecrets(in, opts)
	case fromPatterns:
		res, err = configimport.GitSecrets(configimport.ParsePatternLines(data), opts)
	}
	if errors.Is(err, configimport.ErrEmpty) {
		return nil, "", fmt.Errorf("no rules, allow lists or patterns to convert (as %s)", kind)
	}
	return res, kind, err
}

// readGitSecrets reads git-secrets' keys from git config as seen from repo
// (every scope, as `git config --get-all` would).
func readGitSecrets(ctx context.Context, repo string) (configimport.GitSecretsInput, error) {
	r, err := gitsource.Open(ctx, repo)
	if err != nil {
		return configimport.GitSecretsInput{}, repoError(err, repo, "--git-secrets")
	}
	out, err := r.Git(ctx, "config", "--list", "-z")
	if err != nil {
		return configimport.GitSecretsInput{}, fmt.Errorf("read git config: %w", err)
	}
	return configimport.ParseGitConfigList(out), nil
}

// writeNewFile writes data to name, refusing to replace an existing file
// unless force is set.
func writeNewFile(name string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(name, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; use --force to overwrite it or --output - to print", name)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := io.Copy(f, bytes.NewReader(data)); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
