#include "git/zstdpackage.h"
#include "httpserver.h"
#include "release/releaseengine.h"
#include "release/remotelayout.h"
#include "release/versionid.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshsession.h"
#include "testhosts.h"
#include "tinypackage.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace rd;
using namespace rd::test;

namespace {

QString linkText(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QString::fromUtf8(buffer, n);
}

} // namespace

// Releases to the ten real sshd test hosts, checking what lands on each server.
class TestReleaseEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void fullReleaseSwitchesEveryServer();
    void secondReleaseKeepsPreviousAndCleansUp();
    void fullReleaseWithLessParallelismThanServers();
    void hookFailuresWithinBudgetSwitchTheRest();
    void hookFailuresBeyondBudgetSwitchNobody();
    void failedHealthCheckSwitchesBack();
    void failedHttpCheckSwitchesBack();
    void lockedServerIsRefusedAndItsLockKept();
    void grayPausesAfterTheCanariesUntilPromoted();
    void grayPromotesItselfAfterAHealthySoak();
    void grayStopsWhenACanaryFails();
    void rollbackSwitchesEveryServerToOneRelease();
    void rollbackNamesServersLackingTheRelease();
    void retryRunsOnlyTheFailedServers();
    void patchEqualsAFullReleaseOfTheSameCommit();
    void patchIsRefusedOffItsBase_data();
    void patchIsRefusedOffItsBase();
    void patchRefusedByALockSwitchesNothing_data();
    void patchRefusedByALockSwitchesNothing();
    void patchSwitchesWithinTheLockCommand_data();
    void patchSwitchesWithinTheLockCommand();
    void fullDiskMidUploadKeepsTheLiveRelease();
    void fullDiskMidDeltaKeepsTheLiveRelease_data();
    void fullDiskMidDeltaKeepsTheLiveRelease();
    void rollingStopsWhenTheBudgetIsSpent();
    void rollingHoldsAfterABatchUntilToldToGoOn();
    void abortCancelsAndReleasesLocks();

private:
    ReleasePlan plan(int number);
    ReleaseEngine *engine(const ReleasePlan &plan, int serverCount = 10, int parallelism = 10);
    bool run(ReleaseEngine &engine);
    QString onServer(int host, const QString &relative) const
    {
        return m_hosts.hosts[host].backingDir + QStringLiteral("/engine/") + relative;
    }
    QString current(int host) const { return linkText(onServer(host, QStringLiteral("current"))); }
    void wipeServers();
    QString pack(const QString &name, const QMap<QString, QByteArray> &files, const QStringList &only = {});
    QMap<QString, QString> tree(const QString &root) const;
    // Runs `plan` on the one private host of `set`, named small-disk (m_engine keeps the engine).
    bool releaseToSmallDisk(const TestHostSet &set, const ReleasePlan &plan)
    {
        m_engine = std::make_unique<ReleaseEngine>(plan, *m_knownHosts, HostKeyPrompt(), 1,
                                                   m_dir.filePath(QStringLiteral("logs/") + plan.taskId));
        SshTarget target = keyFileTarget(set, set.hosts[0]);
        target.name = QStringLiteral("small-disk");
        m_engine->addServer(std::move(target));
        return run(*m_engine);
    }

    SshLibrary m_library;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
    QString m_package;
    QString m_sha256;
    ZstdPackage m_zstd;
    std::unique_ptr<ReleaseEngine> m_engine;
};

void TestReleaseEngine::initTestCase()
{
    QVERIFY(m_library.ok());
    m_hosts = fixtureHosts();
    QCOMPARE(m_hosts.hosts.size(), 10);
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(m_hosts.knownHosts()));
    const auto package = makeTinyPackage(m_dir.path(), {QStringLiteral("storage/logs")});
    QVERIFY(package);
    m_package = package->path;
    m_sha256 = package->sha256;
    auto zstd = ZstdPackage::ensure(m_package);
    QVERIFY2(zstd, zstd ? "" : qPrintable(zstd.error().text()));
    m_zstd = *zstd;
}

void TestReleaseEngine::wipeServers()
{
    for (const TestHost &host : m_hosts.hosts)
        QDir(host.backingDir + QStringLiteral("/engine")).removeRecursively();
}

void TestReleaseEngine::init()
{
    m_engine.reset();
    wipeServers();
    // Task ids repeat between tests: each starts with no logs.
    QDir(m_dir.filePath(QStringLiteral("logs"))).removeRecursively();
}

ReleasePlan TestReleaseEngine::plan(int number)
{
    ReleasePlan plan;
    plan.taskId = QString::number(number);
    plan.project = QStringLiteral("shop");
    plan.environment = QStringLiteral("prod");
    plan.deployRoot = m_hosts.hosts[0].deployRoot + QStringLiteral("/engine");
    // Fixed times: plan(n) names the same release every time a test asks for it.
    const QDateTime when(QDate(2026, 11, 23), QTime(10, 0).addSecs(number * 60), Qt::UTC);
    plan.version = VersionId::make(QStringLiteral("shop"), number, when).toString();
    plan.commit = QStringLiteral("0123456789abcdef0123456789abcdef0123456%1").arg(number);
    plan.ref = QStringLiteral("main");
    plan.operatorName = QStringLiteral("ops");
    plan.packagePath = m_package;
    plan.packageSha256 = m_sha256;
    plan.zstdPackagePath = m_zstd.path;
    plan.zstdPackageSha256 = m_zstd.sha256;
    plan.sharedPaths = {QStringLiteral("storage/logs")};
    plan.beforeReleaseHook = QStringLiteral("printf '%s %s\\n' \"$RD_VERSION\" \"$RD_SERVER\" > built-for");
    plan.afterReleaseHook = QStringLiteral("echo restarted >> \"$RD_DEPLOY_ROOT/shared/storage/logs/restarts\"");
    plan.healthCommand = QStringLiteral("test -f index.html");
    plan.keepReleases = 2;
    return plan;
}

ReleaseEngine *TestReleaseEngine::engine(const ReleasePlan &plan, int serverCount, int parallelism)
{
    m_engine = std::make_unique<ReleaseEngine>(plan, *m_knownHosts, HostKeyPrompt(), parallelism,
                                               m_dir.filePath(QStringLiteral("logs/") + plan.taskId));
    for (int i = 0; i < serverCount; ++i) {
        SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[i]);
        target.name = QStringLiteral("web-%1").arg(i + 1, 2, 10, QLatin1Char('0'));
        m_engine->addServer(std::move(target));
    }
    return m_engine.get();
}

