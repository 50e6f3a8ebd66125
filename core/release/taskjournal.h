#pragma once

#include "common/error.h"
#include "nodestate.h"
#include "releaseplan.h"
#include "taskrecord.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>

#include <memory>

namespace rd {

// One task's directory, written as the task runs so that a killed process loses nothing it showed:
//   <tasks>/<id>/plan.json      the plan, written once
//   <tasks>/<id>/journal.jsonl  one JSON line per state change, appended before it is shown
//   <tasks>/<id>/summary.json   status and times, rewritten on each status change, for fast lists
//   <tasks>/<id>/task.log       the task-level log; logs/<server>.log each server's (NodeLog)
//   <tasks>/<id>/control/       requests (promote, abort) from other processes
class TaskJournal
{
    Q_DECLARE_TR_FUNCTIONS(TaskJournal)

public:
    static QString tasksDirectory(const QString &dataDir);
    // Creates the task's directory, assigns plan.taskId when empty ("20261123-230303-shop-prod",
    // unique even for two tasks in one second) and journals the plan as scheduled.
    static Result<TaskJournal> create(const QString &tasksDir, ReleasePlan &plan);
    static Result<TaskJournal> open(const QString &tasksDir, const QString &taskId);
    static Result<TaskRecord> read(const QString &tasksDir, const QString &taskId);
    // A task for a list: its plan and summary, statuses derived as by read(), no per-server states.
    static Result<TaskRecord> readSummary(const QString &directory);

    QString directory() const { return m_directory; }
    QString logDirectory() const;
    QString taskLogPath() const;

    Result<> recordNode(const QString &server, NodeStage stage, NodeState state, const QString &detail = {});
    // Running also records this process (pid, host, start time), so that a dead runner is noticed.
    Result<> recordStatus(TaskStatus status, const QString &summary = {});
    Result<> recordSwitchWindow(qint64 ms);
    Result<> recordAttempt();
    void taskLog(const QString &line, bool isStderr = false);

    Result<> requestControl(const QString &action);
    // Takes the requests written at or after `since` (the runner's start); older ones were meant for
    // a process that ended before it read them, and are dropped.
    QStringList takeControlRequests(const QDateTime &since);
    // Removes a request that no runner has taken yet; false when one took it first.
    bool withdrawControlRequest(const QString &action);
    bool controlRequestPending(const QString &action) const;
    // A process of this machine that still runs (not gone, not a zombie left for its parent).
    static bool processRuns(qint64 pid);

    Result<TaskRecord> read() const;

private:
    explicit TaskJournal(QString directory);
    Result<> append(QJsonObject event);
    Result<> writeSummary(const TaskRecord &record);

    QString m_directory;
    std::shared_ptr<QFile> m_journal; // shared: the journal is copied by value, the file opened once
};

} // namespace rd
