#pragma once

#include "taskrecord.h"

#include <QList>

namespace rd {

struct HistoryFilter
{
    QString project;
    QString environment;
    QList<TaskStatus> statuses; // empty: any
    int limit = 0;              // 0: all
};

// The tasks of a data directory, newest first. Listing reads each task's plan and summary only:
// records come without per-server states (TaskJournal::read has those).
class TaskHistory
{
public:
    static QList<TaskRecord> list(const QString &tasksDir, const HistoryFilter &filter = {});
    // Every release version an environment's tasks used, for VersionId::nextNumber().
    static QStringList versions(const QString &tasksDir, const QString &project, const QString &environment);
    // The version of the environment's newest successful task; empty when there is none.
    static QString lastReleasedVersion(const QString &tasksDir, const QString &project, const QString &environment);
};

} // namespace rd