bool TestReleaseEngine::run(ReleaseEngine &engine)
{
    QSignalSpy finished(&engine, &ReleaseEngine::finished);
    engine.start();
    // A task refused before any server is touched finishes within start().
    if (finished.isEmpty() && !finished.wait(120000))
        return false;
    if (!finished.first().first().toBool())
        qWarning("release failed: %s", qPrintable(finished.first().last().toString()));
    return finished.first().first().toBool();
}

void TestReleaseEngine::fullReleaseSwitchesEveryServer()
{
    const ReleasePlan first = plan(1);
    ReleaseEngine *release = engine(first);
    QVERIFY(run(*release));
    QVERIFY(release->switchWindowMs() >= 0);
    qInfo("mixed-version window on 10 servers: %lld ms", release->switchWindowMs());
    for (int i = 0; i < 10; ++i) {
        const QString server = QStringLiteral("web-%1").arg(i + 1, 2, 10, QLatin1Char('0'));
        QCOMPARE(current(i), QStringLiteral("releases/") + first.version);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/built-for"))).trimmed(),
                 (first.version + u' ' + server).toUtf8());
        const QJsonObject manifest =
            QJsonDocument::fromJson(readAll(onServer(i, QStringLiteral("current/.releasedesk.json")))).object();
        QCOMPARE(manifest[QStringLiteral("version")].toString(), first.version);
        QCOMPARE(manifest[QStringLiteral("commit")].toString(), first.commit);
        QCOMPARE(manifest[QStringLiteral("sha256")].toString(), m_sha256);
        // The test hosts have zstd: they got the .tar.zst form of the package.
        QCOMPARE(QDir(onServer(i, QStringLiteral(".releasedesk/packages"))).entryList(QDir::Files),
                 QStringList{first.version + QStringLiteral(".tar.zst")});
        QCOMPARE(linkText(onServer(i, QStringLiteral("current/storage/logs"))), QStringLiteral("../../../shared/storage/logs"));
        QCOMPARE(readAll(onServer(i, QStringLiteral("shared/storage/logs/restarts"))), QByteArray("restarted\n"));
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
        for (NodeStage stage : {NodeStage::Upload, NodeStage::Prepare, NodeStage::Release,
                                NodeStage::AfterRelease, NodeStage::Health})
            QCOMPARE(release->state(server, stage), NodeState::Succeeded);
        const QByteArray log = readAll(m_dir.filePath(QStringLiteral("logs/1/") + server + QStringLiteral(".log")));
        QVERIFY(log.contains("== 06 upload"));
        QVERIFY(log.contains("== 10 health check"));
    }
}

void TestReleaseEngine::secondReleaseKeepsPreviousAndCleansUp()
{
    QVERIFY(run(*engine(plan(1), 2)));
    QVERIFY(run(*engine(plan(2), 2)));
    const ReleasePlan third = plan(3);
    QVERIFY(run(*engine(third, 2)));
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + third.version);
        QCOMPARE(readAll(onServer(i, QStringLiteral(".releasedesk/previous"))).trimmed(), plan(2).version.toUtf8());
        // keep 2: the oldest went, the current and the previous stayed
        QCOMPARE(QDir(onServer(i, QStringLiteral("releases"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 2);
        QCOMPARE(QDir(onServer(i, QStringLiteral(".releasedesk/packages"))).entryList(QDir::Files).size(), 2);
        QCOMPARE(readAll(onServer(i, QStringLiteral("shared/storage/logs/restarts"))), QByteArray("restarted\nrestarted\nrestarted\n"));
    }
}

void TestReleaseEngine::fullReleaseWithLessParallelismThanServers()
{
    // Six servers, two at a time: the switch still waits for all six to be ready. A plan without a
    // zstd form (an older task resumed) sends the .tar.gz.
    ReleasePlan first = plan(1);
    first.zstdPackagePath.clear();
    first.zstdPackageSha256.clear();
    ReleaseEngine *release = engine(first, 6, 2);
    QVERIFY(run(*release));
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + first.version);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>shop</h1>\n"));
        QCOMPARE(QDir(onServer(i, QStringLiteral(".releasedesk/packages"))).entryList(QDir::Files),
                 QStringList{first.version + QStringLiteral(".tar.gz")});
    }
}

void TestReleaseEngine::hookFailuresWithinBudgetSwitchTheRest()
{
    QVERIFY(run(*engine(plan(1))));
    ReleasePlan second = plan(2);
    second.beforeReleaseHook = QStringLiteral("case \"$RD_SERVER\" in web-03|web-07) echo 'migration failed' >&2; exit 3;; esac");
    second.failureBudget = 2;
    ReleaseEngine *release = engine(second);
    QVERIFY(!run(*release));
    QCOMPARE(release->failedServers(), 2);
    for (int i = 0; i < 10; ++i) {
        const bool failing = i == 2 || i == 6;
        QCOMPARE(current(i), QStringLiteral("releases/") + (failing ? plan(1).version : second.version));
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    }
    QCOMPARE(release->state(QStringLiteral("web-03"), NodeStage::Prepare), NodeState::Failed);
    QCOMPARE(release->state(QStringLiteral("web-03"), NodeStage::Release), NodeState::Skipped);
    QCOMPARE(release->state(QStringLiteral("web-04"), NodeStage::Health), NodeState::Succeeded);
    QVERIFY(readAll(m_dir.filePath(QStringLiteral("logs/2/web-03.log"))).contains("E migration failed"));
}

void TestReleaseEngine::hookFailuresBeyondBudgetSwitchNobody()
{
    QVERIFY(run(*engine(plan(1), 4)));
    ReleasePlan second = plan(2);
    second.beforeReleaseHook = QStringLiteral("[ \"$RD_SERVER\" != web-02 ]");
    ReleaseEngine *release = engine(second, 4);
    QSignalSpy changes(release, &ReleaseEngine::nodeChanged);
    QVERIFY(!run(*release));
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    }
    QCOMPARE(release->state(QStringLiteral("web-01"), NodeStage::Release), NodeState::Skipped);
}

void TestReleaseEngine::failedHealthCheckSwitchesBack()
{
    QVERIFY(run(*engine(plan(1), 3)));
    ReleasePlan second = plan(2);
    second.healthCommand = QStringLiteral("[ \"$RD_SERVER\" != web-02 ] || { echo 'HTTP 500' >&2; exit 1; }");
    second.failureBudget = 1;
    ReleaseEngine *release = engine(second, 3);
    QVERIFY(!run(*release));
    QCOMPARE(current(0), QStringLiteral("releases/") + second.version);
    QCOMPARE(current(1), QStringLiteral("releases/") + plan(1).version);
    QCOMPARE(current(2), QStringLiteral("releases/") + second.version);
    QCOMPARE(release->state(QStringLiteral("web-02"), NodeStage::Health), NodeState::Failed);
}

