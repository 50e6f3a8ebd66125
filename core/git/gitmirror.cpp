#include "gitmirror.h"

#include "common/credentialredaction.h"

#include "inventory/validator.h"

#include "githandles.h"
#include "localuploadpack.h"
#include "hostkeys/knownhosts.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QUrl>
#include <QUuid>

#include <optional>

namespace rd {

namespace {

const char *const RemoteName = "origin";

// An scp-style address: [user@]host:path, where the host holds no slash and is not a drive letter.
const QRegularExpression &scpPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^(?:([^@/:\s]+)@)?([^@/:\s]+|\[[^\]\s]+\]):(.+)$)"));
    return pattern;
}

struct SshAddress
{
    QString host;
    int port = 22;
};

std::optional<SshAddress> sshAddress(const QString &url)
{
    if (url.contains(QStringLiteral("://"))) {
        const QUrl parsed(url);
        const QString scheme = parsed.scheme().toLower();
        if (scheme != u"ssh" && scheme != u"ssh+git" && scheme != u"git+ssh")
            return std::nullopt;
        return SshAddress{parsed.host(), parsed.port(22)};
    }
    const QRegularExpressionMatch match = scpPattern().match(url);
    if (!match.hasMatch())
        return std::nullopt;
    QString host = match.captured(2);
    if (host.startsWith(u'['))
        host = host.mid(1, host.size() - 2);
    return SshAddress{host, 22};
}

