// Package verify checks whether leaked credentials are live, with the
// cheapest read-only identity call each provider documents, and recognises
// canary tokens offline. It is the only package that sends a secret
// anywhere, and it sends each secret only to its own provider's documented
// endpoint, over HTTPS, never following a redirect to another host.
//
// Findings in, verification results out: Verify records a
// scanner.Verification on every finding, making one call per distinct
// credential however many findings share it. Provider verifiers are data
// (verifiers.toml: endpoint, method, headers, what an answer means); AWS,
// which needs SigV4 signing, is Go with the AWS SDK's signer.
package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/verify/canary"
)

// DefaultWorkers is how many credentials are checked at once.
const DefaultWorkers = 8

// DefaultRate is how many requests per second go to one provider unless its
// verifier says otherwise: well under every documented limit, and each
// secret is asked about once.
const DefaultRate = 10

// DefaultMaxWait is the longest Retry-After honoured before giving up on a
// credential as unknown.
const DefaultMaxWait = 30 * time.Second

// Options configure a Verifier. The zero value is usable.
type Options struct {
	// Workers is how many credentials are checked at once (default 8).
	Workers int
	// Timeout bounds one request (default RequestTimeout, 10 s).
	Timeout time.Duration
	// Budget, when set, bounds the whole of Verify: credentials not checked
	// in time are unknown. Hooks use a short budget so that a slow provider
	// never holds a commit hostage.
	Budget time.Duration
	// Cache, when set, answers for credentials checked recently and keeps
	// new answers (fingerprints, status and identity only).
	Cache *Cache
	// Canaries are the canary accounts (default: DefaultCanaries). A canary
	// is never sent anywhere.
	Canaries *canary.List
	// Rules are the rules the scan ran. A built-in rule that the
	// configuration redefined (same ID, another regex) is not verified: its
	// matches are not what the provider's verifier was written for. Nil
	// trusts every built-in rule ID.
	Rules []*patterns.Rule
	// Getenv reads endpoint overrides (default os.Getenv).
	Getenv func(string) string
	// Transport replaces the HTTP transport (tests); every request still
	// passes the endpoint guard.
	Transport http.RoundTripper
	// UserAgent is sent with every request (default "rampart (secret verification)").
	UserAgent string
	// MaxWait is the longest Retry-After honoured (default 30 s).
	MaxWait time.Duration
	// RetryDelay is the pause before retrying a 5xx with no Retry-After
	// (default 500 ms).
	RetryDelay time.Duration
}

// Verifier checks credentials. It is safe for one Verify call at a time.
type Verifier struct {
	specs      map[string]*spec
	notChecked map[string]notCheckedSpec
	trusted    map[string]bool
	client     *http.Client
	getenv     func(string) string
	canaries   *canary.List
	cache      *Cache
	workers    int
	budget     time.Duration
	timeout    time.Duration
	maxWait    time.Duration
	retryDelay time.Duration
	userAgent  string

	mu       sync.Mutex
	limiters map[string]*limiter
	requests atomic.Int64
}

// Summary counts what Verify did.
type Summary struct {
	// Credentials is the number of distinct credentials that had a verifier.
	Credentials int
	// Requests is the number of HTTP requests sent, retries included.
	Requests int
	// Cached is the number of credentials answered from the cache.
	Cached int
	// Findings counts findings by status.
	Findings map[scanner.VerifyStatus]int
	// Duration is how long Verify took.
	Duration time.Duration
}

