#include "releaseengine.h"

#include "httphealthcheck.h"
#include "nodelog.h"
#include "remotelayout.h"
#include "switchgate.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QSet>

#include <algorithm>

namespace rd {

namespace {

// How long the servers that are ready to switch wait for one that is not.
constexpr int SwitchPatienceMs = 20000;

// A task opens one connection per server, so no sshd's MaxStartups is at stake: the spacing only
// spares middleboxes a burst. 50 servers connect in half a second, a 1,000-server fleet in ten.
constexpr int ConnectionsPerSecond = 100;

constexpr NodeStage AllStages[] = {NodeStage::Upload, NodeStage::Prepare, NodeStage::Release,
                                   NodeStage::AfterRelease, NodeStage::Health};

NodeStage stageOf(int step)
{
    switch (step) {
    case 0: // Lock
    case 1: // Upload
        return NodeStage::Upload;
    case 2: // Unpack
        return NodeStage::Prepare;
    case 3: // Switch
        return NodeStage::Release;
    case 4: // AfterRelease
        return NodeStage::AfterRelease;
    case 9: // Revert: the switch undone
        return NodeStage::Release;
    default: // Health, SwitchBack, Heartbeat, Unlock
        return NodeStage::Health;
    }
}

} // namespace

ReleaseEngine::ReleaseEngine(ReleasePlan plan, KnownHosts &knownHosts, HostKeyPrompt prompt, int parallelism,
                             QString logDirectory, QObject *parent)
    : QObject(parent), m_plan(std::move(plan)), m_logDirectory(std::move(logDirectory)),
      m_pool(knownHosts, std::move(prompt), parallelism, ConnectionsPerSecond)
{
    connect(&m_pool, &SshPool::jobFinished, this, &ReleaseEngine::onJobFinished);
    connect(&m_pool, &SshPool::jobMilestone, this, &ReleaseEngine::onJobMilestone);
    connect(&m_pool, &SshPool::logLine, this, &ReleaseEngine::logLine);
    connect(&m_pool, &SshPool::progress, this, &ReleaseEngine::uploadProgress);
    if (m_plan.httpCheck.enabled()) {
        m_http = new HttpHealthCheck(m_plan.httpCheck, this);
        connect(m_http, &HttpHealthCheck::attemptFinished, this,
                [this](const QString &server, int, const QString &line) {
                    NodeLog(m_logDirectory, server).line(line);
                    emit logLine(server, line, false);
                });
        connect(m_http, &HttpHealthCheck::finished, this, &ReleaseEngine::onHttpFinished);
    }
    m_soakTimer.setSingleShot(true);
    connect(&m_soakTimer, &QTimer::timeout, this, &ReleaseEngine::soakOver);
    m_heartbeatTimer.setInterval(HeartbeatSeconds * 1000);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &ReleaseEngine::heartbeat);
}

ReleaseEngine::~ReleaseEngine() = default;

QString ReleaseEngine::lockOwner(const ReleasePlan &plan)
{
    // One line: the servers read it back with the shell's `read`.
    return QStringLiteral("task %1 by %2@%3").arg(plan.taskId, plan.operatorName, QHostInfo::localHostName()).simplified();
}

void ReleaseEngine::addServer(SshTarget target)
{
    Node node;
    node.name = target.name;
    node.host = target.host;
    node.canary = m_plan.kind == ReleaseKind::Gray && m_plan.canaries.contains(node.name);
    for (NodeStage stage : AllStages)
        node.states.insert(int(stage), NodeState::Pending);
    m_order.append(node.name);
    m_nodes.insert(node.name, node);
    m_pool.addServer(std::move(target));
}

void ReleaseEngine::restoreServer(const QString &server, const QHash<int, NodeState> &states)
{
    if (!m_nodes.contains(server))
        return;
    Node &node = m_nodes[server];
    for (NodeStage stage : AllStages)
        node.states[int(stage)] = states.value(int(stage), NodeState::Pending);
}

NodeState ReleaseEngine::state(const QString &server, NodeStage stage) const
{
    return m_nodes.value(server).states.value(int(stage), NodeState::Pending);
}

