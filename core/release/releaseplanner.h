#pragma once

#include "common/error.h"
#include "releaseplan.h"

#include <QCoreApplication>
#include <QDateTime>

#include <atomic>
#include <functional>

namespace rd {

struct Environment;
class GitRefs;
class InventoryStore;
class PackageStore;
struct Project;
struct StoredPackage;

// What the operator asks for; everything left empty or zero comes from the inventory.
struct ReleaseRequest
{
    QString project;
    QString environment;
    QString ref;              // branch, tag or commit id; ignored for a rollback
    QString refName;          // shown as the ref when `ref` is a commit picked on a branch; empty: `ref`
    ReleaseKind kind = ReleaseKind::Full;
    QStringList servers;      // a subset of the environment's servers; empty: all of them
    QStringList canaries;     // gray
    int batchSize = 0;
    int failureBudget = 0;
    int failureBudgetPercent = -1;
    int soakSeconds = 0;
    QString baseCommit;       // patch; empty: the commit of the environment's last successful task
    bool forceWhole = false;  // every server gets the whole package, even where a delta would do
    QString rollbackTo;       // rollback: a version id the servers keep
    QString description;
    QString operatorName;
    QString buildHook;        // after-download, run on this workstation
    QString beforeReleaseHook;
    QString afterReleaseHook;
    QString healthCommand;
    HttpCheck httpCheck;
    int parallelism = 0;      // 0: the environment's
    int keepReleases = 0;     // 0: the project's
    QDateTime scheduledAt;
};

// Turns a request into a plan the engine can run: the environment's servers and deploy root, the
// ref resolved in the local mirror, the next version id, and (in prepare()) the package. Reads the
// inventory, the mirror and the task history; never the network.
class ReleasePlanner
{
    Q_DECLARE_TR_FUNCTIONS(ReleasePlanner)

public:
    ReleasePlanner(const InventoryStore &store, QString dataDir);

    // Everything but the package. Errors name the field at fault.
    Result<ReleasePlan> draft(const ReleaseRequest &request) const;

    // Stage 05: the plan's package, reused from the package store or built from the mirror (a patch
    // package for a patch release), and for other kinds with a base commit the delta beside it.
    // Blocks while a build hook runs: call it off the GUI thread.
    static Result<> prepare(const QString &dataDir, ReleasePlan &plan, const QStringList &excludes,
                            const QString &buildHook,
                            const std::function<void(const QString &line, bool isError)> &onHookLine = {},
                            const std::atomic_bool *cancel = nullptr);

    static QString tasksDirectory(const QString &dataDir);
    // Who is releasing, as the task history names them: this workstation's login.
    static QString localOperator();

private:
    Result<> chooseServers(const Environment &environment, const ReleaseRequest &request, ReleasePlan &plan) const;
    Result<> findRollback(const ReleaseRequest &request, ReleasePlan &plan) const;
    Result<> resolveCommits(const Project &project, const ReleaseRequest &request, ReleasePlan &plan) const;
    static Result<StoredPackage> preparePatch(const GitRefs &refs, PackageStore &store, ReleasePlan &plan,
                                              const QStringList &excludes);

    const InventoryStore &m_store;
    QString m_dataDir;
};

} // namespace rd