void TestReleaseEngine::failedHttpCheckSwitchesBack()
{
    QVERIFY(run(*engine(plan(1), 3)));
    HttpServer http;
    QVERIFY(http.ok());
    http.setFailing(QStringLiteral("web-03"), true);
    ReleasePlan second = plan(2);
    second.httpCheck.url = http.url(QStringLiteral("/health/{server}"));
    second.httpCheck.retries = 1;
    second.httpCheck.intervalMs = 100;
    second.failureBudget = 1;
    ReleaseEngine *release = engine(second, 3);
    QSignalSpy changes(release, &ReleaseEngine::nodeChanged);
    QVERIFY(!run(*release));
    QCOMPARE(current(0), QStringLiteral("releases/") + second.version);
    QCOMPARE(current(1), QStringLiteral("releases/") + second.version);
    QCOMPARE(current(2), QStringLiteral("releases/") + plan(1).version);
    QCOMPARE(release->state(QStringLiteral("web-03"), NodeStage::Health), NodeState::Failed);
    QString detail;
    for (const QList<QVariant> &change : changes)
        if (change.at(0).toString() == u"web-03" && change.at(2).value<NodeState>() == NodeState::Failed)
            detail = change.at(3).toString();
    QVERIFY2(detail.contains(QStringLiteral("status 500")) && detail.contains(plan(1).version), qPrintable(detail));
    // Each server was asked on its own URL; the failing one twice (one retry).
    QCOMPARE(http.requests().count(QStringLiteral("/health/web-01")), 1);
    QCOMPARE(http.requests().count(QStringLiteral("/health/web-03")), 2);
    QVERIFY(readAll(m_dir.filePath(QStringLiteral("logs/2/web-03.log"))).contains("/health/web-03 -> status 500"));
}

void TestReleaseEngine::lockedServerIsRefusedAndItsLockKept()
{
    QVERIFY(run(*engine(plan(1), 2)));
    auto session = SshSession::connect(keyFileTarget(m_hosts, m_hosts.hosts[1]), *m_knownHosts, {});
    QVERIFY(session);
    const RemoteLayout layout(plan(1).deployRoot);
    QCOMPARE((*session)->exec(layout.lockCommand(QStringLiteral("task 99 by someone@else")))->exitStatus, 0);

    // A budget does not help: a lock held by another release refuses the whole task.
    ReleasePlan second = plan(2);
    second.failureBudget = 1;
    ReleaseEngine *release = engine(second, 2);
    QSignalSpy changes(release, &ReleaseEngine::nodeChanged);
    QSignalSpy finished(release, &ReleaseEngine::finished);
    QVERIFY(!run(*release));
    QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("task 99 by someone@else")));
    QCOMPARE(release->state(QStringLiteral("web-02"), NodeStage::Upload), NodeState::Failed);
    QCOMPARE(release->state(QStringLiteral("web-01"), NodeStage::Upload), NodeState::Skipped);
    bool named = false;
    for (const QList<QVariant> &change : changes)
        named = named || change.at(3).toString().contains(QStringLiteral("task 99 by someone@else"));
    QVERIFY(named);
    QCOMPARE(readAll(onServer(1, QStringLiteral(".releasedesk/lock/owner"))).trimmed(), QByteArray("task 99 by someone@else"));
    QVERIFY(!QFileInfo::exists(onServer(0, QStringLiteral(".releasedesk/lock"))));
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("releases/") + second.version)));
    }
}

void TestReleaseEngine::grayPausesAfterTheCanariesUntilPromoted()
{
    QVERIFY(run(*engine(plan(1), 6)));
    ReleasePlan second = plan(2);
    second.kind = ReleaseKind::Gray;
    second.canaries = {QStringLiteral("web-05"), QStringLiteral("web-02")};
    ReleaseEngine *release = engine(second, 6);
    QSignalSpy paused(release, &ReleaseEngine::awaitingPromotion);
    QSignalSpy finished(release, &ReleaseEngine::finished);
    release->start();
    QVERIFY(paused.wait(60000));
    QVERIFY(release->isAwaitingPromotion());
    for (int i = 0; i < 6; ++i) {
        const bool canary = i == 1 || i == 4;
        QCOMPARE(current(i), QStringLiteral("releases/") + (canary ? second.version : plan(1).version));
        QVERIFY(canary || !QFileInfo::exists(onServer(i, QStringLiteral("releases/") + second.version)));
        // The whole environment stays locked while the task waits.
        QVERIFY(QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock/owner"))));
    }
    QCOMPARE(release->state(QStringLiteral("web-01"), NodeStage::Upload), NodeState::Pending);
    release->promote();
    QVERIFY(finished.wait(60000));
    QVERIFY(finished.first().first().toBool());
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    }

    // Promoted while the canaries are still on their way: the rest follows once they are out,
    // without waiting (a promote from another process is not lost).
    ReleasePlan third = plan(3);
    third.kind = ReleaseKind::Gray;
    third.canaries = {QStringLiteral("web-03")};
    ReleaseEngine *early = engine(third, 6);
    QSignalSpy earlyPaused(early, &ReleaseEngine::awaitingPromotion);
    QSignalSpy earlyFinished(early, &ReleaseEngine::finished);
    early->start();
    early->promote();
    QVERIFY(earlyFinished.wait(60000));
    QVERIFY(earlyFinished.first().first().toBool());
    QCOMPARE(earlyPaused.size(), 0);
    for (int i = 0; i < 6; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + third.version);
}

