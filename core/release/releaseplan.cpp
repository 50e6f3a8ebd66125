#include "releaseplan.h"

#include <QJsonArray>

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
    return plan;
}

} // namespace rd