QString oidText(const git_oid *id)
{
    if (!id || git_oid_is_zero(id))
        return {};
    char text[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(text, sizeof text, id);
    return QString::fromLatin1(text);
}

// The key type is the first string of the SSH wire-format blob.
QString keyTypeOf(const QByteArray &blob)
{
    if (blob.size() < 4)
        return {};
    const quint32 length = (quint32(quint8(blob[0])) << 24) | (quint32(quint8(blob[1])) << 16) |
                           (quint32(quint8(blob[2])) << 8) | quint32(quint8(blob[3]));
    if (length > quint32(blob.size() - 4))
        return {};
    return QString::fromLatin1(blob.mid(4, qsizetype(length)));
}

// libssh2 wants NUL-terminated strings; the copy lives in wiped memory like the original.
SecretBytes terminated(const SecretBytes &secret)
{
    SecretBytes copy(secret.size() + 1);
    if (!secret.isEmpty())
        std::copy_n(secret.data(), secret.size(), copy.data());
    copy.data()[secret.size()] = 0;
    return copy;
}

struct FetchState
{
    const FetchOptions *options = nullptr;
    QString url;
    std::optional<SshAddress> ssh;
    std::optional<Error> failure; // set by a callback that stopped the fetch on purpose
    bool triedMemoryKey = false;
    bool triedKeyFile = false;
    bool triedAgent = false;
    QStringList triedMethods;
    FetchReport *report = nullptr;
    LocalUploadPack *uploadPack = nullptr; // set for a repository on this machine when git is installed

    bool cancelled() const { return options->cancel && options->cancel->load(); }
    int stop(Error error)
    {
        failure = std::move(error);
        return GIT_EUSER;
    }
    int stopCancelled()
    {
        return stop(Error{GitMirror::tr("The fetch of %1 was cancelled.").arg(CredentialRedaction::apply(url)), {}, {}});
    }
};

int credentialCallback(git_credential **out, const char *, const char *usernameFromUrl, unsigned int allowed,
                       void *payload)
{
    auto *state = static_cast<FetchState *>(payload);
    if (state->cancelled())
        return state->stopCancelled();
    const GitSshCredentials &credentials = state->options->credentials;
    const QByteArray username =
        (usernameFromUrl && *usernameFromUrl) ? QByteArray(usernameFromUrl) : credentials.username.toUtf8();

    if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)
        return state->stop(
            Error{GitMirror::tr("%1 asks for a user name and password.").arg(CredentialRedaction::apply(state->url)),
                  GitMirror::tr("ReleaseDesk fetches over https only from repositories that need no "
                                "sign-in; use the repository's ssh URL with a key instead."),
                  {}});
    if (username.isEmpty())
        return state->stop(
            Error{GitMirror::tr("No user name to sign in to %1.").arg(CredentialRedaction::apply(state->url)),
                  GitMirror::tr("Put the user in the URL (ssh://git@host/path) or choose a key "
                                "with a user name."),
                  {}});
    if (allowed & GIT_CREDENTIAL_USERNAME)
        return git_credential_username_new(out, username.constData());

    const QByteArray passphrase =
        credentials.passphrase.isEmpty() ? QByteArray() : credentials.passphrase.view().toByteArray();
    if ((allowed & GIT_CREDENTIAL_SSH_MEMORY) && !credentials.privateKey.isEmpty() &&
        !state->triedMemoryKey) {
        state->triedMemoryKey = true;
        state->triedMethods.append(GitMirror::tr("the stored key"));
        const SecretBytes key = terminated(credentials.privateKey);
        const SecretBytes phrase = terminated(credentials.passphrase);
        return git_credential_ssh_key_memory_new(out, username.constData(), nullptr,
                                                 reinterpret_cast<const char *>(key.data()),
                                                 reinterpret_cast<const char *>(phrase.data()));
    }
    if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !credentials.keyPath.isEmpty() && !state->triedKeyFile) {
        state->triedKeyFile = true;
        state->triedMethods.append(GitMirror::tr("the key file %1").arg(credentials.keyPath));
        const QString publicPath = credentials.keyPath + QStringLiteral(".pub");
        const QByteArray publicKey =
            QFileInfo::exists(publicPath) ? QFile::encodeName(publicPath) : QByteArray();
        const SecretBytes phrase = terminated(credentials.passphrase);
        return git_credential_ssh_key_new(out, username.constData(),
                                          publicKey.isEmpty() ? nullptr : publicKey.constData(),
                                          QFile::encodeName(credentials.keyPath).constData(),
                                          reinterpret_cast<const char *>(phrase.data()));
    }
    if ((allowed & GIT_CREDENTIAL_SSH_KEY) && credentials.useAgent && !state->triedAgent) {
        state->triedAgent = true;
        state->triedMethods.append(GitMirror::tr("ssh-agent"));
        return git_credential_ssh_key_from_agent(out, username.constData());
    }
    const QString host = state->ssh ? state->ssh->host : CredentialRedaction::apply(state->url);
    if (state->triedMethods.isEmpty())
        return state->stop(
            Error{GitMirror::tr("No key to sign in to %1 as %2.").arg(host, QString::fromUtf8(username)),
                  GitMirror::tr("Choose a key from the inventory, a key file, or ssh-agent."),
                  {}});
    return state->stop(
        Error{GitMirror::tr("Authentication to %1 as %2 failed (tried %3).")
                  .arg(host, QString::fromUtf8(username), state->triedMethods.join(QStringLiteral(", "))),
              GitMirror::tr("Check that the key's public half is in the server's authorized_keys "
                            "for that user, and that the user name is right."),
              {}});
}