void TestReleaseEngine::grayPromotesItselfAfterAHealthySoak()
{
    QVERIFY(run(*engine(plan(1), 3)));
    ReleasePlan second = plan(2);
    second.kind = ReleaseKind::Gray;
    second.canaries = {QStringLiteral("web-01")};
    second.soakSeconds = 1;
    second.healthCommand = QStringLiteral("echo checked >> \"$RD_DEPLOY_ROOT/shared/storage/logs/health\"");
    ReleaseEngine *release = engine(second, 3);
    QSignalSpy promoted(release, &ReleaseEngine::promoted);
    QVERIFY(run(*release));
    QCOMPARE(promoted.size(), 1);
    // Checked after the switch and again after the soak.
    QCOMPARE(readAll(onServer(0, QStringLiteral("shared/storage/logs/health"))), QByteArray("checked\nchecked\n"));
    QCOMPARE(readAll(onServer(1, QStringLiteral("shared/storage/logs/health"))), QByteArray("checked\n"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
}

void TestReleaseEngine::grayStopsWhenACanaryFails()
{
    QVERIFY(run(*engine(plan(1), 4)));
    ReleasePlan second = plan(2);
    second.kind = ReleaseKind::Gray;
    second.canaries = {QStringLiteral("web-01")};
    second.failureBudget = 3;
    second.healthCommand = QStringLiteral("exit 1");
    ReleaseEngine *release = engine(second, 4);
    QSignalSpy paused(release, &ReleaseEngine::awaitingPromotion);
    QVERIFY(!run(*release));
    QCOMPARE(paused.size(), 0);
    // The canary was switched back; nobody else was touched.
    for (int i = 0; i < 4; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
    QVERIFY(!QFileInfo::exists(onServer(3, QStringLiteral("releases/") + second.version)));
    QCOMPARE(release->state(QStringLiteral("web-03"), NodeStage::Upload), NodeState::Skipped);
}

void TestReleaseEngine::rollbackSwitchesEveryServerToOneRelease()
{
    QVERIFY(run(*engine(plan(1), 4)));
    QVERIFY(run(*engine(plan(2), 4)));
    ReleasePlan back = plan(3);
    back.kind = ReleaseKind::Rollback;
    back.rollbackTo = plan(1).version;
    back.beforeReleaseHook = QStringLiteral("echo must-not-run > \"$RD_DEPLOY_ROOT/before\"");
    ReleaseEngine *release = engine(back, 4);
    QVERIFY(run(*release));
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
        QCOMPARE(readAll(onServer(i, QStringLiteral(".releasedesk/previous"))).trimmed(), plan(2).version.toUtf8());
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("before"))));
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("releases/") + back.version)));
        QCOMPARE(readAll(onServer(i, QStringLiteral("shared/storage/logs/restarts"))), QByteArray("restarted\nrestarted\nrestarted\n"));
    }
}

void TestReleaseEngine::rollbackNamesServersLackingTheRelease()
{
    QVERIFY(run(*engine(plan(1), 3)));
    QVERIFY(run(*engine(plan(2), 3)));
    QVERIFY(QDir(onServer(2, QStringLiteral("releases/") + plan(1).version)).removeRecursively());
    ReleasePlan back = plan(3);
    back.kind = ReleaseKind::Rollback;
    back.rollbackTo = plan(1).version;
    ReleaseEngine *release = engine(back, 3);
    QVERIFY(!run(*release));
    QCOMPARE(release->state(QStringLiteral("web-03"), NodeStage::Upload), NodeState::Failed);
    // Nobody is switched when one server cannot follow: the fleet stays on one release.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(2).version);
}

void TestReleaseEngine::retryRunsOnlyTheFailedServers()
{
    QVERIFY(run(*engine(plan(1), 5)));
    ReleasePlan second = plan(2);
    second.beforeReleaseHook = QStringLiteral("[ ! -e \"$RD_DEPLOY_ROOT/broken\" ] || { echo 'migration failed' >&2; exit 3; }");
    second.failureBudget = 2;
    for (int i : {1, 3}) {
        QFile broken(onServer(i, QStringLiteral("broken")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
    }
    ReleaseEngine *first = engine(second, 5);
    QVERIFY(!run(*first));
    QHash<QString, QHash<int, NodeState>> states;
    for (const QString &server : first->servers())
        for (NodeStage stage : {NodeStage::Upload, NodeStage::Prepare, NodeStage::Release,
                                NodeStage::AfterRelease, NodeStage::Health})
            states[server][int(stage)] = first->state(server, stage);
    QCOMPARE(states[QStringLiteral("web-02")][int(NodeStage::Prepare)], NodeState::Failed);
    QCOMPARE(current(1), QStringLiteral("releases/") + plan(1).version);
    QCOMPARE(current(0), QStringLiteral("releases/") + second.version);

    for (int i : {1, 3})
        QVERIFY(QFile::remove(onServer(i, QStringLiteral("broken"))));
    ReleaseEngine *retry = engine(second, 5);
    for (auto it = states.cbegin(); it != states.cend(); ++it)
        retry->restoreServer(it.key(), it.value());
    QVERIFY(run(*retry));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
    // The two failed servers ran again from their failed stage; the others did nothing but lock.
    const QString logs = m_dir.filePath(QStringLiteral("logs/2/"));
    QCOMPARE(readAll(logs + QStringLiteral("web-02.log")).count("== 06 upload"), 1);
    QCOMPARE(readAll(logs + QStringLiteral("web-02.log")).count("== 07 unpack"), 2);
    QCOMPARE(readAll(logs + QStringLiteral("web-01.log")).count("== 07 unpack"), 1);
    QCOMPARE(readAll(logs + QStringLiteral("web-01.log")).count("== 09 after-release"), 1);
    QCOMPARE(readAll(onServer(0, QStringLiteral("shared/storage/logs/restarts"))), QByteArray("restarted\nrestarted\n"));
    QCOMPARE(readAll(onServer(1, QStringLiteral("shared/storage/logs/restarts"))), QByteArray("restarted\nrestarted\n"));
}

void TestReleaseEngine::rollingStopsWhenTheBudgetIsSpent()
{
    QVERIFY(run(*engine(plan(1), 9)));
    ReleasePlan second = plan(2);
    second.kind = ReleaseKind::Rolling;
    second.batchSize = 3;
    second.failureBudget = 1;
    // The second batch (web-04..06) has two failures: the budget of 1 is spent, batch 3 never starts.
    second.beforeReleaseHook = QStringLiteral("case \"$RD_SERVER\" in web-05|web-06) exit 1;; esac");
    ReleaseEngine *release = engine(second, 9);
    QVERIFY(!run(*release));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
    for (int i = 3; i < 9; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
    QCOMPARE(release->state(QStringLiteral("web-04"), NodeStage::Release), NodeState::Skipped);
    QCOMPARE(release->state(QStringLiteral("web-07"), NodeStage::Upload), NodeState::Skipped);
    QVERIFY(!QFileInfo::exists(onServer(6, QStringLiteral("releases/") + second.version)));
}

void TestReleaseEngine::rollingHoldsAfterABatchUntilToldToGoOn()
{
    QVERIFY(run(*engine(plan(1), 4)));
    ReleasePlan second = plan(2);
    second.kind = ReleaseKind::Rolling;
    second.batchSize = 2;
    ReleaseEngine *release = engine(second, 4);
    release->setPauseAfterBatch(true);
    QSignalSpy held(release, &ReleaseEngine::heldAfterBatch);
    QSignalSpy finished(release, &ReleaseEngine::finished);
    release->start();
    QVERIFY(held.wait(60000));
    QVERIFY(release->isHeld());
    // The first batch runs the new release; the second has not been touched, and the locks stay.
    for (int i = 0; i < 2; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
    for (int i = 2; i < 4; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("releases/") + second.version)));
        QVERIFY(QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    }
    QCOMPARE(release->state(QStringLiteral("web-03"), NodeStage::Upload), NodeState::Pending);
    QTest::qWait(500);
    QVERIFY(finished.isEmpty());
    release->setPauseAfterBatch(false);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(held.size(), 1);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    }
}

void TestReleaseEngine::abortCancelsAndReleasesLocks()
{
    QVERIFY(run(*engine(plan(1), 3)));
    ReleasePlan second = plan(2);
    second.beforeReleaseHook = QStringLiteral("sleep 60");
    ReleaseEngine *release = engine(second, 3);
    QSignalSpy finished(release, &ReleaseEngine::finished);
    connect(release, &ReleaseEngine::nodeChanged, this,
            [release](const QString &, NodeStage stage, NodeState state, const QString &) {
                if (stage == NodeStage::Prepare && state == NodeState::Running)
                    QMetaObject::invokeMethod(release, [release] { release->abort(); }, Qt::QueuedConnection);
            });
    release->start();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().first().toBool(), false);
    QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(onServer(0, QStringLiteral(".releasedesk/lock"))) &&
                                 !QFileInfo::exists(onServer(1, QStringLiteral(".releasedesk/lock"))) &&
                                 !QFileInfo::exists(onServer(2, QStringLiteral(".releasedesk/lock"))),
                             20000);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
    QCOMPARE(release->state(QStringLiteral("web-01"), NodeStage::Release), NodeState::Cancelled);
}

