#pragma once

#include "taskrecord.h"

#include <QCoreApplication>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace rd {

// One look at the scheduled tasks of a data directory.
struct ScheduleCheck
{
    QStringList due;          // their time has come: start them now
    QList<TaskRecord> missed; // their time passed unnoticed: reported, never run late
    QDateTime next;           // the earliest time still ahead; invalid when none
};

// Starts scheduled tasks at their time while this process runs (the GUI, or "release run --wait"):
// due() is emitted for each task whose time has come, missed() once for each whose time passed
// while nothing ran it.
class TaskScheduler : public QObject
{
    Q_OBJECT

public:
    explicit TaskScheduler(QString tasksDir, QObject *parent = nullptr);

    void start();
    // Journals newly missed tasks as missed (with the time they were due) as it finds them.
    static ScheduleCheck check(const QString &tasksDir, const QDateTime &now);

signals:
    void due(const QString &taskId);
    void missed(const QString &taskId, const QDateTime &when);

private:
    void poll();

    QString m_tasksDir;
    QTimer m_timer;
    QSet<QString> m_reported;
};

} // namespace rd
