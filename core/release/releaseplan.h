#pragma once

#include "common/error.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace rd {

// Full: all servers, switched together. Rolling: batches of `batchSize`. Gray: the canaries first,
// then a pause until promoted. Patch: only the changed files, onto a copy of the live release.
// Rollback: every server switched to `rollbackTo`, a release it already has.
enum class ReleaseKind { Full, Rolling, Gray, Patch, Rollback };

QString releaseKindName(ReleaseKind kind); // the machine name: task files, JSON, the CLI's --kind
QString releaseKindLabel(ReleaseKind kind); // the translated word for people
std::optional<ReleaseKind> releaseKindFromName(const QString &name);

// An HTTP(S) health check after the switch. `url` may hold {host} and {server}, filled in per server.
struct HttpCheck
{
    QString url; // empty: no HTTP check
    int expectedStatus = 200;
    QString bodyContains; // empty: any body
    int intervalMs = 2000;
    int retries = 5; // attempts after the first
    int timeoutMs = 5000;

    bool enabled() const { return !url.trimmed().isEmpty(); }
    bool operator==(const HttpCheck &) const = default;
};

// Everything a release needs to know, fixed before it starts: which package goes where, how, and
// with which hooks. Built from the inventory and a prepared package; the engine only reads it, and
// the journal keeps it so that an interrupted task can be resumed exactly as it was planned.
struct ReleasePlan
{
    Q_DECLARE_TR_FUNCTIONS(ReleasePlan)

public:
    QString taskId;
    QString project;
    QString environment;
    QString description;
    QString deployRoot;
    QString version;
    QString commit;
    QString ref;
    QString operatorName;
    QStringList servers; // inventory names, in release order
    QString packagePath;   // local .tar.gz (a patch package for Patch)
    QString packageSha256; // hex
    // The same tar compressed with zstd, sent instead to servers that have zstd; empty: gzip only.
    QString zstdPackagePath;
    QString zstdPackageSha256; // hex, of the .tar.zst file
    QStringList sharedPaths;
    QString beforeReleaseHook;
    QString afterReleaseHook;
    QString healthCommand; // run in the new release after the switch; non-zero exit switches back
    HttpCheck httpCheck;
    int healthTimeoutMs = 60000;
    int hookTimeoutMs = 600000;
    int keepReleases = 5;
    int parallelism = 10;
    ReleaseKind kind = ReleaseKind::Full;
    int batchSize = 0;        // rolling: servers per batch (at least 1); gray after promotion: 0 = all at once
    int failureBudget = 0;    // servers that may fail before the rest is stopped
    int failureBudgetPercent = -1; // when >= 0, the budget is this share of the servers instead
    QStringList canaries;     // gray: these go first
    int soakSeconds = 0;      // gray: promote by itself after this long with healthy canaries; 0 = wait
    // Patch, and the delta of any other kind: the commit the servers run now, the paths to delete
    // from the copy of the live release, and the digest of that release's listing (ReleaseListing),
    // which a server checks before it copies its release.
    QString baseCommit;
    QStringList deletions;
    QString baseListing;
    // Full, rolling and gray releases after the first: the changed files as a patch from baseCommit,
    // which a server whose live release checks out gets instead of the whole package. Empty: every
    // server gets the whole package, for `wholeReason`.
    QString deltaPackagePath;
    QString deltaPackageSha256;
    qint64 deltaFiles = 0; // files and symlinks in the delta
    qint64 deltaBytes = 0; // the delta package's size
    QString wholeReason;
    bool forceWhole = false; // the operator asked for a fresh complete unpack
    QString rollbackTo;       // rollback: the release every server switches to
    QDateTime scheduledAt;    // invalid: start now

    // The number of failed servers that stops the rollout, for `serverCount` servers.
    int effectiveFailureBudget(int serverCount) const;
    // Whether a server gets the .tar.zst rather than the .tar.gz (patches are tiny and stay gzip).
    bool sendsZstdTo(bool serverHasZstd) const;
    // What a server that checks out gets as a patch: the patch of a Patch task, or the delta.
    bool hasPatch() const { return kind == ReleaseKind::Patch || !deltaPackagePath.isEmpty(); }
    QString patchPath() const { return kind == ReleaseKind::Patch ? packagePath : deltaPackagePath; }
    QString patchSha256() const { return kind == ReleaseKind::Patch ? packageSha256 : deltaPackageSha256; }

    QJsonObject toJson() const;
    // Reads a plan back and holds it to the rules of a new one (check()): a task file edited by
    // hand or damaged is refused, not resumed.
    static Result<ReleasePlan> fromJson(const QJsonObject &json);
    // Every field within the rules the planner and the inventory apply: names, deploy root, shared
    // paths, version ids, commit and checksum shapes, deletions inside the release, sane numbers.
    QList<Error> check() const;

private:
    void checkPackages(QList<Error> &errors) const;
};

} // namespace rd
