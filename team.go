package tandem

// TeamType is a Team Topologies team type.
type TeamType string

// Team types.
const (
	StreamAligned        TeamType = "stream-aligned"
	PlatformTeam         TeamType = "platform"
	Enabling             TeamType = "enabling"
	ComplicatedSubsystem TeamType = "complicated-subsystem"
)

// TeamTypes lists every valid TeamType.
var TeamTypes = []TeamType{StreamAligned, PlatformTeam, Enabling, ComplicatedSubsystem}

// Team is a group of people that owns codebases and may own platforms.
type Team struct {
	Name string   `json:"name"`
	Type TeamType `json:"type"`
	// Members are people's handles, united with the teams people declare.
	Members []string `json:"members"`
	// Aliases are extra CODEOWNERS handles (@org/payments) or Backstage
	// group refs (group:default/payments) that mean this team.
	Aliases []string `json:"aliases"`
	Tracker Tracker  `json:"tracker"`
	// Chat is where the team hears about campaigns (nudges), if anywhere.
	Chat *Chat `json:"chat,omitempty"`
}

// Chat is a team's chat channel, reached through an incoming webhook that
// takes {"text": …} (Slack, Mattermost, Rocket.Chat, Google Chat and
// others). Webhook is a secret, so it is only ever named by reference:
// "env:NAME" reads the environment variable NAME of the server.
type Chat struct {
	Webhook string `json:"webhook"`
}

// Tracker says where a team's tickets go: the built-in tracker, or the
// issues of a repository on a code host ("gitea", "github": Host names the
// CodeHost, Repo is "owner/name"), or a Jira project ("jira": URL, Project,
// IssueType, and User and Token to authenticate).
type Tracker struct {
	Type string `json:"type"` // builtin (default) | gitea | github | jira
	Host string `json:"host,omitempty"`
	Repo string `json:"repo,omitempty"`

	URL       string `json:"url,omitempty"`
	Project   string `json:"project,omitempty"`
	IssueType string `json:"issueType,omitempty"`
	// User is the account a Jira Cloud API token belongs to (basic
	// authentication); without it the token is a personal access token
	// of Jira Data Center (bearer authentication).
	User string `json:"user,omitempty"`
	// Token names the secret by reference (env:NAME).
	Token string `json:"token,omitempty"`
}

// Person is someone who works in one or more teams: declared by a Person
// document, or named as a member by a team.
type Person struct {
	Handle string `json:"name"`
	// Name is the person's full name.
	Name  string `json:"full_name,omitempty"`
	Email string `json:"email,omitempty"`
	// Teams are the person's teams, united with the teams listing them as
	// members.
	Teams []string `json:"teams"`
}

// PeoplePage selects one page of everyone, sorted by handle: at most
// Limit people whose handle sorts after After ("" for the first page).
type PeoplePage struct {
	After string
	Limit int
}
