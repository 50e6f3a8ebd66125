#include "taskstatus.h"

#include <QCoreApplication>

namespace rd {

namespace {

struct StatusName
{
    TaskStatus status;
    const char16_t *name;
    const char *text;
};

constexpr StatusName Names[] = {
    {TaskStatus::Scheduled, u"scheduled", QT_TRANSLATE_NOOP("TaskStatus", "scheduled")},
    {TaskStatus::Running, u"running", QT_TRANSLATE_NOOP("TaskStatus", "running")},
    {TaskStatus::AwaitingPromotion, u"awaiting-promotion", QT_TRANSLATE_NOOP("TaskStatus", "awaiting promotion")},
    {TaskStatus::Succeeded, u"succeeded", QT_TRANSLATE_NOOP("TaskStatus", "succeeded")},
    {TaskStatus::Failed, u"failed", QT_TRANSLATE_NOOP("TaskStatus", "failed")},
    {TaskStatus::Aborted, u"aborted", QT_TRANSLATE_NOOP("TaskStatus", "aborted")},
    {TaskStatus::Interrupted, u"interrupted", QT_TRANSLATE_NOOP("TaskStatus", "interrupted")},
    {TaskStatus::Missed, u"missed", QT_TRANSLATE_NOOP("TaskStatus", "missed")},
};

} // namespace

QString taskStatusName(TaskStatus status)
{
    for (const StatusName &entry : Names)
        if (entry.status == status)
            return QString::fromUtf16(entry.name);
    return {};
}

std::optional<TaskStatus> taskStatusFromName(const QString &name)
{
    for (const StatusName &entry : Names)
        if (name == QStringView(entry.name))
            return entry.status;
    return std::nullopt;
}

QString taskStatusText(TaskStatus status)
{
    for (const StatusName &entry : Names)
        if (entry.status == status)
            return QCoreApplication::translate("TaskStatus", entry.text);
    return {};
}

bool taskStatusIsFinal(TaskStatus status)
{
    return status == TaskStatus::Succeeded || status == TaskStatus::Failed || status == TaskStatus::Aborted ||
           status == TaskStatus::Missed;
}

} // namespace rd
