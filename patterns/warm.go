package patterns

import "sync/atomic"

// validatorState builds what the validators build at their first use: the
// regexes and tables behind their sync.OnceValue variables. A test checks
// that every such variable of the package is here.
var validatorState = []func(){
	func() { templateExprRE() }, func() { rubyInterpolationRE() }, func() { crowdinRE() },
	func() { uuidShapeRE() }, func() { headerNameRE() }, func() { keyULIDRE() },
	func() { passwordHashRE() }, func() { weakPasswordDigests() }, func() { connStringUserRE() },
	func() { commandUserRE() }, func() { bcryptInRE() }, func() { urlHostRE() },
	func() { kdfCallRE() }, func() { argumentBeforeRE() }, func() { sqlValuesRE() },
	func() { dottedHostRE() }, func() { entryLabelRE() }, func() { jsonPasswordRE() },
	func() { openAPIHeadRE() }, func() { openAPIKeyRE() }, func() { traceparentRE() },
	func() { encStringRE() }, func() { resourceNameRE() }, func() { urlSchemeRE() },
	func() { positionalVerbRE() }, func() { dottedComparisonRE() }, func() { cliFlagRE() },
	func() { hostNameRE() }, func() { assignmentTextRE() }, func() { fileNameRE() },
	func() { uuidRE() }, func() { webhookKeyRE() }, func() { numeronymRE() },
	func() { literalSeamRE() }, func() { validationRulesRE() }, func() { batchVariableRE() },
	func() { emailRE() }, func() { apiVersionRE() }, func() { datadogClientTokenRE() },
	func() { algoliaSearchRE() }, func() { ownReportAttrRE() }, func() { azureAccountName() }, func() { log2Ratios() },
}

// WarmValidators builds the validators' regexes and tables ahead of their
// first use, until stop is set. A scan's readers otherwise build each at
// its first candidate, both cores busy, and a reader that needs one another
// reader is building waits for it: a Kingfisher history scan's runtime
// trace showed one core idle for 3.4 ms on the e-mail and API-version
// regexes. The scanner calls this on its idle core before reading begins.
func WarmValidators(stop *atomic.Bool) {
	for _, build := range validatorState {
		if stop.Load() {
			return
		}
		build()
	}
}