// New returns a Verifier.
func New(o Options) (*Verifier, error) {
	f, err := builtinSpecs()
	if err != nil {
		return nil, err
	}
	builtin, err := patterns.Builtin()
	if err != nil {
		return nil, err
	}
	v := &Verifier{
		specs:      map[string]*spec{},
		notChecked: map[string]notCheckedSpec{},
		trusted:    map[string]bool{},
		getenv:     o.Getenv,
		canaries:   o.Canaries,
		cache:      o.Cache,
		workers:    o.Workers,
		budget:     o.Budget,
		timeout:    o.Timeout,
		maxWait:    o.MaxWait,
		retryDelay: o.RetryDelay,
		userAgent:  o.UserAgent,
		limiters:   map[string]*limiter{},
	}
	for i := range f.Verifiers {
		for _, id := range f.Verifiers[i].Rules {
			v.specs[id] = &f.Verifiers[i]
		}
	}
	for _, n := range f.NotChecked {
		for _, id := range n.Rules {
			v.notChecked[id] = n
		}
	}
	src := map[string]string{}
	for _, r := range builtin {
		src[r.ID] = r.Source
	}
	if o.Rules == nil {
		for id := range src {
			v.trusted[id] = true
		}
	} else {
		for _, r := range o.Rules {
			if s, ok := src[r.ID]; ok && s == r.Source {
				v.trusted[r.ID] = true
			}
		}
	}
	if v.getenv == nil {
		v.getenv = os.Getenv
	}
	if v.canaries == nil {
		v.canaries = canary.Default()
	}
	if v.workers <= 0 {
		v.workers = DefaultWorkers
	}
	if v.timeout <= 0 {
		v.timeout = RequestTimeout
	}
	if v.maxWait <= 0 {
		v.maxWait = DefaultMaxWait
	}
	if v.retryDelay <= 0 {
		v.retryDelay = 500 * time.Millisecond
	}
	if v.userAgent == "" {
		v.userAgent = "rampart (secret verification)"
	}
	v.client = newHTTPClient(o.Transport, v.timeout)
	return v, nil
}

// job is one distinct credential to check and the findings that share it.
type job struct {
	key      string // cache key: fingerprints only
	provider string
	findings []int
	// Exactly one of these is set.
	spec   *spec
	ruleID string
	secret string
	// attrs are the companion values the spec needs (an account SID, a
	// shop's domain, a second secret), read from the finding; scrub are
	// the second secrets among them, kept out of what is reported.
	attrs     map[string]string
	scrub     []string
	aws       *awsCred
	azure     *azureCred
	result    scanner.Verification
	fromCache bool
}

// Verify checks every distinct credential in fs and records the outcome on
// each finding (fs[i].Verification). Canary tokens are marked and never
// sent; findings without a verifier are not-checked. Verify never returns
// an error: what could not be checked is unknown, with the reason.
func (v *Verifier) Verify(ctx context.Context, fs []scanner.Finding) Summary {
	start := time.Now()
	v.requests.Store(0)
	canary.Mark(fs, v.canaries)
	if v.budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, v.budget)
		defer cancel()
	}
	jobs, lone, waiting := v.plan(fs)
	sum := Summary{Credentials: len(jobs), Findings: map[scanner.VerifyStatus]int{}}
	var todo []*job
	for _, j := range jobs {
		if v.cache != nil {
			if r, ok := v.cache.get(j.key); ok {
				j.result, j.fromCache = r, true
				sum.Cached++
				continue
			}
		}
		todo = append(todo, j)
	}
	v.run(ctx, todo)
	for _, j := range jobs {
		for _, i := range j.findings {
			r := j.result
			fs[i].Verification = &r
		}
		if v.cache != nil && !j.fromCache && j.definite() {
			v.cache.put(j.key, j.result)
		}
	}
	v.resolveLone(fs, lone)
	v.shareCompanionAnswers(fs, waiting)
	for i := range fs {
		if fs[i].Verification == nil {
			fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: "no verifier for this rule"}
		}
		sum.Findings[fs[i].Verification.Status]++
	}
	sum.Requests = int(v.requests.Load())
	sum.Duration = time.Since(start)
	return sum
}

// definite reports whether the answer may be cached: unknown must be asked
// again next time.
func (j *job) definite() bool {
	return j.result.Status == scanner.VerifyValid || j.result.Status == scanner.VerifyInvalid
}

