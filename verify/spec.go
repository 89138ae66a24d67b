package verify

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/rampart-sec/rampart/scanner"
)

// verifiersTOML holds every data-driven verifier: the provider's endpoint,
// method, headers, and what its answers mean. Go code exists only where a
// provider needs signing (AWS).
//
//go:embed verifiers.toml
var verifiersTOML []byte

// spec is one provider's verifier as written in verifiers.toml.
type spec struct {
	Provider string   `toml:"provider"`
	Rules    []string `toml:"rules"`
	Method   string   `toml:"method"`
	// URL is the endpoint; "{secret}" alone means the secret is the URL (a
	// webhook), which must then name one of Hosts.
	URL string `toml:"url"`
	// URLs are tried in order when a provider has regions: the first answer
	// that is not "invalid" decides; invalid only when every region says so.
	URLs  []string `toml:"urls"`
	Hosts []string `toml:"hosts"`
	// Env names a provider-wide base URL override (GITHUB_API_URL), besides
	// RAMPART_VERIFY_URL_<RULE_ID>.
	Env         string            `toml:"env"`
	Headers     map[string]string `toml:"headers"`
	Basic       []string          `toml:"basic"`
	Body        string            `toml:"body"`
	ContentType string            `toml:"content_type"`
	Form        map[string]string `toml:"form"`
	// Prefixes, when set, limit the verifier to secrets with one of these
	// prefixes (a provider's other kinds of key answer elsewhere); Other
	// says why the rest are not checked.
	Prefixes []string `toml:"prefixes"`
	Other    string   `toml:"other"`
	// Learns says what a valid answer tells (README, rules show).
	Learns string `toml:"learns"`
	// Why says why the call cannot change anything, where that is not plain
	// from a GET.
	Why string `toml:"why"`
	// Needs names the companion values (scanner.Companion attributes: an
	// account SID, a shop's domain) the check needs besides the secret,
	// used in the templates as {attr:NAME}. A finding without one of them
	// is not-checked: nothing is sent.
	Needs []string `toml:"needs"`
	// HostSuffix allows a URL whose host is a companion value
	// ("https://{attr:shopify_domain}/…"): the host must then be one DNS
	// label followed by this suffix (".myshopify.com"), the provider's own.
	HostSuffix string `toml:"host_suffix"`
	// Rate is the most requests per second sent to this provider.
	Rate float64       `toml:"rate"`
	When []outcomeSpec `toml:"when"`
}

// outcomeSpec maps one kind of answer to a status. Every condition given
// must hold; the first outcome that matches decides.
type outcomeSpec struct {
	Status []int `toml:"status"`
	// JSON maps a dotted path in the answer's JSON body to the value it must
	// have (a list: any of them; "*": any value but null).
	JSON map[string]any `toml:"json"`
	// Body must occur in the answer's body.
	Body     string `toml:"body"`
	Result   string `toml:"result"`
	Identity string `toml:"identity"`
	Detail   string `toml:"detail"`
}

// hasBodyCondition reports whether the outcome reads the answer's body: a
// provider that answers a refused key with a 5xx (Mandrill's 500
// Invalid_Key) is told from a real failure only by what it says.
func (w outcomeSpec) hasBodyCondition() bool { return w.Body != "" || len(w.JSON) > 0 }

// notCheckedSpec names rules that have a provider but no safe check, and why.
type notCheckedSpec struct {
	Provider string   `toml:"provider"`
	Rules    []string `toml:"rules"`
	Reason   string   `toml:"reason"`
}

type specFile struct {
	Verifiers  []spec           `toml:"verifier"`
	NotChecked []notCheckedSpec `toml:"not_checked"`
}