// Writes `files` (path -> content; a trailing '*' in the path makes it executable) under a new
// directory and packs them (or only `only` of them) as a .tar.gz; returns its sha256.
QString TestReleaseEngine::pack(const QString &name, const QMap<QString, QByteArray> &files, const QStringList &only)
{
    const QString tree = m_dir.filePath(name + QStringLiteral("-tree"));
    QDir(tree).removeRecursively();
    QStringList members;
    for (auto file = files.cbegin(); file != files.cend(); ++file) {
        QString path = file.key();
        const bool executable = path.endsWith(u'*');
        if (executable)
            path.chop(1);
        members.append(path);
        QDir().mkpath(QFileInfo(tree + u'/' + path).absolutePath());
        QFile out(tree + u'/' + path);
        if (!out.open(QIODevice::WriteOnly))
            return {};
        out.write(file.value());
        out.close();
        out.setPermissions(executable ? QFileDevice::Permissions(0x7755) : QFileDevice::Permissions(0x6644));
    }
    const QString package = m_dir.filePath(name + QStringLiteral(".tar.gz"));
    QStringList arguments{QStringLiteral("-czf"), package, QStringLiteral("-C"), tree, QStringLiteral("--")};
    arguments += only.isEmpty() ? members : only;
    if (QProcess::execute(QStringLiteral("tar"), arguments) != 0)
        return {};
    QFile packed(package);
    packed.open(QIODevice::ReadOnly);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&packed);
    return QString::fromLatin1(hash.result().toHex());
}

// Every file, symlink and directory under a release: type, mode and content.
QMap<QString, QString> TestReleaseEngine::tree(const QString &root) const
{
    QMap<QString, QString> entries;
    QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = path.mid(root.size() + 1);
        if (relative == u".releasedesk.json")
            continue;
        const QFileInfo info(path);
        if (info.isSymLink())
            entries.insert(relative, QStringLiteral("link ") + linkText(path));
        else if (info.isDir())
            entries.insert(relative, QStringLiteral("dir %1").arg(int(info.permissions()), 0, 16));
        else
            entries.insert(relative, QStringLiteral("file %1 ").arg(int(info.permissions()), 0, 16) +
                                         QString::fromLatin1(readAll(path).toHex()));
    }
    return entries;
}

void TestReleaseEngine::patchEqualsAFullReleaseOfTheSameCommit()
{
    const QMap<QString, QByteArray> a{{QStringLiteral("index.html"), "<h1>a</h1>\n"},
                                      {QStringLiteral("app/main.php"), "<?php echo 'a';\n"},
                                      {QStringLiteral("app/old.php"), "old\n"},
                                      {QStringLiteral("bin/run*"), "#!/bin/sh\necho a\n"},
                                      {QStringLiteral("storage/logs/.keep"), ""}};
    QMap<QString, QByteArray> b = a;
    b[QStringLiteral("index.html")] = "<h1>b</h1>\n";                       // changed
    b.remove(QStringLiteral("app/old.php"));                                 // deleted
    b.insert(QStringLiteral("app/new dir/it's $(new).php"), "<?php new\n"); // added, in a new directory
    // No hooks: in a patch release the unchanged files are hard links to the previous release, and a
    // hook that edits one in place would edit both (the hook documentation says so).
    ReleasePlan first = plan(1);
    first.beforeReleaseHook.clear();
    first.packageSha256 = pack(QStringLiteral("a"), a);
    first.packagePath = m_dir.filePath(QStringLiteral("a.tar.gz"));
    first.zstdPackagePath.clear(); // this test's own package goes as it is
    first.zstdPackageSha256.clear();
    QVERIFY(run(*engine(first, 2)));

    // Server 1 gets the patch, server 2 the full package of the same commit.
    ReleasePlan patch = plan(2);
    patch.beforeReleaseHook.clear();
    patch.kind = ReleaseKind::Patch;
    patch.baseCommit = first.commit;
    patch.deletions = {QStringLiteral("app/old.php")};
    patch.packageSha256 = pack(QStringLiteral("patch"), b, {QStringLiteral("index.html"),
                                                           QStringLiteral("app/new dir/it's $(new).php")});
    patch.packagePath = m_dir.filePath(QStringLiteral("patch.tar.gz"));
    patch.zstdPackagePath.clear(); // this test's own package goes as it is
    patch.zstdPackageSha256.clear();
    ReleaseEngine *patching = engine(patch, 1);
    QVERIFY(run(*patching));
    ReleasePlan full = plan(2);
    full.beforeReleaseHook.clear();
    full.packageSha256 = pack(QStringLiteral("b"), b);
    full.packagePath = m_dir.filePath(QStringLiteral("b.tar.gz"));
    full.zstdPackagePath.clear(); // this test's own package goes as it is
    full.zstdPackageSha256.clear();
    m_engine = std::make_unique<ReleaseEngine>(full, *m_knownHosts, HostKeyPrompt(), 1,
                                               m_dir.filePath(QStringLiteral("logs/full")));
    SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[1]);
    target.name = QStringLiteral("web-02");
    m_engine->addServer(std::move(target));
    QVERIFY(run(*m_engine));

    QCOMPARE(current(0), QStringLiteral("releases/") + patch.version);
    QCOMPARE(current(1), QStringLiteral("releases/") + full.version);
    const QMap<QString, QString> patched = tree(onServer(0, QStringLiteral("releases/") + patch.version));
    QCOMPARE(patched, tree(onServer(1, QStringLiteral("releases/") + full.version)));
    QVERIFY(patched.contains(QStringLiteral("app/new dir/it's $(new).php")));
    QVERIFY(!patched.contains(QStringLiteral("app/old.php")));
    // The release it was copied from is untouched, also where the files were shared as hard links.
    const QString old = onServer(0, QStringLiteral("releases/") + first.version);
    QCOMPARE(readAll(old + QStringLiteral("/index.html")), QByteArray("<h1>a</h1>\n"));
    QCOMPARE(readAll(old + QStringLiteral("/app/old.php")), QByteArray("old\n"));
    QCOMPARE(QJsonDocument::fromJson(readAll(old + QStringLiteral("/.releasedesk.json")))[QStringLiteral("version")].toString(),
             first.version);
    QCOMPARE(QJsonDocument::fromJson(readAll(onServer(0, QStringLiteral("current/.releasedesk.json"))))[QStringLiteral("commit")].toString(),
             patch.commit);
    QVERIFY(readAll(m_dir.filePath(QStringLiteral("logs/2/web-01.log"))).contains("== 09 after-release"));
}

