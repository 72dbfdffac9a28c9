-- +goose Up
CREATE TABLE teams (
    name       TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    members    TEXT NOT NULL DEFAULT '[]',
    aliases    TEXT NOT NULL DEFAULT '[]',
    tracker    TEXT NOT NULL DEFAULT '{}',
    spec_json  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE people (
    handle     TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    teams      TEXT NOT NULL DEFAULT '[]',
    spec_json  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- memberships unite the members a team declares (source 'team') with the
-- teams a person declares (source 'person').
CREATE TABLE memberships (
    team   TEXT NOT NULL,
    person TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('team', 'person')),
    PRIMARY KEY (team, person, source)
);
CREATE INDEX memberships_person ON memberships (person);

CREATE TABLE codehosts (
    name       TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    path       TEXT NOT NULL DEFAULT '',
    spec_json  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- codebase_policies are Codebase documents; they may name codebases that
-- no scan has discovered yet.
CREATE TABLE codebase_policies (
    name          TEXT PRIMARY KEY,
    owner         TEXT NOT NULL DEFAULT '',
    contributions TEXT NOT NULL DEFAULT '',
    trusted       TEXT NOT NULL DEFAULT '[]',
    spec_json     TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- codebases are discovered by scans; owner, owner_source, contributions
-- and trusted are resolved from the policy, the ownership and the teams.
CREATE TABLE codebases (
    name           TEXT PRIMARY KEY,
    host           TEXT NOT NULL,
    default_branch TEXT NOT NULL DEFAULT '',
    head           TEXT NOT NULL DEFAULT '',
    ownership      TEXT NOT NULL DEFAULT '{}',
    problems       TEXT NOT NULL DEFAULT '[]',
    scanned_at     TIMESTAMP,
    owner          TEXT,
    owner_source   TEXT NOT NULL DEFAULT '',
    contributions  TEXT NOT NULL DEFAULT 'closed',
    trusted        TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX codebases_owner ON codebases (owner);
CREATE INDEX codebases_host ON codebases (host);

CREATE TABLE platforms (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    codebases  TEXT NOT NULL DEFAULT '[]',
    adoption   TEXT NOT NULL DEFAULT 'null',
    support    TEXT NOT NULL DEFAULT '',
    docs       TEXT NOT NULL DEFAULT '[]',
    spec_json  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE platforms;
DROP TABLE codebases;
DROP TABLE codebase_policies;
DROP TABLE codehosts;
DROP TABLE memberships;
DROP TABLE people;
DROP TABLE teams;
