#include "releaseengine.h"

#include "nodelog.h"
#include "remotehook.h"
#include "remotelayout.h"
#include "ssh/sshsession.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace rd {

namespace {

// Runs one remote command for a stage, with its output in the node's log and on screen.
Result<ExecResult> runLogged(SshSession &session, const SshJobContext &context, NodeLog &log,
                             const QString &command, int timeoutMs)
{
    ExecOptions options;
    options.cancel = context.cancel;
    options.timeoutMs = timeoutMs;
    options.onStdout = [&](const QString &line) {
        log.line(line);
        context.log(line, false);
    };
    options.onStderr = [&](const QString &line) {
        log.line(line, true);
        context.log(line, true);
    };
    return session.exec(command, options);
}

// A command that must succeed: its failure names what failed and shows its last words.
Result<> runStep(SshSession &session, const SshJobContext &context, NodeLog &log, const QString &what,
                 const QString &command, int timeoutMs = 120000)
{
    auto result = runLogged(session, context, log, command, timeoutMs);
    if (!result)
        return std::unexpected(result.error());
    if (result->cancelled)
        return fail(ReleaseEngine::tr("%1 was cancelled.").arg(what));
    if (result->timedOut)
        return fail(ReleaseEngine::tr("%1 did not finish within %2 s and was stopped.").arg(what).arg(timeoutMs / 1000),
                    ReleaseEngine::tr("Raise the time limit or find out what it waits for."));
    if (!result->succeeded()) {
        const QString detail = result->lastStderr.mid(qMax(0, int(result->lastStderr.size()) - 3)).join(QStringLiteral(" / "));
        return fail(result->exitSignal.isEmpty()
                        ? ReleaseEngine::tr("%1 failed with exit code %2: %3").arg(what).arg(result->exitStatus).arg(detail)
                        : ReleaseEngine::tr("%1 was killed by signal %2: %3").arg(what, result->exitSignal, detail));
    }
    return {};
}

NodeStage stageOf(int step)
{
    switch (step) {
    case 0:
        return NodeStage::Upload;
    case 1:
        return NodeStage::BeforeRelease;
    case 2:
        return NodeStage::Release;
    case 3:
        return NodeStage::AfterRelease;
    default:
        return NodeStage::Health;
    }
}

} // namespace

ReleaseEngine::ReleaseEngine(ReleasePlan plan, KnownHosts &knownHosts, HostKeyPrompt prompt, int parallelism,
                             QString logDirectory, QObject *parent)
    : QObject(parent), m_plan(std::move(plan)), m_logDirectory(std::move(logDirectory)),
      m_pool(knownHosts, std::move(prompt), parallelism, 50)
{
    connect(&m_pool, &SshPool::jobFinished, this, &ReleaseEngine::onJobFinished);
    connect(&m_pool, &SshPool::logLine, this, &ReleaseEngine::logLine);
    connect(&m_pool, &SshPool::progress, this, &ReleaseEngine::uploadProgress);
}

ReleaseEngine::~ReleaseEngine() = default;

