#pragma once

#include "common/error.h"
#include "mirrorfetch.h"
#include "release/nodestate.h"
#include "release/releaseplan.h"
#include "release/releaseplanner.h"
#include "release/releasetask.h"
#include "release/taskrecord.h"

#include <QObject>

#include <atomic>
#include <memory>
#include <vector>

class QThread;

namespace rd {

class Workspace;

// Stages 01-05, the part of a release that happens on this workstation.
enum class LocalStage
{
    Start = 1,
    BeforeDownload = 2,
    Download = 3,
    AfterDownload = 4,
    Package = 5
};

// The releases service: one release task, for the app's task window and the CLI's release verbs
// alike, on the thread that owns the inventory, which it never blocks: the inventory and the vault
// are read there, the mirror fetch, the build hook and the package run on a worker thread, the
// servers in the engine's SSH workers. Either starts a new task (stages 01-05, then the task) or
// opens one from the journal to show it and to resume, retry, promote or abort it.
class TaskRunner : public QObject
{
    Q_OBJECT

public:
    // `prompt` is asked about the servers' host keys (and the mirror's, unless the fetch brings its own).
    TaskRunner(Workspace &workspace, HostKeyPrompt prompt, QObject *parent = nullptr);
    ~TaskRunner() override;

    // Drafts the plan (an error names the field at fault) and starts stages 01-05 on a worker;
    // taskCreated() follows once the package is ready, or localFailed() if it cannot be made.
    // `fetch` refreshes the project's mirror first (stage 03); without it the mirror is used as is.
    // Keys kept in the vault need it unlocked by then.
    Result<ReleasePlan> start(const ReleaseRequest &request, std::optional<MirrorFetch::Options> fetch);
    // A task of the journal, shown as it was left; run() then resumes, retries, promotes or aborts it.
    Result<> open(const QString &taskId);
    Result<> run(ReleaseTask::Mode mode);
    // A task this runner runs is told directly; one another process runs gets a request in its journal.
    Result<> promote();
    Result<> abort();
    // Whether an abort puts the canaries of a gray release back (the default) or leaves them.
    void setRevertCanariesOnAbort(bool revert);
    // Holds a running task before its next batch, or lets it go on (also for the task started next).
    void setPauseAfterBatch(bool pause);

    QString taskId() const;
    ReleasePlan plan() const { return m_plan; }
    // Re-read from the journal: the task's last known state.
    Result<TaskRecord> record() const;
    QString tasksDirectory() const;
    // The task being run, once it exists (its engine says what happened to each server).
    const ReleaseTask *task() const { return m_task.get(); }
    // True from start() until the task finishes or waits for promotion.
    bool isBusy() const { return m_busy; }
    bool isAwaitingPromotion() const { return m_awaitingPromotion; }

    // Why stages 01-05 failed (the field at fault, if any), once localFailed() was emitted.
    std::optional<Error> localError() const { return m_localError; }

    static QString localStageName(LocalStage stage);

signals:
    void localStageChanged(rd::LocalStage stage, rd::NodeState state, const QString &detail);
    void localLine(const QString &line, bool isStderr);
    void localFailed(const QString &error);
    // The task's journal and logs exist from here on.
    void taskCreated(const QString &taskId);
    void scheduled(const QString &taskId, const QDateTime &when);
    void nodeChanged(const QString &server, rd::NodeStage stage, rd::NodeState state, const QString &detail);
    void logLine(const QString &server, const QString &line, bool isStderr);
    void uploadProgress(const QString &server, qint64 done, qint64 total);
    void awaitingPromotion(const QString &summary);
    void heldAfterBatch(const QString &summary);
    void finished(bool ok, const QString &summary);

private:
    struct Prepared;

    void setLocalStage(LocalStage stage, NodeState state, const QString &detail = {});
    void prepared(const std::shared_ptr<Prepared> &result);
    void failLocally(const Error &error);
    Result<> attach(std::unique_ptr<ReleaseTask> task);
    Result<> runAttached(ReleaseTask::Mode mode);
    void stopWorker();

    Workspace &m_workspace;
    HostKeyPrompt m_prompt;
    ReleasePlan m_plan;
    std::unique_ptr<ReleaseTask> m_task;
    std::vector<SshTarget> m_targets; // for the task about to be created
    std::unique_ptr<QThread> m_worker;
    std::shared_ptr<std::atomic_bool> m_cancel = std::make_shared<std::atomic_bool>(false);
    bool m_busy = false;
    bool m_awaitingPromotion = false;
    bool m_pauseAfterBatch = false;
    bool m_revertCanariesOnAbort = true;
    std::optional<Error> m_localError;
};

} // namespace rd