void TestReleaseEngine::patchIsRefusedOffItsBase_data()
{
    // With a before-release hook the patch is a command of its own; without one the lock command makes it.
    QTest::addColumn<bool>("withHook");
    QTest::newRow("own command") << true;
    QTest::newRow("in the lock command") << false;
}

void TestReleaseEngine::patchIsRefusedOffItsBase()
{
    QFETCH(bool, withHook);
    QVERIFY(run(*engine(plan(1), 2)));
    // Runs patch `number` made against `base`, which must fail: why each server failed (none if it succeeded).
    auto refusedPatch = [&](int number, const QString &base) {
        ReleasePlan patch = plan(number);
        patch.kind = ReleaseKind::Patch;
        patch.baseCommit = base;
        if (!withHook)
            patch.beforeReleaseHook.clear();
        ReleaseEngine *patching = engine(patch, 2);
        QSignalSpy changes(patching, &ReleaseEngine::nodeChanged);
        QStringList failures;
        if (run(*patching))
            return failures;
        for (const QList<QVariant> &change : changes)
            if (change.at(2).value<NodeState>() == NodeState::Failed)
                failures.append(change.at(3).toString());
        return failures;
    };
    // Nothing of the patch is left on a server, and its lock is gone.
    auto untouched = [&](int server, const QString &version) {
        return !QFileInfo::exists(onServer(server, QStringLiteral("releases/") + version))
               && QDir(onServer(server, QStringLiteral("releases")))
                          .entryList(QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot)
                          .size() == 1
               && !QFileInfo::exists(onServer(server, QStringLiteral(".releasedesk/lock")));
    };

    const QString offBase = QStringLiteral("ffffffffffffffffffffffffffffffffffffffff");
    QStringList failures = refusedPatch(2, offBase);
    QCOMPARE(failures.size(), 2);
    for (const QString &failure : failures)
        QVERIFY2(failure.contains(plan(1).commit) && failure.contains(offBase), qPrintable(failure));
    for (int i = 0; i < 2; ++i) {
        const QString server = QStringLiteral("web-0%1").arg(i + 1);
        QCOMPARE(m_engine->state(server, NodeStage::Upload), NodeState::Succeeded);
        QCOMPARE(m_engine->state(server, NodeStage::Prepare), NodeState::Failed);
        QCOMPARE(m_engine->state(server, NodeStage::Release), NodeState::Skipped);
        QCOMPARE(current(i), QStringLiteral("releases/") + plan(1).version);
        QVERIFY(untouched(i, plan(2).version));
    }
    // A server without a current release has nothing to patch.
    for (int i = 0; i < 2; ++i)
        QVERIFY(QFile::remove(onServer(i, QStringLiteral("current"))));
    failures = refusedPatch(3, plan(1).commit);
    QCOMPARE(failures.size(), 2);
    for (const QString &failure : failures)
        QVERIFY2(failure.contains(QStringLiteral("no current release to patch")), qPrintable(failure));
    for (int i = 0; i < 2; ++i) {
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("current"))));
        QVERIFY(untouched(i, plan(3).version));
    }
    // A deletion outside the release is refused before any server is touched.
    ReleasePlan escapingPatch = plan(4);
    escapingPatch.kind = ReleaseKind::Patch;
    escapingPatch.baseCommit = plan(1).commit;
    escapingPatch.deletions = {QStringLiteral("../../etc/passwd")};
    ReleaseEngine *escaping = engine(escapingPatch, 2);
    QVERIFY(!run(*escaping));
    QCOMPARE(escaping->state(QStringLiteral("web-01"), NodeStage::Upload), NodeState::Failed);
    QVERIFY(!QFileInfo::exists(onServer(0, QStringLiteral(".releasedesk/packages/") + escapingPatch.version + QStringLiteral(".tar.gz"))));
}

// The lock command that makes a patch refuses it on a server locked by someone else, also while a
// package larger than the channel's window is still being sent: the refusal is what the task reports.
void TestReleaseEngine::patchRefusedByALockSwitchesNothing_data()
{
    // With an after-release hook the switch is a command of its own; without hooks and checks the
    // lock command also waits at the gate, and is told not to switch.
    QTest::addColumn<bool>("withAfterHook");
    QTest::newRow("switch of its own") << true;
    QTest::newRow("one command") << false;
}

