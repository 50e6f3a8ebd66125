#pragma once

#include "common/error.h"
#include "hostkeys/hostkeyinfo.h"
#include "common/secretbytes.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <atomic>
#include <functional>

namespace rd {

class KnownHosts;

// How to sign in to an ssh:// or scp-style remote. Tried in this order: the key in memory (opened
// from the vault), the key file, ssh-agent. The user name comes from the URL when it has one.
struct GitSshCredentials
{
    QString username;
    SecretBytes privateKey; // OpenSSH or PEM text, never written to disk
    SecretBytes passphrase;
    QString keyPath;
    bool useAgent = false;
};

struct FetchProgress
{
    qint64 receivedObjects = 0;
    qint64 indexedObjects = 0;
    qint64 totalObjects = 0;
    qint64 localObjects = 0; // objects the mirror already had (thin packs)
    qint64 receivedBytes = 0;
};

struct FetchOptions
{
    GitSshCredentials credentials;
    // Host keys of ssh remotes are checked here; required for ssh URLs.
    KnownHosts *knownHosts = nullptr;
    // Asked on first contact with an ssh host, from the fetching thread.
    HostKeyPrompt hostKeyPrompt;
    // Called from the fetching thread as the pack arrives.
    std::function<void(const FetchProgress &)> onProgress;
    const std::atomic_bool *cancel = nullptr;
    // The project's consent to an http:// or git:// URL (Project::allowUnauthenticated).
    bool allowUnauthenticated = false;
};

// One ref the fetch created, moved or pruned; an empty id means "did not exist".
struct RefUpdate
{
    QString name; // full ref name, e.g. refs/heads/main
    QString oldId;
    QString newId;
};

struct FetchReport
{
    bool cloned = false; // the mirror was created by this fetch
    QList<RefUpdate> updates;
    FetchProgress transfer;
    QString defaultBranch; // the remote's HEAD, e.g. "main"; empty when it has none
};

// A project's bare mirror: every branch and tag of the remote, refs deleted there pruned here.
// fetch() blocks; the GUI runs it on a worker thread, which then owns the libgit2 handles it opens.
class GitMirror
{
    Q_DECLARE_TR_FUNCTIONS(GitMirror)

public:
    explicit GitMirror(QString path);

    // <data>/mirrors/<project>.git
    static QString pathFor(const QString &dataDir, const QString &projectName);

    QString path() const { return m_path; }
    bool exists() const;

    // Clones into a fresh mirror (built beside the final path and renamed, so a failed first clone
    // leaves nothing) or fetches into the existing one, following a changed URL.
    Result<FetchReport> fetch(const QString &url, const FetchOptions &options = {}) const;

    // Checks the URL's form without touching the network: https, http, ssh, git, file URLs,
    // scp-style user@host:path, and absolute local paths.
    static Result<> checkUrl(const QString &url);

private:
    QString m_path;
};

} // namespace rd
