#pragma once

#include "common/error.h"
#include "releaseengine.h"
#include "taskjournal.h"
#include "taskrecord.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>

#include <memory>

namespace rd {

class KnownHosts;

// One release task as this process runs it: the engine, with every state change written to the
// task's journal before it is passed on, and the requests (promote, abort) another process leaves
// in the journal. The caller resolves the plan's servers into targets (addServer) and starts it.
class ReleaseTask : public QObject
{
    Q_OBJECT

public:
    enum class Mode {
        Start,   // a new task
        Resume,  // an interrupted or failed task: every server runs its unfinished stages again
        Promote, // a gray task paused after its canaries: the rest follows
        Abort,   // a task no process runs any more: a gray task's canaries switch back (unless the
                 // engine is told to keep them), then its locks are released
    };

    // A new task: journals the plan (its id assigned here) as scheduled or running.
    static Result<std::unique_ptr<ReleaseTask>> create(const QString &tasksDir, ReleasePlan plan,
                                                       KnownHosts &knownHosts, HostKeyPrompt prompt);
    // A task of the journal, to resume, promote or abort in this process.
    static Result<std::unique_ptr<ReleaseTask>> open(const QString &tasksDir, const QString &taskId,
                                                     KnownHosts &knownHosts, HostKeyPrompt prompt);
    ~ReleaseTask() override;

    const ReleasePlan &plan() const { return m_plan; }
    QString id() const { return m_plan.taskId; }
    QString logDirectory() const { return m_journal.logDirectory(); }
    const TaskJournal &journal() const { return m_journal; }
    ReleaseEngine &engine() { return *m_engine; }
    const ReleaseEngine &engine() const { return *m_engine; }

    void addServer(SshTarget target);
    // Refuses a mode the task's state does not allow, saying why and what to do instead.
    Result<> run(Mode mode);
    void promote();
    void abort();
    bool isFinished() const { return m_finished; }
    // A line of this workstation's own work (fetch, build) for the task log.
    void logToTask(const QString &line, bool isStderr = false) { m_journal.taskLog(line, isStderr); }

signals:
    void nodeChanged(const QString &server, rd::NodeStage stage, rd::NodeState state, const QString &detail);
    void logLine(const QString &server, const QString &line, bool isStderr);
    void uploadProgress(const QString &server, qint64 done, qint64 total);
    void awaitingPromotion(const QString &summary);
    void heldAfterBatch(const QString &summary);
    void finished(bool ok, const QString &summary);

private:
    ReleaseTask(TaskJournal journal, TaskRecord record, KnownHosts &knownHosts, HostKeyPrompt prompt);
    static Result<std::unique_ptr<ReleaseTask>> fromJournal(Result<TaskJournal> journal, KnownHosts &knownHosts,
                                                            HostKeyPrompt prompt);
    Result<> check(Mode mode) const;
    void pollControl();
    void journalFailed(const Error &error);

    TaskJournal m_journal;
    TaskRecord m_record; // as read when opened
    ReleasePlan m_plan;
    std::unique_ptr<ReleaseEngine> m_engine;
    QTimer m_controlTimer;
    QDateTime m_runningSince; // control requests older than this were not meant for this run
    bool m_aborting = false;
    bool m_finished = false;
};

} // namespace rd
