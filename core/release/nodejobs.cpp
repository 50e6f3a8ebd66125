#include "nodejobs.h"

#include "nodelog.h"
#include "releaseengine.h"
#include "remotehook.h"
#include "ssh/sshsession.h"
#include "switchgate.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace rd {

namespace {

// Runs one remote command for a stage, with its output in the node's log and on screen.
// `options` may bring the command's input and a watcher of its output lines.
Result<ExecResult> runLogged(SshSession &session, const SshJobContext &context, NodeLog &log,
                             const QString &command, int timeoutMs, ExecOptions options = {})
{
    options.cancel = context.cancel;
    options.timeoutMs = timeoutMs;
    options.onStdout = [&, watch = options.onStdout](const QString &line) {
        log.line(line);
        context.log(line, false);
        if (watch)
            watch(line);
    };
    options.onStderr = [&](const QString &line) {
        log.line(line, true);
        context.log(line, true);
    };
    return session.exec(command, options);
}

// How a command that must succeed ended: its failure names what failed and shows its last words.
Result<> judge(const QString &what, const ExecResult &result, int timeoutMs)
{
    if (result.cancelled)
        return fail(ReleaseEngine::tr("%1 was cancelled.").arg(what));
    if (result.timedOut)
        return fail(ReleaseEngine::tr("%1 did not finish within %2 s and was stopped.")
                        .arg(what)
                        .arg(timeoutMs / 1000),
                    ReleaseEngine::tr("Raise the time limit or find out what it waits for."));
    if (!result.succeeded()) {
        const QString detail =
            result.lastStderr.mid(qMax(0, int(result.lastStderr.size()) - 3)).join(QStringLiteral(" / "));
        return fail(
            result.exitSignal.isEmpty()
                ? ReleaseEngine::tr("%1 failed with exit code %2: %3")
                      .arg(what)
                      .arg(result.exitStatus)
                      .arg(detail)
                : ReleaseEngine::tr("%1 was killed by signal %2: %3").arg(what, result.exitSignal, detail));
    }
    return {};
}

// A command that must succeed, with its output in the node's log.
Result<> runStep(SshSession &session, const SshJobContext &context, NodeLog &log, const QString &what,
                 const QString &command, int timeoutMs = 120000, ExecOptions options = {})
{
    auto result = runLogged(session, context, log, command, timeoutMs, std::move(options));
    if (!result)
        return std::unexpected(result.error());
    return judge(what, *result, timeoutMs);
}

// The task's last words on a server: old releases removed (each printed), then the lock released.
// `current`: where `current` points, when the same command has just switched it.
QString cleanUpAndUnlock(const RemoteLayout &layout, int keepReleases, const QString &owner,
                         const QString &current = {})
{
    return QStringLiteral("(\n%1\n)\n%2")
        .arg(layout.cleanupCommand(keepReleases, current), layout.unlockCommand(owner));
}

// The switch on a signal; with `finish`, nothing follows it on the server: the same command then
// cleans up and releases the lock, one round trip fewer.
QString switchOnSignal(const RemoteLayout &layout, const QString &target, bool finish, int keepReleases,
                       const QString &owner, RemoteLayout::CurrentLink link = RemoteLayout::CurrentLink::Read)
{
    QString command = layout.switchCommand(target, RemoteLayout::SwitchStart::OnSignal, link);
    if (finish)
        command += QStringLiteral("rc=$?; [ \"$rc\" -eq 0 ] || exit \"$rc\"\n%1exit 0\n")
                       .arg(cleanUpAndUnlock(layout, keepReleases, owner, target));
    return command;
}

// What a command waiting at `gate` reads once it is `ready`: "wait" at each `nextBeat` while the gate
// is closed (the server then refreshes the lock it holds, as a heartbeat would), then "go" and the
// end of its input; the end at once when the gate is refused.
std::optional<QByteArray> switchSignal(SwitchGate &gate, bool ready, bool &signalled,
                                       QDeadlineTimer &nextBeat)
{
    if (signalled || gate.isRefused())
        return QByteArray();
    if (!ready)
        return std::nullopt;
    if (gate.isOpen()) {
        signalled = true;
        return QByteArrayLiteral("go\n");
    }
    if (!nextBeat.hasExpired())
        return std::nullopt;
    nextBeat.setRemainingTime(ReleaseEngine::HeartbeatSeconds * 1000);
    return QByteArray(RemoteLayout::WaitLine.data(), RemoteLayout::WaitLine.size()) + '\n';
}

// Ends the server's state in a lock command that goes on with a patch.
constexpr QLatin1StringView StateEndLine{"state=end"};

// Why a server off the delta's base gets the whole package, in the server's words when it gave any.
QString whyWhole(const ExecResult &result)
{
    return result.lastStderr.isEmpty() ? ReleaseEngine::tr("its live release is not the delta's base")
                                       : result.lastStderr.last();
}

} // namespace