int certificateCallback(git_cert *cert, int, const char *, void *payload)
{
    auto *state = static_cast<FetchState *>(payload);
    if (state->cancelled())
        return state->stopCancelled();
    // TLS certificates: the system's trust store decides, as libgit2 does by default.
    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
        return GIT_PASSTHROUGH;
    const auto *hostKey = reinterpret_cast<const git_cert_hostkey *>(cert);
    const SshAddress address = state->ssh.value_or(SshAddress{});
    if (!(hostKey->type & GIT_CERT_SSH_RAW))
        return state->stop(
            Error{GitMirror::tr("The SSH library did not show the host key of %1.").arg(address.host),
                  GitMirror::tr("This build of libgit2 cannot check host keys; fetch over https or "
                                "from a local path."),
                  {}});
    if (!state->options->knownHosts)
        return state->stop(
            Error{GitMirror::tr("No known hosts file to check the host key of %1 against.").arg(address.host),
                  {},
                  {}});
    HostKeyInfo info;
    info.host = address.host;
    info.port = address.port;
    info.blob = QByteArray(hostKey->hostkey, qsizetype(hostKey->hostkey_len));
    info.type = keyTypeOf(info.blob);
    info.fingerprint = HostKeyInfo::fingerprintOf(info.blob);
    state->options->knownHosts->check(info);
    const QString where =
        address.port == 22 ? address.host : QStringLiteral("%1:%2").arg(address.host).arg(address.port);
    switch (info.state) {
    case HostKeyState::Known:
        return 0;
    case HostKeyState::Revoked:
        return state->stop(
            Error{GitMirror::tr("The host key of %1 (%2 %3) is marked as revoked in ReleaseDesk's "
                                "known hosts.")
                      .arg(where, info.type, info.fingerprint),
                  GitMirror::tr("Do not fetch from it until the server has a new key."),
                  {}});
    case HostKeyState::Changed:
        return state->stop(
            Error{GitMirror::tr("The host key of %1 has CHANGED. Stored: %2. Offered now: %3 (%4). "
                                "The fetch was refused: someone may be intercepting it.")
                      .arg(where, info.storedFingerprint, info.fingerprint, info.type),
                  GitMirror::tr("If the server's keys were rotated, check the new fingerprint on the "
                                "server (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then forget "
                                "the stored key and fetch again."),
                  {}});
    case HostKeyState::Unknown:
        break;
    }
    const HostKeyDecision decision =
        state->options->hostKeyPrompt ? state->options->hostKeyPrompt(info) : HostKeyDecision::Reject;
    if (decision == HostKeyDecision::Reject) {
        // libgit2 chooses the key type from ~/.ssh/known_hosts, not from ours: a server whose other
        // key we know may offer this one. It is a new key to verify, as OpenSSH treats it, not a change.
        const QString refused = GitMirror::tr("The host key of %1 (%2 %3) is not known and was not accepted.")
                                    .arg(where, info.type, info.fingerprint);
        if (info.otherKnownKey.isEmpty())
            return state->stop(Error{refused, GitMirror::tr("Compare the fingerprint with the server's and accept it."), {}});
        return state->stop(
            Error{refused + u' ' +
                      GitMirror::tr("ReleaseDesk knows another key of this server (%1); the git library asked for "
                                    "this type.")
                          .arg(info.otherKnownKey),
                  GitMirror::tr("Compare the fingerprint with the server's (ssh-keygen -lf "
                                "/etc/ssh/ssh_host_*_key.pub), then accept it in the window, or add it with "
                                "ssh-keyscan and releasedesk-cli hostkeys import."),
                  {}});
    }
    if (decision == HostKeyDecision::Remember) {
        if (auto remembered = state->options->knownHosts->remember(info); !remembered)
            return state->stop(remembered.error());
    }
    return 0;
}

int transferCallback(const git_indexer_progress *stats, void *payload)
{
    auto *state = static_cast<FetchState *>(payload);
    FetchProgress &progress = state->report->transfer;
    progress.receivedObjects = stats->received_objects;
    progress.indexedObjects = stats->indexed_objects;
    progress.totalObjects = stats->total_objects;
    progress.localObjects = stats->local_objects;
    progress.receivedBytes = qint64(stats->received_bytes);
    if (state->options->onProgress)
        state->options->onProgress(progress);
    // Non-zero stops the download: the way to cancel a fetch in the middle of the pack.
    return state->cancelled() ? state->stopCancelled() : 0;
}

int sidebandCallback(const char *, int, void *payload)
{
    auto *state = static_cast<FetchState *>(payload);
    return state->cancelled() ? state->stopCancelled() : 0;
}

