#include "taskrunner.h"

#include "inventory/inventorystore.h"
#include "release/taskjournal.h"
#include "ssh/sshtargetfactory.h"
#include "vault/vault.h"
#include "workspace.h"

#include <QFileInfo>
#include <QScopeGuard>
#include <QThread>

#include <openssl/crypto.h>

namespace rd {

// What the worker hands back to the runner's thread.
struct TaskRunner::Prepared
{
    ReleasePlan plan;
    std::optional<Error> error;
    QList<std::pair<QString, bool>> lines; // the local stages' output, for the task log
};

TaskRunner::TaskRunner(Workspace &workspace, HostKeyPrompt prompt, QObject *parent)
    : QObject(parent), m_workspace(workspace), m_prompt(std::move(prompt))
{
}

TaskRunner::~TaskRunner()
{
    stopWorker();
}

void TaskRunner::stopWorker()
{
    if (!m_worker)
        return;
    // A build hook is ended by the cancel flag; a fetch stops at its next progress callback.
    m_cancel->store(true);
    m_worker->wait();
    m_worker.reset();
}

QString TaskRunner::localStageName(LocalStage stage)
{
    switch (stage) {
    case LocalStage::Start:
        return tr("start");
    case LocalStage::BeforeDownload:
        return tr("before download");
    case LocalStage::Download:
        return tr("download");
    case LocalStage::AfterDownload:
        return tr("build");
    case LocalStage::Package:
        return tr("package");
    }
    return {};
}

QString TaskRunner::tasksDirectory() const
{
    return m_workspace.tasksDirectory();
}

QString TaskRunner::taskId() const
{
    return m_plan.taskId;
}

Result<TaskRecord> TaskRunner::record() const
{
    if (m_plan.taskId.isEmpty())
        return fail(tr("The task has not been created yet."));
    return TaskJournal::read(tasksDirectory(), m_plan.taskId);
}

void TaskRunner::setLocalStage(LocalStage stage, NodeState state, const QString &detail)
{
    emit localStageChanged(stage, state, detail);
}

Result<ReleasePlan> TaskRunner::start(const ReleaseRequest &request,
                                      std::optional<MirrorFetch::Options> fetch)
{
    if (m_busy || m_task)
        return fail(tr("This runner already has a task."), tr("Start the new task in a new window."));
    const InventoryStore &store = m_workspace.store();
    auto plan = ReleasePlanner(store, m_workspace.dataDir()).draft(request);
    if (!plan)
        return plan;
    auto projects = store.projects();
    if (!projects)
        return std::unexpected(projects.error());
    const auto project = std::find_if(projects->cbegin(), projects->cend(),
                                      [&](const Project &p) { return p.name == plan->project; });
    if (project == projects->cend())
        return fail(tr("There is no project \"%1\".").arg(plan->project), {}, QStringLiteral("project"));
    // Keys are opened here, on the inventory's thread, before anything runs: a locked vault stops now.
    // A scheduled task opens them when it starts.
    if (!plan->scheduledAt.isValid()) {
        auto targets = SshTargetFactory::forServers(store, &m_workspace.vault(), plan->servers);
        if (!targets)
            return std::unexpected(targets.error());
        m_targets = std::move(*targets);
    }
    m_plan = *plan;
    m_busy = true;
    m_localError.reset();
    m_cancel->store(false);

    const bool rollback = plan->kind == ReleaseKind::Rollback;
    const bool download = fetch && !rollback;
    // Queued like the worker's reports: the caller shows the plan first, then the stages move.
    auto report = [this](LocalStage stage, NodeState state, const QString &detail = {}) {
        QMetaObject::invokeMethod(
            this, [this, stage, state, detail] { setLocalStage(stage, state, detail); },
            Qt::QueuedConnection);
    };
    report(LocalStage::Start, NodeState::Succeeded);
    report(LocalStage::BeforeDownload, NodeState::Skipped);
    report(LocalStage::Download, download ? NodeState::Running : NodeState::Skipped);
    if (!download)
        report(LocalStage::AfterDownload,
               rollback || request.buildHook.trimmed().isEmpty() ? NodeState::Skipped : NodeState::Running);
    if (!download && !rollback)
        report(LocalStage::Package, NodeState::Running);

    auto result = std::make_shared<Prepared>();
    result->plan = *plan;
    const QString dataDir = m_workspace.dataDir();
    const MirrorFetch mirror(m_workspace, *project);
    std::shared_ptr<MirrorFetch::Options> fetchOptions;
    if (download) {
        fetchOptions = std::make_shared<MirrorFetch::Options>(std::move(*fetch));
        if (!fetchOptions->hostKeyPrompt)
            fetchOptions->hostKeyPrompt = m_prompt;
        fetchOptions->cancel = m_cancel.get();
    }
    const QStringList excludes = project->packageExcludes;
    const QString buildHook = request.buildHook;
    const std::shared_ptr<std::atomic_bool> cancel = m_cancel;
    // The worker's progress crosses to this thread queued; the runner waits for it before it is destroyed.
    m_worker.reset(QThread::create([=, this] {
        // Freed before the thread is reported finished, not by a thread-exit destructor that may run
        // after the process began to exit (see SshPool::closeWorker).
        const auto releaseOpenSsl = qScopeGuard([] { OPENSSL_thread_stop(); });
        auto line = [&](const QString &text, bool isStderr) {
            result->lines.append({text, isStderr});
            QMetaObject::invokeMethod(
                this, [this, text, isStderr] { emit localLine(text, isStderr); }, Qt::QueuedConnection);
        };
        if (download) {
            line(tr("Fetching %1").arg(mirror.url()), false);
            auto fetched = mirror.run(std::move(*fetchOptions));
            if (!fetched) {
                report(LocalStage::Download, NodeState::Failed, fetched.error().text());
                result->error = fetched.error();
                return;
            }
            report(LocalStage::Download, NodeState::Succeeded);
            if (rollback)
                return;
            report(LocalStage::AfterDownload,
                   buildHook.trimmed().isEmpty() ? NodeState::Skipped : NodeState::Running);
            report(LocalStage::Package, NodeState::Running);
        }
        if (rollback)
            return;
        auto prepared =
            ReleasePlanner::prepare(dataDir, result->plan, excludes, buildHook, line, cancel.get());
        if (!prepared) {
            if (!buildHook.trimmed().isEmpty())
                report(LocalStage::AfterDownload, NodeState::Failed, prepared.error().text());
            report(LocalStage::Package, NodeState::Failed, prepared.error().text());
            result->error = prepared.error();
            return;
        }
        if (!buildHook.trimmed().isEmpty())
            report(LocalStage::AfterDownload, NodeState::Succeeded);
        report(LocalStage::Package, NodeState::Succeeded,
               tr("%1, %2 bytes")
                   .arg(QFileInfo(result->plan.packagePath).fileName(),
                        QString::number(QFileInfo(result->plan.packagePath).size())));
    }));
    connect(m_worker.get(), &QThread::finished, this, [this, result] { prepared(result); });
    m_worker->start();
    return *plan;
}

void TaskRunner::prepared(const std::shared_ptr<Prepared> &result)
{
    m_worker.reset();
    if (m_cancel->load())
        return; // aborted meanwhile: nothing goes to the servers
    if (result->error) {
        failLocally(*result->error);
        return;
    }
    m_plan = result->plan;
    auto task = ReleaseTask::create(tasksDirectory(), m_plan, m_workspace.knownHosts(), m_prompt);
    if (!task) {
        failLocally(task.error());
        return;
    }
    m_plan = (*task)->plan();
    // The local stages' output opens the task log, before the servers' stages.
    for (const auto &[line, isStderr] : std::as_const(result->lines))
        (*task)->logToTask(line, isStderr);
    for (SshTarget &target : m_targets)
        (*task)->addServer(std::move(target));
    m_targets.clear();
    if (auto attached = attach(std::move(*task)); !attached) {
        failLocally(attached.error());
        return;
    }
    emit taskCreated(m_plan.taskId);
    if (m_plan.scheduledAt.isValid()) {
        m_busy = false;
        emit scheduled(m_plan.taskId, m_plan.scheduledAt);
        return;
    }
    if (auto started = runAttached(ReleaseTask::Mode::Start); !started)
        failLocally(started.error());
}

void TaskRunner::failLocally(const Error &error)
{
    m_busy = false;
    m_localError = error;
    emit localFailed(error.text());
}

Result<> TaskRunner::attach(std::unique_ptr<ReleaseTask> task)
{
    m_task = std::move(task);
    m_plan = m_task->plan();
    connect(m_task.get(), &ReleaseTask::nodeChanged, this, &TaskRunner::nodeChanged);
    connect(m_task.get(), &ReleaseTask::logLine, this, &TaskRunner::logLine);
    connect(m_task.get(), &ReleaseTask::uploadProgress, this, &TaskRunner::uploadProgress);
    connect(m_task.get(), &ReleaseTask::heldAfterBatch, this, &TaskRunner::heldAfterBatch);
    m_task->engine().setPauseAfterBatch(m_pauseAfterBatch);
    m_task->engine().setRevertCanariesOnAbort(m_revertCanariesOnAbort);
    connect(m_task.get(), &ReleaseTask::awaitingPromotion, this, [this](const QString &summary) {
        m_awaitingPromotion = true;
        m_busy = false;
        emit awaitingPromotion(summary);
    });
    connect(m_task.get(), &ReleaseTask::finished, this, [this](bool ok, const QString &summary) {
        m_busy = false;
        m_awaitingPromotion = false;
        emit finished(ok, summary);
    });
    return {};
}

Result<> TaskRunner::runAttached(ReleaseTask::Mode mode)
{
    m_busy = true;
    m_awaitingPromotion = false;
    auto started = m_task->run(mode);
    if (!started)
        m_busy = false;
    return started;
}

void TaskRunner::setRevertCanariesOnAbort(bool revert)
{
    m_revertCanariesOnAbort = revert;
    if (m_task)
        m_task->engine().setRevertCanariesOnAbort(revert);
}

void TaskRunner::setPauseAfterBatch(bool pause)
{
    m_pauseAfterBatch = pause;
    if (m_task)
        m_task->engine().setPauseAfterBatch(pause);
}

Result<> TaskRunner::open(const QString &taskId)
{
    auto record = TaskJournal::read(tasksDirectory(), taskId);
    if (!record)
        return std::unexpected(record.error());
    m_plan = record->plan;
    m_awaitingPromotion = record->status == TaskStatus::AwaitingPromotion;
    return {};
}

Result<> TaskRunner::run(ReleaseTask::Mode mode)
{
    if (m_busy)
        return fail(tr("Task %1 is still running.").arg(m_plan.taskId), tr("Wait for it, or abort it."));
    if (m_plan.taskId.isEmpty())
        return fail(tr("There is no task to run."));
    // A task that ran in this runner is reopened too: the journal holds each server's true stage.
    auto task = ReleaseTask::open(tasksDirectory(), m_plan.taskId, m_workspace.knownHosts(), m_prompt);
    if (!task)
        return std::unexpected(task.error());
    auto targets =
        SshTargetFactory::forServers(m_workspace.store(), &m_workspace.vault(), (*task)->plan().servers);
    if (!targets)
        return std::unexpected(targets.error());
    for (SshTarget &target : *targets)
        (*task)->addServer(std::move(target));
    if (m_task)
        m_task->disconnect(this);
    // The old task object may still be delivering its last signals: let it go once they are out.
    if (m_task)
        m_task.release()->deleteLater();
    if (auto attached = attach(std::move(*task)); !attached)
        return attached;
    return runAttached(mode);
}

Result<> TaskRunner::promote()
{
    if (m_task && m_task->engine().isAwaitingPromotion() && !m_task->isFinished()) {
        m_awaitingPromotion = false;
        m_busy = true;
        m_task->promote();
        return {};
    }
    auto record = this->record();
    if (!record)
        return std::unexpected(record.error());
    // Still paused in another live process (the journal reads a dead runner as interrupted).
    if (record->status == TaskStatus::AwaitingPromotion) {
        auto journal = TaskJournal::open(tasksDirectory(), m_plan.taskId);
        if (!journal)
            return std::unexpected(journal.error());
        return journal->requestControl(QStringLiteral("promote"));
    }
    return run(ReleaseTask::Mode::Promote);
}

Result<> TaskRunner::abort()
{
    if (m_worker) {
        stopWorker();
        m_busy = false;
        setLocalStage(LocalStage::Package, NodeState::Cancelled);
        m_localError = Error{tr("Stopped before any server was touched."), {}, {}};
        emit localFailed(m_localError->text());
        return {};
    }
    if (m_task && !m_task->isFinished() && (m_busy || m_awaitingPromotion)) {
        m_task->abort();
        return {};
    }
    auto record = this->record();
    if (!record)
        return std::unexpected(record.error());
    if (record->status == TaskStatus::Running || record->status == TaskStatus::AwaitingPromotion) {
        auto journal = TaskJournal::open(tasksDirectory(), m_plan.taskId);
        if (!journal)
            return std::unexpected(journal.error());
        return journal->requestControl(QStringLiteral("abort"));
    }
    return run(ReleaseTask::Mode::Abort);
}

} // namespace rd
