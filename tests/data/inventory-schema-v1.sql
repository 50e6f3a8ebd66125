-- The inventory as schema version 1 wrote it, kept to test the migrations.
CREATE TABLE keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('stored', 'file', 'agent')),
    public_key TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    key_path TEXT NOT NULL DEFAULT '',
    sealed_private_key BLOB,
    sealed_passphrase BLOB,
    enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE servers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL,
    port INTEGER NOT NULL DEFAULT 22,
    key_id INTEGER REFERENCES keys(id),
    username TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1);
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    git_url TEXT NOT NULL,
    default_branch TEXT NOT NULL DEFAULT 'main',
    keep_releases INTEGER NOT NULL DEFAULT 5,
    package_excludes TEXT NOT NULL DEFAULT '');
CREATE TABLE environments (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    deploy_root TEXT NOT NULL,
    shared_paths TEXT NOT NULL DEFAULT '',
    parallelism INTEGER NOT NULL DEFAULT 10,
    UNIQUE (project_id, name));
CREATE TABLE environment_servers (
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    server_id INTEGER NOT NULL REFERENCES servers(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (environment_id, server_id));
PRAGMA user_version=1;