// The package in the form this server gets: path here, path there, and its sha256.
struct NodeJobs::PackageForm
{
    QString localPath, sha256;
    RemoteLayout::Compression compression;
};

NodeJobs::NodeJobs(std::shared_ptr<const Task> task, Server server, std::shared_ptr<NodeFacts> facts,
                   std::shared_ptr<SwitchGate> gate)
    : m_task(std::move(task)), m_server(std::move(server)), m_facts(std::move(facts)), m_gate(std::move(gate))
{
}

QString NodeJobs::target() const
{
    const ReleasePlan &plan = m_task->plan;
    return plan.kind == ReleaseKind::Rollback ? plan.rollbackTo : plan.version;
}

bool NodeJobs::offBase(const ExecResult &result) const
{
    return m_task->plan.kind != ReleaseKind::Patch && result.exitStatus == RemoteLayout::BaseMismatch &&
           !result.cancelled && !result.timedOut;
}

NodeJobs::PackageForm NodeJobs::packageForm() const
{
    const ReleasePlan &plan = m_task->plan;
    if (m_facts->sendZstd)
        return {plan.zstdPackagePath, plan.zstdPackageSha256, RemoteLayout::Compression::Zstd};
    return {plan.packagePath, plan.packageSha256, RemoteLayout::Compression::Gzip};
}

QByteArray NodeJobs::manifestJson() const
{
    const ReleasePlan &plan = m_task->plan;
    const QJsonObject manifest{
        {QStringLiteral("project"), plan.project},
        {QStringLiteral("environment"), plan.environment},
        {QStringLiteral("version"), plan.version},
        {QStringLiteral("commit"), plan.commit},
        {QStringLiteral("ref"), plan.ref},
        {QStringLiteral("sha256"), plan.packageSha256},
        {QStringLiteral("operator"), plan.operatorName},
        {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
    return QJsonDocument(manifest).toJson(QJsonDocument::Compact);
}

QString NodeJobs::deltaLine() const
{
    const ReleasePlan &plan = m_task->plan;
    if (plan.kind == ReleaseKind::Patch || !plan.hasPatch())
        return {};
    return tr("delta from %1: %n file(s), %2", nullptr, int(plan.deltaFiles))
        .arg(plan.baseCommit.left(12),
             QLocale().formattedDataSize(plan.deltaBytes, 1, QLocale::DataSizeSIFormat));
}

QString NodeJobs::patchingWhat() const
{
    return tr("Patching %1 into %2").arg(m_task->plan.baseCommit.left(12), m_task->plan.version);
}

// Stage 06: the whole package in this server's form, checked by sha256 as it is written.
Result<> NodeJobs::uploadWhole(SshSession &session, const SshJobContext &context, NodeLog &log) const
{
    const ReleasePlan &plan = m_task->plan;
    UploadOptions upload;
    upload.cancel = context.cancel;
    upload.onProgress = context.progress;
    const PackageForm form = packageForm();
    upload.expectedSha256 = QByteArray::fromHex(form.sha256.toLatin1());
    auto hash = session.upload(
        form.localPath, RemoteLayout(plan.deployRoot).packagePath(plan.version, form.compression), upload);
    if (!hash)
        return std::unexpected(hash.error());
    m_facts->uploadVerified = true;
    log.line(tr("uploaded %1, sha256 %2").arg(QFileInfo(form.localPath).fileName(), form.sha256));
    return {};
}

Result<> NodeJobs::runHook(SshSession &session, const SshJobContext &context, NodeLog &log,
                           const QString &what, const QString &script, const QString &stage,
                           int timeoutMs) const
{
    const ReleasePlan &plan = m_task->plan;
    const RemoteLayout layout(plan.deployRoot);
    // The before-release hook runs in the new release before the switch; the others in the live one.
    const QString releaseDir = layout.releaseDir(stage == u"before-release" ? plan.version : target());
    HookEnvironment environment;
    environment.project = plan.project;
    environment.environment = plan.environment;
    environment.version = target();
    environment.commit = plan.commit;
    environment.ref = plan.ref;
    environment.stage = stage;
    environment.server = m_server.name;
    environment.deployRoot = plan.deployRoot;
    environment.releaseDir = layout.releaseDir(target());
    environment.previousDir = m_facts->previous.isEmpty() ? QString() : layout.releaseDir(m_facts->previous);
    return runStep(session, context, log, what, RemoteHook::command(script, releaseDir, environment),
                   timeoutMs);
}

Result<QString> NodeJobs::patchCommand(std::optional<QFile> &package, ExecOptions &options,
                                       RemoteLayout::CurrentLink link, InputSource afterPackage) const
{
    const ReleasePlan &plan = m_task->plan;
    QFile &file = package.emplace(plan.patchPath());
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Could not read the patch package %1: %2").arg(plan.patchPath(), file.errorString()),
                    tr("Prepare the release again."));
    // A short read ends the input at once; the server then finds the sha256 wrong and says so.
    options.input = [&file, afterPackage, left = file.size()]() mutable -> std::optional<QByteArray> {
        if (left > 0) {
            const QByteArray chunk = file.read(qMin<qint64>(1 << 20, left));
            left = chunk.isEmpty() ? -1 : left - chunk.size();
            return chunk;
        }
        if (left < 0 || !afterPackage)
            return QByteArray();
        return afterPackage();
    };
    return RemoteLayout(plan.deployRoot)
        .patchCommand(plan.version, plan.baseCommit, plan.baseListing, plan.patchSha256(), file.size(),
                      plan.deletions, plan.sharedPaths, manifestJson(), link);
}

SshJob NodeJobs::lock() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) {
        return jobs.runLock(session, context);
    };
}

