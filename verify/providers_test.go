package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// fakeResp is one answer of a fake provider, shaped like its documentation.
type fakeResp struct {
	status int
	body   string
	header []string // name, value, …
}

func ok(body string, header ...string) fakeResp { return fakeResp{200, body, header} }
func st(status int, body string, header ...string) fakeResp {
	return fakeResp{status, body, header}
}

// carries says where a request must carry the secret.
type carries func(r *http.Request, body, secret string) bool

func hdr(name, tmpl string) carries {
	return func(r *http.Request, _, secret string) bool { return r.Header.Get(name) == expand(tmpl, secret) }
}

func basicAuth(user, pass string) carries {
	return func(r *http.Request, _, secret string) bool {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(expand(user, secret)+":"+expand(pass, secret)))
		return r.Header.Get("Authorization") == want
	}
}

func inBody(r *http.Request, body, secret string) bool { return strings.Contains(body, secret) }

func inPath(r *http.Request, _, secret string) bool { return strings.Contains(r.URL.Path, secret) }

func inQuery(name string) carries {
	return func(r *http.Request, _, secret string) bool { return r.URL.Query().Get(name) == secret }
}

// webhookPath: the request goes to the webhook URL's own path.
func webhookPath(r *http.Request, _, secret string) bool {
	u, err := url.Parse(secret)
	return err == nil && r.URL.Path == u.Path
}

// providerCase is one verifier's contract: where the secret goes, and what
// a valid and an invalid answer look like, as the provider documents them.
type providerCase struct {
	rule    string
	path    string // request path the verifier must call ("" for webhooks)
	auth    carries
	valid   fakeResp
	want    string // in the valid result's identity or detail
	invalid fakeResp
}