// loadSpecs parses verifiers.toml, checking every entry.
func loadSpecs(data []byte) (*specFile, error) {
	var f specFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("verifiers.toml: %w", err)
	}
	var errs []string
	for _, k := range md.Undecoded() {
		errs = append(errs, fmt.Sprintf("unknown key %q", k.String()))
	}
	for i := range f.Verifiers {
		s := &f.Verifiers[i]
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Sprintf("verifier %q: %s", s.Provider, fmt.Sprintf(format, args...)))
		}
		if s.Provider == "" || len(s.Rules) == 0 {
			fail("needs provider and rules")
		}
		if s.Method == "" {
			s.Method = http.MethodGet
		}
		switch s.Method {
		case http.MethodGet, http.MethodPost, http.MethodHead:
		default:
			fail("method %s is not allowed (GET, HEAD, POST)", s.Method)
		}
		if (s.URL == "") == (len(s.URLs) == 0) {
			fail("needs exactly one of url and urls")
		}
		for _, raw := range s.urls() {
			if raw == "{secret}" {
				if len(s.Hosts) == 0 {
					fail("a secret used as the URL needs hosts")
				}
				continue
			}
			u, err := url.Parse(expandAttrs(strings.ReplaceAll(raw, "{secret}", "x"), func(string) string { return "x" }))
			switch {
			case err != nil || u.Scheme != "https" || u.Host == "" || strings.Contains(u.Host, "{"):
				fail("url %q must be https with a literal host", raw)
			case u.Host == "x" && (s.HostSuffix == "" || !strings.HasPrefix(raw, "https://{attr:")):
				fail("url %q: a host that is a companion value needs host_suffix", raw)
			case u.Host != "x" && s.HostSuffix != "":
				fail("host_suffix is only for a host that is a companion value")
			}
		}
		known := map[string]scanner.Companion{}
		for _, c := range scanner.Companions() {
			known[c.Attr] = c
		}
		for _, n := range s.Needs {
			c, ok := known[n]
			if !ok {
				fail("needs %q: the detector records no such companion", n)
				continue
			}
			for _, id := range s.Rules {
				if !slices.Contains(c.Rules, id) {
					fail("needs %q, which the detector never looks for near %s", n, id)
				}
			}
		}
		for _, tmpl := range s.templates() {
			for _, n := range attrNames(tmpl) {
				if !slices.Contains(s.Needs, n) {
					fail("uses {attr:%s} without needing it", n)
				}
			}
		}
		if len(s.Basic) != 0 && len(s.Basic) != 2 {
			fail("basic is [user, password]")
		}
		if len(s.Prefixes) > 0 && s.Other == "" {
			fail("prefixes needs other (why the rest are not checked)")
		}
		if s.Learns == "" {
			fail("needs learns")
		}
		if s.Rate == 0 {
			s.Rate = DefaultRate
		}
		if len(s.When) == 0 {
			fail("needs at least one when")
		}
		for _, w := range s.When {
			switch scanner.VerifyStatus(w.Result) {
			case scanner.VerifyValid, scanner.VerifyInvalid, scanner.VerifyUnknown:
			default:
				fail("when: result %q is not valid, invalid or unknown", w.Result)
			}
			// A rate limit or a provider's own failure says nothing about
			// the secret: never invalid. An invalid outcome names the
			// statuses it reads, so that it cannot match one by accident.
			if w.Result == string(scanner.VerifyInvalid) {
				if len(w.Status) == 0 {
					fail("when: an invalid outcome needs status")
				}
				for _, code := range w.Status {
					if code == http.StatusTooManyRequests || code >= 500 && !w.hasBodyCondition() {
						fail("when: HTTP %d is not invalid (a rate limit or a provider error) unless the body says so", code)
					}
				}
			}
		}
	}
	for _, n := range f.NotChecked {
		if n.Provider == "" || len(n.Rules) == 0 || n.Reason == "" {
			errs = append(errs, fmt.Sprintf("not_checked %q: needs provider, rules and reason", n.Provider))
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("verifiers.toml: %s", strings.Join(errs, "; "))
	}
	return &f, nil
}

// templates are every template the request is built from.
func (s *spec) templates() []string {
	out := append([]string{s.Body}, s.urls()...)
	out = append(out, s.Basic...)
	for _, v := range s.Headers {
		out = append(out, v)
	}
	for _, v := range s.Form {
		out = append(out, v)
	}
	return out
}

// attrNames lists the {attr:NAME} placeholders of tmpl.
func attrNames(tmpl string) []string {
	var out []string
	expandAttrs(tmpl, func(n string) string { out = append(out, n); return "" })
	return out
}

// expandAttrs replaces each {attr:NAME} in tmpl with value(NAME).
func expandAttrs(tmpl string, value func(name string) string) string {
	if !strings.Contains(tmpl, "{attr:") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "{attr:")
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(tmpl[:i])
		b.WriteString(value(tmpl[i+len("{attr:") : i+j]))
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// accepts reports whether the verifier checks this secret.
func (s *spec) accepts(secret string) bool {
	if len(s.Prefixes) == 0 {
		return true
	}
	for _, p := range s.Prefixes {
		if strings.HasPrefix(secret, p) {
			return true
		}
	}
	return false
}

func (s *spec) urls() []string {
	if s.URL != "" {
		return []string{s.URL}
	}
	return s.URLs
}