int localTransportCallback(git_transport **out, git_remote *owner, void *payload)
{
    return static_cast<FetchState *>(payload)->uploadPack->createTransport(out, owner);
}

int updateTipsCallback(const char *refname, const git_oid *before, const git_oid *after, void *payload)
{
    auto *state = static_cast<FetchState *>(payload);
    state->report->updates.append(RefUpdate{QString::fromUtf8(refname), oidText(before), oidText(after)});
    return 0;
}

// The library's error, read at once, with what the user can do about the usual causes.
Error fetchError(FetchState &state)
{
    const git_error *last = git_error_last();
    const int klass = last ? last->klass : GIT_ERROR_NONE;
    // libgit2's own words may repeat the URL, a password in it too.
    const QString detail =
        last && last->message ? CredentialRedaction::apply(QString::fromUtf8(last->message).trimmed()) : QString();
    if (state.failure)
        return *state.failure;
    if (state.cancelled())
        return Error{GitMirror::tr("The fetch of %1 was cancelled.").arg(CredentialRedaction::apply(state.url)), {}, {}};

    Error error{GitMirror::tr("Fetching %1 failed: %2").arg(CredentialRedaction::apply(state.url), detail), {}, {}};
    const QString lower = detail.toLower();
    if (lower.contains(QStringLiteral("authentication")) || lower.contains(QStringLiteral("auth"))) {
        error.hint = GitMirror::tr("Check the key and the user name, and that the server accepts the key.");
    } else if (lower.contains(QStringLiteral("not a git repository")) ||
               lower.contains(QStringLiteral("does not appear to be a git repository")) ||
               lower.contains(QStringLiteral("could not find repository")) ||
               lower.contains(QStringLiteral("repository not found")) ||
               lower.contains(QStringLiteral("404"))) {
        error.hint =
            GitMirror::tr("The URL does not point to a git repository: check the path in the project's "
                          "git URL.");
    } else if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSH || klass == GIT_ERROR_HTTP ||
               klass == GIT_ERROR_OS || lower.contains(QStringLiteral("resolve")) ||
               lower.contains(QStringLiteral("connect"))) {
        error.hint =
            GitMirror::tr("The server could not be reached: check the host name, the port, the network "
                          "and any proxy.");
    } else if (klass == GIT_ERROR_SSL) {
        error.hint =
            GitMirror::tr("The server's TLS certificate was not accepted: check the system's trusted "
                          "certificates.");
    }
    return error;
}

} // namespace

GitMirror::GitMirror(QString path) : m_path(std::move(path)) {}

QString GitMirror::pathFor(const QString &dataDir, const QString &projectName)
{
    return QDir(dataDir).filePath(QStringLiteral("mirrors/%1.git").arg(projectName));
}

bool GitMirror::exists() const
{
    return QFileInfo::exists(QDir(m_path).filePath(QStringLiteral("HEAD")));
}

Result<> GitMirror::checkUrl(const QString &url)
{
    // One set of rules for what the inventory stores and what a mirror fetches.
    if (auto error = Validator::gitUrl(url))
        return std::unexpected(*error);
    return {};
}

