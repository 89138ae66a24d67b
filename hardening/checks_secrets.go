package hardening

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Actions secrets are judged by name and date only: GitHub never returns a
// secret's value, and rampart never asks for one.

// cloudKey is a kind of long-lived cloud credential recognised by a secret's
// name, with the short-lived alternative to point at.
type cloudKey struct {
	provider string
	// name matches the upper-cased secret name, with - and . turned into _.
	name   *regexp.Regexp
	remedy string
}

// cloudKeys is compiled on first use: every rampart command initialises
// this package, and only an audit judges secret names.
var cloudKeys = sync.OnceValue(func() []cloudKey {
	return []cloudKey{
		{
			provider: "AWS access key",
			// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, PROD_AWS_SECRET, AWS_KEY_ID,
			// AWS_SECRET_KEY, DEPLOY_AWS_ACCESS_KEY; not AWS_REGION, AWS_ROLE_ARN,
			// AWS_ACCOUNT_ID.
			name:   regexp.MustCompile(`(^|_)AWS(_[A-Z0-9]+)*_(ACCESS_KEY|SECRET|KEY_ID|SECRET_KEY)(_|$)|(^|_)AWS_KEY$`),
			remedy: "aws-actions/configure-aws-credentials with role-to-assume and permissions: id-token: write (GitHub's OIDC provider in IAM)",
		},
		{
			provider: "Google Cloud service-account key",
			// GCP_SA_KEY, GOOGLE_APPLICATION_CREDENTIALS, GCP_CREDENTIALS,
			// GCLOUD_SERVICE_KEY, GKE_SA_KEY_JSON; not GCP_PROJECT_ID, GOOGLE_API_KEY.
			name:   regexp.MustCompile(`(^|_)(GCP|GCLOUD|GOOGLE|GKE|GCS|GCE)(_[A-Z0-9]+)*_(SA_KEY|SERVICE_ACCOUNT_KEY|SERVICE_KEY|CREDENTIALS|APPLICATION_CREDENTIALS|KEYFILE|KEY_FILE|JSON_KEY|KEY_JSON)(_|$)`),
			remedy: "google-github-actions/auth with workload_identity_provider (Workload Identity Federation)",
		},
		{
			provider: "Azure client secret",
			// AZURE_CREDENTIALS (azure/login's JSON with clientSecret),
			// AZURE_CLIENT_SECRET, ARM_CLIENT_SECRET; not AZURE_CLIENT_ID.
			name:   regexp.MustCompile(`(^|_)(AZURE|ARM|AZ)(_[A-Z0-9]+)*_(CLIENT_SECRET|CREDENTIALS)(_|$)`),
			remedy: "azure/login with client-id, tenant-id and subscription-id and a federated credential (OpenID Connect)",
		},
	}
})

// cloudKeyOf returns the kind of long-lived cloud key a secret's name
// says it holds, or nil.
func cloudKeyOf(name string) *cloudKey {
	n := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_", " ", "_").Replace(name))
	keys := cloudKeys()
	for i := range keys {
		if keys[i].name.MatchString(n) {
			return &keys[i]
		}
	}
	return nil
}

func secretLabel(s ActionsSecret) string {
	if s.Environment != "" {
		return s.Name + " (environment " + s.Environment + ")"
	}
	return s.Name
}

// judgeSecrets fails on secrets named like long-lived cloud keys and warns
// on secrets not updated for longer than the policy allows.
func judgeSecrets(sec ActionsSecrets, level string, p *Policy, now time.Time) Outcome {
	if !sec.OK() {
		return unknown(level+" Actions secrets", sec.Read)
	}
	maxDays := int(p.MaxSecretAge / (24 * time.Hour))
	if len(sec.Secrets) == 0 {
		return pass("no %s Actions secrets", level)
	}
	var keys, old []string
	remedies := map[string]string{}
	for _, s := range sec.Secrets {
		if k := cloudKeyOf(s.Name); k != nil {
			keys = append(keys, secretLabel(s)+": "+k.provider)
			remedies[k.provider] = k.remedy
		}
		changed := s.UpdatedAt
		if changed.IsZero() {
			changed = s.CreatedAt
		}
		if !changed.IsZero() && now.Sub(changed) > p.MaxSecretAge {
			old = append(old, fmt.Sprintf("%s (last set %s, %d days ago)", secretLabel(s), changed.UTC().Format("2006-01-02"), daysBetween(changed, now)))
		}
	}
	oldNote := ""
	if len(old) > 0 {
		oldNote = fmt.Sprintf("; %d not rotated in %d days: %s", len(old), maxDays, listSome(old, 10))
	}
	if len(keys) > 0 {
		provs := make([]string, 0, len(remedies))
		for pr := range remedies {
			provs = append(provs, pr)
		}
		sort.Strings(provs)
		var how []string
		for _, pr := range provs {
			how = append(how, pr+" → "+remedies[pr])
		}
		return fail("%d %s Actions %s named like long-lived cloud keys: %s%s (use short-lived credentials instead: %s)",
			len(keys), level, pluralWord(len(keys), "secret", "secrets"), listSome(keys, 10), oldNote, strings.Join(how, "; "))
	}
	if len(old) > 0 {
		return warn("%d of %d %s Actions %s not rotated in %d days: %s", len(old), len(sec.Secrets), level,
			pluralWord(len(sec.Secrets), "secret", "secrets"), maxDays, listSome(old, 10))
	}
	return pass("%d %s Actions %s, none named like a cloud key, each set within %d days", len(sec.Secrets), level,
		pluralWord(len(sec.Secrets), "secret", "secrets"), maxDays)
}

const secretsRemediation = "Replace long-lived cloud keys with OpenID Connect: AWS `aws-actions/configure-aws-credentials` with `role-to-assume` " +
	"and `permissions: id-token: write`; Google Cloud `google-github-actions/auth` with Workload Identity Federation; Azure `azure/login` with a federated credential. " +
	"Then delete the cloud user's keys and the secret (%s). Rotate secrets older than max_secret_age_days (set a new value with `gh secret set NAME`)."

var secretOrgChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "org-actions-secrets", Title: "Organisation Actions secrets hold no long-lived cloud keys and are rotated",
			Scope: ScopeOrg, Severity: SeverityHigh, Permission: PermOrgSecrets,
			Remediation: fmt.Sprintf(secretsRemediation, "`gh secret delete NAME --org {org}`"),
			Run: func(in Input, p *Policy) Outcome {
				return judgeSecrets(in.Org.Secrets, "organisation", p, in.Now)
			},
		},
	}
})

var secretRepoChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "repo-actions-secrets", Title: "Repository and environment secrets hold no long-lived cloud keys and are rotated",
			Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermRepoSecrets,
			Remediation: fmt.Sprintf(secretsRemediation, "`gh secret delete NAME --repo {repo}`, with `--env ENVIRONMENT` for environment secrets"),
			Run: func(in Input, p *Policy) Outcome {
				return judgeSecrets(in.Repo.Secrets, "repository and environment", p, in.Now)
			},
		},
	}
})