void TestReleaseEngine::patchRefusedByALockSwitchesNothing()
{
    QFETCH(bool, withAfterHook);
    ReleasePlan first = plan(1);
    first.beforeReleaseHook.clear();
    QVERIFY(run(*engine(first, 2)));
    auto session = SshSession::connect(keyFileTarget(m_hosts, m_hosts.hosts[1]), *m_knownHosts, {});
    QVERIFY(session);
    QCOMPARE((*session)->exec(RemoteLayout(first.deployRoot).lockCommand(QStringLiteral("task 99 by someone@else")))->exitStatus, 0);

    QByteArray noise(3 << 20, Qt::Uninitialized);
    QRandomGenerator(7).fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
    ReleasePlan patch = plan(2);
    patch.beforeReleaseHook.clear();
    if (!withAfterHook) {
        patch.afterReleaseHook.clear();
        patch.healthCommand.clear();
    }
    patch.kind = ReleaseKind::Patch;
    patch.baseCommit = first.commit;
    patch.packageSha256 = pack(QStringLiteral("big-patch"), {{QStringLiteral("data/noise.bin"), noise}});
    patch.packagePath = m_dir.filePath(QStringLiteral("big-patch.tar.gz"));
    QVERIFY(QFileInfo(patch.packagePath).size() > (2 << 20));
    patch.zstdPackagePath.clear();
    patch.zstdPackageSha256.clear();
    ReleaseEngine *patching = engine(patch, 2);
    QSignalSpy finished(patching, &ReleaseEngine::finished);
    QVERIFY(!run(*patching));
    QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("task 99 by someone@else")),
             qPrintable(finished.first().at(1).toString()));
    QCOMPARE(patching->state(QStringLiteral("web-02"), NodeStage::Upload), NodeState::Failed);
    QCOMPARE(patching->state(QStringLiteral("web-01"), NodeStage::Release), NodeState::Skipped);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(current(i), QStringLiteral("releases/") + first.version);
    // The locked server got nothing; ours is released, the other's kept.
    QVERIFY(!QFileInfo::exists(onServer(1, QStringLiteral("releases/") + patch.version)));
    QCOMPARE(QDir(onServer(1, QStringLiteral(".releasedesk/packages"))).entryList(QDir::Files).join(u','),
             first.version + QStringLiteral(".tar.zst"));
    QCOMPARE(readAll(onServer(1, QStringLiteral(".releasedesk/lock/owner"))).trimmed(), QByteArray("task 99 by someone@else"));
    QVERIFY(!QFileInfo::exists(onServer(0, QStringLiteral(".releasedesk/lock"))));
    // No temporary link to the new release is left behind.
    QCOMPARE(QDir(onServer(0, {})).entryList({QStringLiteral(".current.*")}, QDir::AllEntries | QDir::Hidden | QDir::System).join(u','),
             QString());
}

// A patch with no hooks and no checks, to servers that all run it at once: one command per server
// locks, patches, waits at the gate, switches, cleans up and unlocks. One server off the patch's base
// makes the others withdraw from the gate: nobody switches.
void TestReleaseEngine::patchSwitchesWithinTheLockCommand_data()
{
    // A command waiting at the gate gives its slot to the next server, so one slot is enough.
    QTest::addColumn<int>("parallelism");
    QTest::newRow("a slot per server") << 10;
    QTest::newRow("one slot") << 1;
}

void TestReleaseEngine::patchSwitchesWithinTheLockCommand()
{
    QFETCH(int, parallelism);
    const int servers = 4;
    // Servers of its own: the test counts the commands each sshd logs, and other tests' commands on
    // the shared hosts would add to them under ctest -j2.
    const QString ownDir = m_dir.filePath(QStringLiteral("own-hosts-%1").arg(parallelism));
    TestHostSet own = startPrivateHosts(ownDir, servers);
    QCOMPARE(own.hosts.size(), servers);
    QVERIFY(m_knownHosts->import(own.knownHosts()));
    struct Restore
    {
        TestReleaseEngine *test;
        TestHostSet fixture;
        QString dir;
        ~Restore()
        {
            test->m_hosts = fixture;
            stopPrivateHosts(dir);
        }
    } restore{this, std::exchange(m_hosts, own), ownDir};
    QVERIFY(run(*engine(plan(1), servers)));
    auto patchPlan = [this](int number, const QString &base, const QByteArray &index) {
        ReleasePlan patch = plan(number);
        patch.kind = ReleaseKind::Patch;
        patch.beforeReleaseHook.clear();
        patch.afterReleaseHook.clear();
        patch.healthCommand.clear();
        patch.baseCommit = base;
        const QString name = QStringLiteral("patch-%1").arg(number);
        patch.packageSha256 = pack(name, {{QStringLiteral("index.html"), index}});
        patch.packagePath = m_dir.filePath(name + QStringLiteral(".tar.gz"));
        patch.zstdPackagePath.clear();
        patch.zstdPackageSha256.clear();
        return patch;
    };
    const ReleasePlan second = patchPlan(2, plan(1).commit, "<h1>patched</h1>\n");
    // Each server's sshd logs every command it starts.
    QList<qint64> logSizes;
    for (int i = 0; i < servers; ++i)
        logSizes.append(QFileInfo(m_hosts.dir + u'/' + m_hosts.hosts[i].name + QStringLiteral("/sshd.log")).size());
    ReleaseEngine *patching = engine(second, servers, parallelism);
    QVERIFY(run(*patching));
    QVERIFY(patching->switchWindowMs() >= 0);
    for (int i = 0; i < servers; ++i) {
        const QString server = QStringLiteral("web-0%1").arg(i + 1);
        QCOMPARE(patching->state(server, NodeStage::Release), NodeState::Succeeded);
        // Neither an after-release hook nor a health check: the stages say skipped, and count as done.
        QCOMPARE(patching->state(server, NodeStage::AfterRelease), NodeState::Skipped);
        QCOMPARE(patching->state(server, NodeStage::Health), NodeState::Skipped);
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>patched</h1>\n"));
        QCOMPARE(readAll(onServer(i, QStringLiteral(".releasedesk/previous"))).trimmed(), plan(1).version.toUtf8());
        QVERIFY(QFileInfo::exists(onServer(i, QStringLiteral("releases/") + plan(1).version + QStringLiteral("/index.html"))));
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
        const QByteArray log = readAll(m_dir.filePath(QStringLiteral("logs/2/%1.log").arg(server)));
        QVERIFY2(log.contains("== 07 patch with the lock") && log.contains("lock released"), log.constData());
        QFile sshdLog(m_hosts.dir + u'/' + m_hosts.hosts[i].name + QStringLiteral("/sshd.log"));
        QVERIFY(sshdLog.open(QIODevice::ReadOnly) && sshdLog.seek(logSizes[i]));
        QCOMPARE(sshdLog.readAll().count("Starting session: command"), 1);
    }

    // Server 3 no longer runs the base commit: it fails, and the three that wait at the gate withdraw.
    const QString manifest = onServer(2, QStringLiteral("current/.releasedesk.json"));
    QByteArray edited = readAll(manifest);
    edited.replace(second.commit.toUtf8(), "feedfeedfeedfeedfeedfeedfeedfeedfeedfeed");
    QFile rewritten(manifest);
    QVERIFY(rewritten.open(QIODevice::WriteOnly | QIODevice::Truncate) && rewritten.write(edited) == edited.size());
    rewritten.close();
    const ReleasePlan third = patchPlan(3, second.commit, "<h1>third</h1>\n");
    ReleaseEngine *refused = engine(third, servers, parallelism);
    QSignalSpy finished(refused, &ReleaseEngine::finished);
    QVERIFY(!run(*refused));
    QCOMPARE(refused->state(QStringLiteral("web-03"), NodeStage::Prepare), NodeState::Failed);
    for (int i = 0; i < servers; ++i) {
        if (i != 2)
            QCOMPARE(refused->state(QStringLiteral("web-0%1").arg(i + 1), NodeStage::Release), NodeState::Skipped);
        QCOMPARE(current(i), QStringLiteral("releases/") + second.version);
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
        QCOMPARE(QDir(onServer(i, {})).entryList({QStringLiteral(".current.*")}, QDir::AllEntries | QDir::Hidden | QDir::System).join(u','),
                 QString());
    }
}