namespace {

// What can be told wrong before any network: the URL, its transport, a local path that is no
// folder, an unreadable key file. Returns the local path of a local remote (empty for others).
Result<QString> checkSource(const QString &url, const FetchOptions &options)
{
    if (auto valid = GitMirror::checkUrl(url); !valid)
        return std::unexpected(valid.error());
    if (auto error = Validator::transport(url, options.allowUnauthenticated))
        return std::unexpected(*error);
    // libgit2 calls a missing local path an "unsupported URL protocol": say what is really wrong.
    const QString localPath = url.startsWith(QStringLiteral("file://")) ? QUrl(url).toLocalFile()
                              : QDir::isAbsolutePath(url)               ? url
                                                                        : QString();
    if (!localPath.isEmpty() && !QFileInfo(localPath).isDir())
        return fail(GitMirror::tr("Fetching %1 failed: there is no such folder.").arg(url),
                    GitMirror::tr("The URL does not point to a git repository: check the path in the project's git "
                                  "URL."));
    const QString keyPath = options.credentials.keyPath;
    if (!keyPath.isEmpty() && !QFileInfo(keyPath).isReadable())
        return fail(GitMirror::tr("The key file %1 does not exist or cannot be read.").arg(keyPath),
                    GitMirror::tr("Check the key's path and its permissions."), QStringLiteral("keyPath"));
    return localPath;
}

// The bare repository at `workPath`: made new for a first clone, else the mirror at `mirrorPath`.
Result<GitRepository> openRepository(const QString &mirrorPath, const QString &workPath, bool clone)
{
    git_repository *opened = nullptr;
    if (clone) {
        if (!QDir().mkpath(QFileInfo(mirrorPath).absolutePath()))
            return fail(GitMirror::tr("Could not create the folder for the mirror %1.").arg(mirrorPath),
                        GitMirror::tr("Check the permissions of the data directory."));
        git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
        init.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
        if (git_repository_init_ext(&opened, QFile::encodeName(workPath).constData(), &init) < 0)
            return std::unexpected(gitError(GitMirror::tr("Could not create the mirror %1").arg(mirrorPath)));
    } else if (git_repository_open_bare(&opened, QFile::encodeName(mirrorPath).constData()) < 0) {
        Error error = gitError(GitMirror::tr("Could not open the mirror %1").arg(mirrorPath));
        error.hint = GitMirror::tr("Delete the folder and fetch again to rebuild the mirror.");
        return std::unexpected(error);
    }
    return GitRepository(opened);
}

// The mirror's remote, made with mirror refspecs on first use and pointed at `url`.
Result<GitRemote> mirrorRemote(git_repository *repository, const QString &url, const QString &mirrorPath)
{
    const QByteArray urlBytes = url.toUtf8();
    git_remote *found = nullptr;
    const int looked = git_remote_lookup(&found, repository, RemoteName);
    if (looked == GIT_ENOTFOUND) {
        // Mirror refspecs: branches and tags land under their own names, nothing under refs/remotes.
        // The remote is looked up again after adding the tag refspec: a handle does not see later config.
        if (git_remote_create_with_fetchspec(&found, repository, RemoteName, urlBytes.constData(),
                                             "+refs/heads/*:refs/heads/*") < 0)
            return std::unexpected(
                gitError(GitMirror::tr("Could not set up the remote of the mirror %1").arg(mirrorPath)));
        git_remote_free(found);
        found = nullptr;
        if (git_remote_add_fetch(repository, RemoteName, "+refs/tags/*:refs/tags/*") < 0 ||
            git_remote_lookup(&found, repository, RemoteName) < 0)
            return std::unexpected(
                gitError(GitMirror::tr("Could not set up the remote of the mirror %1").arg(mirrorPath)));
    } else if (looked < 0) {
        return std::unexpected(gitError(GitMirror::tr("Could not read the remote of the mirror %1").arg(mirrorPath)));
    }
    GitRemote remote(found);
    if (QString::fromUtf8(git_remote_url(remote.get())) != url) {
        git_remote *moved = nullptr;
        if (git_remote_set_url(repository, RemoteName, urlBytes.constData()) < 0 ||
            git_remote_lookup(&moved, repository, RemoteName) < 0)
            return std::unexpected(gitError(GitMirror::tr("Could not change the URL of the mirror %1").arg(mirrorPath)));
        remote.reset(moved);
    }
    return remote;
}

// Downloads what the remote has, moves the mirror's refs to it and prunes what it no longer has.
Result<> transfer(git_remote *remote, FetchState &state, const QString &localPath)
{
    git_fetch_options fetchOptions = GIT_FETCH_OPTIONS_INIT;
    git_remote_callbacks &callbacks = fetchOptions.callbacks;
    callbacks.credentials = credentialCallback;
    callbacks.certificate_check = certificateCallback;
    callbacks.transfer_progress = transferCallback;
    callbacks.sideband_progress = sidebandCallback;
    callbacks.update_tips = updateTipsCallback;
    callbacks.payload = &state;
    fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
    fetchOptions.update_fetchhead = 0;
    std::optional<LocalUploadPack> uploadPack;
    if (const QString git = LocalUploadPack::gitProgram(); !localPath.isEmpty() && !git.isEmpty()) {
        uploadPack.emplace(git, localPath);
        state.uploadPack = &*uploadPack;
        callbacks.transport = localTransportCallback;
    }
    if (git_remote_download(remote, nullptr, &fetchOptions) < 0)
        return std::unexpected(fetchError(state));
    if (state.cancelled())
        return fail(GitMirror::tr("The fetch of %1 was cancelled.").arg(CredentialRedaction::apply(state.url)));
    if (git_remote_update_tips(remote, &callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_ALL, "releasedesk: fetch") < 0)
        return std::unexpected(fetchError(state));
    if (git_remote_prune(remote, &callbacks) < 0)
        return std::unexpected(fetchError(state));
    return {};
}

// Points the mirror's HEAD where the remote's points, so "the default branch" means the same on
// both; returns that branch (empty when the remote has no HEAD).
Result<QString> followRemoteHead(git_repository *repository, git_remote *remote)
{
    GitBuf head;
    if (git_remote_default_branch(&head.buf, remote) != 0)
        return QString();
    const QString headName = QString::fromUtf8(head.buf.ptr, qsizetype(head.buf.size));
    if (git_repository_set_head(repository, head.buf.ptr) < 0)
        return std::unexpected(gitError(GitMirror::tr("Could not point the mirror's HEAD at %1").arg(headName)));
    return headName.startsWith(QStringLiteral("refs/heads/")) ? headName.mid(11) : headName;
}

} // namespace

