package github

import "strings"

// TokenFromEnv returns the token rampart uses for GitHub: GITHUB_TOKEN,
// else GH_TOKEN (the GitHub CLI's name), trimmed; empty for anonymous
// access. getenv is os.Getenv outside tests.
func TokenFromEnv(getenv func(string) string) string {
	if t := strings.TrimSpace(getenv("GITHUB_TOKEN")); t != "" {
		return t
	}
	return strings.TrimSpace(getenv("GH_TOKEN"))
}

// TokenKind names a token by its documented prefix. It never returns any
// part of the token.
func TokenKind(token string) string {
	switch {
	case token == "":
		return "none (anonymous: public data only, 60 requests an hour)"
	case strings.HasPrefix(token, "ghp_"):
		return "classic personal access token"
	case strings.HasPrefix(token, "github_pat_"):
		return "fine-grained personal access token"
	case strings.HasPrefix(token, "ghs_"):
		return "GitHub App installation token (or Actions GITHUB_TOKEN)"
	case strings.HasPrefix(token, "gho_"):
		return "OAuth app token"
	case strings.HasPrefix(token, "ghu_"):
		return "GitHub App user token"
	}
	return "unrecognised token format"
}
