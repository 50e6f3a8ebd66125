#include "releaseplan.h"

#include "inventory/validator.h"
#include "remotelayout.h"
#include "versionid.h"

#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

namespace rd {

namespace {

constexpr std::pair<ReleaseKind, const char16_t *> KindNames[] = {
    {ReleaseKind::Full, u"full"},     {ReleaseKind::Rolling, u"rolling"},   {ReleaseKind::Gray, u"gray"},
    {ReleaseKind::Patch, u"patch"},   {ReleaseKind::Rollback, u"rollback"},
};

QJsonArray toArray(const QStringList &list) { return QJsonArray::fromStringList(list); }

QStringList toList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

} // namespace

QString releaseKindName(ReleaseKind kind)
{
    for (const auto &[candidate, name] : KindNames)
        if (candidate == kind)
            return QString::fromUtf16(name);
    return {};
}

QString releaseKindLabel(ReleaseKind kind)
{
    switch (kind) {
    case ReleaseKind::Full:
        return ReleasePlan::tr("full");
    case ReleaseKind::Rolling:
        return ReleasePlan::tr("rolling");
    case ReleaseKind::Gray:
        return ReleasePlan::tr("gray");
    case ReleaseKind::Patch:
        return ReleasePlan::tr("patch");
    case ReleaseKind::Rollback:
        return ReleasePlan::tr("rollback");
    }
    return {};
}

std::optional<ReleaseKind> releaseKindFromName(const QString &name)
{
    for (const auto &[kind, candidate] : KindNames)
        if (name == QStringView(candidate))
            return kind;
    return std::nullopt;
}

int ReleasePlan::effectiveFailureBudget(int serverCount) const
{
    if (failureBudgetPercent >= 0)
        return serverCount * failureBudgetPercent / 100;
    return failureBudget;
}

bool ReleasePlan::sendsZstdTo(bool serverHasZstd) const
{
    return serverHasZstd && !zstdPackagePath.isEmpty() && kind != ReleaseKind::Patch;
}

QJsonObject ReleasePlan::toJson() const
{
    return {
        {QStringLiteral("taskId"), taskId},
        {QStringLiteral("project"), project},
        {QStringLiteral("environment"), environment},
        {QStringLiteral("description"), description},
        {QStringLiteral("deployRoot"), deployRoot},
        {QStringLiteral("version"), version},
        {QStringLiteral("commit"), commit},
        {QStringLiteral("ref"), ref},
        {QStringLiteral("operator"), operatorName},
        {QStringLiteral("servers"), toArray(servers)},
        {QStringLiteral("packagePath"), packagePath},
        {QStringLiteral("packageSha256"), packageSha256},
        {QStringLiteral("zstdPackagePath"), zstdPackagePath},
        {QStringLiteral("zstdPackageSha256"), zstdPackageSha256},
        {QStringLiteral("sharedPaths"), toArray(sharedPaths)},
        {QStringLiteral("beforeReleaseHook"), beforeReleaseHook},
        {QStringLiteral("afterReleaseHook"), afterReleaseHook},
        {QStringLiteral("healthCommand"), healthCommand},
        {QStringLiteral("httpCheck"),
         QJsonObject{{QStringLiteral("url"), httpCheck.url},
                     {QStringLiteral("expectedStatus"), httpCheck.expectedStatus},
                     {QStringLiteral("bodyContains"), httpCheck.bodyContains},
                     {QStringLiteral("intervalMs"), httpCheck.intervalMs},
                     {QStringLiteral("retries"), httpCheck.retries},
                     {QStringLiteral("timeoutMs"), httpCheck.timeoutMs}}},
        {QStringLiteral("healthTimeoutMs"), healthTimeoutMs},
        {QStringLiteral("hookTimeoutMs"), hookTimeoutMs},
        {QStringLiteral("keepReleases"), keepReleases},
        {QStringLiteral("parallelism"), parallelism},
        {QStringLiteral("kind"), releaseKindName(kind)},
        {QStringLiteral("batchSize"), batchSize},
        {QStringLiteral("failureBudget"), failureBudget},
        {QStringLiteral("failureBudgetPercent"), failureBudgetPercent},
        {QStringLiteral("canaries"), toArray(canaries)},
        {QStringLiteral("soakSeconds"), soakSeconds},
        {QStringLiteral("baseCommit"), baseCommit},
        {QStringLiteral("deletions"), toArray(deletions)},
        {QStringLiteral("baseListing"), baseListing},
        {QStringLiteral("deltaPackagePath"), deltaPackagePath},
        {QStringLiteral("deltaPackageSha256"), deltaPackageSha256},
        {QStringLiteral("deltaFiles"), deltaFiles},
        {QStringLiteral("deltaBytes"), deltaBytes},
        {QStringLiteral("wholeReason"), wholeReason},
        {QStringLiteral("forceWhole"), forceWhole},
        {QStringLiteral("rollbackTo"), rollbackTo},
        {QStringLiteral("scheduledAt"), scheduledAt.isValid() ? scheduledAt.toUTC().toString(Qt::ISODate) : QString()},
    };
}

Result<ReleasePlan> ReleasePlan::fromJson(const QJsonObject &json)
{
    ReleasePlan plan;
    const auto kind = releaseKindFromName(json[QStringLiteral("kind")].toString());
    if (!kind)
        return fail(tr("The task's plan names an unknown release kind \"%1\".").arg(json[QStringLiteral("kind")].toString()),
                    tr("The task file was written by another version of ReleaseDesk or was edited by hand."));
    plan.kind = *kind;
    plan.taskId = json[QStringLiteral("taskId")].toString();
    plan.project = json[QStringLiteral("project")].toString();
    plan.environment = json[QStringLiteral("environment")].toString();
    if (plan.taskId.isEmpty() || plan.project.isEmpty() || plan.environment.isEmpty())
        return fail(tr("The task's plan has no task id, project or environment."),
                    tr("The task file was written by another version of ReleaseDesk or was edited by hand."));
    plan.description = json[QStringLiteral("description")].toString();
    plan.deployRoot = json[QStringLiteral("deployRoot")].toString();
    plan.version = json[QStringLiteral("version")].toString();
    plan.commit = json[QStringLiteral("commit")].toString();
    plan.ref = json[QStringLiteral("ref")].toString();
    plan.operatorName = json[QStringLiteral("operator")].toString();
    plan.servers = toList(json[QStringLiteral("servers")]);
    plan.packagePath = json[QStringLiteral("packagePath")].toString();
    plan.packageSha256 = json[QStringLiteral("packageSha256")].toString();
    plan.zstdPackagePath = json[QStringLiteral("zstdPackagePath")].toString();
    plan.zstdPackageSha256 = json[QStringLiteral("zstdPackageSha256")].toString();
    plan.sharedPaths = toList(json[QStringLiteral("sharedPaths")]);
    plan.beforeReleaseHook = json[QStringLiteral("beforeReleaseHook")].toString();
    plan.afterReleaseHook = json[QStringLiteral("afterReleaseHook")].toString();
    plan.healthCommand = json[QStringLiteral("healthCommand")].toString();
    const QJsonObject http = json[QStringLiteral("httpCheck")].toObject();
    plan.httpCheck.url = http[QStringLiteral("url")].toString();
    plan.httpCheck.expectedStatus = http[QStringLiteral("expectedStatus")].toInt(200);
    plan.httpCheck.bodyContains = http[QStringLiteral("bodyContains")].toString();
    plan.httpCheck.intervalMs = http[QStringLiteral("intervalMs")].toInt(2000);
    plan.httpCheck.retries = http[QStringLiteral("retries")].toInt(5);
    plan.httpCheck.timeoutMs = http[QStringLiteral("timeoutMs")].toInt(5000);
    plan.healthTimeoutMs = json[QStringLiteral("healthTimeoutMs")].toInt(60000);
    plan.hookTimeoutMs = json[QStringLiteral("hookTimeoutMs")].toInt(600000);
    plan.keepReleases = json[QStringLiteral("keepReleases")].toInt(5);
    plan.parallelism = json[QStringLiteral("parallelism")].toInt(10);
    plan.batchSize = json[QStringLiteral("batchSize")].toInt(0);
    plan.failureBudget = json[QStringLiteral("failureBudget")].toInt(0);
    plan.failureBudgetPercent = json[QStringLiteral("failureBudgetPercent")].toInt(-1);
    plan.canaries = toList(json[QStringLiteral("canaries")]);
    plan.soakSeconds = json[QStringLiteral("soakSeconds")].toInt(0);
    plan.baseCommit = json[QStringLiteral("baseCommit")].toString();
    plan.deletions = toList(json[QStringLiteral("deletions")]);
    plan.baseListing = json[QStringLiteral("baseListing")].toString();
    plan.deltaPackagePath = json[QStringLiteral("deltaPackagePath")].toString();
    plan.deltaPackageSha256 = json[QStringLiteral("deltaPackageSha256")].toString();
    plan.deltaFiles = json[QStringLiteral("deltaFiles")].toInteger();
    plan.deltaBytes = json[QStringLiteral("deltaBytes")].toInteger();
    plan.wholeReason = json[QStringLiteral("wholeReason")].toString();
    plan.forceWhole = json[QStringLiteral("forceWhole")].toBool();
    plan.rollbackTo = json[QStringLiteral("rollbackTo")].toString();
    const QString scheduled = json[QStringLiteral("scheduledAt")].toString();
    if (!scheduled.isEmpty())
        plan.scheduledAt = QDateTime::fromString(scheduled, Qt::ISODate);
    if (const QList<Error> errors = plan.check(); !errors.isEmpty())
        return fail(tr("The plan of task %1 breaks the rules of a new plan: %2")
                        .arg(plan.taskId, Validator::combine(errors).message),
                    tr("The task file was edited by hand or damaged; start a new release instead."),
                    errors.first().field);
    return plan;
}

namespace {

bool matches(const QString &pattern, const QString &value)
{
    return QRegularExpression(pattern).match(value).hasMatch();
}

bool isCommit(const QString &value) { return matches(QStringLiteral("^[0-9a-f]{40}\\z"), value); }
bool isSha256(const QString &value) { return matches(QStringLiteral("^[0-9a-f]{64}\\z"), value); }

} // namespace

QList<Error> ReleasePlan::check() const
{
    QList<Error> errors;
    const auto add = [&errors](std::optional<Error> error) {
        if (error)
            errors.append(*error);
    };
    const auto wrong = [&errors](const QString &field, const QString &message) {
        errors.append(Error{message, {}, field});
    };
    // Task ids name a folder: <time>-<project>-<environment>[-n].
    if (!matches(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\\z"), taskId))
        wrong(QStringLiteral("taskId"), tr("the task id \"%1\" is not a plain name.").arg(taskId));
    add(Validator::name(project, QStringLiteral("project")));
    add(Validator::name(environment, QStringLiteral("environment")));
    add(Validator::deployRoot(deployRoot));
    for (const QString &path : sharedPaths)
        add(Validator::sharedPath(path));
    const auto parsedVersion = VersionId::parse(version);
    if (!parsedVersion || parsedVersion->project != project)
        wrong(QStringLiteral("version"), tr("\"%1\" is not a release id of project %2.").arg(version, project));
    if (servers.isEmpty() || QSet<QString>(servers.cbegin(), servers.cend()).size() != servers.size())
        wrong(QStringLiteral("servers"), tr("the servers are missing or named twice."));
    for (const QString &server : servers)
        add(Validator::name(server, QStringLiteral("servers")));
    for (const QString &canary : canaries)
        if (!servers.contains(canary))
            wrong(QStringLiteral("canaries"), tr("the canary \"%1\" is not one of the servers.").arg(canary));
    add(Validator::freeText(ref, QStringLiteral("ref"), 256, false));
    add(Validator::freeText(description, QStringLiteral("description"), 2000, true));
    checkPackages(errors);
    if (kind == ReleaseKind::Rollback) {
        if (!commit.isEmpty() && !isCommit(commit))
            wrong(QStringLiteral("commit"), tr("the commit \"%1\" is not a full commit id.").arg(commit));
        if (rollbackTo != version)
            wrong(QStringLiteral("rollbackTo"), tr("the rollback target is not the plan's version."));
    } else if (!isCommit(commit)) {
        wrong(QStringLiteral("commit"), tr("the commit \"%1\" is not a full commit id.").arg(commit));
    }
    if (kind == ReleaseKind::Patch ? !isCommit(baseCommit) : !baseCommit.isEmpty() && !isCommit(baseCommit))
        wrong(QStringLiteral("baseCommit"), tr("the base commit \"%1\" is not a full commit id.").arg(baseCommit));
    if (auto inside = RemoteLayout::checkPatchPaths(deletions); !inside)
        errors.append(inside.error());
    if (!baseListing.isEmpty() && !isSha256(baseListing))
        wrong(QStringLiteral("baseListing"), tr("the base listing is not a sha256 digest."));
    const bool numbersSane = keepReleases >= 2 && keepReleases <= 100 && parallelism >= 1 && parallelism <= 10000 &&
                             batchSize >= 0 && failureBudget >= 0 && failureBudgetPercent >= -1 &&
                             failureBudgetPercent <= 100 && soakSeconds >= 0 && healthTimeoutMs > 0 &&
                             hookTimeoutMs > 0 && httpCheck.retries >= 0 && httpCheck.intervalMs >= 0 &&
                             httpCheck.timeoutMs > 0;
    if (!numbersSane)
        wrong(QStringLiteral("numbers"), tr("a count, limit or timeout is out of range."));
    return errors;
}

// Packages are read from this workstation and sent to every server: only the kinds the package
// store writes, each with its checksum.
void ReleasePlan::checkPackages(QList<Error> &errors) const
{
    const auto package = [&errors](const QString &field, const QString &path, const QString &sha256,
                                   bool required) {
        if (path.isEmpty() && !required)
            return;
        const bool known = path.endsWith(QStringLiteral(".tar.gz")) || path.endsWith(QStringLiteral(".tar.zst"));
        if (!QDir::isAbsolutePath(path) || !known || path.contains(QStringLiteral("/../")) || !isSha256(sha256))
            errors.append(Error{tr("the package \"%1\" is not a package file with its checksum.").arg(path), {}, field});
    };
    package(QStringLiteral("packagePath"), packagePath, packageSha256, kind != ReleaseKind::Rollback);
    package(QStringLiteral("zstdPackagePath"), zstdPackagePath, zstdPackageSha256, false);
    package(QStringLiteral("deltaPackagePath"), deltaPackagePath, deltaPackageSha256, false);
}

} // namespace rd