int ReleaseEngine::failedServers() const
{
    int failed = 0;
    for (const Node &node : m_nodes)
        failed += node.failed ? 1 : 0;
    return failed;
}

int ReleaseEngine::activeCount() const
{
    int active = 0;
    for (const Node &node : m_nodes)
        active += node.active ? 1 : 0;
    return active;
}

bool ReleaseEngine::budgetSpent() const
{
    return failedServers() > m_plan.effectiveFailureBudget(int(m_order.size()));
}

void ReleaseEngine::start()
{
    if (m_plan.kind == ReleaseKind::Patch) {
        if (auto safe = RemoteLayout::checkPatchPaths(m_plan.deletions); !safe) {
            for (const QString &name : std::as_const(m_order))
                failNode(m_nodes[name], NodeStage::Upload, NodeState::Failed, safe.error().text());
            finish();
            return;
        }
    }
    // What each server still has to do: everything on a first run, the unfinished stages on a resume.
    QStringList canaries;
    QStringList others;
    for (const QString &name : std::as_const(m_order)) {
        Node &node = m_nodes[name];
        node.active = false;
        for (NodeStage stage : AllStages) {
            if (!stageDone(node, stage)) {
                node.active = true;
                node.startAt = stage;
                break;
            }
        }
        if (!node.active)
            continue;
        for (NodeStage stage : AllStages)
            if (int(stage) >= int(node.startAt))
                node.states[int(stage)] = NodeState::Pending;
        (node.canary && !m_promoted ? canaries : others).append(name);
    }
    m_canaryCount = int(canaries.size());
    m_queue = canaries + others;

    // The whole task holds every server's lock, also those with nothing left to do: the environment
    // stays closed to other releases until the task is over.
    m_switchAtLock = canSwitchAtLock();
    if (m_switchAtLock) {
        m_switchGate = std::make_shared<SwitchGate>();
        for (Node &node : m_nodes)
            node.unlockAtSwitch = true;
    }
    m_phase = Phase::Locking;
    m_heartbeatTimer.start();
    m_locksPending = int(m_order.size());
    for (const QString &name : std::as_const(m_order)) {
        Node &node = m_nodes[name];
        if (patchesAtLock(node))
            setState(node, NodeStage::Upload, NodeState::Running);
        enqueue(node, Step::Lock);
    }
}

void ReleaseEngine::onLocked(Node &node, bool ok, const QString &error, bool heldByOther)
{
    node.locked = node.facts->lockTaken;
    const PatchOutcome patch = node.facts->patchAtLock;
    if (patch != PatchOutcome::NotRun && patch != PatchOutcome::OffBase)
        setState(node, NodeStage::Upload, NodeState::Succeeded, tr("The patch went to the server with the lock command."));
    if (ok) {
        if (patch == PatchOutcome::Applied) {
            setState(node, NodeStage::Prepare, NodeState::Succeeded);
            node.startAt = NodeStage::Release;
        }
    } else if (patch == PatchOutcome::Failed) {
        failNode(node, NodeStage::Prepare, m_aborted ? NodeState::Cancelled : NodeState::Failed, error);
    } else if (heldByOther) {
        if (m_lockConflict.isEmpty())
            m_lockConflict = error;
        if (node.active)
            failNode(node, node.startAt, NodeState::Failed, error);
    } else if (node.active) {
        failNode(node, node.startAt, m_aborted ? NodeState::Cancelled : NodeState::Failed, error);
    } else {
        NodeLog(m_logDirectory, node.name).line(tr("could not take the lock: %1").arg(error), true);
    }
    if (--m_locksPending > 0)
        return;
    QString stop;
    if (!m_lockConflict.isEmpty())
        stop = tr("Not started: another release holds the deploy lock (%1).").arg(m_lockConflict);
    else if (m_aborted)
        stop = tr("Not started: the release was aborted.");
    else if (budgetSpent())
        stop = tr("Not started: %1 of %2 servers could not be prepared, more than the failure budget of %3.")
                   .arg(failedServers())
                   .arg(m_order.size())
                   .arg(m_plan.effectiveFailureBudget(int(m_order.size())));
    if (stop.isEmpty()) {
        startBatches();
        return;
    }
    withdrawFromGate();
    for (const QString &name : std::as_const(m_queue)) {
        Node &other = m_nodes[name];
        if (!other.failed)
            setState(other, other.startAt, m_aborted ? NodeState::Cancelled : NodeState::Skipped, stop);
    }
    unlockAll();
}

