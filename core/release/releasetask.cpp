#include "releasetask.h"

namespace rd {

namespace {

// A gray task was promoted once any server outside the canaries started its switch (stage 08). Its
// stages 06-07 say nothing: a patch travels with every server's lock command, before the pause.
bool wasPromoted(const TaskRecord &record)
{
    for (auto node = record.nodes.cbegin(); node != record.nodes.cend(); ++node) {
        if (record.plan.canaries.contains(node.key()))
            continue;
        for (const NodeStage stage : {NodeStage::Release, NodeStage::AfterRelease, NodeStage::Health}) {
            const NodeState state = node->state(stage);
            if (state != NodeState::Pending && state != NodeState::Skipped && state != NodeState::Cancelled)
                return true;
        }
    }
    return false;
}

} // namespace

Result<std::unique_ptr<ReleaseTask>> ReleaseTask::create(const QString &tasksDir, ReleasePlan plan,
                                                         KnownHosts &knownHosts, HostKeyPrompt prompt)
{
    return fromJournal(TaskJournal::create(tasksDir, plan), knownHosts, std::move(prompt));
}

Result<std::unique_ptr<ReleaseTask>> ReleaseTask::open(const QString &tasksDir, const QString &taskId,
                                                       KnownHosts &knownHosts, HostKeyPrompt prompt)
{
    return fromJournal(TaskJournal::open(tasksDir, taskId), knownHosts, std::move(prompt));
}

Result<std::unique_ptr<ReleaseTask>> ReleaseTask::fromJournal(Result<TaskJournal> journal, KnownHosts &knownHosts,
                                                              HostKeyPrompt prompt)
{
    if (!journal)
        return std::unexpected(journal.error());
    auto record = journal->read();
    if (!record)
        return std::unexpected(record.error());
    return std::unique_ptr<ReleaseTask>(new ReleaseTask(std::move(*journal), std::move(*record), knownHosts,
                                                        std::move(prompt)));
}

ReleaseTask::ReleaseTask(TaskJournal journal, TaskRecord record, KnownHosts &knownHosts, HostKeyPrompt prompt)
    : m_journal(std::move(journal)), m_record(std::move(record)), m_plan(m_record.plan)
{
    m_engine = std::make_unique<ReleaseEngine>(m_plan, knownHosts, std::move(prompt), qMax(1, m_plan.parallelism),
                                               m_journal.logDirectory());
    // Journal first, then tell the screen: what was shown is always on disk.
    connect(m_engine.get(), &ReleaseEngine::nodeChanged, this,
            [this](const QString &server, NodeStage stage, NodeState state, const QString &detail) {
                if (auto written = m_journal.recordNode(server, stage, state, detail); !written)
                    journalFailed(written.error());
                if (state == NodeState::Failed)
                    m_journal.taskLog(tr("%1: stage %2 failed: %3").arg(server, nodeStageName(stage), detail), true);
                emit nodeChanged(server, stage, state, detail);
            });
    connect(m_engine.get(), &ReleaseEngine::logLine, this, &ReleaseTask::logLine);
    connect(m_engine.get(), &ReleaseEngine::uploadProgress, this, &ReleaseTask::uploadProgress);
    connect(m_engine.get(), &ReleaseEngine::awaitingPromotion, this, [this](const QString &summary) {
        if (auto written = m_journal.recordStatus(TaskStatus::AwaitingPromotion, summary); !written)
            journalFailed(written.error());
        m_journal.taskLog(summary);
        emit awaitingPromotion(summary);
    });
    // Held between batches the task still runs (a crash reads as interrupted, and resume goes on).
    connect(m_engine.get(), &ReleaseEngine::heldAfterBatch, this, [this](const QString &summary) {
        m_journal.taskLog(summary);
        emit heldAfterBatch(summary);
    });
    connect(m_engine.get(), &ReleaseEngine::promoted, this, [this] {
        if (auto written = m_journal.recordStatus(TaskStatus::Running, tr("Promoted.")); !written)
            journalFailed(written.error());
        m_journal.taskLog(tr("promoted: the other servers follow"));
    });
    connect(m_engine.get(), &ReleaseEngine::finished, this, [this](bool ok, const QString &summary) {
        m_controlTimer.stop();
        if (m_engine->switchWindowMs() >= 0)
            m_journal.recordSwitchWindow(m_engine->switchWindowMs());
        const bool aborted = m_aborting;
        const TaskStatus status = ok ? TaskStatus::Succeeded : aborted ? TaskStatus::Aborted : TaskStatus::Failed;
        if (auto written = m_journal.recordStatus(status, summary); !written)
            journalFailed(written.error());
        m_journal.taskLog(summary, !ok);
        m_finished = true;
        emit finished(ok, summary);
    });
    m_controlTimer.setInterval(500);
    connect(&m_controlTimer, &QTimer::timeout, this, &ReleaseTask::pollControl);
}

ReleaseTask::~ReleaseTask() = default;

void ReleaseTask::addServer(SshTarget target)
{
    const QString name = target.name;
    m_engine->addServer(std::move(target));
    const NodeRecord node = m_record.nodes.value(name);
    m_engine->restoreServer(name, node.states);
}

Result<> ReleaseTask::check(Mode mode) const
{
    const TaskStatus status = m_record.status;
    const QString statusText = taskStatusText(status);
    switch (mode) {
    case Mode::Start:
        if (status != TaskStatus::Scheduled)
            return fail(tr("Task %1 has already run (%2).").arg(m_plan.taskId, statusText),
                        tr("Retry or resume it instead, or start a new task."));
        return {};
    case Mode::Resume:
        if (status == TaskStatus::Running || status == TaskStatus::AwaitingPromotion)
            return fail(tr("Task %1 is %2 in process %3 on %4.")
                            .arg(m_plan.taskId, statusText, QString::number(m_record.pid), m_record.host),
                        status == TaskStatus::AwaitingPromotion ? tr("Promote or abort it instead.")
                                                               : tr("Wait for it to finish, or abort it."));
        if (status == TaskStatus::Succeeded)
            return fail(tr("Task %1 succeeded on every server: there is nothing to retry.").arg(m_plan.taskId));
        if (status == TaskStatus::Scheduled || status == TaskStatus::Missed)
            return fail(tr("Task %1 never started (%2).").arg(m_plan.taskId, statusText),
                        tr("Start a new task with the same settings."));
        return {};
    case Mode::Promote:
        if (m_plan.kind != ReleaseKind::Gray)
            return fail(tr("Task %1 is a %2 release, not a gray one: there is nothing to promote.")
                            .arg(m_plan.taskId, releaseKindName(m_plan.kind)));
        if (status != TaskStatus::AwaitingPromotion && !(status == TaskStatus::Interrupted && !wasPromoted(m_record)))
            return fail(tr("Task %1 is not waiting for promotion (%2).").arg(m_plan.taskId, statusText));
        return {};
    case Mode::Abort:
        if (status == TaskStatus::Succeeded || status == TaskStatus::Failed || status == TaskStatus::Aborted)
            return fail(tr("Task %1 is already over (%2).").arg(m_plan.taskId, statusText));
        return {};
    }
    return {};
}

Result<> ReleaseTask::run(Mode mode)
{
    if (auto allowed = check(mode); !allowed)
        return allowed;
    if (mode != Mode::Start)
        if (auto written = m_journal.recordAttempt(); !written)
            return written;
    // Taken before the status says who runs the task: a request written after that is this run's.
    m_runningSince = QDateTime::currentDateTimeUtc();
    if (auto written = m_journal.recordStatus(TaskStatus::Running); !written)
        return written;
    m_controlTimer.start();
    switch (mode) {
    case Mode::Start:
        m_journal.taskLog(tr("%1 release of %2 (%3) to %4/%5 by %6")
                              .arg(releaseKindName(m_plan.kind), m_plan.version, m_plan.ref, m_plan.project,
                                   m_plan.environment, m_plan.operatorName));
        m_engine->start();
        break;
    case Mode::Resume:
        m_journal.taskLog(tr("resumed: every server runs its unfinished stages again"));
        m_engine->setPromoted(wasPromoted(m_record));
        m_engine->start();
        break;
    case Mode::Promote:
        m_journal.taskLog(tr("promoted: the other servers follow"));
        m_engine->setPromoted(true);
        m_engine->start();
        break;
    case Mode::Abort:
        m_aborting = true;
        m_journal.taskLog(tr("aborted: releasing the deploy locks"));
        // A gray task promoted before keeps its canaries; one that was not takes their switch back.
        m_engine->setPromoted(wasPromoted(m_record));
        m_engine->unlockOnly();
        break;
    }
    return {};
}

void ReleaseTask::promote()
{
    m_engine->promote();
}

void ReleaseTask::abort()
{
    m_aborting = true;
    m_engine->abort();
}

void ReleaseTask::pollControl()
{
    for (const QString &request : m_journal.takeControlRequests(m_runningSince)) {
        if (request == u"promote") {
            promote();
        } else if (request == u"abort") {
            abort();
        } else if (request == u"abort-keep-canaries") {
            m_engine->setRevertCanariesOnAbort(false);
            abort();
        }
    }
}

void ReleaseTask::journalFailed(const Error &error)
{
    // A release that cannot be journalled cannot be resumed after a crash: stop it safely.
    emit logLine(QString(), tr("The task journal could not be written: %1").arg(error.text()), true);
    abort();
}

} // namespace rd
