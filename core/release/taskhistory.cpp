#include "taskhistory.h"

#include "taskjournal.h"

#include <QDir>

#include <algorithm>

namespace rd {

QList<TaskRecord> TaskHistory::list(const QString &tasksDir, const HistoryFilter &filter)
{
    QList<TaskRecord> records;
    for (const QString &id : QDir(tasksDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        auto record = TaskJournal::readSummary(QDir(tasksDir).filePath(id));
        if (!record)
            continue; // a directory being created, or not a task
        if (!filter.project.isEmpty() && record->plan.project != filter.project)
            continue;
        if (!filter.environment.isEmpty() && record->plan.environment != filter.environment)
            continue;
        if (!filter.statuses.isEmpty() && !filter.statuses.contains(record->status))
            continue;
        records.append(*record);
    }
    // Ids hold whole seconds only: the creation time orders tasks made in the same second.
    std::sort(records.begin(), records.end(), [](const TaskRecord &a, const TaskRecord &b) {
        return a.created != b.created ? a.created > b.created : a.plan.taskId > b.plan.taskId;
    });
    if (filter.limit > 0 && records.size() > filter.limit)
        records.resize(filter.limit);
    return records;
}

QStringList TaskHistory::versions(const QString &tasksDir, const QString &project, const QString &environment)
{
    QStringList versions;
    for (const TaskRecord &record : list(tasksDir, {project, environment, {}, 0}))
        if (!record.plan.version.isEmpty())
            versions.append(record.plan.version);
    return versions;
}

QString TaskHistory::lastReleasedVersion(const QString &tasksDir, const QString &project, const QString &environment)
{
    const QList<TaskRecord> last = list(tasksDir, {project, environment, {TaskStatus::Succeeded}, 1});
    return last.isEmpty() ? QString() : last.first().plan.version;
}

} // namespace rd