void ReleaseEngine::startBatches()
{
    m_phase = Phase::Batches;
    m_batchStart = 0;
    m_batchEnd = 0;
    startBatch();
}

QList<ReleaseEngine::Node *> ReleaseEngine::batchNodes()
{
    QList<Node *> nodes;
    for (int i = m_batchStart; i < m_batchEnd; ++i)
        nodes.append(&m_nodes[m_queue[i]]);
    return nodes;
}

void ReleaseEngine::startBatch()
{
    const bool grayBeforePromotion = m_plan.kind == ReleaseKind::Gray && !m_promoted;
    if (m_aborted || budgetSpent() || m_batchStart >= m_queue.size()) {
        unlockAll();
        return;
    }
    if (grayBeforePromotion && m_batchStart == m_canaryCount) {
        pause();
        return;
    }
    int size = int(m_queue.size());
    if (grayBeforePromotion)
        size = m_canaryCount;
    else if (m_plan.kind == ReleaseKind::Rolling)
        size = qMax(1, m_plan.batchSize);
    else if (m_plan.kind == ReleaseKind::Gray && m_plan.batchSize > 0)
        size = m_plan.batchSize;
    m_batchEnd = qMin(int(m_queue.size()), m_batchStart + size);
    m_switchPhase = false;
    for (Node *node : batchNodes())
        startNode(*node);
    afterPrepareOrUnpack();
    maybeFinishBatch();
}

void ReleaseEngine::startNode(Node &node)
{
    if (node.failed) {
        node.done = true;
        return;
    }
    switch (node.startAt) {
    case NodeStage::Upload:
        if (m_plan.kind == ReleaseKind::Rollback) {
            setState(node, NodeStage::Upload, NodeState::Succeeded,
                     tr("%1 is on the server: nothing to upload.").arg(m_plan.rollbackTo));
            setState(node, NodeStage::Prepare, NodeState::Succeeded, tr("Nothing to unpack for a rollback."));
            node.ready = true;
        } else if (m_plan.hasPatch() && node.facts->wholeReason.isEmpty()) {
            setState(node, NodeStage::Upload, NodeState::Succeeded,
                     tr("The patch goes to the server with the patch command."));
            enqueue(node, Step::Unpack);
        } else {
            // A server found off the delta's base said why in its own job; here only the plan's reason.
            if (node.facts->wholeReason.isEmpty() && !m_plan.wholeReason.isEmpty())
                NodeLog(m_logDirectory, node.name).line(tr("whole package: %1").arg(m_plan.wholeReason));
            enqueue(node, Step::Upload);
        }
        break;
    case NodeStage::Prepare:
        enqueue(node, Step::Unpack);
        break;
    case NodeStage::Release:
        node.ready = true;
        break;
    case NodeStage::AfterRelease:
        node.switched = true;
        enqueue(node, Step::AfterRelease);
        break;
    case NodeStage::Health:
        node.switched = true;
        enqueue(node, Step::Health);
        break;
    }
}

void ReleaseEngine::setState(Node &node, NodeStage stage, NodeState state, const QString &detail)
{
    node.states[int(stage)] = state;
    emit nodeChanged(node.name, stage, state, detail);
}