void TestReleaseEngine::fullDiskMidUploadKeepsTheLiveRelease()
{
    const QString dir = m_dir.filePath(QStringLiteral("full"));
    TestHostSet set = startPrivateHosts(dir, 1, {QStringLiteral("--tmpfs-size"), QStringLiteral("3m")});
    QCOMPARE(set.hosts.size(), 1);
    QVERIFY(m_knownHosts->import(set.knownHosts()));
    auto release = [&](const ReleasePlan &plan) { return releaseToSmallDisk(set, plan); };
    ReleasePlan first = plan(1);
    first.deployRoot = set.hosts[0].deployRoot + QStringLiteral("/app");
    QVERIFY(release(first));
    // A package bigger than the disk: random bytes do not compress.
    const QString big = m_dir.filePath(QStringLiteral("big.tar.gz"));
    QFile file(big);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QByteArray noise(6 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < noise.size(); ++i)
        noise[i] = char((i * 2654435761u) >> 11);
    file.write(noise);
    file.close();
    ReleasePlan second = plan(2);
    second.deployRoot = first.deployRoot;
    second.packagePath = big;
    second.zstdPackagePath.clear(); // this test's own package goes as it is
    second.zstdPackageSha256.clear();
    second.packageSha256 = QString::fromLatin1(QCryptographicHash::hash(noise, QCryptographicHash::Sha256).toHex());
    QVERIFY(!release(second));
    QCOMPARE(m_engine->state(QStringLiteral("small-disk"), NodeStage::Upload), NodeState::Failed);
    const QString root = set.hosts[0].backingDir + QStringLiteral("/app/");
    QCOMPARE(linkText(root + QStringLiteral("current")), QStringLiteral("releases/") + first.version);
    QVERIFY(QFileInfo::exists(root + QStringLiteral("current/index.html")));
    QVERIFY(!QFileInfo::exists(root + QStringLiteral(".releasedesk/lock")));
    QCOMPARE(QDir(root + QStringLiteral(".releasedesk/packages")).entryList(QDir::Files | QDir::Hidden).join(u','),
             first.version + QStringLiteral(".tar.zst"));
    QVERIFY(readAll(m_dir.filePath(QStringLiteral("logs/2/small-disk.log"))).contains("== 06 upload"));
    stopPrivateHosts(dir);
}

void TestReleaseEngine::fullDiskMidDeltaKeepsTheLiveRelease_data()
{
    // Without a before-release hook the lock command makes the delta; with one, a command of its own.
    QTest::addColumn<bool>("withHook");
    QTest::newRow("delta at the lock") << false;
    QTest::newRow("delta before the hook") << true;
}

// A delta bigger than the disk left: the server stays on its live release, whole, with nothing
// half-made beside it and no lock, and its log says the disk is full.
void TestReleaseEngine::fullDiskMidDeltaKeepsTheLiveRelease()
{
    QFETCH(bool, withHook);
    const QString dir = m_dir.filePath(QStringLiteral("full-delta"));
    TestHostSet set = startPrivateHosts(dir, 1, {QStringLiteral("--tmpfs-size"), QStringLiteral("3m")});
    QCOMPARE(set.hosts.size(), 1);
    QVERIFY(m_knownHosts->import(set.knownHosts()));
    auto release = [&](const ReleasePlan &plan) { return releaseToSmallDisk(set, plan); };
    ReleasePlan first = plan(withHook ? 21 : 11);
    first.deployRoot = set.hosts[0].deployRoot + (withHook ? QStringLiteral("/hook") : QStringLiteral("/app"));
    QVERIFY(release(first));
    QByteArray noise(4 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < noise.size(); ++i)
        noise[i] = char((i * 2654435761u) >> 11);
    ReleasePlan second = plan(withHook ? 22 : 12);
    second.deployRoot = first.deployRoot;
    second.baseCommit = first.commit;
    second.deltaPackageSha256 = pack(QStringLiteral("big-delta"), {{QStringLiteral("app/deep/big.bin"), noise}});
    second.deltaPackagePath = m_dir.filePath(QStringLiteral("big-delta.tar.gz"));
    second.deltaFiles = 1;
    if (!withHook)
        second.beforeReleaseHook.clear();
    QVERIFY(!release(second));
    QCOMPARE(m_engine->state(QStringLiteral("small-disk"), NodeStage::Prepare), NodeState::Failed);
    QCOMPARE(m_engine->state(QStringLiteral("small-disk"), NodeStage::Release), NodeState::Skipped);
    const QString root = set.hosts[0].backingDir + (withHook ? QStringLiteral("/hook/") : QStringLiteral("/app/"));
    QCOMPARE(linkText(root + QStringLiteral("current")), QStringLiteral("releases/") + first.version);
    QVERIFY(QFileInfo::exists(root + QStringLiteral("current/index.html")));
    QVERIFY(!QFileInfo::exists(root + QStringLiteral(".releasedesk/lock")));
    QCOMPARE(QDir(root + QStringLiteral("releases")).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList{first.version});
    const QByteArray log = readAll(m_dir.filePath(QStringLiteral("logs/%1/small-disk.log").arg(second.taskId)));
    QVERIFY2(log.contains("disk full") || log.contains(" KiB free on the deploy root"), log.constData());
    stopPrivateHosts(dir);
}

QTEST_GUILESS_MAIN(TestReleaseEngine)
#include "tst_releaseengine.moc"