// plan groups findings into jobs (one per distinct credential) and marks
// what cannot be checked. lone lists AWS halves without their other half,
// settled once the pairs are checked; waiting, secrets found without a
// companion value, which share a valid answer for the same secret checked
// with its companion elsewhere.
func (v *Verifier) plan(fs []scanner.Finding) ([]*job, []int, []int) {
	byKey := map[string]*job{}
	var order []*job
	add := func(key string, mk func() *job, i int) *job {
		j := byKey[key]
		if j == nil {
			j = mk()
			j.key = key
			byKey[key] = j
			order = append(order, j)
		}
		j.findings = append(j.findings, i)
		return j
	}
	secretOf := map[string]string{} // fingerprint → secret
	for i := range fs {
		secretOf[fs[i].Fingerprint] = fs[i].Secret
	}
	attached := make([]bool, len(fs))
	var lone, waiting []int
	// AWS key IDs first: each with its secret (and session token) is one job.
	for i := range fs {
		f := &fs[i]
		if f.RuleID != ruleAWSKeyID {
			continue
		}
		if canary.Is(f) {
			fs[i].Verification = canaryResult(f)
			attached[i] = true
			continue
		}
		if !v.trusted[f.RuleID] {
			continue
		}
		pairFP := f.Attributes["pair"]
		secret := secretOf[pairFP]
		if pairFP == "" || secret == "" {
			continue // a key ID alone: settled in resolveLone
		}
		cred := awsCred{keyID: f.Secret, secret: secret}
		// Keyed by the credential's values, not by the rules that found
		// them: the same secret key found by the paired and the unpaired
		// secret rule is one credential, checked once.
		key := "aws:" + scanner.Fingerprint(ruleAWSKeyID, f.Secret) + ":" + scanner.Fingerprint(ruleAWSSecret, secret)
		toks := canary.SessionTokensFor(fs, i)
		if strings.HasPrefix(f.Secret, "ASIA") {
			if len(toks) == 0 {
				r := &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: "a temporary key (ASIA…) is checked with its session token, and none stands near it"}
				fs[i].Verification = r
				for k := range fs {
					if fs[k].Fingerprint == pairFP && fs[k].Attributes["pair"] == f.Fingerprint {
						c := *r
						fs[k].Verification = &c
						attached[k] = true
					}
				}
				attached[i] = true
				continue
			}
			cred.token = fs[toks[0]].Secret
			key += ":" + scanner.Fingerprint(ruleAWSSession, cred.token)
		}
		j := add(key, func() *job { return &job{provider: awsProvider, aws: &cred} }, i)
		attached[i] = true
		for k := range fs {
			if !attached[k] && fs[k].Fingerprint == pairFP && fs[k].Attributes["pair"] == f.Fingerprint {
				j.findings = append(j.findings, k)
				attached[k] = true
			}
		}
		if cred.token != "" {
			j.findings = append(j.findings, toks[0])
			attached[toks[0]] = true
		}
	}
	for i := range fs {
		f := &fs[i]
		if attached[i] {
			continue
		}
		switch {
		case canary.Is(f):
			fs[i].Verification = canaryResult(f)
		case isAWSRule(f.RuleID):
			lone = append(lone, i)
		case isAzureRule(f.RuleID) && v.trusted[f.RuleID]:
			acct := f.Attributes[azureAccountAttr]
			if acct == "" {
				d := "the connection string's account name was not recorded"
				if f.RuleID == ruleAzureAccountKey {
					d = "the storage account's name was not found near it, so it cannot be checked"
				}
				fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: d}
				continue
			}
			// Keyed by the key itself, not the rule: a key found in a
			// connection string and alone next to its account is one check.
			key := "azure:" + scanner.Fingerprint("azure-storage-key", f.Secret) + ":" + scanner.Fingerprint("azure-account", acct)
			add(key, func() *job {
				return &job{provider: azureProvider, azure: &azureCred{account: acct, key: f.Secret, ruleID: f.RuleID}}
			}, i)
		case !v.trusted[f.RuleID]:
			if v.specs[f.RuleID] != nil {
				fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: "the configuration redefines this rule: rampart verifies only what its built-in rules find"}
			} else {
				fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: "no verifier for this rule"}
			}
		case v.specs[f.RuleID] != nil && !v.specs[f.RuleID].accepts(f.Secret):
			fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: v.specs[f.RuleID].Other}
		case v.specs[f.RuleID] != nil:
			// Keyed by verifier and secret, not by finding fingerprint: two
			// rules of one provider (telegram-bot-token and its context
			// rule) finding the same token in different places still make
			// one call.
			s := v.specs[f.RuleID]
			cv, why := companionValues(s, f, secretOf)
			if why != "" {
				fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: why}
				waiting = append(waiting, i)
				continue
			}
			// One credential is the secret with its companions: the same
			// token next to another shop is another check.
			key := "spec:" + s.Rules[0] + ":" + scanner.Fingerprint(s.Rules[0], f.Secret) + cv.key
			j := add(key, func() *job {
				return &job{provider: s.Provider, spec: s, ruleID: f.RuleID, secret: f.Secret, attrs: cv.attrs, scrub: cv.secrets}
			}, i)
			if len(j.findings) == 1 {
				// A new job: its second secrets' findings join it once.
				cv.attach(j, fs)
			}
		case v.notChecked[f.RuleID].Reason != "":
			fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: v.notChecked[f.RuleID].Reason}
		default:
			fs[i].Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: "no verifier for this rule"}
		}
	}
	return order, lone, waiting
}