void ReleaseEngine::enqueue(Node &node, Step step)
{
    const NodeStage stage = stageOf(int(step));
    // A revert leaves stage 08 as it was until it is done: a crash meanwhile still reads as switched.
    if (step != Step::Unlock && step != Step::Lock && step != Step::SwitchBack && step != Step::Heartbeat &&
        step != Step::Revert)
        setState(node, stage, NodeState::Running);
    // Switching is what every ready server of a batch does at once: the parallelism limit is for
    // uploads and hooks, and holding switches back would only widen the mixed-version window.
    const bool beyondLimit = step == Step::Switch || step == Step::Unlock || step == Step::Heartbeat ||
                             step == Step::Revert;
    if (step == Step::Switch)
        node.unlockAtSwitch = switchEndsTask();
    m_jobs.insert(m_pool.enqueue(node.name, jobFor(node, step), beyondLimit), {node.name, step});
}

SshJob ReleaseEngine::jobFor(const Node &node, Step step) const
{
    auto task = std::make_shared<const NodeJobs::Task>(m_plan, m_logDirectory, lockOwner(m_plan), m_switchAtLock);
    const NodeJobs jobs(std::move(task), {node.name, node.active, node.unlockAtSwitch, patchesAtLock(node)},
                        node.facts, m_switchGate);
    switch (step) {
    case Step::Lock: return jobs.lock();
    case Step::Upload: return jobs.upload();
    case Step::Unpack: return jobs.unpack();
    case Step::Switch: return jobs.switchToTarget();
    case Step::AfterRelease: return jobs.afterRelease();
    case Step::Health: return jobs.health();
    case Step::SwitchBack: return jobs.switchBack();
    case Step::Heartbeat: return jobs.heartbeat();
    case Step::Revert: return jobs.revert();
    case Step::Unlock: return jobs.unlock();
    }
    return {};
}

void ReleaseEngine::failNode(Node &node, NodeStage stage, NodeState state, const QString &error)
{
    node.failed = true;
    node.ready = false;
    setState(node, stage, state, error);
    for (NodeStage later : AllStages) {
        if (int(later) > int(stage) && node.states.value(int(later)) == NodeState::Pending)
            setState(node, later, state == NodeState::Cancelled ? NodeState::Cancelled : NodeState::Skipped);
    }
}

void ReleaseEngine::nodeDone(Node &node)
{
    node.done = true;
    maybeFinishBatch();
}

void ReleaseEngine::onJobFinished(int jobId, const QString &server, bool ok, const QString &message,
                                  const QString &hint)
{
    if (!m_jobs.contains(jobId))
        return;
    const Step step = m_jobs.take(jobId).second;
    Node &node = m_nodes[server];
    const NodeStage stage = stageOf(int(step));
    const QString error = hint.isEmpty() ? message : message + u' ' + hint;
    const NodeState failure = m_aborted ? NodeState::Cancelled : NodeState::Failed;
    switch (step) {
    case Step::Lock:
        onLocked(node, ok, error, !ok && node.facts->lockHeldByOther);
        break;
    case Step::Upload:
        if (!ok) {
            failNode(node, stage, failure, error);
            nodeDone(node);
            afterPrepareOrUnpack();
            break;
        }
        setState(node, stage, NodeState::Succeeded);
        enqueue(node, Step::Unpack);
        break;
    case Step::Unpack:
        if (!ok) {
            failNode(node, stage, failure, error);
            nodeDone(node);
        } else {
            setState(node, stage, NodeState::Succeeded);
            node.ready = true;
        }
        afterPrepareOrUnpack();
        break;
    case Step::Switch:
        if (--m_switchesLeft == 0)
            m_switchWindowMs = m_switchGate->windowMs();
        if (!ok) {
            failNode(node, stage, failure, error);
            nodeDone(node);
            break;
        }
        setState(node, stage, NodeState::Succeeded);
        node.switched = true;
        if (node.unlockAtSwitch)
            node.locked = false;
        enqueue(node, Step::AfterRelease);
        break;
    case Step::AfterRelease:
        if (!ok) {
            failNode(node, stage, failure, error);
            nodeDone(node);
            break;
        }
        if (nothingToDo(stage))
            setState(node, stage, NodeState::Skipped, tr("No after-release hook."));
        else
            setState(node, stage, NodeState::Succeeded);
        enqueue(node, Step::Health);
        break;
    case Step::Health:
        if (!ok) {
            if (m_aborted)
                failNode(node, stage, NodeState::Cancelled, error);
            else
                healthFailed(node, error);
            if (m_aborted)
                nodeDone(node);
        } else if (m_http && !m_aborted) {
            m_http->start(node.name, node.host);
        } else {
            healthPassed(node);
        }
        break;
    case Step::SwitchBack:
        failNode(node, NodeStage::Health, NodeState::Failed,
                 ok ? tr("%1 The server was switched back to %2.").arg(node.healthError, node.facts->previous)
                    : tr("%1 Switching back to %2 failed too: %3 Check the server now: it runs the new release.")
                          .arg(node.healthError, node.facts->previous, error));
        nodeDone(node);
        break;
    case Step::Heartbeat:
        break;
    case Step::Revert:
        if (!ok) {
            // It still runs this task's release: stage 08 says why it was not undone.
            node.failed = true;
            setState(node, NodeStage::Release, NodeState::Failed, error);
        } else if (!node.facts->revertedTo.isEmpty()) {
            setState(node, NodeStage::Release, NodeState::Cancelled,
                     tr("Aborted: switched back to %1.").arg(node.facts->revertedTo));
            for (NodeStage later : {NodeStage::AfterRelease, NodeStage::Health})
                setState(node, later, NodeState::Cancelled);
        }
        enqueue(node, Step::Unlock); // counted in m_unlocksPending already
        break;
    case Step::Unlock:
        node.locked = false;
        if (!ok)
            m_unlockErrors.append(QStringLiteral("%1: %2").arg(server, error));
        if (--m_unlocksPending == 0)
            finish();
        break;
    }
    if (m_aborted && m_jobs.isEmpty() && m_phase != Phase::Locking)
        unlockAll();
}