// overrideVar is the environment variable that redirects a rule's verifier:
// RAMPART_VERIFY_URL_<RULE_ID>, upper case, "-" → "_".
func overrideVar(ruleID string) string {
	return "RAMPART_VERIFY_URL_" + strings.ToUpper(strings.ReplaceAll(ruleID, "-", "_"))
}

// targets returns the URLs to try for secret found by rule (with the
// companion values attrs), after overrides, each checked: HTTPS (or
// loopback HTTP) and a host the verifier names.
func (s *spec) targets(ruleID, secret string, attrs map[string]string, getenv func(string) string) ([]*url.URL, error) {
	override := getenv(overrideVar(ruleID))
	if override == "" && s.Env != "" {
		override = getenv(s.Env)
	}
	var base *url.URL
	if override != "" {
		b, err := url.Parse(override)
		if err != nil || b.Host == "" {
			return nil, fmt.Errorf("verify: bad endpoint override %q", override)
		}
		if err := CheckEndpoint(b); err != nil {
			return nil, err
		}
		base = b
	}
	var out []*url.URL
	seen := map[string]bool{}
	for _, raw := range s.urls() {
		var u *url.URL
		var err error
		if raw == "{secret}" {
			u, err = url.Parse(secret)
			if err != nil {
				return nil, fmt.Errorf("verify: the secret is not a URL")
			}
			if base == nil && !hostIn(u.Hostname(), s.Hosts) {
				return nil, fmt.Errorf("verify: %s is not one of %s's hosts", u.Hostname(), s.Provider)
			}
			if base == nil && strings.EqualFold(u.Scheme, "http") {
				// A webhook written down as http:// is served over HTTPS by
				// its provider: the secret is never sent in the clear.
				v := *u
				v.Scheme = "https"
				u = &v
			}
		} else {
			u, err = url.Parse(expandURL(raw, secret, attrs))
			if err != nil {
				return nil, fmt.Errorf("verify: bad endpoint for %s", s.Provider)
			}
			if s.HostSuffix != "" && base == nil && !ownHost(u.Host, s.HostSuffix) {
				// The host came from the scanned file: it must still be
				// the provider's, one label under its domain.
				return nil, fmt.Errorf("verify: %q is not an address of %s", u.Host, s.Provider)
			}
		}
		if base != nil {
			v := *base
			v.Path = strings.TrimSuffix(base.Path, "/") + u.Path
			v.RawPath = ""
			if u.RawPath != "" {
				v.RawPath = strings.TrimSuffix(base.EscapedPath(), "/") + u.RawPath
			}
			v.RawQuery = u.RawQuery
			u = &v
		}
		if err := CheckEndpoint(u); err != nil {
			return nil, err
		}
		if key := u.Scheme + "://" + u.Host + u.Path; !seen[key] {
			seen[key] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// ownHost reports whether host is one DNS label followed by suffix
// ("acme" + ".myshopify.com"), with no port.
func ownHost(host, suffix string) bool {
	label, ok := strings.CutSuffix(strings.ToLower(host), strings.ToLower(suffix))
	if !ok || label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for _, c := range label {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func hostIn(h string, hosts []string) bool {
	for _, x := range hosts {
		if strings.EqualFold(h, x) {
			return true
		}
	}
	return false
}

// expandURL puts the secret and companion values into a URL template,
// escaped for where they stand. A companion value is a host only where
// the template's host is that value (checked by ownHost).
func expandURL(raw, secret string, attrs map[string]string) string {
	if rest, ok := strings.CutPrefix(raw, "https://{attr:"); ok {
		if name, path, ok := strings.Cut(rest, "}"); ok {
			host := attrs[name]
			if strings.ContainsAny(host, "/?#@:[]%\\ ") {
				host = "invalid"
			}
			raw = "https://" + host + path
		}
	}
	raw = expandAttrs(raw, func(n string) string { return url.PathEscape(attrs[n]) })
	q := strings.IndexByte(raw, '?')
	var b strings.Builder
	for i := 0; i < len(raw); {
		if strings.HasPrefix(raw[i:], "{secret}") {
			if q >= 0 && i > q {
				b.WriteString(url.QueryEscape(secret))
			} else {
				b.WriteString(url.PathEscape(secret))
			}
			i += len("{secret}")
			continue
		}
		b.WriteByte(raw[i])
		i++
	}
	return b.String()
}

// request builds the request to u for secret and its companion values.
func (s *spec) request(u *url.URL, secret string, attrs map[string]string, userAgent string) (*http.Request, error) {
	expand := func(tmpl, secret string) string { return expandWith(tmpl, secret, attrs) }
	var body io.Reader
	ctype := s.ContentType
	switch {
	case len(s.Form) > 0:
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		keys := make([]string, 0, len(s.Form))
		for k := range s.Form {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := w.WriteField(k, expand(s.Form[k], secret)); err != nil {
				return nil, err
			}
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		body, ctype = &buf, w.FormDataContentType()
	case s.Body != "":
		body = strings.NewReader(expand(s.Body, secret))
		if ctype == "" {
			ctype = "application/json"
		}
	}
	req, err := http.NewRequest(s.Method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range s.Headers {
		req.Header.Set(k, expand(v, secret))
	}
	if len(s.Basic) == 2 {
		cred := expand(s.Basic[0], secret) + ":" + expand(s.Basic[1], secret)
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	}
	return req, nil
}

func expand(tmpl, secret string) string { return strings.ReplaceAll(tmpl, "{secret}", secret) }

// expandWith fills in companion values first, so that a secret holding
// "{attr:…}" is never read as a placeholder.
func expandWith(tmpl, secret string, attrs map[string]string) string {
	return expand(expandAttrs(tmpl, func(n string) string { return attrs[n] }), secret)
}

// answer is what one provider response (or failure) means.
type answer struct {
	status   scanner.VerifyStatus
	identity string
	detail   string
	// retry: worth one more attempt (a 5xx or a network failure); wait, when
	// set, is how long the provider asked us to wait first (429 Retry-After).
	retry bool
	wait  time.Duration
	// limited: the provider answered 429.
	limited bool
}

// judge reads a provider's response and decides what it means.
func (s *spec) judge(resp *http.Response, secret string) answer {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	var doc any
	var parsed bool
	parse := func() any {
		if !parsed {
			parsed = true
			doc = parseJSON(string(data))
		}
		return doc
	}
	if resp.StatusCode == http.StatusForbidden && resp.Header.Get("X-RateLimit-Remaining") == "0" {
		// A rate limit, whatever a 403 means otherwise for this provider.
		return unexpected(resp)
	}
	for _, w := range s.When {
		if len(w.Status) > 0 && !containsInt(w.Status, resp.StatusCode) {
			continue
		}
		if w.Body != "" && !bytes.Contains(data, []byte(w.Body)) {
			continue
		}
		if len(w.JSON) > 0 && !jsonMatches(parse(), flatten("", w.JSON)) {
			continue
		}
		r := respCtx{resp: resp, doc: parse, body: shortBody(data), secret: secret}
		return answer{
			status:   scanner.VerifyStatus(w.Result),
			identity: r.expand(w.Identity),
			detail:   r.expand(w.Detail),
		}
	}
	return unexpected(resp)
}

// parseJSON decodes a JSON answer, or returns nil for anything else.
func parseJSON(data string) any {
	var doc any
	if err := json.Unmarshal([]byte(data), &doc); err != nil {
		return nil
	}
	return doc
}

// unexpected turns an answer no outcome describes into unknown: worth a
// retry on 5xx, a wait on 429.
func unexpected(resp *http.Response) answer {
	a := answer{status: scanner.VerifyUnknown, detail: fmt.Sprintf("unexpected answer: HTTP %d", resp.StatusCode)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		a.detail = "rate limited by the provider (HTTP 429)"
		a.limited, a.retry = true, true
		a.wait = retryAfter(resp.Header.Get("Retry-After"))
	case resp.StatusCode == http.StatusForbidden && (resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0"):
		// GitHub and others answer a rate limit with 403, saying so in
		// Retry-After or X-RateLimit-Remaining: 0 (reset at
		// X-RateLimit-Reset, in epoch seconds).
		a.detail = "rate limited by the provider (HTTP 403)"
		a.limited, a.retry = true, true
		a.wait = rateLimitWait(resp.Header)
	case resp.StatusCode >= 500:
		a.detail = fmt.Sprintf("provider error: HTTP %d", resp.StatusCode)
		a.retry = true
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			a.wait = retryAfter(ra)
		}
	}
	return a
}

// rateLimitWait is how long a rate-limited provider asks to wait:
// Retry-After, else until X-RateLimit-Reset (epoch seconds), else a minute
// (GitHub's advice when it names no time).
func rateLimitWait(h http.Header) time.Duration {
	if ra := h.Get("Retry-After"); ra != "" {
		return retryAfter(ra)
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil {
		if d := time.Until(time.Unix(n, 0)); d > 0 {
			return d
		}
		return 0
	}
	return time.Minute
}

// retryAfter parses Retry-After: seconds or an HTTP date. Unparseable or
// absent means one second.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Second
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
		return 0
	}
	return time.Second
}

// shortBody is a short plain-text answer ("no_text", "invalid_token") for
// {body}; anything long or structured is left out.
func shortBody(data []byte) string {
	t := strings.TrimSpace(string(data))
	if len(t) > 120 || strings.ContainsAny(t, "{<\n") {
		return ""
	}
	return t
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// flatten turns nested TOML tables into dotted paths.
func flatten(prefix string, m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			for k2, v2 := range flatten(p, sub) {
				out[k2] = v2
			}
			continue
		}
		out[p] = v
	}
	return out
}

func jsonMatches(doc any, conds map[string]any) bool {
	if doc == nil {
		return false
	}
	for path, want := range conds {
		got, ok := jsonAt(doc, path)
		if !ok {
			return false
		}
		if !valueMatches(got, want) {
			return false
		}
	}
	return true
}

func valueMatches(got, want any) bool {
	switch w := want.(type) {
	case []any:
		for _, x := range w {
			if valueMatches(got, x) {
				return true
			}
		}
		return false
	case string:
		if w == "*" {
			return got != nil
		}
		g, ok := got.(string)
		return ok && g == w
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case int64:
		g, ok := got.(float64)
		return ok && g == float64(w)
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	}
	return false
}

// jsonAt follows a dotted path ("user.login", "errors.0.code").
func jsonAt(doc any, path string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// respCtx expands identity and detail templates over one response:
// {json:path}, {header:Name}, {status}, {host}, {body} (a short plain-text
// answer), {prefix:p1=text,p2=text}
// (by the secret's prefix, without revealing it), each with an optional
// |fallback. A placeholder with no value and no fallback expands to "".
type respCtx struct {
	resp   *http.Response
	doc    func() any
	body   string
	secret string
}

func (r respCtx) expand(tmpl string) string { return clean(r.expandRaw(tmpl)) }

func (r respCtx) expandRaw(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		j := closing(tmpl, i)
		if j < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		b.WriteString(r.value(tmpl[i+1 : j]))
		tmpl = tmpl[j+1:]
	}
	return b.String()
}

// closing returns the index of the brace closing the one at open, or -1.
func closing(s string, open int) int {
	depth := 0
	for k := open; k < len(s); k++ {
		switch s[k] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// value expands one placeholder; its fallback (after the last top-level
// "|") may itself hold placeholders.
func (r respCtx) value(ph string) string {
	fallback, hasFallback := "", false
	depth := 0
	for k := len(ph) - 1; k >= 0; k-- {
		switch ph[k] {
		case '}':
			depth++
		case '{':
			depth--
		case '|':
			if depth == 0 && !hasFallback {
				ph, fallback, hasFallback = ph[:k], ph[k+1:], true
			}
		}
		if hasFallback {
			break
		}
	}
	kind, arg, _ := strings.Cut(ph, ":")
	var v string
	switch kind {
	case "json":
		if got, ok := jsonAt(r.doc(), arg); ok {
			v = jsonText(got)
		}
	case "header":
		v = r.resp.Header.Get(arg)
	case "status":
		v = strconv.Itoa(r.resp.StatusCode)
	case "host":
		v = r.resp.Request.URL.Host
	case "body":
		v = r.body
	case "prefix":
		for _, pair := range strings.Split(arg, ",") {
			p, text, _ := strings.Cut(pair, "=")
			if p != "" && strings.HasPrefix(r.secret, p) {
				v = text
				break
			}
		}
	}
	if strings.TrimSpace(v) == "" {
		return r.expandRaw(fallback)
	}
	return v
}

func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		var parts []string
		for _, e := range x {
			if s := jsonText(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

// clean keeps what a provider said printable and short: reports escape
// control characters anyway, but an identity is one line.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// scrub removes the secret from text that is about to be reported (an
// error that quotes a URL holding it, a provider echoing it back).
func scrub(text, secret string) string {
	if secret == "" || !strings.Contains(text, secret) {
		return text
	}
	return strings.ReplaceAll(text, secret, scanner.Redact(secret))
}

// endpointText describes what a verifier calls, for `rampart rules show`.
func (s *spec) endpointText() string {
	var parts []string
	for _, u := range s.urls() {
		if u == "{secret}" {
			u = "the webhook URL itself (" + strings.Join(s.Hosts, ", ") + ")"
		} else {
			u = strings.ReplaceAll(u, "{secret}", "<secret>")
			u = expandAttrs(u, func(n string) string { return "<" + n + ">" })
		}
		parts = append(parts, s.Method+" "+u)
	}
	return strings.Join(parts, ", then ")
}