func canaryResult(f *scanner.Finding) *scanner.Verification {
	return &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: "a canary token (" + canary.VendorName(f.Attributes[canary.Attr]) + "): never sent to AWS"}
}

// resolveLone settles AWS halves found without their other half: the same
// key ID or secret checked as part of a pair elsewhere shares that answer
// (it is the same credential); otherwise it cannot be checked.
func (v *Verifier) resolveLone(fs []scanner.Finding, lone []int) {
	known := map[string]*scanner.Verification{}
	for i := range fs {
		r := fs[i].Verification
		if r == nil || !isAWSRule(fs[i].RuleID) || fs[i].Attributes["pair"] == "" {
			continue
		}
		// A valid answer for a key ID wins over an invalid one (the same key
		// ID next to a wrong secret elsewhere).
		if prev := known[fs[i].Fingerprint]; prev == nil || r.Status == scanner.VerifyValid {
			known[fs[i].Fingerprint] = r
		}
	}
	for _, i := range lone {
		f := &fs[i]
		if r := known[f.Fingerprint]; r != nil && r.Status != scanner.VerifyNotChecked {
			c := *r
			c.Detail = strings.TrimSpace(c.Detail + " (checked with its pair elsewhere in this scan)")
			f.Verification = &c
			continue
		}
		var d string
		switch {
		case !v.trusted[f.RuleID]:
			d = "the configuration redefines this rule: rampart verifies only what its built-in rules find"
		case f.RuleID == ruleAWSKeyID:
			d = "a key ID alone cannot be checked: its secret key was not found near it"
		case isAWSSecretRule(f.RuleID):
			d = "a secret key alone cannot be checked: its key ID was not found near it"
		default:
			d = "a session token alone cannot be checked: its key ID and secret key were not found near it"
		}
		f.Verification = &scanner.Verification{Status: scanner.VerifyNotChecked, Detail: d}
	}
}