// switchAtLock: a server's lock command has locked, patched and made its new link; it now waits at
// the gate, so the lock's result is known and the rest of the command is the switch.
void ReleaseEngine::onJobMilestone(int jobId, const QString &server, const QString &what)
{
    if (!m_jobs.contains(jobId) || what != RemoteLayout::ReadyLine || m_phase != Phase::Locking)
        return;
    m_jobs[jobId].second = Step::Switch;
    Node &node = m_nodes[server];
    node.atGate = true;
    onLocked(node, true, {}, false);
}

void ReleaseEngine::onHttpFinished(const QString &server, bool healthy, const QString &message)
{
    if (!m_nodes.contains(server) || m_phase == Phase::Done)
        return;
    Node &node = m_nodes[server];
    if (m_aborted) {
        failNode(node, NodeStage::Health, NodeState::Cancelled, message);
        nodeDone(node);
        if (m_jobs.isEmpty())
            unlockAll();
        return;
    }
    if (healthy)
        healthPassed(node);
    else
        healthFailed(node, message);
}

void ReleaseEngine::healthPassed(Node &node)
{
    if (nothingToDo(NodeStage::Health))
        setState(node, NodeStage::Health, NodeState::Skipped, tr("No health check."));
    else
        setState(node, NodeStage::Health, NodeState::Succeeded);
    nodeDone(node);
}

void ReleaseEngine::healthFailed(Node &node, const QString &error)
{
    if (node.facts->previous.isEmpty()) {
        failNode(node, NodeStage::Health, NodeState::Failed,
                 tr("%1 There is no previous release to switch back to.").arg(error));
        nodeDone(node);
        return;
    }
    node.healthError = error;
    enqueue(node, Step::SwitchBack);
}