// One round trip: lock, prepare the directories, read back where the server stands, and for a
// patch go on with it (and, with switchAtLock, wait at the gate and switch). A command that stops
// early first reads the package, so the package being sent never meets a closed channel.
Result<> NodeJobs::runLock(SshSession &session, const SshJobContext &context) const
{
    const ReleasePlan &plan = m_task->plan;
    const bool patchAtLock = m_server.patchAtLock;
    const bool switchAtLock = m_task->switchAtLock;
    NodeLog log(m_task->logDirectory, m_server.name);
    log.line(tr("== lock %1 for task %2").arg(plan.deployRoot, plan.taskId));
    const RemoteLayout layout(plan.deployRoot);
    ExecOptions options;
    std::optional<QFile> patchPackage; // read while the command runs
    QString patch;
    bool ready = false; // switchAtLock: patched, the new link made, waiting at the gate
    bool signalled = false;
    QDeadlineTimer nextBeat(ReleaseEngine::HeartbeatSeconds * 1000);
    if (patchAtLock) {
        InputSource waitAtGate;
        if (switchAtLock)
            waitAtGate = [&] { return switchSignal(*m_gate, ready, signalled, nextBeat); };
        auto made = patchCommand(patchPackage, options, RemoteLayout::CurrentLink::FromState, waitAtGate);
        if (!made)
            return std::unexpected(made.error());
        patch = *made;
    }
    const qint64 packageBytes = patchPackage ? patchPackage->size() : 0;
    const QString drainAndExit =
        patchAtLock ? QStringLiteral("head -c %1 >/dev/null; ").arg(packageBytes) : QString();
    QString command = QStringLiteral("(\n%1\n) || { rc=$?; %4exit \"$rc\"; }\n%2 || { %4exit 1; }\n%3")
                          .arg(layout.lockCommand(m_task->owner), layout.prepareCommand(),
                               layout.stateCommand(RemoteLayout::StateDetail::Release), drainAndExit);
    if (patchAtLock)
        command += QStringLiteral("echo %1\n%2").arg(StateEndLine, patch);
    if (switchAtLock)
        command += switchOnSignal(layout, target(), true, plan.keepReleases, m_task->owner,
                                  RemoteLayout::CurrentLink::FromState);
    QStringList stateLines;
    RemoteState state;
    bool patchRan = false; // the state was read and the patch went on
    auto readState = [&] {
        state = RemoteLayout::parseState(stateLines);
        m_facts->previous = state.current == target() ? state.previous : state.current;
        m_facts->sendZstd = plan.sendsZstdTo(state.hasZstd);
        log.line(tr("locked; current release: %1").arg(state.current.isEmpty() ? tr("none") : state.current));
    };
    const int timeoutMs = patchAtLock ? 600000 : 60000;
    options.cancel = context.cancel;
    options.timeoutMs = timeoutMs;
    // However long the other servers take to get ready: the engine opens or refuses the gate.
    options.waitingForOwner = [&] { return ready && !signalled; };
    options.onStdout = [&](const QString &line) {
        if (!patchRan && patchAtLock && line == StateEndLine) {
            // Printed only once the lock is taken: the owner may act on the lock before the end.
            patchRan = true;
            m_facts->lockTaken = true;
            readState();
            log.line(tr("== 07 patch with the lock"));
            if (const QString delta = deltaLine(); !delta.isEmpty())
                log.line(delta);
            return;
        }
        if (!patchRan) {
            stateLines.append(line);
            return;
        }
        log.line(line);
        context.log(line, false);
        if (switchAtLock && line == RemoteLayout::ReadyLine && !ready) {
            ready = true;
            m_facts->patchAtLock = PatchOutcome::Applied;
            context.milestone(line);
            // Waiting at the gate is no work: another server may take the slot and get ready.
            context.yieldSlot();
        } else if (switchAtLock && line == RemoteLayout::SwitchedLine) {
            m_gate->switched();
        }
    };
    options.onStderr = [&](const QString &line) {
        log.line(line, true);
        context.log(line, true);
    };
    auto locked = session.exec(command, options);
    if (!locked)
        return std::unexpected(locked.error());
    if (ready) {
        // The owner took over at the milestone (and reads what was written before it): from there
        // on the command was the switch, and its end is what counts.
        const Result<> switched = judge(tr("Switching to %1").arg(target()), *locked, timeoutMs);
        if (switched)
            log.line(tr("lock released"));
        return switched;
    }
    if (auto judged = judgeLock(*locked, patchRan, timeoutMs, log, readState); !judged || patchRan)
        return judged;
    if (m_server.active && plan.kind == ReleaseKind::Rollback && !state.releases.contains(plan.rollbackTo))
        return fail(tr("Release %1 is not on this server (it has: %2).")
                        .arg(plan.rollbackTo, state.releases.isEmpty()
                                                  ? tr("no releases")
                                                  : state.releases.join(QStringLiteral(", "))),
                    tr("Roll back to a release every server still keeps, or release that version again."));
    return {};
}