Result<FetchReport> GitMirror::fetch(const QString &url, const FetchOptions &options) const
{
    auto localPath = checkSource(url, options);
    if (!localPath)
        return std::unexpected(localPath.error());
    FetchReport report;
    FetchState state;
    state.options = &options;
    state.url = url;
    state.ssh = sshAddress(url);
    state.report = &report;
    if (state.cancelled())
        return fail(tr("The fetch of %1 was cancelled.").arg(CredentialRedaction::apply(url)));

    report.cloned = !exists();
    // A first clone is built under a temporary name and renamed at the end: no half mirror on failure.
    const QString workPath =
        report.cloned ? m_path + QStringLiteral(".partial-") + QUuid::createUuid().toString(QUuid::Id128) : m_path;
    struct PartialCleanup
    {
        QString path;
        ~PartialCleanup()
        {
            if (!path.isEmpty())
                QDir(path).removeRecursively();
        }
    } cleanup{report.cloned ? workPath : QString()};
    {
        auto repository = openRepository(m_path, workPath, report.cloned);
        if (!repository)
            return std::unexpected(repository.error());
        auto remote = mirrorRemote(repository->get(), url, m_path);
        if (!remote)
            return std::unexpected(remote.error());
        const auto disconnect = qScopeGuard([&remote] { git_remote_disconnect(remote->get()); });
        if (auto transferred = transfer(remote->get(), state, *localPath); !transferred)
            return std::unexpected(transferred.error());
        auto head = followRemoteHead(repository->get(), remote->get());
        if (!head)
            return std::unexpected(head.error());
        report.defaultBranch = *head;
    }
    if (report.cloned) {
        if (!QDir().rename(workPath, m_path))
            return fail(tr("Could not move the new mirror into place at %1.").arg(m_path),
                        tr("Another fetch may have created it meanwhile; fetch again."));
        cleanup.path.clear();
    }
    return report;
}

} // namespace rd