// The switch waits for the whole batch: when every server is ready or has failed, the ready ones
// switch together, unless the failures already spent the budget.
void ReleaseEngine::afterPrepareOrUnpack()
{
    if (m_switchPhase || m_phase != Phase::Batches)
        return;
    QList<Node *> ready;
    for (Node *node : batchNodes()) {
        if (!node->ready && !node->failed && !node->switched)
            return;
        if (node->ready)
            ready.append(node);
    }
    m_switchPhase = true;
    if (m_aborted || budgetSpent()) {
        withdrawFromGate();
        for (Node *node : ready) {
            node->ready = false;
            for (NodeStage stage : {NodeStage::Release, NodeStage::AfterRelease, NodeStage::Health})
                setState(*node, stage, m_aborted ? NodeState::Cancelled : NodeState::Skipped,
                         tr("Not switched: %1 of %2 servers failed, more than the failure budget of %3.")
                             .arg(failedServers())
                             .arg(m_order.size())
                             .arg(m_plan.effectiveFailureBudget(int(m_order.size()))));
            node->done = true;
        }
        maybeFinishBatch();
        return;
    }
    m_switchesLeft = int(ready.size());
    if (m_switchAtLock) {
        // Their lock commands wait at the gate already: every one of them is ready, the rest failed.
        for (Node *node : ready) {
            node->ready = false;
            setState(*node, NodeStage::Release, NodeState::Running);
        }
        m_switchGate->open();
        return;
    }
    m_switchGate = std::make_shared<SwitchGate>(m_switchesLeft, SwitchPatienceMs);
    for (Node *node : ready) {
        node->ready = false;
        enqueue(*node, Step::Switch);
    }
}

void ReleaseEngine::maybeFinishBatch()
{
    if (m_phase == Phase::Soaking) {
        for (const QString &name : m_queue.mid(0, m_canaryCount))
            if (!m_nodes[name].done)
                return;
        if (failedServers() > 0 || m_aborted) {
            unlockAll();
            return;
        }
        promote();
        return;
    }
    if (m_phase != Phase::Batches)
        return;
    for (Node *node : batchNodes()) {
        if (!node->done)
            return;
    }
    m_batchStart = m_batchEnd;
    const bool grayPauseNext = m_plan.kind == ReleaseKind::Gray && !m_promoted && m_batchStart == m_canaryCount;
    if (m_pauseAfterBatch && !m_aborted && !budgetSpent() && m_batchStart < m_queue.size() && !grayPauseNext) {
        m_phase = Phase::Held;
        emit heldAfterBatch(tr("Held after %1 of %2 servers; %3 server(s) wait for the next batch.")
                                .arg(QString::number(m_batchStart), QString::number(m_queue.size()),
                                     QString::number(m_queue.size() - m_batchStart)));
        return;
    }
    startBatch();
}

void ReleaseEngine::setPauseAfterBatch(bool pause)
{
    m_pauseAfterBatch = pause;
    if (!pause && m_phase == Phase::Held) {
        m_phase = Phase::Batches;
        startBatch();
    }
}

// Gray: the canaries are out. Nothing more happens until promote(), the soak time, or abort().
void ReleaseEngine::pause()
{
    if (failedServers() > 0) {
        // A canary that failed is the answer the gray release asked for: the rest stays as it is.
        unlockAll();
        return;
    }
    m_phase = Phase::Paused;
    if (m_promoteWhenCanariesAreOut) {
        promote();
        return;
    }
    m_awaitingPromotion = true;
    emit awaitingPromotion(m_plan.soakSeconds > 0
                               ? tr("%1 canary servers run %2; the rest follows after %3 s of healthy checks, or "
                                    "when promoted.")
                                     .arg(m_canaryCount)
                                     .arg(m_plan.version)
                                     .arg(m_plan.soakSeconds)
                               : tr("%1 canary servers run %2; promote to release the other %3 servers.")
                                     .arg(m_canaryCount)
                                     .arg(m_plan.version)
                                     .arg(m_queue.size() - m_canaryCount));
    if (m_plan.soakSeconds > 0)
        m_soakTimer.start(m_plan.soakSeconds * 1000);
}

// Gray with a soak time: the canaries are checked again before the rest follows by itself.
void ReleaseEngine::soakOver()
{
    if (m_phase != Phase::Paused)
        return;
    m_phase = Phase::Soaking;
    for (const QString &name : m_queue.mid(0, m_canaryCount)) {
        Node &node = m_nodes[name];
        node.done = false;
        enqueue(node, Step::Health);
    }
}

