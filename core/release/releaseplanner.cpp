#include "releaseplanner.h"

#include "git/gitmirror.h"
#include "git/gitrefs.h"
#include "git/packagebuilder.h"
#include "git/packagestore.h"
#include "git/patchpackage.h"
#include "git/releaselisting.h"
#include "git/sharedpaths.h"
#include "git/zstdpackage.h"
#include "inventory/inventorystore.h"
#include "inventory/validator.h"
#include "remotelayout.h"
#include "taskhistory.h"
#include "taskjournal.h"
#include "versionid.h"

#include <QDir>

namespace rd {

ReleasePlanner::ReleasePlanner(const InventoryStore &store, QString dataDir)
    : m_store(store), m_dataDir(std::move(dataDir))
{
}

QString ReleasePlanner::tasksDirectory(const QString &dataDir)
{
    return TaskJournal::tasksDirectory(dataDir);
}

QString ReleasePlanner::localOperator()
{
    const QString user = qEnvironmentVariable("USER");
    return user.isEmpty() ? QStringLiteral("operator") : user;
}

Result<ReleasePlan> ReleasePlanner::draft(const ReleaseRequest &request) const
{
    auto projects = m_store.projects();
    if (!projects)
        return std::unexpected(projects.error());
    const auto project = std::find_if(projects->cbegin(), projects->cend(),
                                      [&](const Project &p) { return p.name == request.project; });
    if (project == projects->cend())
        return fail(tr("There is no project \"%1\".").arg(request.project), tr("Check the name in the inventory."),
                    QStringLiteral("project"));
    auto environments = m_store.environments();
    if (!environments)
        return std::unexpected(environments.error());
    const auto environment = std::find_if(environments->cbegin(), environments->cend(), [&](const Environment &e) {
        return e.projectId == project->id && e.name == request.environment;
    });
    if (environment == environments->cend())
        return fail(tr("Project \"%1\" has no environment \"%2\".").arg(request.project, request.environment),
                    tr("Check the name, or add the environment first."), QStringLiteral("environment"));

    ReleasePlan plan;
    plan.project = project->name;
    plan.environment = environment->name;
    plan.description = request.description;
    plan.deployRoot = environment->deployRoot;
    plan.operatorName = request.operatorName;
    plan.sharedPaths = environment->sharedPaths;
    plan.beforeReleaseHook = request.beforeReleaseHook;
    plan.afterReleaseHook = request.afterReleaseHook;
    plan.healthCommand = request.healthCommand;
    plan.httpCheck = request.httpCheck;
    plan.keepReleases = request.keepReleases > 0 ? request.keepReleases : project->keepReleases;
    plan.parallelism = request.parallelism > 0 ? request.parallelism : environment->parallelism;
    plan.kind = request.kind;
    plan.batchSize = request.batchSize;
    plan.failureBudget = request.failureBudget;
    plan.failureBudgetPercent = request.failureBudgetPercent;
    plan.soakSeconds = request.soakSeconds;
    plan.scheduledAt = request.scheduledAt;
    if (plan.scheduledAt.isValid() && plan.scheduledAt <= QDateTime::currentDateTimeUtc())
        return fail(tr("The start time %1 has already passed.").arg(plan.scheduledAt.toLocalTime().toString(Qt::ISODate)),
                    tr("Choose a time in the future, or start now."), QStringLiteral("schedule"));

    if (auto chosen = chooseServers(*environment, request, plan); !chosen)
        return std::unexpected(chosen.error());
    if (plan.kind == ReleaseKind::Rollback) {
        if (auto found = findRollback(request, plan); !found)
            return std::unexpected(found.error());
        return plan;
    }
    if (auto resolved = resolveCommits(*project, request, plan); !resolved)
        return std::unexpected(resolved.error());
    const QStringList versions = TaskHistory::versions(tasksDirectory(m_dataDir), plan.project, plan.environment);
    plan.version = VersionId::make(plan.project, VersionId::nextNumber(versions, plan.project),
                                   QDateTime::currentDateTimeUtc())
                       .toString();
    return plan;
}

// The environment's enabled servers in release order (a subset keeps that order), and a gray
// release's canaries among them.
Result<> ReleasePlanner::chooseServers(const Environment &environment, const ReleaseRequest &request,
                                       ReleasePlan &plan) const
{
    QStringList names;
    for (qint64 id : environment.serverIds) {
        auto server = m_store.server(id);
        if (!server)
            return std::unexpected(server.error());
        if (server->enabled)
            names.append(server->name);
    }
    if (names.isEmpty())
        return fail(tr("Environment %1/%2 has no enabled servers.").arg(plan.project, plan.environment),
                    tr("Assign servers to it first."), QStringLiteral("servers"));
    for (const QString &name : request.servers)
        if (!names.contains(name))
            return fail(tr("Server \"%1\" is not an enabled server of %2/%3.").arg(name, plan.project, plan.environment),
                        tr("Choose among: %1.").arg(names.join(QStringLiteral(", "))), QStringLiteral("servers"));
    for (const QString &name : std::as_const(names))
        if (request.servers.isEmpty() || request.servers.contains(name))
            plan.servers.append(name);

    if (plan.kind == ReleaseKind::Gray) {
        if (request.canaries.isEmpty())
            return fail(tr("A gray release needs at least one canary server."),
                        tr("Choose the servers that get the release first."), QStringLiteral("canaries"));
        for (const QString &name : request.canaries)
            if (!plan.servers.contains(name))
                return fail(tr("Canary \"%1\" is not one of the servers of this release.").arg(name),
                            tr("Choose canaries among: %1.").arg(plan.servers.join(QStringLiteral(", "))),
                            QStringLiteral("canaries"));
        if (request.canaries.size() >= plan.servers.size())
            return fail(tr("Every server is a canary: nothing would wait for the promotion."),
                        tr("Leave at least one server out of the canaries, or make a full release."),
                        QStringLiteral("canaries"));
        plan.canaries = request.canaries;
    }
    return {};
}

// A rollback goes to a release the servers keep; what it carried comes from this workstation's history.
Result<> ReleasePlanner::findRollback(const ReleaseRequest &request, ReleasePlan &plan) const
{
    const auto version = VersionId::parse(request.rollbackTo);
    if (!version || version->project != plan.project)
        return fail(tr("\"%1\" is not a release id of project %2.").arg(request.rollbackTo, plan.project),
                    tr("Release ids look like %1-v12-20261123101500; \"release status\" lists the kept ones.")
                        .arg(plan.project),
                    QStringLiteral("rollbackTo"));
    plan.rollbackTo = request.rollbackTo;
    plan.version = request.rollbackTo;
    for (const TaskRecord &task : TaskHistory::list(tasksDirectory(m_dataDir), {plan.project, plan.environment, {}, 0})) {
        if (task.plan.version == plan.version && task.plan.kind != ReleaseKind::Rollback) {
            plan.commit = task.plan.commit;
            plan.ref = task.plan.ref;
            break;
        }
    }
    return {};
}

// The commit to release, resolved in the local mirror, and the base a patch or a delta starts from.
Result<> ReleasePlanner::resolveCommits(const Project &project, const ReleaseRequest &request, ReleasePlan &plan) const
{
    const GitMirror mirror(GitMirror::pathFor(m_dataDir, plan.project));
    if (!mirror.exists())
        return fail(tr("Project \"%1\" has no local mirror yet.").arg(plan.project),
                    tr("Fetch it first: releasedesk-cli mirror fetch %1").arg(plan.project), QStringLiteral("ref"));
    auto refs = GitRefs::open(mirror.path());
    if (!refs)
        return std::unexpected(refs.error());
    const QString ref = request.ref.isEmpty() ? project.defaultBranch : request.ref;
    auto commit = refs->resolve(ref);
    if (!commit)
        return std::unexpected(commit.error());
    plan.ref = request.refName.isEmpty() ? ref : request.refName;
    plan.commit = *commit;
    if (auto allowed = SharedPaths(plan.sharedPaths).checkCommit(refs->repository(), plan.commit); !allowed)
        return std::unexpected(allowed.error());

    const QString lastCommit = [&] {
        const QList<TaskRecord> last =
            TaskHistory::list(tasksDirectory(m_dataDir), {plan.project, plan.environment, {TaskStatus::Succeeded}, 1});
        return last.isEmpty() ? QString() : last.first().plan.commit;
    }();
    if (plan.kind == ReleaseKind::Patch) {
        const QString base = request.baseCommit.isEmpty() ? lastCommit : request.baseCommit;
        if (base.isEmpty())
            return fail(tr("No earlier release of %1/%2 says which commit the servers run.")
                            .arg(plan.project, plan.environment),
                        tr("Name the base commit, or make a full release first."), QStringLiteral("base"));
        auto baseCommit = refs->resolve(base);
        if (!baseCommit)
            return fail(baseCommit.error().message, baseCommit.error().hint, QStringLiteral("base"));
        if (*baseCommit == plan.commit)
            return fail(tr("The servers already run %1: a patch would change nothing.").arg(plan.commit.left(12)),
                        tr("Choose a newer commit."), QStringLiteral("ref"));
        plan.baseCommit = *baseCommit;
    } else {
        // Every release after the first is a delta from what the last one left, where a server's
        // live release still checks out; the whole package otherwise.
        plan.forceWhole = request.forceWhole;
        if (request.forceWhole)
            plan.wholeReason = tr("a fresh complete unpack was asked for");
        else if (lastCommit.isEmpty())
            plan.wholeReason = tr("no earlier release of %1/%2 to build on").arg(plan.project, plan.environment);
        else if (auto base = refs->resolve(lastCommit); !base)
            plan.wholeReason = tr("the live commit %1 is not in the local mirror").arg(lastCommit.left(12));
        else
            plan.baseCommit = *base;
    }

    return {};
}

// The patch from plan.baseCommit to plan.commit, with the deletions and the base's listing digest.
Result<StoredPackage> ReleasePlanner::preparePatch(const GitRefs &refs, PackageStore &store, ReleasePlan &plan,
                                                  const QStringList &excludes)
{
    PatchRequest request;
    request.project = plan.project;
    request.baseRef = plan.baseCommit;
    request.targetRef = plan.commit;
    request.version = plan.version;
    request.excludes = excludes;
    request.sharedPaths = plan.sharedPaths;
    auto built = PatchPackage::build(refs, store, request);
    if (!built)
        return std::unexpected(built.error());
    auto listing = ReleaseListing::digest(refs.repository(), plan.baseCommit, excludes, plan.sharedPaths);
    if (!listing)
        return std::unexpected(listing.error());
    plan.deletions = built->package.manifest.deleted;
    plan.baseListing = *listing;
    return built->package;
}

Result<> ReleasePlanner::prepare(const QString &dataDir, ReleasePlan &plan, const QStringList &excludes,
                                 const QString &buildHook,
                                 const std::function<void(const QString &, bool)> &onHookLine,
                                 const std::atomic_bool *cancel)
{
    if (plan.kind == ReleaseKind::Rollback)
        return {};
    const GitMirror mirror(GitMirror::pathFor(dataDir, plan.project));
    auto refs = GitRefs::open(mirror.path());
    if (!refs)
        return std::unexpected(refs.error());
    PackageStore store(PackageStore::pathFor(dataDir));
    StoredPackage package;
    if (plan.kind == ReleaseKind::Patch) {
        if (!buildHook.trimmed().isEmpty())
            return fail(tr("A patch release carries the changed files of the tree only and cannot run a build hook."),
                        tr("Make a full release for a project that is built."), QStringLiteral("kind"));
        auto patch = preparePatch(*refs, store, plan, excludes);
        if (!patch)
            return std::unexpected(patch.error());
        package = *patch;
    } else {
        PackageRequest request;
        request.project = plan.project;
        request.ref = plan.commit;
        request.version = plan.version;
        request.environment = plan.environment;
        request.excludes = excludes;
        request.hookScript = buildHook;
        request.onHookLine = onHookLine;
        request.cancel = cancel;
        auto built = PackageBuilder(*refs, store, QDir(dataDir).filePath(QStringLiteral("work"))).build(request);
        if (!built)
            return std::unexpected(built.error());
        package = built->package;
        auto zstd = ZstdPackage::ensure(package.path);
        if (!zstd)
            return std::unexpected(zstd.error());
        plan.zstdPackagePath = zstd->path;
        plan.zstdPackageSha256 = zstd->sha256;
        if (!buildHook.trimmed().isEmpty() && !plan.baseCommit.isEmpty()) {
            plan.baseCommit.clear();
            plan.wholeReason = tr("the after-download hook builds files, which only the whole package carries");
        }
        if (!plan.baseCommit.isEmpty()) {
            auto delta = preparePatch(*refs, store, plan, excludes);
            if (!delta)
                return std::unexpected(delta.error());
            if (auto fits = RemoteLayout::checkPatchPaths(plan.deletions); !fits) {
                plan.baseCommit.clear();
                plan.deletions.clear();
                plan.baseListing.clear();
                plan.wholeReason = tr("the change deletes too many paths to send as a delta");
            } else {
                plan.deltaPackagePath = delta->path;
                plan.deltaPackageSha256 = delta->sha256;
                plan.deltaFiles = delta->manifest.fileCount;
                plan.deltaBytes = delta->size;
            }
        }
    }
    plan.packagePath = package.path;
    plan.packageSha256 = package.sha256;
    return {};
}

} // namespace rd