Result<> NodeJobs::judgeLock(const ExecResult &locked, bool patchRan, int timeoutMs, NodeLog &log,
                             const std::function<void()> &readState) const
{
    const ReleasePlan &plan = m_task->plan;
    m_facts->lockHeldByOther = !patchRan && locked.exitStatus == RemoteLayout::LockHeld;
    // Unless another release holds it, the lock may be ours now, whatever failed after it;
    // releasing checks the owner, so releasing a lock never taken is harmless.
    m_facts->lockTaken = !m_facts->lockHeldByOther;
    if (m_facts->lockHeldByOther)
        return fail(
            tr("%1 is being deployed by someone else: %2").arg(plan.deployRoot, locked.lastStderr.join(u' ')),
            tr("Wait for that release to finish. If its owner is gone, break the stale lock explicitly."));
    if (!locked.succeeded() && !patchRan)
        return fail(
            tr("Taking the deploy lock on %1 failed: %2").arg(plan.deployRoot, locked.lastStderr.join(u' ')),
            tr("Check that the deploy root is writable by the SSH user and the disk is not full."));
    if (patchRan && offBase(locked)) {
        m_facts->patchAtLock = PatchOutcome::OffBase;
        m_facts->wholeReason = whyWhole(locked);
        log.line(tr("whole package: %1").arg(m_facts->wholeReason));
        return {};
    }
    if (patchRan) {
        const Result<> patched = judge(patchingWhat(), locked, timeoutMs);
        m_facts->patchAtLock = patched ? PatchOutcome::Applied : PatchOutcome::Failed;
        return patched;
    }
    readState();
    return {};
}

SshJob NodeJobs::upload() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) -> Result<> {
        NodeLog log(jobs.m_task->logDirectory, jobs.m_server.name);
        log.line(tr("== 06 upload %1 to %2").arg(jobs.m_task->plan.version, jobs.m_server.name));
        return jobs.uploadWhole(session, context, log);
    };
}