void ReleaseEngine::promote()
{
    if (m_phase != Phase::Paused && m_phase != Phase::Soaking) {
        // Asked while the canaries are still on their way: the rest follows once they are out and
        // well, instead of the request being lost.
        if (m_plan.kind == ReleaseKind::Gray && !m_promoted)
            m_promoteWhenCanariesAreOut = true;
        return;
    }
    m_soakTimer.stop();
    m_awaitingPromotion = false;
    m_promoted = true;
    emit promoted();
    m_phase = Phase::Batches;
    m_batchStart = m_canaryCount;
    startBatch();
}

// No after-release hook and no health check: a server's switch is the last thing done on it.
bool ReleaseEngine::nothingAfterSwitch() const
{
    return nothingToDo(NodeStage::AfterRelease) && nothingToDo(NodeStage::Health);
}

bool ReleaseEngine::nothingToDo(NodeStage stage) const
{
    if (stage == NodeStage::AfterRelease)
        return m_plan.afterReleaseHook.trimmed().isEmpty();
    if (stage == NodeStage::Health)
        return m_plan.healthCommand.trimmed().isEmpty() && !m_http;
    return false;
}

bool ReleaseEngine::stageDone(const Node &node, NodeStage stage) const
{
    const NodeState state = node.states.value(int(stage));
    return state == NodeState::Succeeded || (state == NodeState::Skipped && nothingToDo(stage));
}

// Nothing runs on a server after its switch and no batch or promotion follows this one: the switch
// command may clean up and release the lock itself.
bool ReleaseEngine::switchEndsTask() const
{
    return nothingAfterSwitch() && m_batchEnd == m_queue.size() && (m_plan.kind != ReleaseKind::Gray || m_promoted);
}

// A patch from its first stage, with no before-release hook to run between: the lock command makes
// it. The whole task is still refused when any server's lock is held by another release.
bool ReleaseEngine::patchesAtLock(const Node &node) const
{
    return m_plan.hasPatch() && node.facts->wholeReason.isEmpty() && node.active && node.startAt == NodeStage::Upload
           && m_plan.beforeReleaseHook.trimmed().isEmpty();
}

// A patch whose servers all start it now, with nothing to run after the switch: each server's lock
// command also makes its new link, waits at the gate (giving its slot of the parallelism to the next
// server), switches, cleans up and unlocks. The gate opens once every server has locked and is
// ready, or has failed within the budget, as for any switch.
bool ReleaseEngine::canSwitchAtLock() const
{
    // A delta's server may turn out off its base and need the whole package: only a patch task
    // knows every server switches from its lock command.
    if (m_plan.kind != ReleaseKind::Patch || !nothingAfterSwitch())
        return false;
    for (const Node &node : m_nodes) {
        if (!patchesAtLock(node))
            return false;
    }
    return true;
}

// Lock commands waiting at the gate are told not to switch; how they end no longer matters (each
// server's lock is still released after its command, by unlockAll()).
void ReleaseEngine::withdrawFromGate()
{
    if (!m_switchAtLock)
        return;
    m_switchGate->refuse();
    for (auto job = m_jobs.begin(); job != m_jobs.end();) {
        if (m_nodes[job.value().first].atGate)
            job = m_jobs.erase(job);
        else
            ++job;
    }
}

void ReleaseEngine::unlockAll()
{
    // After an abort, the pool stays cancelled until every cancelled job has given up.
    if (m_phase == Phase::Unlocking || m_phase == Phase::Done || (m_aborted && !m_jobs.isEmpty()))
        return;
    m_phase = Phase::Unlocking;
    m_awaitingPromotion = false;
    m_soakTimer.stop();
    m_pool.resume();
    for (const QString &name : std::as_const(m_order)) {
        Node &node = m_nodes[name];
        if (revertsOnAbort(node)) {
            // Switched back under the lock, which the revert takes back if need be; then released.
            node.locked = true;
            ++m_unlocksPending;
            enqueue(node, Step::Revert);
        } else if (node.locked) {
            ++m_unlocksPending;
            enqueue(node, Step::Unlock);
        }
    }
    if (m_unlocksPending == 0)
        finish();
}

