package tandem

// ReadinessItem is one thing a codebase needs before outsiders can
// contribute to it well, and the check that finds it.
type ReadinessItem struct {
	Name  string
	Title string
	Check Check
}

// ReadinessItems are what a platform codebase needs to be opened up:
// read by the scanner on every codebase while some platform lists
// codebases.
var ReadinessItems = []ReadinessItem{
	{"contributing", "a CONTRIBUTING guide", Check{Any: []Check{{Path: "CONTRIBUTING*"}, {Path: ".github/CONTRIBUTING*"}, {Path: "docs/CONTRIBUTING*"}}}},
	{"codeowners", "a CODEOWNERS file", Check{Any: []Check{{Path: "CODEOWNERS"}, {Path: ".github/CODEOWNERS"}, {Path: ".gitlab/CODEOWNERS"}, {Path: "docs/CODEOWNERS"}}}},
	{"pr-template", "a pull request template", Check{Any: []Check{
		{Path: "{.github/,.gitea/,docs/,}{pull_request_template,PULL_REQUEST_TEMPLATE}.md"},
		{Path: ".github/PULL_REQUEST_TEMPLATE/*"}, {Path: ".gitlab/merge_request_templates/*"}}}},
	{"ci", "continuous integration", Check{Any: []Check{
		{Path: ".github/workflows/*.{yml,yaml}"}, {Path: ".gitea/workflows/*.{yml,yaml}"}, {Path: ".gitlab-ci.yml"},
		{Path: "Jenkinsfile"}, {Path: ".circleci/config.yml"}, {Path: "azure-pipelines.yml"}, {Path: ".buildkite/*"}}}},
	{"tests", "tests", Check{Any: []Check{
		{Path: "**/*_test.go"}, {Path: "**/{test_*,*_test}.py"}, {Path: "**/*.{test,spec}.{js,jsx,ts,tsx}"},
		{Path: "**/src/test/**"}, {Path: "{test,tests}/**"}}}},
	{"readme-build", "a README that says how to build", Check{Path: "README*", Matches: `(?i)\b(build|make|go (build|test|run)|npm (install|run|test)|yarn|mvn|gradle|cargo (build|test)|pip install)\b`}},
}

// ReadinessChecks returns the checks of ReadinessItems as named checks,
// "readiness/NAME/present".
func ReadinessChecks() []NamedCheck {
	checks := make([]NamedCheck, len(ReadinessItems))
	for i, it := range ReadinessItems {
		checks[i] = named(CheckID("readiness", it.Name, "present"), it.Check)
	}
	return checks
}