var providerCases = []providerCase{
	{"github-pat", "/user", hdr("Authorization", "Bearer {secret}"),
		ok(`{"login":"octocat","id":583231,"name":"The Octocat","type":"User"}`, "X-OAuth-Scopes", "repo, read:org"), "octocat",
		st(401, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`)},
	{"github-fine-grained-pat", "/user", hdr("Authorization", "Bearer {secret}"),
		ok(`{"login":"octocat","id":583231,"type":"User"}`), "octocat",
		st(401, `{"message":"Bad credentials","status":"401"}`)},
	{"github-oauth-token", "/user", hdr("Authorization", "Bearer {secret}"),
		ok(`{"login":"octocat","id":583231,"type":"User"}`, "X-OAuth-Scopes", "read:user"), "read:user",
		st(401, `{"message":"Bad credentials","status":"401"}`)},
	{"github-user-to-server-token", "/user", hdr("Authorization", "Bearer {secret}"),
		ok(`{"login":"octocat","id":583231,"type":"User"}`), "octocat",
		st(401, `{"message":"Bad credentials","status":"401"}`)},
	{"github-app-installation-token", "/installation/repositories", hdr("Authorization", "Bearer {secret}"),
		ok(`{"total_count":3,"repositories":[{"id":1296269,"name":"Hello-World","owner":{"login":"octo-org"}}]}`), "octo-org",
		st(401, `{"message":"Bad credentials"}`)},
	{"github-app-installation-token-stateless", "/installation/repositories", hdr("Authorization", "Bearer {secret}"),
		ok(`{"total_count":1,"repositories":[{"id":1296269,"name":"Hello-World","owner":{"login":"octo-org"}}]}`), "octo-org",
		st(401, `{"message":"Bad credentials"}`)},
	// GET /user: the user the token authenticates as (read_user, read_api
	// or api scope), PRIVATE-TOKEN as GitLab's REST authentication documents.
	{"gitlab-pat", "/api/v4/user", hdr("PRIVATE-TOKEN", "{secret}"),
		ok(`{"id":3,"username":"jsmith","name":"John Smith","state":"active","locked":false,"web_url":"https://gitlab.com/jsmith"}`), "jsmith",
		st(401, `{"message":"401 Unauthorized"}`)},
	{"gitlab-pat-routable", "/api/v4/user", hdr("PRIVATE-TOKEN", "{secret}"),
		ok(`{"id":3,"username":"jsmith","name":"John Smith","state":"active"}`), "John Smith",
		st(401, `{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`)},
	{"slack-bot-token", "/api/auth.test", hdr("Authorization", "Bearer {secret}"),
		ok(`{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"deploybot","team_id":"T12345","user_id":"U12345","bot_id":"B12345"}`), "deploybot in Acme",
		ok(`{"ok":false,"error":"invalid_auth"}`)},
	{"slack-webhook-url", "", webhookPath,
		st(400, "no_text"), "no_text",
		st(404, "no_service")},
	{"discord-bot-token", "/api/v10/users/@me", hdr("Authorization", "Bot {secret}"),
		ok(`{"id":"80351110224678912","username":"Nelly","discriminator":"0","bot":true}`), "Nelly",
		st(401, `{"message":"401: Unauthorized","code":0}`)},
	{"discord-webhook-url", "", webhookPath,
		ok(`{"type":1,"id":"223704706495545344","name":"deploys","channel_id":"199737254929760256","guild_id":"199737254929760256"}`), "deploys",
		st(404, `{"message":"Unknown Webhook","code":10015}`)},
	{"telegram-bot-token", "", inPath,
		ok(`{"ok":true,"result":{"id":7692894302,"is_bot":true,"first_name":"Deploy","username":"deploy_bot"}}`), "@deploy_bot",
		st(401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)},
	{"sendgrid-api-key", "/v3/scopes", hdr("Authorization", "Bearer {secret}"),
		ok(`{"scopes":["mail.send","alerts.read"]}`), "mail.send",
		st(401, `{"errors":[{"field":null,"message":"The provided authorization grant is invalid, expired, or revoked"}]}`)},
	{"mailgun-api-key", "/v3/domains", basicAuth("api", "{secret}"),
		ok(`{"total_count":1,"items":[{"name":"mg.example.com","state":"active"}]}`), "mg.example.com",
		st(401, "Forbidden")},
	{"datadog-api-key", "/api/v1/validate", hdr("DD-API-KEY", "{secret}"),
		ok(`{"valid":true}`), "site",
		st(403, `{"errors":["Forbidden"]}`)},
	{"postmark-server-token", "/server", hdr("X-Postmark-Server-Token", "{secret}"),
		ok(`{"ID":1,"Name":"Staging Testing","ApiTokens":["…"]}`), "Staging Testing",
		st(401, `{"ErrorCode":10,"Message":"The Server Token you provided in the X-Postmark-Server-Token request header was invalid."}`)},
	{"brevo-api-key", "/v3/account", hdr("api-key", "{secret}"),
		ok(`{"email":"ops@example.com","firstName":"Ops","companyName":"Acme"}`), "ops@example.com",
		st(401, `{"message":"Key not found","code":"unauthorized"}`)},
	{"mandrill-api-key", "/api/1.0/users/ping2", inBody,
		ok(`{"PING":"PONG!"}`), "PONG",
		st(500, `{"status":"error","code":-1,"name":"Invalid_Key","message":"Invalid API key"}`)},
	{"intercom-access-token", "/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"type":"admin","id":"991267","email":"ada@example.com","app":{"name":"Acme","id_code":"abc"}}`), "ada@example.com",
		st(401, `{"type":"error.list","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}`)},
	{"telnyx-api-key", "/v2/balance", hdr("Authorization", "Bearer {secret}"),
		ok(`{"data":{"balance":"300.00","currency":"USD","record_type":"balance"}}`), "300.00",
		st(401, `{"errors":[{"code":"10009","title":"Authentication failed"}]}`)},
	{"line-channel-token", "/v2/bot/info", hdr("Authorization", "Bearer {secret}"),
		ok(`{"userId":"Ub9952f8","basicId":"@216ru","displayName":"Acme bot","chatMode":"bot"}`), "Acme bot",
		st(401, `{"message":"Authentication failed. Confirm that the access token in the authorization header is valid."}`)},
	{"messagebird-api-key", "/balance", hdr("Authorization", "AccessKey {secret}"),
		ok(`{"payment":"prepaid","type":"credits","amount":9.2}`), "9.2",
		st(401, `{"errors":[{"code":2,"description":"Request not allowed (incorrect access_key)","parameter":"access_key"}]}`)},
	{"stripe-secret-key", "/v1/account", basicAuth("{secret}", ""),
		ok(`{"id":"acct_1032D82eZvKYlo2C","object":"account","business_type":"company"}`), "acct_1032D82eZvKYlo2C",
		st(401, `{"error":{"message":"Invalid API Key provided: sk_live_****","type":"invalid_request_error"}}`)},
	{"square-access-token", "/v2/merchants/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"merchant":{"id":"DM7VKY8Q63GNP","business_name":"Apple A Day","country":"US"}}`), "Apple A Day",
		st(401, `{"errors":[{"category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED","detail":"This request could not be authorized."}]}`)},
	{"mollie-api-key", "/v2/methods", hdr("Authorization", "Bearer {secret}"),
		ok(`{"count":1,"_embedded":{"methods":[{"id":"ideal"}]}}`), "live mode",
		st(401, `{"status":401,"title":"Unauthorized Request","detail":"Missing authentication, or failed to authenticate"}`)},
	{"npm-access-token", "/-/whoami", hdr("Authorization", "Bearer {secret}"),
		ok(`{"username":"npm-user"}`), "npm-user",
		st(401, `{"error":"Unauthorized"}`)},
	{"pypi-upload-token", "/legacy/", basicAuth("__token__", "{secret}"),
		st(400, "Invalid value for name. Error: This field is required."), "nothing was uploaded",
		st(403, "Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.")},
	{"testpypi-upload-token", "/legacy/", basicAuth("__token__", "{secret}"),
		st(400, "Invalid value for name."), "nothing was uploaded",
		st(403, "Invalid or non-existent authentication information.")},
	{"rubygems-api-key", "/api/v1/gems.json", hdr("Authorization", "{secret}"),
		ok(`[{"name":"rails","downloads":1}]`), "rails",
		st(401, "Access Denied. Please sign up for an account at https://rubygems.org")},
	// /api/v1/me is cookie-only: crates.io authenticates the token, then
	// refuses a good one with its own message (rust-lang/crates.io#3518).
	{"crates-io-token", "/api/v1/me", hdr("Authorization", "{secret}"),
		st(403, `{"errors":[{"detail":"this action can only be performed on the crates.io website"}]}`), "accepted the token",
		st(403, `{"errors":[{"detail":"authentication failed"}]}`)},
	{"hex-pm-api-key", "/api/users/me", hdr("Authorization", "{secret}"),
		ok(`{"username":"josevalim","email":"j@example.com"}`), "josevalim",
		st(401, `{"status":401,"message":"invalid API key"}`)},
	{"cloudsmith-api-key", "/v1/user/self/", hdr("X-Api-Key", "{secret}"),
		ok(`{"authenticated":true,"slug":"jane-doe","email":"jane@example.com"}`), "jane-doe",
		st(401, `{"detail":"Invalid API key."}`)},
	{"openai-api-key", "/v1/models", hdr("Authorization", "Bearer {secret}"),
		ok(`{"object":"list","data":[{"id":"gpt-4o","object":"model"}]}`, "openai-organization", "org-acme", "openai-project", "proj_abc"), "org-acme",
		st(401, `{"error":{"message":"Incorrect API key provided: sk-abc***","type":"invalid_request_error","code":"invalid_api_key"}}`)},
	{"openai-admin-key", "/v1/organization/projects", hdr("Authorization", "Bearer {secret}"),
		ok(`{"object":"list","data":[{"id":"proj_abc","object":"organization.project","name":"Default"}]}`, "openai-organization", "org-acme"), "org-acme",
		st(401, `{"error":{"code":"invalid_api_key"}}`)},
	{"anthropic-api-key", "/v1/models", hdr("x-api-key", "{secret}"),
		ok(`{"data":[{"type":"model","id":"claude-sonnet-4-5"}],"has_more":true}`), "list models",
		st(401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)},
	{"anthropic-admin-key", "/v1/organizations/users", hdr("x-api-key", "{secret}"),
		ok(`{"data":[{"type":"user","id":"user_01","email":"admin@example.com","role":"admin"}],"has_more":false}`), "admin@example.com",
		st(401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)},
	{"huggingface-token", "/api/whoami-v2", hdr("Authorization", "Bearer {secret}"),
		ok(`{"type":"user","name":"julien","auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"write"}}}`), "julien",
		st(401, `{"error":"Invalid credentials in Authorization header"}`)},
	{"cohere-api-key", "/v1/check-api-key", hdr("Authorization", "Bearer {secret}"),
		ok(`{"valid":true,"organization_id":"org-42","owner_id":"user-7"}`), "org-42",
		st(401, `{"message":"invalid api token"}`)},
	{"replicate-api-token", "/v1/account", hdr("Authorization", "Bearer {secret}"),
		ok(`{"type":"organization","username":"acme","name":"Acme Corp"}`), "acme",
		st(401, `{"title":"Unauthenticated","detail":"Invalid token.","status":401}`)},
	{"groq-api-key", "/openai/v1/models", hdr("Authorization", "Bearer {secret}"),
		ok(`{"object":"list","data":[{"id":"llama-3.3-70b-versatile"}]}`), "list models",
		st(401, `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}`)},
	{"mistral-api-key", "/v1/models", hdr("Authorization", "Bearer {secret}"),
		ok(`{"object":"list","data":[{"id":"mistral-large-latest"}]}`), "list models",
		st(401, `{"message":"Unauthorized","request_id":"abc"}`)},
	{"xai-api-key", "/v1/api-key", hdr("Authorization", "Bearer {secret}"),
		ok(`{"redacted_api_key":"xai-…","user_id":"u1","name":"ci key","team_id":"team-9","api_key_blocked":false,"api_key_disabled":false,"team_blocked":false}`), "team-9",
		st(400, `{"code":"Client specified an invalid argument","error":"Incorrect API key provided"}`)},
	{"openrouter-api-key", "/api/v1/key", hdr("Authorization", "Bearer {secret}"),
		ok(`{"data":{"label":"sk-or-v1-ab…","usage":1.5,"limit":null,"is_free_tier":false}}`), "usage 1.5",
		st(401, `{"error":{"message":"No auth credentials found","code":401}}`)},
	{"deepseek-api-key", "/user/balance", hdr("Authorization", "Bearer {secret}"),
		ok(`{"is_available":true,"balance_infos":[{"currency":"USD","total_balance":"10.00"}]}`), "balance available: true",
		st(401, `{"error":{"message":"Authentication Fails","type":"authentication_error"}}`)},
	{"elevenlabs-api-key", "/v1/user", hdr("xi-api-key", "{secret}"),
		ok(`{"user_id":"u-123","subscription":{"tier":"creator"}}`), "creator",
		st(401, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`)},
	{"pinecone-api-key", "/indexes", hdr("Api-Key", "{secret}"),
		ok(`{"indexes":[{"name":"docs","dimension":1536}]}`), "docs",
		st(401, `{"error":{"code":"UNAUTHENTICATED","message":"Invalid API Key"},"status":401}`)},
	{"google-gemini-api-key", "/v1beta/models", hdr("X-Goog-Api-Key", "{secret}"),
		ok(`{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash"}],"nextPageToken":"Ch1tb2RlbHM"}`), "Generative Language",
		st(400, `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`)},
	{"gcp-api-key", "/v1beta/models", hdr("X-Goog-Api-Key", "{secret}"),
		st(403, `{"error":{"code":403,"message":"Generative Language API has not been used in project 1234 before or it is disabled.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SERVICE_DISABLED","domain":"googleapis.com","metadata":{"consumer":"projects/1234","service":"generativelanguage.googleapis.com"}}]}}`), "projects/1234",
		st(400, `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`)},
	{"digitalocean-pat", "/v2/account", hdr("Authorization", "Bearer {secret}"),
		ok(`{"account":{"droplet_limit":25,"email":"sammy@example.com","uuid":"b6fr89","email_verified":true,"status":"active","team":{"uuid":"5df3e3","name":"My Team"}}}`), "sammy@example.com",
		st(401, `{"id":"Unauthorized","message":"Unable to authenticate you."}`)},
	{"heroku-api-key", "/account", hdr("Authorization", "Bearer {secret}"),
		ok(`{"email":"username@example.com","id":"01234567-89ab-cdef-0123-456789abcdef","name":"Tina Edmonds"}`), "username@example.com",
		st(401, `{"id":"unauthorized","message":"Invalid credentials provided."}`)},
	{"cloudflare-api-token", "/client/v4/user/tokens/verify", hdr("Authorization", "Bearer {secret}"),
		ok(`{"success":true,"errors":[],"messages":[{"code":10000,"message":"This API Token is valid and active"}],"result":{"id":"f267e341f3dd4697bd3b9f71dd96247f","status":"active"}}`), "f267e341f3dd4697bd3b9f71dd96247f",
		st(401, `{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"messages":[],"result":null}`)},
	{"cloudflare-api-token-v2", "/client/v4/user/tokens/verify", hdr("Authorization", "Bearer {secret}"),
		ok(`{"success":true,"errors":[],"messages":[],"result":{"id":"ed17574386854bf78a67040be0a770b0","status":"active"}}`), "ed17574386854bf78a67040be0a770b0",
		st(401, `{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"messages":[],"result":null}`)},
	{"vercel-token", "/v2/user", hdr("Authorization", "Bearer {secret}"),
		ok(`{"user":{"id":"AEIIDYVk59zbFF2Sxfyxxmua","email":"me@example.com","username":"jdoe"}}`), "jdoe",
		st(403, `{"error":{"code":"forbidden","message":"Not authorized","invalidToken":true}}`)},
	{"netlify-pat", "/api/v1/user", hdr("Authorization", "Bearer {secret}"),
		ok(`{"id":"5c1","email":"dev@example.com","full_name":"Dev Eloper"}`), "dev@example.com",
		st(401, `{"code":401,"message":"Access Denied: your token is invalid"}`)},
	{"render-api-key", "/v1/owners", hdr("Authorization", "Bearer {secret}"),
		ok(`[{"owner":{"id":"usr-123","name":"Jane","email":"jane@example.com","type":"user"},"cursor":"abc"}]`), "jane@example.com",
		st(401, `{"message":"unauthorized"}`)},
	{"linode-token", "/v4/profile", hdr("Authorization", "Bearer {secret}"),
		ok(`{"username":"example_user","email":"example-user@gmail.com","uid":1234}`), "example_user",
		st(401, `{"errors":[{"reason":"Invalid Token"}]}`)},
	{"vultr-api-key", "/v2/account", hdr("Authorization", "Bearer {secret}"),
		ok(`{"account":{"name":"Example Account","email":"admin@example.com","acls":["manage_users"]}}`), "admin@example.com",
		st(401, `{"error":"Invalid API token.","status":401}`)},
	{"hetzner-api-token", "/v1/servers", hdr("Authorization", "Bearer {secret}"),
		ok(`{"servers":[],"meta":{"pagination":{"page":1,"per_page":1,"total_entries":4}}}`), "4 servers",
		st(401, `{"error":{"code":"unauthorized","message":"unable to authenticate"}}`)},
	{"supabase-access-token", "/v1/projects", hdr("Authorization", "Bearer {secret}"),
		ok(`[{"id":"abcd","organization_id":"org","name":"prod-db","region":"us-east-1"}]`), "prod-db",
		st(401, `{"message":"Unauthorized"}`)},
	{"neon-api-key", "/api/v2/users/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"id":"u1","email":"neon@example.com","name":"Neo"}`), "neon@example.com",
		st(401, `{"code":"","message":"authentication required"}`)},
	{"doppler-personal-token", "/v3/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"workplace":{"slug":"acme","name":"Acme"},"type":"personal","name":"laptop","slug":"abc"}`), "Acme",
		st(401, `{"messages":["Invalid auth token"],"success":false}`)},
	{"terraform-cloud-token", "/api/v2/account/details", hdr("Authorization", "Bearer {secret}"),
		ok(`{"data":{"id":"user-V3R563qtJNcExAkN","type":"users","attributes":{"username":"admin","email":"admin@hashicorp.com"}}}`), "admin",
		st(401, `{"errors":[{"status":"401","title":"unauthorized"}]}`)},
	{"circleci-pat", "/api/v2/me", hdr("Circle-Token", "{secret}"),
		ok(`{"id":"e2c1","login":"octo","name":"Octo Cat"}`), "octo",
		st(401, `{"message":"You must log in first."}`)},
	{"buildkite-api-token", "/v2/access-token", hdr("Authorization", "Bearer {secret}"),
		ok(`{"uuid":"b63254c0-3271-4a98-8270-7cfbd6c2f14e","scopes":["read_builds"]}`), "read_builds",
		st(401, `{"message":"Authentication required. Please supply a valid API Access Token"}`)},
	{"snyk-token", "/rest/self", hdr("Authorization", "token {secret}"),
		ok(`{"data":{"id":"u1","type":"user","attributes":{"name":"Ada","username":"ada","email":"ada@example.com"}}}`), "ada",
		st(401, `{"jsonapi":{"version":"1.0"},"errors":[{"status":"401","detail":"Unauthorized"}]}`)},
	{"pulumi-access-token", "/api/user", hdr("Authorization", "token {secret}"),
		ok(`{"githubLogin":"pulumi-bot","name":"Pulumi Bot","email":"bot@example.com"}`), "pulumi-bot",
		st(401, `{"code":401,"message":"Unauthorized: No credentials provided or are invalid."}`)},
	{"pagerduty-api-key", "/abilities", hdr("Authorization", "Token token={secret}"),
		ok(`{"abilities":["teams","read_only_users"]}`), "teams",
		st(401, `{"error":{"message":"Unauthorized","code":2006}}`)},
	{"honeycomb-api-key", "/1/auth", hdr("X-Honeycomb-Team", "{secret}"),
		ok(`{"id":"a1","type":"configuration","api_key_access":{"events":true},"environment":{"name":"prod","slug":"prod"},"team":{"name":"Acme","slug":"acme"}}`), "acme",
		st(401, `{"error":"unknown API key - check your credentials"}`)},
	{"launchdarkly-key", "/api/v2/caller-identity", hdr("Authorization", "{secret}"),
		ok(`{"accountId":"57d0e4b0","environmentId":"","tokenName":"ci","tokenKind":"personal"}`), "57d0e4b0",
		st(401, `{"code":"unauthorized","message":"Invalid access token"}`)},
	// The caller-identity endpoint names the identity "used (session
	// cookie, API token, SDK keys, etc.)": an SDK key's answer is its
	// environment and project.
	{"launchdarkly-key-prefixed", "/api/v2/caller-identity", hdr("Authorization", "{secret}"),
		ok(`{"accountId":"57d0e4b0","authKind":"sdk","environmentId":"5e7a1c","environmentName":"Production","projectId":"5e7a1b","projectName":"Storefront"}`), "Production",
		st(401, `{"code":"unauthorized","message":"Invalid access token"}`)},
	{"postman-api-key", "/me", hdr("X-API-Key", "{secret}"),
		ok(`{"user":{"id":12345678,"username":"taylor-lee","email":"taylor@example.com"}}`), "taylor-lee",
		st(401, `{"error":{"name":"AuthenticationError","message":"Invalid API Key."}}`)},
	{"mapbox-secret-token", "/tokens/v2", inQuery("access_token"),
		ok(`{"code":"TokenValid","token":{"usage":"sk","user":"mapbox-user","authorization":"t1"}}`), "mapbox-user",
		st(401, `{"code":"TokenInvalid","token":{}}`)},
	{"linear-api-key", "/graphql", hdr("Authorization", "{secret}"),
		ok(`{"data":{"viewer":{"id":"u1","name":"Lin Ear","email":"lin@example.com"}}}`), "lin@example.com",
		st(400, `{"errors":[{"message":"Authentication required, not authenticated","extensions":{"type":"authentication error","code":"AUTHENTICATION_ERROR"}}]}`)},
	{"linear-oauth-token", "/graphql", hdr("Authorization", "Bearer {secret}"),
		ok(`{"data":{"viewer":{"id":"u1","name":"Lin Ear","email":"lin@example.com"}}}`), "lin@example.com",
		st(401, `{"errors":[{"message":"Authentication required, not authenticated"}]}`)},
	{"notion-integration-token", "/v1/users/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"object":"user","id":"16d84278","name":"Doc bot","type":"bot","bot":{"owner":{"type":"workspace","workspace":true},"workspace_name":"Acme HQ"}}`), "Acme HQ",
		st(401, `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`)},
	{"airtable-token", "/v0/meta/whoami", hdr("Authorization", "Bearer {secret}"),
		ok(`{"id":"usrL2PNC5o3H4lBEi","email":"foo@bar.com","scopes":["data.records:read"]}`), "foo@bar.com",
		st(401, `{"error":{"type":"AUTHENTICATION_REQUIRED","message":"Authentication required"}}`)},
	{"asana-pat", "/api/1.0/users/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"data":{"gid":"12345","email":"gsanchez@example.com","name":"Greg Sanchez"}}`), "gsanchez@example.com",
		st(401, `{"errors":[{"message":"Not Authorized"}]}`)},
	{"figma-pat", "/v1/me", hdr("X-Figma-Token", "{secret}"),
		ok(`{"id":"1","handle":"designer","email":"d@example.com","img_url":""}`), "d@example.com",
		st(403, `{"status":403,"err":"Invalid token"}`)},
	{"dropbox-access-token", "/2/users/get_current_account", hdr("Authorization", "Bearer {secret}"),
		ok(`{"account_id":"dbid:AAH4f99","email":"franz@dropbox.com","name":{"display_name":"Franz Ferdinand (Personal)"}}`), "franz@dropbox.com",
		st(401, `{"error_summary":"invalid_access_token/...","error":{".tag":"invalid_access_token"}}`)},
	// A legacy long-lived token is an OAuth 2 access token like the
	// short-lived ones: the same call, the same answers.
	{"dropbox-long-lived-token", "/2/users/get_current_account", hdr("Authorization", "Bearer {secret}"),
		ok(`{"account_id":"dbid:AAH4f99","email":"franz@dropbox.com","name":{"display_name":"Franz Ferdinand (Personal)"}}`), "franz@dropbox.com",
		st(401, `{"error_summary":"invalid_access_token/...","error":{".tag":"invalid_access_token"}}`)},
	{"hubspot-private-app-token", "/account-info/v3/details", hdr("Authorization", "Bearer {secret}"),
		ok(`{"portalId":62515,"accountType":"STANDARD","uiDomain":"app.hubspot.com"}`), "62515",
		st(401, `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`)},
	{"typeform-pat", "/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"alias":"Typeform user","email":"tf@example.com","language":"en"}`), "tf@example.com",
		st(403, `{"code":"AUTHENTICATION_FAILED","description":"Authentication credentials not found on the Request Headers"}`)},
	{"clickup-api-token", "/api/v2/user", hdr("Authorization", "{secret}"),
		ok(`{"user":{"id":123,"username":"John Doe","email":"john@example.com"}}`), "john@example.com",
		st(401, `{"err":"Token invalid","ECODE":"OAUTH_025"}`)},
	{"contentful-pat", "/users/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"firstName":"Dave","lastName":"Lee","email":"dave@example.com","sys":{"type":"User","id":"7BslKh9TdKGOK41VmLDjFZ"}}`), "dave@example.com",
		st(401, `{"sys":{"type":"Error","id":"AccessTokenInvalid"},"message":"The access token you sent could not be found or is invalid."}`)},
	{"calendly-api-token", "/users/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"resource":{"uri":"https://api.calendly.com/users/AAAA","name":"John Doe","email":"test@example.com"}}`), "test@example.com",
		st(401, `{"title":"Unauthenticated","message":"The access token is invalid"}`)},
	{"facebook-access-token", "/me", hdr("Authorization", "Bearer {secret}"),
		ok(`{"id":"1234567890","name":"Page Admin"}`), "Page Admin",
		st(400, `{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"A"}}`)},
	{"together-api-key", "/v1/models", hdr("Authorization", "Bearer {secret}"),
		ok(`{"object":"list","data":[{"id":"meta-llama/Llama-3.3-70B-Instruct-Turbo","object":"model","type":"chat"}]}`), "list models",
		st(401, `{"error":{"message":"Invalid API key provided. You can find your API key at https://api.together.xyz/settings/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}`)},
	{"together-ai-api-key-v1", "/v1/models", hdr("Authorization", "Bearer {secret}"),
		ok(`[{"id":"Austism/chronos-hermes-13b","object":"model","type":"chat"}]`), "list models",
		st(401, `{"error":{"message":"Invalid API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}`)},
	{"cerebras-api-key", "/v1/models", hdr("Authorization", "Bearer {secret}"),
		ok(`{"object":"list","data":[{"id":"llama3.1-8b","object":"model","owned_by":"Meta"}]}`), "list models",
		st(401, `{"message":"Wrong API Key","type":"invalid_request_error","param":"api_key","code":"wrong_api_key"}`)},
	{"stability-api-key", "/v1/user/account", hdr("Authorization", "Bearer {secret}"),
		ok(`{"email":"example@stability.ai","id":"user-1234","organizations":[],"profile_picture":"https://api.stability.ai/example.png"}`), "example@stability.ai",
		st(401, `{"id":"9160aa70222f5d1b4dce0d2c37ad24ba","name":"unauthorized","message":"missing authorization header"}`)},
	{"deepgram-api-key", "/v1/auth/token", hdr("Authorization", "Token {secret}"),
		ok(`{"api_key_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","comment":"ci transcription","scopes":["usage:write"],"created":"2026-01-01T00:00:00Z"}`), "ci transcription",
		st(401, `{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials.","request_id":"5d2a1c44-1b2e-4f6a-9b1e-1f2a3b4c5d6e"}`)},
	{"assemblyai-api-key", "/v2/transcript", hdr("Authorization", "{secret}"),
		ok(`{"page_details":{"limit":1,"result_count":0},"transcripts":[]}`), "list transcripts",
		st(401, `{"error":"Authentication error, API token missing/invalid"}`)},
	{"sentry-user-token", "/api/0/organizations/", hdr("Authorization", "Bearer {secret}"),
		ok(`[{"id":"2","slug":"the-interstellar-jurisdiction","name":"The Interstellar Jurisdiction","status":{"id":"active","name":"active"}}]`), "the-interstellar-jurisdiction",
		st(401, `{"detail":"Invalid token"}`)},
	{"sentry-legacy-auth-token", "/api/0/organizations/", hdr("Authorization", "Bearer {secret}"),
		ok(`[]`), "no organization",
		st(401, `{"detail":"Invalid token"}`)},
	{"newrelic-user-api-key", "/graphql", hdr("API-Key", "{secret}"),
		ok(`{"data":{"actor":{"user":{"id":1234567,"name":"Jane Ops","email":"jane@example.com"}}}}`), "jane@example.com",
		st(401, `{"errors":[{"message":"Unauthorized"}]}`)},
	{"fastly-api-token", "/tokens/self", hdr("Fastly-Key", "{secret}"),
		ok(`{"id":"5Yo3XXnrQpjc20u0ybrf2g","user_id":"x9KzsrACXZv8tPwlEDsKb6","name":"deploy","scope":"global:read","services":[],"created_at":"2026-01-01T00:00:00Z","expires_at":null}`), "global:read",
		st(401, `{"msg":"Provided credentials are missing or invalid"}`)},
	{"sonarqube-cloud-token", "/api/authentication/validate", hdr("Authorization", "Bearer {secret}"),
		ok(`{"valid":true}`), "instance",
		ok(`{"valid":false}`)},
	{"opsgenie-api-key", "/v2/account", hdr("Authorization", "GenieKey {secret}"),
		ok(`{"data":{"name":"opsgenie","userCount":1450,"plan":{"maxUserCount":1500,"name":"Enterprise","isYearly":true}},"took":0.084,"requestId":"e5122017-f5c5-4681-88ec-84e2898a61ad"}`), "Enterprise",
		st(401, `{"message":"Could not authenticate","took":0.0,"requestId":"e5122017-f5c5-4681-88ec-84e2898a61ad"}`)},
	{"sparkpost-api-key", "/api/v1/account", hdr("Authorization", "{secret}"),
		ok(`{"results":{"company_name":"Example Inc","customer_id":112233,"status":"active"}}`), "Example Inc",
		st(401, `{"errors":[{"message":"Unauthorized."}]}`)},
	{"miro-access-token", "/v1/oauth-token", hdr("Authorization", "Bearer {secret}"),
		ok(`{"type":"oauth-token","createdBy":{"type":"user","name":"Ada","id":"3074457345618265000"},"organization":{"type":"organization","name":"Acme","id":"3074457345618265001"},"team":{"type":"team","name":"Design","id":"3074457345618265002"},"scopes":["boards:read"],"user":{"type":"user","name":"Ada","id":"3074457345618265000"}}`), "Ada in Design",
		st(401, `{"status":401,"message":"Unauthorized","type":"error"}`)},
	{"posthog-personal-api-key", "/api/users/@me/", hdr("Authorization", "Bearer {secret}"),
		ok(`{"uuid":"0186b2a4-0000-0000-0000-000000000000","first_name":"Max","email":"max@example.com"}`), "max@example.com",
		st(401, `{"type":"authentication_error","code":"authentication_failed","detail":"Personal API key found in request Authorization header is invalid.","attr":null}`)},
}

// request is what a provider's documentation asks of a request besides the
// secret: its method (GET unless said), headers that must carry exactly
// this value, and a check of the body.
type request struct {
	method  string
	headers []string // name, value, …
	body    func(string) error
}

// documented lists, by rule, what each provider documents about the request
// its identity call needs. The fakes refuse anything else, as the provider
// would.
var documented = map[string]request{
	"github-pat":                              githubRequest,
	"github-fine-grained-pat":                 githubRequest,
	"github-oauth-token":                      githubRequest,
	"github-user-to-server-token":             githubRequest,
	"github-app-installation-token":           githubRequest,
	"github-app-installation-token-stateless": githubRequest,
	// auth.test: POST, form or JSON; the token in the Authorization header.
	"slack-bot-token": {method: "POST", headers: []string{"Content-Type", "application/x-www-form-urlencoded"}},
	// An incoming webhook takes JSON; a body with text, blocks or
	// attachments would post a message.
	"slack-webhook-url":        {method: "POST", headers: []string{"Content-Type", "application/json"}, body: postsNothing},
	"anthropic-api-key":        {headers: []string{"anthropic-version", "2023-06-01"}},
	"anthropic-admin-key":      {headers: []string{"anthropic-version", "2023-06-01"}},
	"notion-integration-token": {headers: []string{"Notion-Version", "2022-06-28"}},
	"heroku-api-key":           {headers: []string{"Accept", "application/vnd.heroku+json; version=3"}},
	"linear-api-key":           {method: "POST", headers: []string{"Content-Type", "application/json"}, body: graphQLQuery},
	"linear-oauth-token":       {method: "POST", headers: []string{"Content-Type", "application/json"}, body: graphQLQuery},
	"mandrill-api-key":         {method: "POST", headers: []string{"Content-Type", "application/json"}},
	"cohere-api-key":           {method: "POST"},
	"dropbox-access-token":     {method: "POST", headers: []string{"Content-Type", "application/json"}},
	"dropbox-long-lived-token": {method: "POST", headers: []string{"Content-Type", "application/json"}},
	"pypi-upload-token":        {method: "POST", body: uploadsNothing},
	"testpypi-upload-token":    {method: "POST", body: uploadsNothing},
	"pagerduty-api-key":        {headers: []string{"Accept", "application/vnd.pagerduty+json;version=2"}},
	"postmark-server-token":    {headers: []string{"Accept", "application/json"}},
	"pulumi-access-token":      {headers: []string{"Accept", "application/vnd.pulumi+8"}},
	"snyk-token":               {headers: []string{"Accept", "application/vnd.api+json"}},
	"heroku-api-key-v2":        {headers: []string{"Accept", "application/vnd.heroku+json; version=3"}},
	// A version Pinecone still serves (each is kept at least twelve months).
	"pinecone-api-key": {headers: []string{"X-Pinecone-API-Version", "2026-04"}},
	// NerdGraph: a GraphQL POST with a JSON body; the user key in API-Key.
	"newrelic-user-api-key": {method: "POST", headers: []string{"Content-Type", "application/json"}, body: graphQLQuery},
}

var githubRequest = request{headers: []string{"Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28"}}

func postsNothing(body string) error {
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	for _, k := range []string{"text", "blocks", "attachments"} {
		if _, ok := m[k]; ok {
			return fmt.Errorf("the body has %q: it would post a message", k)
		}
	}
	return nil
}

func graphQLQuery(body string) error {
	var m struct{ Query string }
	if err := json.Unmarshal([]byte(body), &m); err != nil || m.Query == "" {
		return fmt.Errorf("not a GraphQL request: %q", body)
	}
	if strings.Contains(m.Query, "mutation") {
		return fmt.Errorf("a mutation: %q", m.Query)
	}
	return nil
}

func uploadsNothing(body string) error {
	for _, field := range []string{`name="content"`, `name="name"`, `name="version"`} {
		if strings.Contains(body, field) {
			return fmt.Errorf("the upload has %s", field)
		}
	}
	return nil
}

var exampleSecrets struct {
	once  sync.Once
	m     map[string]string
	attrs map[string]map[string]string
}

// exampleSecret returns a secret the built-in rule finds in its own first
// example that it reports: a real shape for each provider, from the
// catalogue rather than invented here.
func exampleSecret(t *testing.T, rule string) string {
	t.Helper()
	exampleSecrets.once.Do(func() {
		rules, err := patterns.Builtin()
		if err != nil {
			panic(err)
		}
		det := scanner.NewDetector(rules, nil)
		exampleSecrets.m = map[string]string{}
		exampleSecrets.attrs = map[string]map[string]string{}
		for _, r := range rules {
			for _, ex := range r.Examples {
				for _, f := range det.Detect(scanner.Chunk{Data: []byte(ex), Kind: scanner.KindFile, Path: "x"}) {
					if f.RuleID == r.ID && exampleSecrets.m[r.ID] == "" {
						exampleSecrets.m[r.ID] = f.Secret
						exampleSecrets.attrs[r.ID] = f.Attributes
					}
				}
			}
		}
	})
	s := exampleSecrets.m[rule]
	if s == "" {
		t.Fatalf("no example of %s yields a finding", rule)
	}
	return s
}

// exampleAttr is an attribute the detector recorded on the first finding
// of rule in its examples.
func exampleAttr(t *testing.T, rule, attr string) string {
	exampleSecret(t, rule)
	return exampleSecrets.attrs[rule][attr]
}

func finding(rule, secret string) scanner.Finding {
	return scanner.Finding{RuleID: rule, Secret: secret, Fingerprint: scanner.Fingerprint(rule, secret), Path: "app.env", Line: 1, Kind: scanner.KindFile}
}

// urlCarried names the verifiers whose provider takes the secret only in
// the URL: Telegram in the path, Mapbox in the query, a webhook as the URL
// itself. Every other secret stays out of the URL.
var urlCarried = map[string]string{
	"telegram-bot-token": "path", "telegram-bot-token-context": "path",
	"slack-webhook-url": "path", "discord-webhook-url": "path",
	"mapbox-secret-token": "query",
}

// fakeProvider serves one answer to every request, failing the test when
// a request does not carry the secret as the provider documents it.
func fakeProvider(t *testing.T, c providerCase, secret string, resp fakeResp) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	doc := documented[c.rule]
	method := doc.method
	if method == "" {
		method = http.MethodGet
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		body, _ := io.ReadAll(r.Body)
		if r.Method != method {
			t.Errorf("%s: method %s, want %s", c.rule, r.Method, method)
		}
		for i := 0; i+1 < len(doc.headers); i += 2 {
			if got := r.Header.Get(doc.headers[i]); got != doc.headers[i+1] {
				t.Errorf("%s: header %s is %q, want %q", c.rule, doc.headers[i], got, doc.headers[i+1])
			}
		}
		if doc.body != nil {
			if err := doc.body(string(body)); err != nil {
				t.Errorf("%s: body: %v", c.rule, err)
			}
		}
		if c.path != "" && r.URL.Path != c.path {
			t.Errorf("%s: path %s, want %s", c.rule, r.URL.Path, c.path)
		}
		if !c.auth(r, string(body), secret) {
			t.Errorf("%s: the request does not carry the secret where the provider expects it (headers %v, path %s)", c.rule, r.Header, r.URL.Path)
		}
		// Never-leak: the secret is in the URL only where the provider
		// takes it nowhere else (Telegram's path, Mapbox's query, a
		// webhook), and in no header but the one it belongs in.
		if urlCarried[c.rule] == "" && strings.Contains(r.URL.RequestURI(), secret) {
			t.Errorf("%s: the secret is in the URL %s, though the provider takes it in a header or the body", c.rule, r.URL.Path)
		}
		if urlCarried[c.rule] == "path" && strings.Contains(r.URL.RawQuery, secret) || urlCarried[c.rule] == "query" && strings.Contains(r.URL.Path, secret) {
			t.Errorf("%s: the secret is in the URL twice", c.rule)
		}
		inHeaders := 0
		for _, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, secret) {
					inHeaders++
				}
			}
		}
		if inHeaders > 1 || inHeaders == 1 && urlCarried[c.rule] != "" {
			t.Errorf("%s: the secret is in %d headers", c.rule, inHeaders)
		}
		if ua := r.Header.Get("User-Agent"); !strings.Contains(ua, "rampart") {
			t.Errorf("%s: User-Agent %q", c.rule, ua)
		}
		for i := 0; i+1 < len(resp.header); i += 2 {
			w.Header().Set(resp.header[i], resp.header[i+1])
		}
		w.WriteHeader(resp.status)
		io.WriteString(w, resp.body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func overrideEnv(rule, base string) func(string) string {
	return func(k string) string {
		if k == overrideVar(rule) {
			return base
		}
		return ""
	}
}

func runOne(t *testing.T, rule, secret string, getenv func(string) string) scanner.Verification {
	t.Helper()
	v, err := New(Options{Getenv: getenv, RetryDelay: time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	fs := []scanner.Finding{finding(rule, secret)}
	v.Verify(context.Background(), fs)
	return *fs[0].Verification
}

// TestProviders runs every data verifier against a fake shaped like its
// provider's documented answers: a valid answer gives valid with the
// identity, an invalid one gives invalid, and a 503 (twice: one attempt,
// one retry) gives unknown.
func TestProviders(t *testing.T) {
	t.Parallel()
	f, err := loadSpecs(verifiersTOML)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[*spec]bool{}
	byRule := map[string]*spec{}
	for i := range f.Verifiers {
		for _, id := range f.Verifiers[i].Rules {
			byRule[id] = &f.Verifiers[i]
		}
	}
	for _, c := range providerCases {
		c := c
		s := byRule[c.rule]
		if s == nil {
			t.Errorf("%s has no verifier", c.rule)
			continue
		}
		covered[s] = true
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			secret := exampleSecret(t, c.rule)
			if c.rule == "launchdarkly-key" {
				secret = "api-" + strings.TrimPrefix(strings.TrimPrefix(secret, "sdk-"), "api-")
			}
			srv, n := fakeProvider(t, c, secret, c.valid)
			got := runOne(t, c.rule, secret, overrideEnv(c.rule, srv.URL))
			if got.Status != scanner.VerifyValid || !strings.Contains(got.Identity+" "+got.Detail, c.want) {
				t.Errorf("valid answer: got %+v, want valid mentioning %q", got, c.want)
			}
			if strings.Contains(got.Identity+got.Detail, secret) {
				t.Errorf("the result holds the secret: %+v", got)
			}
			if n.Load() != 1 {
				t.Errorf("valid answer: %d requests, want 1", n.Load())
			}

			srv, _ = fakeProvider(t, c, secret, c.invalid)
			got = runOne(t, c.rule, secret, overrideEnv(c.rule, srv.URL))
			if got.Status != scanner.VerifyInvalid {
				t.Errorf("invalid answer: got %+v, want invalid", got)
			}

			srv, n = fakeProvider(t, c, secret, st(503, `{"message":"Service Unavailable"}`))
			got = runOne(t, c.rule, secret, overrideEnv(c.rule, srv.URL))
			if got.Status != scanner.VerifyUnknown || n.Load() != 2 {
				t.Errorf("503: got %+v after %d requests, want unknown after 2 (one retry)", got, n.Load())
			}

			// A rate limit says nothing about the secret.
			srv, n = fakeProvider(t, c, secret, st(429, `{"message":"Too Many Requests"}`, "Retry-After", "0"))
			got = runOne(t, c.rule, secret, overrideEnv(c.rule, srv.URL))
			if got.Status != scanner.VerifyUnknown || n.Load() != 2 {
				t.Errorf("429: got %+v after %d requests, want unknown after 2 (one retry)", got, n.Load())
			}
		})
	}
	for i := range f.Verifiers {
		if len(f.Verifiers[i].Needs) > 0 {
			continue // needs a companion value: TestCompanionVerifiers
		}
		if !covered[&f.Verifiers[i]] {
			t.Errorf("verifier %s (%v) has no provider case", f.Verifiers[i].Provider, f.Verifiers[i].Rules)
		}
	}
}

// TestProviderAnswers: the answers that are neither the plain valid nor the
// plain invalid one, read as each provider documents them. A 403 is not
// always "invalid": a rate limit (GitHub), a live token without the scope
// (GitLab, OpenAI), or a refusal the provider does not explain (Mailgun).
func TestProviderAnswers(t *testing.T) {
	t.Parallel()
	farReset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	cases := []struct {
		name, rule string
		resp       fakeResp
		want       scanner.VerifyStatus
		detail     string // in the result's detail
		requests   int32
	}{
		{"GitHub primary rate limit (403)", "github-pat",
			st(403, `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`,
				"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", farReset),
			scanner.VerifyUnknown, "rate limited", 1},
		{"GitHub secondary rate limit (403, Retry-After)", "github-pat",
			st(403, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`, "Retry-After", "0"),
			scanner.VerifyUnknown, "rate limited", 2},
		{"GitHub rate limit (429)", "github-app-installation-token",
			st(429, `{"message":"API rate limit exceeded"}`, "X-RateLimit-Remaining", "0", "Retry-After", "0"),
			scanner.VerifyUnknown, "rate limited", 2},
		{"a 403 rate limit where 403 otherwise means invalid", "figma-pat",
			st(403, `{"status":403,"err":"Rate limit exceeded"}`, "X-RateLimit-Remaining", "0", "Retry-After", "3600"),
			scanner.VerifyUnknown, "rate limited", 1},
		{"GitLab token without a scope that reads it", "gitlab-pat",
			st(403, `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}`),
			scanner.VerifyValid, "scopes do not allow", 1},
		{"OpenAI restricted key", "openai-project-key",
			st(403, `{"error":{"message":"You have insufficient permissions for this operation. Missing scopes: model.read.","type":"invalid_request_error","code":null}}`),
			scanner.VerifyValid, "restricted", 1},
		{"OpenAI refusing the country", "openai-api-key",
			st(403, `{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported","type":"request_forbidden"}}`),
			scanner.VerifyUnknown, "country", 1},
		{"OpenAI out of quota", "openai-api-key",
			st(429, `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`),
			scanner.VerifyValid, "quota", 1},
		{"Mailgun 403", "mailgun-api-key",
			st(403, `{"message":"Forbidden"}`),
			scanner.VerifyUnknown, "403", 1},
		{"Slack rate limit", "slack-user-token",
			st(429, `{"ok":false,"error":"ratelimited"}`, "Retry-After", "0"),
			scanner.VerifyUnknown, "rate limited", 2},
		{"Slack ok:false it does not explain", "slack-bot-token",
			ok(`{"ok":false,"error":"fatal_error"}`),
			scanner.VerifyUnknown, "", 1},
		{"Slack webhook of an archived channel", "slack-webhook-url",
			st(410, "channel_is_archived"),
			scanner.VerifyInvalid, "channel_is_archived", 1},
		{"Stripe restricted key", "stripe-restricted-key",
			st(403, `{"error":{"message":"The provided key 'rk_live_***' does not have the required permissions for this endpoint.","type":"invalid_request_error"}}`),
			scanner.VerifyValid, "restricted key", 1},
		{"Anthropic rate limit", "anthropic-api-key",
			st(429, `{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}`, "retry-after", "0"),
			scanner.VerifyUnknown, "rate limited", 2},
		{"Anthropic overloaded", "anthropic-api-key",
			st(529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`),
			scanner.VerifyUnknown, "529", 2},
		{"ElevenLabs key without user_read", "elevenlabs-api-key",
			st(401, `{"detail":{"status":"missing_permissions","message":"The API key you used is missing the permission user_read to execute this operation."}}`),
			scanner.VerifyValid, "user_read", 1},
		{"Figma token without current_user:read", "figma-pat",
			st(403, `{"status":403,"err":"Invalid scope(s): this endpoint requires the current_user:read scope"}`),
			scanner.VerifyUnknown, "current_user:read", 1},
		{"Typeform token without accounts:read", "typeform-pat",
			st(403, `{"code":"FORBIDDEN","description":"Your token does not have the required scopes: accounts:read"}`),
			scanner.VerifyValid, "accounts:read", 1},
		{"Vercel 403 that is not about the token", "vercel-token",
			st(403, `{"error":{"code":"forbidden","message":"You don't have permission to access this resource"}}`),
			scanner.VerifyUnknown, "403", 1},
		{"PyPI refusing uploads for maintenance", "pypi-upload-token",
			st(403, "Read-only mode: Uploads are temporarily disabled."),
			scanner.VerifyUnknown, "403", 1},
		{"PyPI refusing an expired token", "pypi-upload-token",
			st(403, "Invalid API Token: token is expired"),
			scanner.VerifyInvalid, "invalid API token", 1},
		{"GitLab answer without a user", "gitlab-pat",
			ok(`{"message":"maintenance"}`),
			scanner.VerifyUnknown, "", 1},
		{"Cloudflare expired token", "cloudflare-api-token",
			ok(`{"success":true,"errors":[],"messages":[],"result":{"id":"f267e341f3dd4697bd3b9f71dd96247f","status":"expired"}}`),
			scanner.VerifyInvalid, "expired", 1},
		{"xAI disabled key", "xai-api-key",
			ok(`{"name":"ci key","team_id":"team-9","api_key_blocked":false,"api_key_disabled":true}`),
			scanner.VerifyInvalid, "disabled", 1},
		{"Facebook application rate limit", "facebook-access-token",
			st(400, `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","is_transient":true,"code":4,"fbtrace_id":"A"}}`),
			scanner.VerifyUnknown, "rate limited", 1},
		{"Facebook expired token", "facebook-access-token",
			st(400, `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A"}}`),
			scanner.VerifyInvalid, "190", 1},
		{"Linear authentication error in a 200", "linear-api-key",
			ok(`{"errors":[{"message":"Authentication required, not authenticated","extensions":{"code":"AUTHENTICATION_ERROR"}}]}`),
			scanner.VerifyInvalid, "authentication failed", 1},
		{"Linear rate limit", "linear-api-key",
			st(400, `{"errors":[{"message":"Rate limit exceeded","extensions":{"code":"RATELIMITED"}}]}`),
			scanner.VerifyUnknown, "", 1},
		{"Slack webhook an admin stopped posting", "slack-webhook-url",
			st(403, "action_prohibited"),
			scanner.VerifyValid, "action_prohibited", 1},
		{"Slack webhook with a revoked token", "slack-webhook-url",
			st(403, "invalid_token"),
			scanner.VerifyInvalid, "invalid_token", 1},
		{"New Relic GraphQL error in a 200 (no user)", "newrelic-user-api-key",
			ok(`{"data":{"actor":{"user":null}},"errors":[{"message":"Something went wrong"}]}`),
			scanner.VerifyUnknown, "", 1},
		{"Sentry 401 that does not call the token invalid", "sentry-user-token",
			st(401, `{"detail":"Authentication credentials were not provided."}`),
			scanner.VerifyUnknown, "", 1},
		{"SonarQube Cloud refusing the token outright", "sonarqube-cloud-token",
			st(401, ``),
			scanner.VerifyInvalid, "not valid", 1},
		// Some projects' auth keys (AQ.) are refused as a kind of
		// credential, live or not: that says nothing about the key.
		{"Gemini auth key refused as a kind of credential", "google-gemini-api-key",
			st(401, `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_TYPE_UNSUPPORTED"}]}}`),
			scanner.VerifyUnknown, "ACCESS_TOKEN_TYPE_UNSUPPORTED", 1},
		{"LaunchDarkly server-side SDK key", "launchdarkly-key",
			ok(`{"accountId":"57d0e4b0","authKind":"sdk","environmentId":"5e7a1c","environmentName":"Production","projectId":"5e7a1b","projectName":"Storefront"}`),
			scanner.VerifyValid, "environment Production of project Storefront", 1},
		{"Telegram rate limit", "telegram-bot-token",
			st(429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 0","parameters":{"retry_after":0}}`, "Retry-After", "0"),
			scanner.VerifyUnknown, "rate limited", 2},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			secret := exampleSecret(t, c.rule)
			srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				for i := 0; i+1 < len(c.resp.header); i += 2 {
					w.Header().Set(c.resp.header[i], c.resp.header[i+1])
				}
				w.WriteHeader(c.resp.status)
				io.WriteString(w, c.resp.body)
			})
			got := runOne(t, c.rule, secret, overrideEnv(c.rule, srv.URL))
			if got.Status != c.want || !strings.Contains(got.Detail, c.detail) || n.Load() != c.requests {
				t.Errorf("got %+v after %d requests, want %s mentioning %q after %d", got, n.Load(), c.want, c.detail, c.requests)
			}
		})
	}
}

// TestCloudflareAccountTokenNotSent: an account-owned Cloudflare token
// (cfat_) answers only at its account's own endpoint, which rampart does not
// know: it is not sent to the user-token endpoint to be called invalid.
func TestCloudflareAccountTokenNotSent(t *testing.T) {
	t.Parallel()
	secret := "cfat_" + strings.TrimPrefix(exampleSecret(t, "cloudflare-api-token-v2"), "cfut_")
	v, _ := New(Options{Transport: failTransport{t}, Getenv: func(string) string { return "" }})
	fs := []scanner.Finding{finding("cloudflare-api-token-v2", secret)}
	v.Verify(context.Background(), fs)
	if got := fs[0].Verification; got.Status != scanner.VerifyNotChecked || !strings.Contains(got.Detail, "account") {
		t.Errorf("got %+v, want not-checked", got)
	}
}

// TestOneCallPerSecretAcrossRules: the same token found by two rules of one
// provider (the Telegram token rule and its context rule, in two files) is
// one credential and one call.
func TestOneCallPerSecretAcrossRules(t *testing.T) {
	t.Parallel()
	srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Deploy","username":"deploy_bot"}}`)
	})
	secret := exampleSecret(t, "telegram-bot-token-context")
	a, b := finding("telegram-bot-token", secret), finding("telegram-bot-token-context", secret)
	b.Path = "other.env"
	fs := []scanner.Finding{a, b}
	v, _ := New(Options{Getenv: func(k string) string {
		if k == overrideVar("telegram-bot-token") || k == overrideVar("telegram-bot-token-context") {
			return srv.URL
		}
		return ""
	}})
	v.Verify(context.Background(), fs)
	if n.Load() != 1 {
		t.Errorf("%d requests for one token, want 1", n.Load())
	}
	for _, f := range fs {
		if f.Verification.Status != scanner.VerifyValid || f.Verification.Identity != "@deploy_bot" {
			t.Errorf("%s: %+v", f.RuleID, f.Verification)
		}
	}
}

// TestInvalidNeverFromRateLimitOrFailure: verifiers.toml cannot call a
// rate limit or a provider failure "invalid" (unless the body says the key
// was refused), nor write an invalid outcome that matches any status.
func TestInvalidNeverFromRateLimitOrFailure(t *testing.T) {
	t.Parallel()
	base := "[[verifier]]\nprovider = \"X\"\nrules = [\"x\"]\nurl = \"https://api.example.com/me\"\nlearns = \"x\"\n"
	for _, bad := range []string{
		"[[verifier.when]]\nstatus = [401, 429]\nresult = \"invalid\"\n",
		"[[verifier.when]]\nstatus = [503]\nresult = \"invalid\"\n",
		"[[verifier.when]]\nbody = \"denied\"\nresult = \"invalid\"\n",
	} {
		if _, err := loadSpecs([]byte(base + bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
	good := "[[verifier.when]]\nstatus = [500]\njson = { name = \"Invalid_Key\" }\nresult = \"invalid\"\n"
	if _, err := loadSpecs([]byte(base + good)); err != nil {
		t.Errorf("refused a 500 whose body names the refused key: %v", err)
	}
}
