#include "taskhistory.h"

#include "taskjournal.h"

#include <QDir>

namespace rd {

QList<TaskRecord> TaskHistory::list(const QString &tasksDir, const HistoryFilter &filter)
{
    QList<TaskRecord> records;
    // Task ids begin with their creation time: name order is time order.
    const QStringList ids = QDir(tasksDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QString &id : ids) {
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
        if (filter.limit > 0 && records.size() >= filter.limit)
            break;
    }
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