SshJob NodeJobs::unpack() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) {
        return jobs.runUnpack(session, context);
    };
}

Result<> NodeJobs::runUnpack(SshSession &session, const SshJobContext &context) const
{
    const ReleasePlan &plan = m_task->plan;
    NodeLog log(m_task->logDirectory, m_server.name);
    log.line(tr("== 07 unpack and before-release hook"));
    const RemoteLayout layout(plan.deployRoot);
    const bool patching = plan.hasPatch() && m_facts->wholeReason.isEmpty();
    if (patching) {
        if (const QString delta = deltaLine(); !delta.isEmpty())
            log.line(delta);
        ExecOptions options;
        std::optional<QFile> patchPackage; // read while the command runs
        auto patch = patchCommand(patchPackage, options, RemoteLayout::CurrentLink::Read);
        if (!patch)
            return std::unexpected(patch.error());
        auto patched = runLogged(session, context, log, *patch, 600000, std::move(options));
        if (!patched)
            return std::unexpected(patched.error());
        if (offBase(*patched)) {
            m_facts->wholeReason = whyWhole(*patched);
            log.line(tr("whole package: %1").arg(m_facts->wholeReason));
            // Off its base: the whole package goes now, in this stage.
            if (auto uploaded = uploadWhole(session, context, log); !uploaded)
                return uploaded;
        } else if (auto applied = judge(patchingWhat(), *patched, 600000); !applied) {
            return applied;
        }
    }
    if (!patching || !m_facts->wholeReason.isEmpty()) {
        const PackageForm form = packageForm();
        const QString command =
            layout.unpackCommand(plan.version, form.sha256, plan.sharedPaths, manifestJson(),
                                 m_facts->uploadVerified, form.compression);
        if (auto unpacked =
                runStep(session, context, log, tr("Unpacking %1").arg(plan.version), command, 600000);
            !unpacked)
            return unpacked;
    }
    if (plan.beforeReleaseHook.trimmed().isEmpty())
        return {};
    return runHook(session, context, log, tr("The before-release hook"), plan.beforeReleaseHook,
                   QStringLiteral("before-release"), plan.hookTimeoutMs);
}

SshJob NodeJobs::switchToTarget() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) {
        return jobs.runSwitch(session, context);
    };
}

Result<> NodeJobs::runSwitch(SshSession &session, const SshJobContext &context) const
{
    const ReleasePlan &plan = m_task->plan;
    NodeLog log(m_task->logDirectory, m_server.name);
    log.line(tr("== 08 switch current to %1").arg(target()));
    // Settled once, whether the server gets ready or its command ends before.
    bool settled = false;
    auto settle = [&] {
        if (!std::exchange(settled, true))
            m_gate->settle();
    };
    bool signalled = false;
    QDeadlineTimer nextBeat(ReleaseEngine::HeartbeatSeconds * 1000);
    ExecOptions options;
    options.onStdout = [&](const QString &line) {
        if (line == RemoteLayout::ReadyLine)
            settle();
        else if (line == RemoteLayout::SwitchedLine)
            m_gate->switched();
    };
    options.input = [&] { return switchSignal(*m_gate, settled, signalled, nextBeat); };
    const QString command = switchOnSignal(RemoteLayout(plan.deployRoot), target(), m_server.unlockAtSwitch,
                                           plan.keepReleases, m_task->owner);
    auto switched = runStep(session, context, log, tr("Switching to %1").arg(target()), command, 120000,
                            std::move(options));
    settle();
    if (switched && m_server.unlockAtSwitch)
        log.line(tr("lock released"));
    return switched;
}

SshJob NodeJobs::afterRelease() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) -> Result<> {
        const ReleasePlan &plan = jobs.m_task->plan;
        if (plan.afterReleaseHook.trimmed().isEmpty())
            return {};
        NodeLog log(jobs.m_task->logDirectory, jobs.m_server.name);
        log.line(tr("== 09 after-release hook"));
        return jobs.runHook(session, context, log, tr("The after-release hook"), plan.afterReleaseHook,
                            QStringLiteral("after-release"), plan.hookTimeoutMs);
    };
}

SshJob NodeJobs::health() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) -> Result<> {
        const ReleasePlan &plan = jobs.m_task->plan;
        if (plan.healthCommand.trimmed().isEmpty())
            return {};
        NodeLog log(jobs.m_task->logDirectory, jobs.m_server.name);
        log.line(tr("== 10 health check"));
        return jobs.runHook(session, context, log, tr("The health check"), plan.healthCommand,
                            QStringLiteral("health"), plan.healthTimeoutMs);
    };
}