// run checks jobs with v.workers goroutines.
func (v *Verifier) run(ctx context.Context, jobs []*job) {
	ch := make(chan *job)
	var wg sync.WaitGroup
	for w := 0; w < v.workers && w < len(jobs); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				a := v.check(ctx, j)
				secret := j.secret
				j.result = scanner.Verification{Status: a.status, Identity: a.identity, Detail: a.detail}
				for _, s := range append([]string{secret, signingSecret(j)}, j.scrub...) {
					j.result.Identity = scrub(j.result.Identity, s)
					j.result.Detail = scrub(j.result.Detail, s)
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
}

// signingSecret is the secret of a Go-verified credential, to scrub from
// what is reported.
func signingSecret(j *job) string {
	switch {
	case j.aws != nil:
		return j.aws.secret
	case j.azure != nil:
		return j.azure.key
	}
	return ""
}

// check makes the calls for one credential.
func (v *Verifier) check(ctx context.Context, j *job) answer {
	if err := ctx.Err(); err != nil {
		return budgetAnswer(v.budget, err)
	}
	if j.aws != nil {
		return v.attempt(ctx, awsProvider, DefaultRate, func(ctx context.Context) answer { return v.checkAWS(ctx, *j.aws) })
	}
	if j.azure != nil {
		return v.attempt(ctx, azureProvider, DefaultRate, func(ctx context.Context) answer { return v.checkAzure(ctx, *j.azure) })
	}
	s := j.spec
	urls, err := s.targets(j.ruleID, j.secret, j.attrs, v.getenv)
	if err != nil {
		return answer{status: scanner.VerifyUnknown, detail: scrub(err.Error(), j.secret)}
	}
	var last answer
	for _, u := range urls {
		u := u
		a := v.attempt(ctx, s.Provider, s.Rate, func(ctx context.Context) answer {
			req, err := s.request(u, j.secret, j.attrs, v.userAgent)
			if err != nil {
				return answer{status: scanner.VerifyUnknown, detail: "could not build the request"}
			}
			resp, err := v.client.Do(req.WithContext(ctx))
			if err != nil {
				return networkAnswer(err)
			}
			defer resp.Body.Close()
			return s.judge(resp, j.secret)
		})
		if a.status != scanner.VerifyInvalid {
			return a
		}
		last = a
	}
	if len(urls) > 1 {
		last.detail = strings.TrimSpace(last.detail + " (in every region)")
	}
	return last
}

func budgetAnswer(budget time.Duration, err error) answer {
	if errors.Is(err, context.DeadlineExceeded) && budget > 0 {
		return answer{status: scanner.VerifyUnknown, detail: fmt.Sprintf("not checked within the %s verification budget", budget)}
	}
	return answer{status: scanner.VerifyUnknown, detail: "verification was cancelled"}
}

// attempt makes one call, and one retry when the answer says a retry may
// help (5xx, 429, a failed connection), honouring Retry-After up to
// v.maxWait. Every call waits for the provider's rate limit.
func (v *Verifier) attempt(ctx context.Context, provider string, perSecond float64, call func(context.Context) answer) answer {
	lim := v.limiter(provider, perSecond)
	var a answer
	for try := 0; try < 2; try++ {
		if err := lim.wait(ctx); err != nil {
			return budgetAnswer(v.budget, err)
		}
		rctx, cancel := context.WithTimeout(ctx, v.timeout)
		a = call(rctx)
		cancel()
		v.requests.Add(1)
		if !a.retry || try == 1 {
			break
		}
		wait := a.wait
		if wait > v.maxWait {
			a.detail += fmt.Sprintf("; asked to wait %s, longer than %s", wait.Round(time.Second), v.maxWait)
			break
		}
		if a.limited {
			lim.pause(wait)
			continue
		}
		if wait == 0 {
			wait = v.retryDelay
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return budgetAnswer(v.budget, ctx.Err())
		case <-t.C:
		}
	}
	if a.retry {
		a.detail += " (after one retry)"
	}
	return a
}

// limiter is one provider's rate limit, which a 429 can pause for everyone.
type limiter struct {
	r        *rate.Limiter
	mu       sync.Mutex
	notUntil time.Time
}

func (v *Verifier) limiter(provider string, perSecond float64) *limiter {
	v.mu.Lock()
	defer v.mu.Unlock()
	l := v.limiters[provider]
	if l == nil {
		if perSecond <= 0 {
			perSecond = DefaultRate
		}
		l = &limiter{r: rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond)))}
		v.limiters[provider] = l
	}
	return l
}

func (l *limiter) pause(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := time.Now().Add(d); t.After(l.notUntil) {
		l.notUntil = t
	}
}

func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	until := l.notUntil
	l.mu.Unlock()
	if d := time.Until(until); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return l.r.Wait(ctx)
}

