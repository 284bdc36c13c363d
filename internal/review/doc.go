// Package review turns the JSON of `terraform show -json <planfile>` into
// the report a reviewer of an infrastructure change reads: which iis_*
// changes raise privilege or widen exposure, which lower them, and what
// changed on the hosts behind Terraform's back (resource_drift), with an
// exit code a CI gate can use.
//
// It reads only the attributes it needs (host, the privilege or exposure
// level, its reason and the account), and never prints any other attribute,
// so secrets in a plan (passwords in state, sensitive variables) cannot reach
// a pull-request comment. Values the plan marks sensitive are shown as
// "(sensitive)" even among those.
//
// Levels come from the plan itself: the provider computes privilege and
// exposure at plan time with package risk, so the report and the plan diff
// can never disagree. The JSON output's shape is documented in
// docs/guides/review.md and versioned by its format_version.
package review