SshJob NodeJobs::switchBack() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) -> Result<> {
        const QString previous = jobs.m_facts->previous;
        NodeLog log(jobs.m_task->logDirectory, jobs.m_server.name);
        log.line(tr("switching back to %1").arg(previous));
        return runStep(session, context, log, tr("Switching back to %1").arg(previous),
                       RemoteLayout(jobs.m_task->plan.deployRoot).switchCommand(previous));
    };
}

SshJob NodeJobs::heartbeat() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &) -> Result<> {
        auto beat =
            session.exec(RemoteLayout(jobs.m_task->plan.deployRoot).heartbeatCommand(jobs.m_task->owner));
        if (!beat)
            return std::unexpected(beat.error());
        if (!beat->succeeded())
            NodeLog(jobs.m_task->logDirectory, jobs.m_server.name).line(beat->lastStderr.join(u' '), true);
        return {};
    };
}

SshJob NodeJobs::revert() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &context) {
        return jobs.runRevert(session, context);
    };
}

// Abort of a gray task before promotion: a canary that runs this task's release goes back to the
// one it ran before. Under this task's lock only (taken back if this is a new process): a lock
// broken and taken by another release is not ours to undo. What the server says it runs decides,
// not the journal: a canary already switched back is left alone.
Result<> NodeJobs::runRevert(SshSession &session, const SshJobContext &context) const
{
    const ReleasePlan &plan = m_task->plan;
    NodeLog log(m_task->logDirectory, m_server.name);
    log.line(tr("== abort: switch %1 back").arg(target()));
    const RemoteLayout layout(plan.deployRoot);
    auto locked = session.exec(layout.lockCommand(m_task->owner));
    if (!locked)
        return std::unexpected(locked.error());
    if (locked->exitStatus == RemoteLayout::LockHeld)
        return fail(tr("Not switched back: another release holds %1 now (%2); the server still runs %3.")
                        .arg(plan.deployRoot, locked->lastStderr.join(u' '), target()),
                    tr("Leave it to that release, or roll the server back once it is over."));
    if (auto taken = judge(tr("Taking the deploy lock back"), *locked, 60000); !taken)
        return taken;
    QStringList stateLines;
    ExecOptions options;
    options.onStdout = [&](const QString &line) { stateLines.append(line); };
    auto read = session.exec(layout.stateCommand(RemoteLayout::StateDetail::Release), options);
    if (!read)
        return std::unexpected(read.error());
    if (auto readOk = judge(tr("Reading the server's releases"), *read, 60000); !readOk)
        return readOk;
    const RemoteState state = RemoteLayout::parseState(stateLines);
    if (state.current != target()) {
        log.line(tr("runs %1, not %2: left as it is")
                     .arg(state.current.isEmpty() ? tr("no release") : state.current, target()));
        return {};
    }
    const QString back = !state.previous.isEmpty() ? state.previous : m_facts->previous;
    if (back.isEmpty() || back == target() || !state.releases.contains(back))
        return fail(
            tr("Not switched back: the server keeps no earlier release; it still runs %1.").arg(target()),
            tr("Release the version it should run to it, or promote the task."));
    log.line(tr("switching back to %1").arg(back));
    if (auto switched =
            runStep(session, context, log, tr("Switching back to %1").arg(back), layout.switchCommand(back));
        !switched)
        return fail(tr("%1 The server still runs %2.").arg(switched.error().message, target()),
                    switched.error().hint);
    m_facts->revertedTo = back;
    return {};
}

SshJob NodeJobs::unlock() const
{
    return [jobs = *this](SshSession &session, const SshJobContext &) -> Result<> {
        const ReleasePlan &plan = jobs.m_task->plan;
        NodeLog log(jobs.m_task->logDirectory, jobs.m_server.name);
        ExecOptions options;
        options.onStdout = [&](const QString &line) { log.line(line); };
        auto cleaned = session.exec(
            cleanUpAndUnlock(RemoteLayout(plan.deployRoot), plan.keepReleases, jobs.m_task->owner), options);
        if (!cleaned)
            return std::unexpected(cleaned.error());
        log.line(tr("lock released"));
        return {};
    };
}

} // namespace rd
