#pragma once

#include "common/error.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

namespace rd {

// What a server's deploy root holds, read back in one command.
struct RemoteState
{
    bool rootExists = false;
    bool hasZstd = false; // the server can unpack a .tar.zst
    QString current;  // the release `current` points to, empty when none
    QString previous; // the release that was current before the last switch
    QStringList releases;
    qint64 freeKiB = -1;
    QString lockHolder; // the lock's owner file, empty when unlocked
    qint64 lockAgeSeconds = -1;
    QJsonObject currentManifest; // .releasedesk.json of the current release; empty when unreadable
};

// The one module that knows the remote layout of DESIGN.md and the shell commands that change it:
//   <root>/releases/<version>/  <root>/shared/<path>  <root>/.releasedesk/{packages,lock,previous}
//   <root>/current -> releases/<version>   (switched atomically: a temporary link renamed over it)
// A release directory appears under its final name only once it is complete, so `current` can
// never point to a missing or half-unpacked release. Every value is quoted by RemoteCommand.
class RemoteLayout
{
    Q_DECLARE_TR_FUNCTIONS(RemoteLayout)

public:
    enum class Compression { Gzip, Zstd };

    explicit RemoteLayout(QString root) : m_root(std::move(root)) {}

    QString root() const { return m_root; }
    QString releaseDir(const QString &version) const;
    QString packagePath(const QString &version, Compression compression = Compression::Gzip) const;

    // Where a script finds the link of `current`: it reads it, or a stateCommand earlier in the same
    // command read it (under the task's lock nothing moves it in between), one program fewer.
    enum class CurrentLink { Read, FromState };

    QString prepareCommand() const;
    // Checks the uploaded package's sha256, unpacks it beside the releases, links the shared paths,
    // writes the manifest and only then renames it to releases/<version>. Idempotent for a release
    // that is already complete. `packageVerified`: the upload just checked the sha256 while writing,
    // so the package is not read twice (a package uploaded earlier, e.g. before a resume, is checked).
    // `sha256Hex` is the sha256 of the package file in `compression`'s form.
    QString unpackCommand(const QString &version, const QString &sha256Hex, const QStringList &sharedPaths,
                          const QByteArray &manifestJson, bool packageVerified = false,
                          Compression compression = Compression::Gzip) const;
    // A patch release: the patch package (a .tar.gz of `packageBytes` bytes) arrives on the command's
    // input, is stored among the packages and checked against `sha256Hex`; then a copy of the current
    // release made of hard links, the deleted paths removed, the package extracted over it (each
    // changed file unlinked first, so the old release is never written through a link), the shared
    // paths linked, a new manifest, then the rename to releases/<version>. A patch is small: sending
    // it with the command saves every server a separate upload. Refused with BaseMismatch unless the
    // current release is at `baseCommit` and, when `baseListing` is given, lists to that digest
    // (ReleaseListing). `deletions` must be relative paths inside the release (see checkPatchPaths).
    QString patchCommand(const QString &version, const QString &baseCommit, const QString &baseListing,
                         const QString &sha256Hex, qint64 packageBytes, const QStringList &deletions,
                         const QStringList &sharedPaths, const QByteArray &manifestJson,
                         CurrentLink link = CurrentLink::Read) const;
    // Deleted paths must stay inside the release: relative, without empty, "." or ".." parts (any other
    // byte, a newline too, travels quoted).
    static Result<> checkPatchPaths(const QStringList &deletions);
    enum class SwitchStart { AtOnce, OnSignal };
    // Renames a link to releases/<version> over `current` and prints SwitchedLine. With OnSignal it
    // makes the link, prints ReadyLine and renames only when its input reads "go" (each WaitLine
    // before it refreshes the lock): a client gone before that (the input ends) leaves `current` as
    // it was, with NotSwitched.
    QString switchCommand(const QString &version, SwitchStart start = SwitchStart::AtOnce,
                          CurrentLink link = CurrentLink::Read) const;
    static constexpr QLatin1StringView ReadyLine{"ready to switch"};
    // Sent to a command waiting for the signal: it refreshes the deploy lock and waits on.
    static constexpr QLatin1StringView WaitLine{"wait"};
    static constexpr QLatin1StringView SwitchedLine{"switched"};
    // Keeps the newest `keep` releases, and never the current or the previous one. `current`: the
    // release `current` points to when the caller knows it (it just switched), else it is read.
    QString cleanupCommand(int keep, const QString &current = {}) const;
    // What the release needs (zstd, current, previous, releases), or with Full also the current
    // manifest, free disk and lock holder (plans and fleet status).
    enum class StateDetail { Release, Full };
    QString stateCommand(StateDetail detail = StateDetail::Full) const;
    static RemoteState parseState(const QStringList &lines);

    // Takes the lock, or refreshes it when `owner` holds it already (the same task, resumed).
    QString lockCommand(const QString &owner) const;
    QString heartbeatCommand(const QString &owner) const;
    // Removes the lock only when `owner` still holds it.
    QString unlockCommand(const QString &owner) const;
    // Breaks a lock only when its heartbeat is older than `staleSeconds`.
    QString breakStaleLockCommand(int staleSeconds) const;

    // Exit codes of the commands above, so callers can say what went wrong.
    enum Status {
        PackageDamaged = 11,
        UnpackFailed = 12,
        BaseMismatch = 13,
        ReleaseMissing = 20,
        NotSwitched = 21,
        LockHeld = 30,
        LockNotStale = 31,
        LockLost = 32,
    };

private:
    static QString checkPackage(qint64 bytes = -1);
    static QString finishRelease(const QStringList &sharedPaths, const QByteArray &manifestJson);

    QString m_root;
};

} // namespace rd