void ReleaseEngine::addServer(SshTarget target)
{
    Node node;
    node.name = target.name;
    for (NodeStage stage : {NodeStage::Upload, NodeStage::BeforeRelease, NodeStage::Release, NodeStage::AfterRelease,
                            NodeStage::Health})
        node.states.insert(int(stage), NodeState::Pending);
    m_order.append(node.name);
    m_nodes.insert(node.name, node);
    m_pool.addServer(std::move(target));
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

bool ReleaseEngine::budgetSpent() const { return failedServers() > m_plan.effectiveFailureBudget(int(m_order.size())); }

QString ReleaseEngine::owner() const
{
    return QStringLiteral("%1@%2 pid %3 task %4")
        .arg(m_plan.operatorName, QHostInfo::localHostName())
        .arg(QCoreApplication::applicationPid())
        .arg(m_plan.taskId);
}

void ReleaseEngine::start()
{
    m_batchStart = 0;
    startBatch();
}

QList<ReleaseEngine::Node *> ReleaseEngine::batchNodes()
{
    QList<Node *> nodes;
    for (int i = m_batchStart; i < m_batchEnd; ++i)
        nodes.append(&m_nodes[m_order[i]]);
    return nodes;
}

void ReleaseEngine::startBatch()
{
    if (m_batchStart >= m_order.size() || m_aborted || budgetSpent()) {
        finish();
        return;
    }
    const int size = m_plan.kind == ReleaseKind::Rolling ? qMax(1, m_plan.batchSize) : int(m_order.size());
    m_batchEnd = qMin(int(m_order.size()), m_batchStart + size);
    m_switchPhase = false;
    for (Node *node : batchNodes())
        enqueue(*node, Step::Prepare);
}

void ReleaseEngine::setState(Node &node, NodeStage stage, NodeState state, const QString &detail)
{
    node.states[int(stage)] = state;
    emit nodeChanged(node.name, stage, state, detail);
}

void ReleaseEngine::enqueue(Node &node, Step step)
{
    const NodeStage stage = stageOf(int(step));
    if (step != Step::Unlock)
        setState(node, stage, NodeState::Running);
    m_jobs.insert(m_pool.enqueue(node.name, jobFor(node, step)), {node.name, step});
}

SshJob ReleaseEngine::jobFor(const Node &node, Step step) const
{
    const ReleasePlan plan = m_plan;
    const QString directory = m_logDirectory;
    const QString server = node.name;
    const QString lockOwner = owner();
    const std::shared_ptr<QString> previous = node.previous;
    const std::shared_ptr<bool> lockTaken = node.lockTaken;
    auto hookEnvironment = [plan, server, previous](const QString &stage) {
        const RemoteLayout layout(plan.deployRoot);
        HookEnvironment environment;
        environment.project = plan.project;
        environment.environment = plan.environment;
        environment.version = plan.version;
        environment.commit = plan.commit;
        environment.ref = plan.ref;
        environment.stage = stage;
        environment.server = server;
        environment.deployRoot = plan.deployRoot;
        environment.releaseDir = layout.releaseDir(plan.version);
        environment.previousDir = previous->isEmpty() ? QString() : layout.releaseDir(*previous);
        return environment;
    };

    switch (step) {
    case Step::Prepare:
        return [=](SshSession &session, const SshJobContext &context) -> Result<> {
            NodeLog log(directory, server);
            log.line(tr("== 06 upload %1 to %2").arg(plan.version, server));
            const RemoteLayout layout(plan.deployRoot);
            auto locked = runLogged(session, context, log, layout.lockCommand(lockOwner), 30000);
            if (!locked)
                return std::unexpected(locked.error());
            if (locked->exitStatus == RemoteLayout::LockHeld)
                return fail(tr("%1 is being deployed by someone else: %2").arg(plan.deployRoot, locked->lastStderr.join(u' ')),
                            tr("Wait for that release to finish. If its owner is gone, break the stale lock explicitly."));
            if (!locked->succeeded())
                return fail(tr("Taking the deploy lock failed: %1").arg(locked->lastStderr.join(u' ')));
            // Ours from now on: whatever fails next, the engine releases it.
            *lockTaken = true;
            if (auto prepared = runStep(session, context, log, tr("Preparing %1").arg(plan.deployRoot),
                                        layout.prepareCommand());
                !prepared)
                return prepared;
            QStringList stateLines;
            ExecOptions options;
            options.onStdout = [&](const QString &line) { stateLines.append(line); };
            auto state = session.exec(layout.stateCommand(), options);
            if (!state)
                return std::unexpected(state.error());
            *previous = RemoteLayout::parseState(stateLines).current;
            UploadOptions upload;
            upload.cancel = context.cancel;
            upload.onProgress = context.progress;
            auto hash = session.upload(plan.packagePath, layout.packagePath(plan.version), upload);
            if (!hash)
                return std::unexpected(hash.error());
            if (QString::fromLatin1(hash->toHex()) != plan.packageSha256)
                return fail(tr("The package changed on this workstation while it was uploaded."),
                            tr("Build the package again and restart the release."));
            log.line(tr("uploaded, sha256 %1").arg(plan.packageSha256));
            return {};
        };
    case Step::Unpack:
        return [=](SshSession &session, const SshJobContext &context) -> Result<> {
            NodeLog log(directory, server);
            log.line(tr("== 07 unpack and before-release hook"));
            const RemoteLayout layout(plan.deployRoot);
            const QJsonObject manifest{{QStringLiteral("project"), plan.project},
                                       {QStringLiteral("environment"), plan.environment},
                                       {QStringLiteral("version"), plan.version},
                                       {QStringLiteral("commit"), plan.commit},
                                       {QStringLiteral("ref"), plan.ref},
                                       {QStringLiteral("sha256"), plan.packageSha256},
                                       {QStringLiteral("operator"), plan.operatorName},
                                       {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
            if (auto unpacked = runStep(session, context, log, tr("Unpacking %1").arg(plan.version),
                                        layout.unpackCommand(plan.version, plan.packageSha256, plan.sharedPaths,
                                                             QJsonDocument(manifest).toJson(QJsonDocument::Compact)),
                                        600000);
                !unpacked)
                return unpacked;
            if (plan.beforeReleaseHook.trimmed().isEmpty())
                return {};
            return runStep(session, context, log, tr("The before-release hook"),
                           RemoteHook::command(plan.beforeReleaseHook, layout.releaseDir(plan.version),
                                               hookEnvironment(QStringLiteral("before-release"))),
                           plan.hookTimeoutMs);
        };
    case Step::Switch:
        return [=](SshSession &session, const SshJobContext &context) -> Result<> {
            NodeLog log(directory, server);
            log.line(tr("== 08 switch current to %1").arg(plan.version));
            return runStep(session, context, log, tr("Switching to %1").arg(plan.version),
                           RemoteLayout(plan.deployRoot).switchCommand(plan.version));
        };
    case Step::AfterRelease:
        return [=](SshSession &session, const SshJobContext &context) -> Result<> {
            if (plan.afterReleaseHook.trimmed().isEmpty())
                return {};
            NodeLog log(directory, server);
            log.line(tr("== 09 after-release hook"));
            return runStep(session, context, log, tr("The after-release hook"),
                           RemoteHook::command(plan.afterReleaseHook, RemoteLayout(plan.deployRoot).releaseDir(plan.version),
                                               hookEnvironment(QStringLiteral("after-release"))),
                           plan.hookTimeoutMs);
        };
    case Step::Health:
        return [=](SshSession &session, const SshJobContext &context) -> Result<> {
            if (plan.healthCommand.trimmed().isEmpty())
                return {};
            NodeLog log(directory, server);
            log.line(tr("== 10 health check"));
            const RemoteLayout layout(plan.deployRoot);
            auto healthy = runStep(session, context, log, tr("The health check"),
                                   RemoteHook::command(plan.healthCommand, layout.releaseDir(plan.version),
                                                       hookEnvironment(QStringLiteral("health"))),
                                   plan.healthTimeoutMs);
            if (healthy)
                return {};
            if (previous->isEmpty())
                return fail(tr("%1 There is no previous release to switch back to.").arg(healthy.error().message));
            log.line(tr("switching back to %1").arg(*previous));
            if (auto back = runStep(session, context, log, tr("Switching back to %1").arg(*previous),
                                    layout.switchCommand(*previous));
                !back)
                return fail(tr("%1 Switching back to %2 failed too: %3")
                                .arg(healthy.error().message, *previous, back.error().message),
                            tr("Check the server now: it runs the new release."));
            return fail(tr("%1 The server was switched back to %2.").arg(healthy.error().message, *previous));
        };
    case Step::Unlock:
        return [=](SshSession &session, const SshJobContext &) -> Result<> {
            NodeLog log(directory, server);
            const RemoteLayout layout(plan.deployRoot);
            QString command = layout.unlockCommand(lockOwner);
            QStringList removed;
            ExecOptions options;
            options.onStdout = [&](const QString &line) {
                log.line(line);
                removed.append(line);
            };
            auto cleaned = session.exec(layout.cleanupCommand(plan.keepReleases), options);
            auto unlocked = session.exec(command);
            if (!unlocked)
                return std::unexpected(unlocked.error());
            log.line(tr("lock released"));
            return cleaned ? Result<>{} : std::unexpected(cleaned.error());
        };
    }
    return {};
}

void ReleaseEngine::failNode(Node &node, NodeStage stage, NodeState state, const QString &error)
{
    node.failed = true;
    node.ready = false;
    setState(node, stage, state, error);
    for (NodeStage later : {NodeStage::Upload, NodeStage::BeforeRelease, NodeStage::Release, NodeStage::AfterRelease,
                            NodeStage::Health}) {
        if (int(later) > int(stage) && node.states.value(int(later)) == NodeState::Pending)
            setState(node, later, state == NodeState::Cancelled ? NodeState::Cancelled : NodeState::Skipped);
    }
}

// A server's last step: its lock released (with old releases cleaned up), or nothing to release.
void ReleaseEngine::release(Node &node)
{
    if (!*node.lockTaken) {
        node.done = true;
        m_pool.finish(node.name);
        return;
    }
    if (m_aborted) {
        // The pool is cancelled: unlocks wait until every running job has given up.
        m_unlockAfterAbort.append(node.name);
        return;
    }
    enqueue(node, Step::Unlock);
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
    if (step == Step::Unlock) {
        *node.lockTaken = false;
        node.done = true;
        m_pool.finish(node.name);
    } else if (!ok) {
        failNode(node, stage, m_aborted ? NodeState::Cancelled : NodeState::Failed, error);
        if (step == Step::Switch && --m_switchesLeft == 0)
            m_switchWindowMs = m_switchClock.elapsed();
        release(node);
        if (step == Step::Prepare || step == Step::Unpack)
            afterPrepareOrUnpack();
    } else {
        setState(node, stage, NodeState::Succeeded);
        switch (step) {
        case Step::Prepare:
            enqueue(node, Step::Unpack);
            break;
        case Step::Unpack:
            node.ready = true;
            afterPrepareOrUnpack();
            break;
        case Step::Switch:
            node.switched = true;
            if (--m_switchesLeft == 0)
                m_switchWindowMs = m_switchClock.elapsed();
            enqueue(node, Step::AfterRelease);
            break;
        case Step::AfterRelease:
            enqueue(node, Step::Health);
            break;
        case Step::Health:
            release(node);
            break;
        case Step::Unlock:
            break;
        }
    }
    if (m_aborted && m_jobs.isEmpty() && !m_unlockAfterAbort.isEmpty()) {
        m_pool.resume();
        for (const QString &name : std::exchange(m_unlockAfterAbort, {}))
            enqueue(m_nodes[name], Step::Unlock);
    }
    maybeFinishBatch();
}

// The switch waits for the whole batch: when every server is ready or has failed, the ready ones
// switch together, unless the failures already spent the budget.
void ReleaseEngine::afterPrepareOrUnpack()
{
    if (m_switchPhase)
        return;
    QList<Node *> ready;
    for (Node *node : batchNodes()) {
        if (!node->ready && !node->failed)
            return;
        if (node->ready)
            ready.append(node);
    }
    m_switchPhase = true;
    if (m_aborted || budgetSpent()) {
        for (Node *node : ready) {
            node->ready = false;
            for (NodeStage stage : {NodeStage::Release, NodeStage::AfterRelease, NodeStage::Health})
                setState(*node, stage, NodeState::Skipped,
                         tr("Not switched: %1 of %2 servers failed, more than the failure budget of %3.")
                             .arg(failedServers())
                             .arg(m_order.size())
                             .arg(m_plan.effectiveFailureBudget(int(m_order.size()))));
            release(*node);
        }
        return;
    }
    m_switchesLeft = int(ready.size());
    m_switchClock.start();
    for (Node *node : ready)
        enqueue(*node, Step::Switch);
}

void ReleaseEngine::maybeFinishBatch()
{
    for (Node *node : batchNodes()) {
        if (!node->done)
            return;
    }
    m_batchStart = m_batchEnd;
    startBatch();
}

void ReleaseEngine::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    for (const QString &name : std::as_const(m_order)) {
        Node &node = m_nodes[name];
        for (NodeStage stage : {NodeStage::Upload, NodeStage::BeforeRelease, NodeStage::Release,
                                NodeStage::AfterRelease, NodeStage::Health}) {
            if (node.states.value(int(stage)) == NodeState::Pending)
                setState(node, stage, m_aborted ? NodeState::Cancelled : NodeState::Skipped);
        }
    }
    m_pool.finishAll();
    const int failed = failedServers();
    const bool ok = failed == 0 && !m_aborted;
    emit finished(ok, m_aborted ? tr("Aborted; %1 of %2 servers failed.").arg(failed).arg(m_order.size())
                                : tr("%1 of %2 servers released %3.")
                                      .arg(m_order.size() - failed)
                                      .arg(m_order.size())
                                      .arg(m_plan.version));
}

void ReleaseEngine::abort()
{
    if (m_finished)
        return;
    m_aborted = true;
    m_pool.cancel();
}

} // namespace rd