// Aborted before promotion, a gray task takes back what it did: its canaries' switch. A canary whose
// stage 08 never started was not switched; any other (a switch cancelled half way included) is
// asked, and the server's own `current` decides.
bool ReleaseEngine::revertsOnAbort(const Node &node) const
{
    if (!m_aborted || !m_revertCanaries || m_plan.kind != ReleaseKind::Gray || m_promoted || !node.canary)
        return false;
    const NodeState release = node.states.value(int(NodeStage::Release), NodeState::Pending);
    return release != NodeState::Pending && release != NodeState::Skipped;
}

// A lock whose heartbeat is old may be broken by an operator: keep the idle servers' locks fresh
// (a server busy with a step refreshes nothing, so a step longer than the stale limit needs care).
void ReleaseEngine::heartbeat()
{
    if (m_phase == Phase::Unlocking || m_phase == Phase::Done)
        return;
    QSet<QString> busy;
    for (const auto &[server, step] : std::as_const(m_jobs))
        busy.insert(server);
    for (const QString &name : std::as_const(m_order)) {
        Node &node = m_nodes[name];
        if (node.locked && !busy.contains(name))
            enqueue(node, Step::Heartbeat);
    }
}

void ReleaseEngine::unlockOnly()
{
    // An abort like any other: its summary says so, unfinished stages read as cancelled, canaries go back.
    m_aborted = true;
    for (const QString &name : std::as_const(m_order))
        m_nodes[name].locked = true;
    unlockAll();
}

void ReleaseEngine::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_phase = Phase::Done;
    m_heartbeatTimer.stop();
    for (const QString &name : std::as_const(m_order)) {
        Node &node = m_nodes[name];
        for (NodeStage stage : AllStages) {
            if (node.states.value(int(stage)) == NodeState::Pending)
                setState(node, stage, m_aborted ? NodeState::Cancelled : NodeState::Skipped);
        }
    }
    m_pool.finishAll();
    const int failed = failedServers();
    const int total = int(m_order.size());
    int released = 0;
    for (const Node &node : std::as_const(m_nodes))
        released += std::ranges::all_of(AllStages, [&](NodeStage stage) { return stageDone(node, stage); }) ? 1 : 0;
    const QString target = m_plan.kind == ReleaseKind::Rollback ? m_plan.rollbackTo : m_plan.version;
    const bool ok = failed == 0 && !m_aborted && m_lockConflict.isEmpty() && released == total;
    QString summary;
    if (!m_lockConflict.isEmpty())
        summary = tr("Refused: another release holds the deploy lock (%1).").arg(m_lockConflict);
    else if (m_aborted) {
        int reverted = 0;
        for (const Node &node : std::as_const(m_nodes))
            reverted += node.facts->revertedTo.isEmpty() ? 0 : 1;
        QStringList parts{tr("Aborted.")};
        if (reverted > 0)
            parts << tr("%n canary server(s) switched back to the release they ran before.", nullptr, reverted);
        parts << tr("%1 of %2 servers run %3.").arg(released).arg(total).arg(target);
        if (failed > 0)
            parts << tr("%n server(s) failed; each one says why.", nullptr, failed);
        if (!m_unlockErrors.isEmpty())
            parts << tr("The deploy lock could not be released on: %1.").arg(m_unlockErrors.join(QStringLiteral("; ")));
        else
            parts << tr("The deploy locks are released.");
        summary = parts.join(u' ');
    } else
        summary = tr("%1 of %2 servers run %3; %4 failed.").arg(released).arg(total).arg(target).arg(failed);
    emit finished(ok, summary);
}

void ReleaseEngine::abort()
{
    if (m_finished || m_aborted)
        return;
    m_aborted = true;
    m_soakTimer.stop();
    if (m_switchAtLock)
        m_switchGate->refuse();
    if (m_http)
        m_http->cancelAll();
    m_pool.cancel();
    if (m_phase == Phase::Paused || m_phase == Phase::Held || (m_jobs.isEmpty() && m_phase != Phase::Locking))
        unlockAll();
}

} // namespace rd
