package scanner

// VerifyStatus is the outcome of checking a secret with its provider.
type VerifyStatus string

// Verification statuses. The zero value is not a status: a finding that was
// not verified has no Verification at all.
const (
	// VerifyValid: the provider accepted the secret.
	VerifyValid VerifyStatus = "valid"
	// VerifyInvalid: the provider rejected it (revoked, expired, never real).
	VerifyInvalid VerifyStatus = "invalid"
	// VerifyUnknown: the answer could not be had (timeout, rate limit, 5xx,
	// network refused). Never to be read as invalid.
	VerifyUnknown VerifyStatus = "unknown"
	// VerifyNotChecked: nothing was sent (no verifier for the rule, a canary
	// token, a pair whose other half is missing).
	VerifyNotChecked VerifyStatus = "not-checked"
)

// VerifyStatuses lists every status, most urgent first: the order reports
// sort by.
var VerifyStatuses = []VerifyStatus{VerifyValid, VerifyUnknown, VerifyNotChecked, VerifyInvalid}

// Verification is the result of verifying one secret, recorded on every
// finding of that secret.
//
// It is plain data defined here rather than in package verify because a
// Finding carries it: verify imports scanner (for Finding), so scanner
// cannot import verify without a cycle.
type Verification struct {
	Status VerifyStatus `json:"status"`
	// Identity says whose the secret is (an ARN, a login, a team), when the
	// provider said.
	Identity string `json:"identity,omitempty"`
	// Detail is the evidence: scopes, the provider's error, why nothing was sent.
	Detail string `json:"detail,omitempty"`
}