// builtinSpecs is verifiers.toml parsed once (9 ms): `rules show` and
// `rules list` ask Endpoint for every rule in turn, and every Verifier
// shares the specs. Nothing changes a spec after loadSpecs has checked it
// and filled in its defaults.
var builtinSpecs = sync.OnceValues(func() (*specFile, error) { return loadSpecs(verifiersTOML) })

// Endpoint describes what the verifier of ruleID calls, and what a valid
// answer tells, for `rampart rules show`. ok is false when the rule has no
// verifier; reason then says why, when known.
func Endpoint(ruleID string) (endpoint, learns string, ok bool, reason string) {
	if ruleID == ruleAzureConnString {
		return azureEndpoint, "that the key is one of the storage account's keys", true, "listing containers only reads; the account name comes from the connection string"
	}
	if ruleID == ruleAzureAccountKey {
		return azureEndpoint, "that the key is one of the storage account's keys", true, "listing containers only reads; the account name is the one written next to the key"
	}
	if isAWSRule(ruleID) {
		switch ruleID {
		case ruleAWSKeyID:
			return awsEndpoint, "the ARN and account of the key's user or role", true, "GetCallerIdentity needs no permission and changes nothing; a key ID is checked with the secret key (and, for ASIA… keys, the session token) found near it"
		default:
			return awsEndpoint, "the ARN and account of the key's user or role", true, "GetCallerIdentity needs no permission and changes nothing; checked together with the key ID it is paired with"
		}
	}
	f, err := builtinSpecs()
	if err != nil {
		return "", "", false, err.Error()
	}
	for i := range f.Verifiers {
		s := &f.Verifiers[i]
		for _, id := range s.Rules {
			if id == ruleID {
				return s.endpointText(), s.Learns, true, s.note()
			}
		}
	}
	for _, n := range f.NotChecked {
		for _, id := range n.Rules {
			if id == ruleID {
				return "", "", false, n.Reason
			}
		}
	}
	return "", "", false, ""
}

// Provider is one row of the provider table: who is called, for which
// rules, and what is learned. A provider that checks kinds of token
// differently has a row per kind.
type Provider struct {
	Name     string
	Rules    []string
	Endpoint string
	Learns   string
	Why      string
}

// Providers lists every verifier, AWS first, then by provider name.
func Providers() ([]Provider, error) {
	f, err := builtinSpecs()
	if err != nil {
		return nil, err
	}
	var out []Provider
	for i := range f.Verifiers {
		s := &f.Verifiers[i]
		out = append(out, Provider{Name: s.Provider, Rules: s.Rules, Endpoint: s.endpointText(), Learns: s.Learns, Why: s.Why})
	}
	sort.SliceStable(out, func(a, b int) bool { return strings.ToLower(out[a].Name) < strings.ToLower(out[b].Name) })
	aws := Provider{Name: awsProvider, Rules: []string{ruleAWSKeyID, ruleAWSSecret, ruleAWSSecretPaired, ruleAWSSession}, Endpoint: awsEndpoint,
		Learns: "the ARN and account of the key's user or role", Why: "GetCallerIdentity needs no permission and changes nothing"}
	azure := Provider{Name: azureProvider, Rules: []string{ruleAzureConnString, ruleAzureAccountKey}, Endpoint: azureEndpoint,
		Learns: "that the key is one of the storage account's keys", Why: "listing containers only reads"}
	return append([]Provider{aws, azure}, out...), nil
}

// Overrides lists the environment variables that redirect the verifier of
// ruleID (tests, private installations), most specific first.
func Overrides(ruleID string) []string {
	if isAWSRule(ruleID) {
		return []string{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"}
	}
	if isAzureRule(ruleID) {
		return []string{overrideVar(ruleID)}
	}
	out := []string{overrideVar(ruleID)}
	if f, err := loadSpecs(verifiersTOML); err == nil {
		for _, s := range f.Verifiers {
			for _, id := range s.Rules {
				if id == ruleID && s.Env != "" {
					out = append(out, s.Env)
				}
			}
		}
	}
	return out
}
