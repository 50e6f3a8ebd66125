#include "releasedryrun.h"

#include "httphealthcheck.h"
#include "releaseengine.h"
#include "remotelayout.h"
#include "hostkeys/knownhosts.h"
#include "ssh/remotecommand.h"
#include "ssh/sshsession.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QThread>

#include <algorithm>

namespace rd {

namespace {

int lineCount(const QString &script) { return int(script.trimmed().count(u'\n') + 1); }

} // namespace

ReleaseDryRun::ReleaseDryRun(ReleasePlan plan, KnownHosts &knownHosts, QObject *parent)
    : QObject(parent), m_plan(std::move(plan)), m_knownHosts(knownHosts),
      // A key met for the first time is refused, never trusted: the scan reports it instead.
      m_pool(knownHosts, [](const HostKeyInfo &) { return HostKeyDecision::Reject; }, qMax(1, m_plan.parallelism), 50),
      m_scanned(std::make_shared<QList<HostKeyScanResult>>())
{
    if (m_plan.kind != ReleaseKind::Rollback) {
        const QFileInfo package(m_plan.packagePath);
        m_packageBytes = package.isFile() ? package.size() : -1;
        const QFileInfo zstd(m_plan.zstdPackagePath);
        m_zstdBytes = zstd.isFile() ? zstd.size() : -1;
    }
    connect(&m_pool, &SshPool::jobFinished, this,
            [this](int, const QString &server, bool ok, const QString &message, const QString &hint) {
                onJobFinished(server, ok, message, hint);
            });
    connect(&m_pool, &SshPool::idle, this, [this] {
        if (!m_started)
            return;
        m_readDone = true;
        QMetaObject::invokeMethod(this, &ReleaseDryRun::finishIfDone, Qt::QueuedConnection);
    });
}

// The scan holds a reference to known_hosts: it must end before we do (each handshake has a timeout).
ReleaseDryRun::~ReleaseDryRun()
{
    if (m_scanThread)
        m_scanThread->wait();
}

void ReleaseDryRun::addServer(SshTarget target)
{
    ServerPlan server;
    server.server = target.name;
    server.host = target.host;
    m_order.append(target.name);
    m_results.insert(target.name, server);
    m_lines.insert(target.name, std::make_shared<QStringList>());
    m_scanTargets.append({target.name, target.host, target.port});
    m_scanTimeoutMs = qMax(m_scanTimeoutMs, target.connectTimeoutMs);
    m_pool.addServer(std::move(target));
}

void ReleaseDryRun::addUnreachableServer(const QString &server, const QString &host, const QString &error)
{
    ServerPlan plan;
    plan.server = server;
    plan.host = host;
    plan.error = error;
    m_order.append(server);
    m_results.insert(server, plan);
}

void ReleaseDryRun::start()
{
    m_started = true;
    // A root not made yet is made by the release on the disk of its nearest existing parent: that
    // disk's free space is the one that counts (the state command reports none for a missing root).
    const QString command = QStringLiteral("(\n%1\n) || exit $?\n"
                                           "d=%2; [ -d \"$d\" ] && exit 0\n"
                                           "while [ ! -d \"$d\" ]; do d=$(dirname \"$d\"); done\n"
                                           "df -Pk \"$d\" | awk 'NR==2 {print \"free_kib=\" $4}'\n")
                                .arg(RemoteLayout(m_plan.deployRoot).stateCommand(),
                                     RemoteCommand::quote(m_plan.deployRoot));
    const QString root = m_plan.deployRoot;
    for (auto it = m_lines.cbegin(); it != m_lines.cend(); ++it) {
        const std::shared_ptr<QStringList> lines = it.value();
        m_pool.enqueue(it.key(), [command, root, lines](SshSession &session, const SshJobContext &context) -> Result<> {
            ExecOptions options;
            options.cancel = context.cancel;
            options.timeoutMs = 30000;
            options.onStdout = [lines](const QString &line) { lines->append(line); };
            auto result = session.exec(command, options);
            if (!result)
                return std::unexpected(result.error());
            if (!result->succeeded())
                return fail(tr("Reading %1 failed (exit %2): %3")
                                .arg(root, QString::number(result->exitStatus), result->lastStderr.join(u' ')),
                            tr("Check that the SSH user may read the deploy root."));
            return {};
        });
    }
    m_pool.finishAll();
    if (m_lines.isEmpty())
        m_readDone = true;

    if (m_scanTargets.isEmpty()) {
        m_scanDone = true;
        QMetaObject::invokeMethod(this, &ReleaseDryRun::finishIfDone, Qt::QueuedConnection);
        return;
    }
    // HostKeyScanner blocks its thread; the caller's thread (maybe the GUI's) must not wait for it.
    m_scanThread.reset(QThread::create([targets = m_scanTargets, &knownHosts = m_knownHosts,
                                        parallelism = qMax(1, m_plan.parallelism), timeout = m_scanTimeoutMs,
                                        scanned = m_scanned] {
        *scanned = HostKeyScanner::scan(targets, knownHosts, parallelism, timeout);
    }));
    connect(m_scanThread.get(), &QThread::finished, this, &ReleaseDryRun::onScanned);
    m_scanThread->start();
}

void ReleaseDryRun::onScanned()
{
    m_scanDone = true;
    for (const HostKeyScanResult &scanned : std::as_const(*m_scanned)) {
        ServerPlan &server = m_results[scanned.target.name];
        if (!scanned.key)
            continue;
        server.reachable = true;
        server.hostKey = scanned.key->state;
        server.fingerprint = scanned.key->fingerprint;
        server.storedFingerprint = scanned.key->storedFingerprint;
    }
    finishIfDone();
}

void ReleaseDryRun::onJobFinished(const QString &server, bool ok, const QString &message, const QString &hint)
{
    ServerPlan &plan = m_results[server];
    plan.authOk = ok;
    if (!ok) {
        plan.error = hint.isEmpty() ? message : message + u' ' + hint;
        return;
    }
    plan.reachable = true;
    const RemoteState state = RemoteLayout::parseState(*m_lines.value(server));
    plan.rootExists = state.rootExists;
    plan.current = state.current;
    plan.previous = state.previous;
    plan.currentCommit = state.currentManifest.value(QStringLiteral("commit")).toString();
    plan.releases = state.releases;
    plan.freeKiB = state.freeKiB;
    plan.hasZstd = state.hasZstd;
    plan.lockHolder = state.lockHolder;
    plan.lockAgeSeconds = state.lockAgeSeconds;
}

void ReleaseDryRun::finishIfDone()
{
    if (!m_scanDone || !m_readDone || m_finished)
        return;
    m_finished = true;
    for (const QString &name : std::as_const(m_order)) {
        ServerPlan &server = m_results[name];
        judge(server);
        addSteps(server);
        emit serverPlanned(server);
    }
    emit finished(results());
}

ReleaseDryRun::LocalPackage ReleaseDryRun::packageFor(const ServerPlan &server) const
{
    if (m_plan.sendsZstdTo(server.hasZstd))
        return {m_plan.zstdPackagePath, m_zstdBytes, RemoteLayout::Compression::Zstd};
    return {m_plan.packagePath, m_packageBytes, RemoteLayout::Compression::Gzip};
}

QString ReleaseDryRun::deliveryTo(ServerPlan &server) const
{
    if (!m_plan.hasPatch() && m_plan.baseCommit.isEmpty())
        return m_plan.wholeReason.isEmpty() ? QString() : tr("whole package: %1").arg(m_plan.wholeReason);
    server.atBaseCommit = !server.current.isEmpty() && server.currentCommit == m_plan.baseCommit;
    if (server.current.isEmpty())
        return tr("whole package: there is no current release to build on");
    if (!*server.atBaseCommit)
        return tr("whole package: it runs commit %1, not the delta's base %2")
            .arg(server.currentCommit.isEmpty() ? tr("(unknown)") : server.currentCommit.left(12), m_plan.baseCommit.left(12));
    if (!m_plan.hasPatch())
        return tr("delta from %1 (made when the release starts), if its live release is as it was unpacked")
            .arg(m_plan.baseCommit.left(12));
    return tr("delta: %n file(s), %1, if its live release is as it was unpacked (else the whole package)", nullptr,
              int(m_plan.deltaFiles))
        .arg(QLocale().formattedDataSize(m_plan.deltaBytes, 1, QLocale::DataSizeSIFormat));
}

void ReleaseDryRun::judge(ServerPlan &server) const
{
    const bool rollback = m_plan.kind == ReleaseKind::Rollback;
    const LocalPackage package = packageFor(server);
    server.packageBytes = rollback ? 0 : qMax<qint64>(0, package.bytes);
    if (!rollback && package.bytes < 0)
        server.warnings.append(
            m_plan.packagePath.isEmpty()
                ? tr("The package is made when the release starts, so the free disk space was not compared with it.")
                : tr("The package %1 is not built yet, so the free disk space was not checked.").arg(package.path));

    if (server.hostKey == HostKeyState::Changed)
        server.blockers.append(tr("The host key has CHANGED: the server offers %1, known_hosts holds %2. Verify the "
                                  "new key on the server, then remove the old one (releasedesk-cli hostkeys forget %3).")
                                   .arg(server.fingerprint, server.storedFingerprint, server.server));
    else if (server.hostKey == HostKeyState::Revoked)
        server.blockers.append(tr("The host key %1 is revoked in known_hosts. Find out why before releasing to %2.")
                                   .arg(server.fingerprint, server.server));

    if (!server.authOk) {
        if (server.hostKey == HostKeyState::Unknown)
            // Signing in would mean trusting the key, which a dry run never does.
            server.warnings.append(tr("The host key %1 is not known yet, so the deploy root was not read. Compare it "
                                      "with the server's, then trust it (releasedesk-cli hostkeys scan --accept %2).")
                                       .arg(server.fingerprint, server.server));
        else if (server.hostKey != HostKeyState::Changed && server.hostKey != HostKeyState::Revoked)
            server.blockers.append(server.reachable ? tr("Signing in or reading the deploy root failed: %1").arg(server.error)
                                                    : tr("Not reachable: %1").arg(server.error));
        return;
    }

    if (!server.lockHolder.isEmpty()) {
        server.lockIsOurs = server.lockHolder == ReleaseEngine::lockOwner(m_plan);
        if (server.lockIsOurs)
            server.warnings.append(tr("This task holds the lock already; the release takes it back."));
        else
            server.blockers.append(tr("Locked by %1 (heartbeat %2 s ago): another release is under way. Wait for it, "
                                      "or break the lock if its owner is gone (releasedesk-cli release break-lock).")
                                       .arg(server.lockHolder, QString::number(server.lockAgeSeconds)));
    }

    if (m_plan.kind != ReleaseKind::Patch && !rollback)
        server.delivery = deliveryTo(server);
    if (m_plan.kind == ReleaseKind::Patch) {
        server.atBaseCommit = !server.current.isEmpty() && server.currentCommit == m_plan.baseCommit;
        if (!*server.atBaseCommit)
            server.blockers.append(
                server.current.isEmpty()
                    ? tr("No release is current, so there is nothing to patch. Make a full release first.")
                    : tr("Runs commit %1, not the patch's base %2. Make a full release, or a patch from %1.")
                          .arg(server.currentCommit.isEmpty() ? tr("(unknown)") : server.currentCommit.left(12),
                               m_plan.baseCommit.left(12)));
    }
    if (rollback) {
        server.rollbackTargetKept = server.releases.contains(m_plan.rollbackTo);
        if (!*server.rollbackTargetKept)
            server.blockers.append(tr("Does not keep %1 (it has: %2). Roll back to a release every server keeps.")
                                       .arg(m_plan.rollbackTo, server.releases.isEmpty()
                                                                   ? tr("no releases")
                                                                   : server.releases.join(QStringLiteral(", "))));
        else if (server.current == m_plan.rollbackTo)
            server.warnings.append(tr("Runs %1 already.").arg(m_plan.rollbackTo));
    }

    if (server.freeKiB >= 0 && server.packageBytes > 0) {
        const qint64 freeBytes = server.freeKiB * 1024;
        const QLocale locale;
        const QString free = locale.formattedDataSize(freeBytes, 1, QLocale::DataSizeSIFormat);
        const QString package = locale.formattedDataSize(server.packageBytes, 1, QLocale::DataSizeSIFormat);
        if (freeBytes < server.packageBytes)
            server.blockers.append(tr("Only %1 free on the deploy root, less than the %2 package. Free some space "
                                      "(fewer kept releases, old logs) first.")
                                       .arg(free, package));
        else if (freeBytes < 3 * server.packageBytes)
            // The package, its unpacked tree and the release it replaces share the disk for a while.
            server.warnings.append(tr("Only %1 free on the deploy root, less than three times the %2 package.")
                                       .arg(free, package));
    }

    const QString target = rollback ? m_plan.rollbackTo : m_plan.version;
    QStringList after = server.releases;
    if (!after.contains(target))
        after.append(target);
    const QString previous = server.current == target ? server.previous : server.current;
    server.toClean = releasesToClean(after, target, previous, m_plan.keepReleases);
}

void ReleaseDryRun::addSteps(ServerPlan &server) const
{
    const RemoteLayout layout(m_plan.deployRoot);
    const bool rollback = m_plan.kind == ReleaseKind::Rollback;
    const QString target = rollback ? m_plan.rollbackTo : m_plan.version;
    QStringList &steps = server.steps;
    if (server.authOk && !server.rootExists)
        steps.append(tr("create %1 with releases/, shared/ and .releasedesk/").arg(m_plan.deployRoot));
    steps.append(tr("lock %1/.releasedesk/lock").arg(m_plan.deployRoot));
    if (!rollback) {
        const LocalPackage package = packageFor(server);
        const QString size = package.bytes < 0 ? tr("size unknown")
                                               : QLocale().formattedDataSize(package.bytes, 1, QLocale::DataSizeSIFormat);
        const bool delta = server.atBaseCommit.value_or(false) && m_plan.kind != ReleaseKind::Patch;
        if (!server.delivery.isEmpty())
            steps.append(server.delivery);
        if (!delta)
            steps.append(tr("upload %1 (%2) to %3")
                             .arg(package.path.isEmpty() ? tr("the package") : QFileInfo(package.path).fileName(), size,
                                  layout.packagePath(m_plan.version, package.compression)));
        if (m_plan.kind == ReleaseKind::Patch || delta)
            steps.append(tr("copy releases/%1 as hard links, delete %n path(s), extract the patch into %2", nullptr,
                            int(m_plan.deletions.size()))
                             .arg(server.current.isEmpty() ? tr("(none)") : server.current,
                                  layout.releaseDir(m_plan.version)));
        else
            steps.append(tr("unpack into %1").arg(layout.releaseDir(m_plan.version)));
        if (!m_plan.sharedPaths.isEmpty())
            steps.append(tr("link the shared paths %1").arg(m_plan.sharedPaths.join(QStringLiteral(", "))));
        if (!m_plan.beforeReleaseHook.trimmed().isEmpty())
            steps.append(tr("before-release hook (%n line(s))", nullptr, lineCount(m_plan.beforeReleaseHook)));
    }
    if (m_plan.kind == ReleaseKind::Gray) {
        if (m_plan.canaries.contains(server.server))
            steps.append(tr("canary: switched before the other servers"));
        else
            steps.append(tr("wait until the canaries are promoted"));
    } else if (m_plan.kind == ReleaseKind::Rolling) {
        const int size = qMax(1, m_plan.batchSize);
        const int batches = int((m_order.size() + size - 1) / size);
        steps.append(tr("wait for batch %1 of %2")
                         .arg(QString::number(int(m_order.indexOf(server.server)) / size + 1), QString::number(batches)));
    }
    steps.append(tr("switch current -> releases/%1 (now %2)")
                     .arg(target, server.current.isEmpty() ? tr("none") : QStringLiteral("releases/") + server.current));
    if (!m_plan.afterReleaseHook.trimmed().isEmpty())
        steps.append(tr("after-release hook (%n line(s))", nullptr, lineCount(m_plan.afterReleaseHook)));
    if (!m_plan.healthCommand.trimmed().isEmpty())
        steps.append(tr("health: run `%1` in %2").arg(m_plan.healthCommand.trimmed(), layout.releaseDir(target)));
    if (m_plan.httpCheck.enabled()) {
        auto url = HttpHealthCheck::urlFor(m_plan.httpCheck.url, server.host, server.server);
        if (url)
            steps.append(tr("health: GET %1, expect %2")
                             .arg(url->toDisplayString(), QString::number(m_plan.httpCheck.expectedStatus)));
        else
            server.blockers.append(url.error().text());
    }
    if (!server.toClean.isEmpty())
        steps.append(tr("remove the old releases %1").arg(server.toClean.join(QStringLiteral(", "))));
    steps.append(tr("unlock"));
}

QStringList ReleaseDryRun::releasesToClean(const QStringList &releases, const QString &current,
                                           const QString &previous, int keep)
{
    // The pattern and the floor of two kept releases are cleanupCommand's.
    static const QRegularExpression versioned(QStringLiteral("^.*-v([0-9]+)-[0-9]{14}$"));
    QList<std::pair<qint64, QString>> numbered;
    for (const QString &release : releases) {
        const QRegularExpressionMatch match = versioned.match(release);
        if (match.hasMatch())
            numbered.append({match.captured(1).toLongLong(), release});
    }
    std::stable_sort(numbered.begin(), numbered.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    QStringList removed;
    for (qsizetype i = qMax(2, keep); i < numbered.size(); ++i)
        if (numbered[i].second != current && numbered[i].second != previous)
            removed.append(numbered[i].second);
    return removed;
}

QList<ServerPlan> ReleaseDryRun::results() const
{
    QList<ServerPlan> results;
    for (const QString &server : m_order)
        results.append(m_results.value(server));
    return results;
}

} // namespace rd
