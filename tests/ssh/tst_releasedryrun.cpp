#include "git/zstdpackage.h"
#include "release/releasedryrun.h"
#include "release/releaseengine.h"
#include "release/versionid.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "testhosts.h"
#include "tinypackage.h"

#include <QDirIterator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace rd;
using namespace rd::test;

namespace {

QString serverName(int i) { return QStringLiteral("web-%1").arg(i + 1, 2, 10, QLatin1Char('0')); }

QString linkText(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QString::fromUtf8(buffer, n);
}

// Everything under a deploy root as the test process sees it: names, sizes, times, link targets.
QStringList listing(const QString &root)
{
    QStringList entries;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        entries.append(QStringLiteral("%1 %2 %3 %4")
                           .arg(info.filePath().mid(root.size()), QString::number(info.isDir() ? 0 : info.size()),
                                QString::number(info.lastModified().toMSecsSinceEpoch()), linkText(info.filePath())));
    }
    entries.sort();
    return entries;
}

bool containsLine(const QStringList &lines, const QString &part)
{
    for (const QString &line : lines)
        if (line.contains(part))
            return true;
    return false;
}

} // namespace

// Dry runs against real sshd hosts: what they report, and that no server changes.
class TestReleaseDryRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void fullReleaseStepsCleanupAndAnotherReleasesLock();
    void patchOffItsBaseAndMissingRollbackTarget();
    void rollingAndGrayStepsAndAMissingPackage();
    void serversWithZstdGetTheZstdForm();
    void hostKeysAndDiskOnPrivateHosts();
    void releasesToCleanFollowsTheCleanupCommand();

private:
    ReleasePlan plan(int number, const QString &deployRoot) const;
    bool release(const ReleasePlan &plan, const TestHostSet &set, const QList<int> &hosts, KnownHosts &knownHosts);
    QList<ServerPlan> dryRun(const ReleasePlan &plan, const TestHostSet &set, const QList<int> &hosts,
                             KnownHosts &knownHosts, int *planned = nullptr);
    QString onServer(int host, const QString &relative) const
    {
        return m_hosts.hosts[host].backingDir + QStringLiteral("/dryrun/") + relative;
    }
    QStringList fleetListing(int hosts) const
    {
        QStringList all;
        for (int i = 0; i < hosts; ++i)
            all += listing(m_hosts.hosts[i].backingDir + QStringLiteral("/dryrun"));
        return all;
    }

    SshLibrary m_library;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
    QString m_root;
    QString m_package;
    QString m_sha256;
    QStringList m_privateSets;
};

void TestReleaseDryRun::initTestCase()
{
    QVERIFY(m_library.ok());
    m_hosts = fixtureHosts();
    QCOMPARE(m_hosts.hosts.size(), 10);
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(m_hosts.knownHosts()));
    m_root = m_hosts.hosts[0].deployRoot + QStringLiteral("/dryrun");
    const auto package = makeTinyPackage(m_dir.path());
    QVERIFY(package);
    m_package = package->path;
    m_sha256 = package->sha256;
}

void TestReleaseDryRun::init()
{
    for (const TestHost &host : m_hosts.hosts)
        QDir(host.backingDir + QStringLiteral("/dryrun")).removeRecursively();
}

void TestReleaseDryRun::cleanupTestCase()
{
    for (const QString &dir : std::as_const(m_privateSets))
        stopPrivateHosts(dir);
}

ReleasePlan TestReleaseDryRun::plan(int number, const QString &deployRoot) const
{
    ReleasePlan plan;
    plan.taskId = QStringLiteral("dry-%1").arg(number);
    plan.project = QStringLiteral("shop");
    plan.environment = QStringLiteral("prod");
    plan.deployRoot = deployRoot;
    const QDateTime when(QDate(2026, 11, 23), QTime(10, 0).addSecs(number * 60), Qt::UTC);
    plan.version = VersionId::make(QStringLiteral("shop"), number, when).toString();
    plan.commit = QStringLiteral("%1").arg(number, 40, 10, QLatin1Char('d'));
    plan.ref = QStringLiteral("main");
    plan.operatorName = QStringLiteral("ops");
    plan.packagePath = m_package;
    plan.packageSha256 = m_sha256;
    plan.sharedPaths = {QStringLiteral("storage/logs")};
    plan.beforeReleaseHook = QStringLiteral("php artisan migrate --force");
    plan.afterReleaseHook = QStringLiteral("echo one\necho two");
    plan.keepReleases = 2;
    return plan;
}

bool TestReleaseDryRun::release(const ReleasePlan &plan, const TestHostSet &set, const QList<int> &hosts,
                                KnownHosts &knownHosts)
{
    ReleasePlan real = plan;
    real.beforeReleaseHook.clear();
    real.afterReleaseHook.clear();
    ReleaseEngine engine(real, knownHosts, HostKeyPrompt(), 10, m_dir.filePath(QStringLiteral("logs/") + plan.taskId));
    for (int i : hosts) {
        SshTarget target = keyFileTarget(set, set.hosts[i]);
        target.name = serverName(i);
        engine.addServer(std::move(target));
    }
    QSignalSpy finished(&engine, &ReleaseEngine::finished);
    engine.start();
    return finished.wait(120000) && finished.first().first().toBool();
}

QList<ServerPlan> TestReleaseDryRun::dryRun(const ReleasePlan &plan, const TestHostSet &set, const QList<int> &hosts,
                                            KnownHosts &knownHosts, int *planned)
{
    ReleaseDryRun dryRun(plan, knownHosts);
    for (int i : hosts) {
        SshTarget target = keyFileTarget(set, set.hosts[i]);
        target.name = serverName(i);
        dryRun.addServer(std::move(target));
    }
    int count = 0;
    connect(&dryRun, &ReleaseDryRun::serverPlanned, this, [&count](const ServerPlan &) { ++count; });
    QList<ServerPlan> results;
    bool done = false;
    connect(&dryRun, &ReleaseDryRun::finished, this, [&](const QList<ServerPlan> &servers) {
        results = servers;
        done = true;
    });
    dryRun.start();
    if (done || !QTest::qWaitFor([&] { return done; }, 60000))
        return {};
    if (planned)
        *planned = count;
    return results;
}

void TestReleaseDryRun::fullReleaseStepsCleanupAndAnotherReleasesLock()
{
    const ReleasePlan first = plan(1, m_root);
    const ReleasePlan second = plan(2, m_root);
    QVERIFY(release(first, m_hosts, {0, 1, 2}, *m_knownHosts));
    QVERIFY(release(second, m_hosts, {0, 1, 2}, *m_knownHosts));
    QVERIFY(QDir().mkpath(onServer(1, QStringLiteral(".releasedesk/lock"))));
    QFile owner(onServer(1, QStringLiteral(".releasedesk/lock/owner")));
    QVERIFY(owner.open(QIODevice::WriteOnly));
    owner.write("task 41 by ana@desk-7\n");
    owner.close();

    ReleasePlan third = plan(3, m_root);
    third.healthCommand = QStringLiteral("test -f index.html");
    third.httpCheck.url = QStringLiteral("http://{host}:8080/health");
    // This task's own lock (a resumed task) is taken back, not a blocker.
    QVERIFY(QDir().mkpath(onServer(2, QStringLiteral(".releasedesk/lock"))));
    QFile ours(onServer(2, QStringLiteral(".releasedesk/lock/owner")));
    QVERIFY(ours.open(QIODevice::WriteOnly));
    ours.write((ReleaseEngine::lockOwner(third) + u'\n').toUtf8());
    ours.close();

    const QStringList before = fleetListing(4);
    int planned = 0;
    const QList<ServerPlan> plans = dryRun(third, m_hosts, {0, 1, 2, 3}, *m_knownHosts, &planned);
    QCOMPARE(fleetListing(4), before);
    QCOMPARE(plans.size(), 4);
    QCOMPARE(planned, 4);

    const ServerPlan &clean = plans[0];
    QCOMPARE(clean.server, serverName(0));
    QCOMPARE(clean.hostKey, HostKeyState::Known);
    QVERIFY(clean.fingerprint.startsWith(QStringLiteral("SHA256:")));
    QVERIFY(clean.reachable);
    QVERIFY2(clean.authOk, qPrintable(clean.error));
    QVERIFY(clean.rootExists);
    QCOMPARE(clean.current, second.version);
    QCOMPARE(clean.previous, first.version);
    QCOMPARE(clean.currentCommit, second.commit);
    QCOMPARE(clean.releases.size(), 2);
    QVERIFY(clean.freeKiB > 0);
    QCOMPARE(clean.packageBytes, QFileInfo(m_package).size());
    QVERIFY(!clean.atBaseCommit.has_value());
    QVERIFY(!clean.rollbackTargetKept.has_value());
    QCOMPARE(clean.toClean, QStringList{first.version}); // keeps two: the new one and the one it replaces
    QVERIFY2(clean.blockers.isEmpty(), qPrintable(clean.blockers.join(u'\n')));
    QVERIFY2(clean.warnings.isEmpty(), qPrintable(clean.warnings.join(u'\n')));
    const QStringList &steps = clean.steps;
    qInfo("%s", qPrintable(steps.join(u'\n')));
    QCOMPARE(steps.size(), 11);
    QCOMPARE(steps[0], QStringLiteral("lock %1/.releasedesk/lock").arg(m_root));
    QVERIFY(steps[1].startsWith(QStringLiteral("upload shop.tar.gz (")));
    QVERIFY(steps[1].endsWith(m_root + QStringLiteral("/.releasedesk/packages/") + third.version + QStringLiteral(".tar.gz")));
    QCOMPARE(steps[2], QStringLiteral("unpack into %1/releases/%2").arg(m_root, third.version));
    QCOMPARE(steps[3], QStringLiteral("link the shared paths storage/logs"));
    // Plural forms come from the translation; untranslated they read "line(s)".
    QVERIFY(steps[4].startsWith(QStringLiteral("before-release hook (1 line")));
    QCOMPARE(steps[5], QStringLiteral("switch current -> releases/%1 (now releases/%2)").arg(third.version, second.version));
    QVERIFY(steps[6].startsWith(QStringLiteral("after-release hook (2 line")));
    QCOMPARE(steps[7], QStringLiteral("health: run `test -f index.html` in %1/releases/%2").arg(m_root, third.version));
    QCOMPARE(steps[8], QStringLiteral("health: GET http://%1:8080/health, expect 200").arg(m_hosts.hosts[0].address));
    QCOMPARE(steps[9], QStringLiteral("remove the old releases ") + first.version);
    QCOMPARE(steps[10], QStringLiteral("unlock"));

    const ServerPlan &locked = plans[1];
    QCOMPARE(locked.lockHolder, QStringLiteral("task 41 by ana@desk-7"));
    QVERIFY(!locked.lockIsOurs);
    QVERIFY(locked.lockAgeSeconds >= 0);
    QCOMPARE(locked.blockers.size(), 1);
    QVERIFY(locked.blockers[0].contains(QStringLiteral("task 41 by ana@desk-7")));
    QVERIFY(locked.blocked());

    const ServerPlan &resumed = plans[2];
    QVERIFY(resumed.lockIsOurs);
    QVERIFY(!resumed.blocked());
    QCOMPARE(resumed.warnings.size(), 1);

    // A server never released to: its root is created, nothing is cleaned.
    const ServerPlan &fresh = plans[3];
    QVERIFY(fresh.authOk);
    QVERIFY(!fresh.rootExists);
    QVERIFY(fresh.current.isEmpty());
    QVERIFY(fresh.toClean.isEmpty());
    QVERIFY(!fresh.blocked());
    QVERIFY(fresh.steps.first().startsWith(QStringLiteral("create ") + m_root));
    QVERIFY(containsLine(fresh.steps, QStringLiteral("(now none)")));
    QVERIFY(!QFileInfo::exists(m_hosts.hosts[3].backingDir + QStringLiteral("/dryrun")));
}

void TestReleaseDryRun::patchOffItsBaseAndMissingRollbackTarget()
{
    const ReleasePlan first = plan(1, m_root);
    const ReleasePlan second = plan(2, m_root);
    QVERIFY(release(first, m_hosts, {0, 1, 2}, *m_knownHosts));
    QVERIFY(release(second, m_hosts, {0, 1}, *m_knownHosts));
    // web-03 stays on the first release; web-02 lost the first release.
    QVERIFY(QDir(onServer(1, QStringLiteral("releases/") + first.version)).removeRecursively());

    ReleasePlan patch = plan(3, m_root);
    patch.kind = ReleaseKind::Patch;
    patch.baseCommit = second.commit;
    patch.deletions = {QStringLiteral("old.css"), QStringLiteral("old.js")};
    const QStringList before = fleetListing(3);
    const QList<ServerPlan> patched = dryRun(patch, m_hosts, {0, 1, 2}, *m_knownHosts);
    QCOMPARE(fleetListing(3), before);
    QCOMPARE(patched.size(), 3);
    QCOMPARE(patched[0].atBaseCommit, std::optional<bool>(true));
    QVERIFY(patched[0].blockers.isEmpty());
    QVERIFY(containsLine(patched[0].steps,
                         QStringLiteral("copy releases/%1 as hard links, delete 2 path").arg(second.version)));
    QVERIFY(containsLine(patched[0].steps, QStringLiteral("extract the patch into %1/releases/%2").arg(m_root, patch.version)));
    QCOMPARE(patched[2].atBaseCommit, std::optional<bool>(false));
    QCOMPARE(patched[2].blockers.size(), 1);
    QVERIFY(patched[2].blockers[0].contains(first.commit.left(12)));
    QVERIFY(patched[2].blockers[0].contains(second.commit.left(12)));

    ReleasePlan rollback = plan(4, m_root);
    rollback.kind = ReleaseKind::Rollback;
    rollback.rollbackTo = first.version;
    const QList<ServerPlan> rolled = dryRun(rollback, m_hosts, {0, 1, 2}, *m_knownHosts);
    QCOMPARE(fleetListing(3), before);
    QCOMPARE(rolled.size(), 3);
    QCOMPARE(rolled[0].rollbackTargetKept, std::optional<bool>(true));
    QVERIFY(rolled[0].blockers.isEmpty());
    QCOMPARE(rolled[0].packageBytes, 0);
    QVERIFY(!containsLine(rolled[0].steps, QStringLiteral("upload")));
    QVERIFY(!containsLine(rolled[0].steps, QStringLiteral("before-release")));
    QVERIFY(containsLine(rolled[0].steps, QStringLiteral("switch current -> releases/") + first.version));
    QCOMPARE(rolled[1].rollbackTargetKept, std::optional<bool>(false));
    QCOMPARE(rolled[1].blockers.size(), 1);
    QVERIFY(rolled[1].blockers[0].contains(first.version));
    QVERIFY(rolled[1].blockers[0].contains(second.version)); // what it has instead
    QCOMPARE(rolled[2].rollbackTargetKept, std::optional<bool>(true));
    QCOMPARE(rolled[2].warnings.size(), 1); // runs it already
}

void TestReleaseDryRun::rollingAndGrayStepsAndAMissingPackage()
{
    ReleasePlan rolling = plan(1, m_root);
    rolling.kind = ReleaseKind::Rolling;
    rolling.batchSize = 2;
    rolling.packagePath = m_dir.filePath(QStringLiteral("not-built.tar.gz"));
    const QList<ServerPlan> rolled = dryRun(rolling, m_hosts, {0, 1, 2}, *m_knownHosts);
    QCOMPARE(rolled.size(), 3);
    QVERIFY(containsLine(rolled[0].steps, QStringLiteral("wait for batch 1 of 2")));
    QVERIFY(containsLine(rolled[1].steps, QStringLiteral("wait for batch 1 of 2")));
    QVERIFY(containsLine(rolled[2].steps, QStringLiteral("wait for batch 2 of 2")));
    QVERIFY(containsLine(rolled[0].steps, QStringLiteral("(size unknown)")));
    QVERIFY(containsLine(rolled[0].warnings, QStringLiteral("not-built.tar.gz")));
    QVERIFY(!rolled[0].blocked());

    ReleasePlan gray = plan(2, m_root);
    gray.kind = ReleaseKind::Gray;
    gray.canaries = {serverName(1)};
    const QList<ServerPlan> grayed = dryRun(gray, m_hosts, {0, 1}, *m_knownHosts);
    QCOMPARE(grayed.size(), 2);
    QVERIFY(containsLine(grayed[0].steps, QStringLiteral("wait until the canaries are promoted")));
    QVERIFY(containsLine(grayed[1].steps, QStringLiteral("canary")));
    QVERIFY(!QFileInfo::exists(m_hosts.hosts[0].backingDir + QStringLiteral("/dryrun")));
}

void TestReleaseDryRun::serversWithZstdGetTheZstdForm()
{
    if (QStandardPaths::findExecutable(QStringLiteral("zstd")).isEmpty())
        QSKIP("zstd is one of the set-up packages; the test hosts need it");
    auto zstd = ZstdPackage::ensure(m_package);
    QVERIFY2(zstd.has_value(), qPrintable(zstd ? QString() : zstd.error().text()));
    ReleasePlan full = plan(1, m_root);
    full.zstdPackagePath = zstd->path;
    full.zstdPackageSha256 = zstd->sha256;
    const QList<ServerPlan> plans = dryRun(full, m_hosts, {0}, *m_knownHosts);
    QCOMPARE(plans.size(), 1);
    QVERIFY(plans[0].hasZstd);
    QCOMPARE(plans[0].packageBytes, QFileInfo(zstd->path).size());
    const QString upload = plans[0].steps.value(2); // after "create" and "lock"
    QVERIFY2(upload.startsWith(QStringLiteral("upload %1 (").arg(QFileInfo(zstd->path).fileName())), qPrintable(upload));
    QVERIFY2(upload.endsWith(QStringLiteral("/.releasedesk/packages/%1.tar.zst").arg(full.version)), qPrintable(upload));
}

void TestReleaseDryRun::hostKeysAndDiskOnPrivateHosts()
{
    const QString dir = m_dir.filePath(QStringLiteral("private"));
    m_privateSets.append(dir);
    TestHostSet set = startPrivateHosts(dir, 2, {QStringLiteral("--tmpfs-size"), QStringLiteral("3m")});
    QCOMPARE(set.hosts.size(), 2);
    const QString knownPath = m_dir.filePath(QStringLiteral("private_known_hosts"));
    KnownHosts knownHosts(knownPath);
    QVERIFY(knownHosts.import(set.knownHosts()));
    const QString root = set.hosts[0].deployRoot + QStringLiteral("/app");

    // Random bytes: a package that is what it claims to be in size.
    auto package = [&](const QString &name, qsizetype bytes) {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return QString();
        QByteArray noise(bytes, Qt::Uninitialized);
        for (qsizetype i = 0; i < noise.size(); ++i)
            noise[i] = char((i * 2654435761u) >> 11);
        file.write(noise);
        return path;
    };
    ReleasePlan tight = plan(1, root);
    tight.packagePath = package(QStringLiteral("tight.tar.gz"), 1536 * 1024);
    const QList<ServerPlan> warned = dryRun(tight, set, {0, 1}, knownHosts);
    QCOMPARE(warned.size(), 2);
    QVERIFY2(warned[0].freeKiB > 1536 && warned[0].freeKiB < 3 * 1536, qPrintable(QString::number(warned[0].freeKiB)));
    QVERIFY(!warned[0].blocked());
    QVERIFY(containsLine(warned[0].warnings, QStringLiteral("three times")));

    ReleasePlan tooBig = plan(2, root);
    tooBig.packagePath = package(QStringLiteral("big.tar.gz"), 4 * 1024 * 1024);
    const QList<ServerPlan> full = dryRun(tooBig, set, {0, 1}, knownHosts);
    QCOMPARE(full.size(), 2);
    QVERIFY(containsLine(full[1].blockers, QStringLiteral("less than the")));

    // host 2 gets new keys: CHANGED, a blocker naming both fingerprints; nothing accepted.
    int exitCode = -1;
    runTestHosts({QStringLiteral("break-hostkey"), QStringLiteral("--dir"), dir, QStringLiteral("--host"),
                  QStringLiteral("2")},
                 &exitCode);
    QCOMPARE(exitCode, 0);
    const QByteArray knownBefore = readAll(knownPath);
    const QList<ServerPlan> changed = dryRun(tight, set, {0, 1}, knownHosts);
    QCOMPARE(readAll(knownPath), knownBefore);
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed[0].hostKey, HostKeyState::Known);
    QCOMPARE(changed[1].hostKey, HostKeyState::Changed);
    QVERIFY(changed[1].reachable);
    QVERIFY(!changed[1].authOk);
    QVERIFY(!changed[1].storedFingerprint.isEmpty());
    QVERIFY(changed[1].fingerprint != changed[1].storedFingerprint);
    QVERIFY(containsLine(changed[1].blockers, QStringLiteral("CHANGED")));
    QVERIFY(containsLine(changed[1].blockers, changed[1].fingerprint));
    QVERIFY(containsLine(changed[1].blockers, changed[1].storedFingerprint));

    // Keys never seen: reported, not trusted, not read; known_hosts stays empty.
    const QString emptyPath = m_dir.filePath(QStringLiteral("empty_known_hosts"));
    KnownHosts empty(emptyPath);
    const QList<ServerPlan> unknown = dryRun(tight, set, {0, 1}, empty);
    QCOMPARE(unknown.size(), 2);
    for (const ServerPlan &server : unknown) {
        QCOMPARE(server.hostKey, HostKeyState::Unknown);
        QVERIFY(server.reachable);
        QVERIFY(!server.authOk);
        QVERIFY(!server.blocked());
        QVERIFY(containsLine(server.warnings, server.fingerprint));
    }
    QVERIFY(readAll(emptyPath).trimmed().isEmpty());
    QVERIFY(!QFileInfo::exists(set.hosts[0].backingDir + QStringLiteral("/app")));
    QVERIFY(!QFileInfo::exists(set.hosts[1].backingDir + QStringLiteral("/app")));

    // A stopped server blocks with its error; the other is still judged.
    runTestHosts({QStringLiteral("kill"), QStringLiteral("--dir"), dir, QStringLiteral("--host"), QStringLiteral("1")},
                 &exitCode);
    QCOMPARE(exitCode, 0);
    const QList<ServerPlan> stopped = dryRun(tight, set, {0, 1}, knownHosts);
    QCOMPARE(stopped.size(), 2);
    QVERIFY(!stopped[0].reachable);
    QVERIFY(!stopped[0].hostKey.has_value());
    QVERIFY(!stopped[0].error.isEmpty());
    QVERIFY(containsLine(stopped[0].blockers, QStringLiteral("Not reachable: ") + stopped[0].error));
    QCOMPARE(stopped[1].hostKey, HostKeyState::Changed);
}

void TestReleaseDryRun::releasesToCleanFollowsTheCleanupCommand()
{
    const QStringList releases{QStringLiteral("shop-v9-20261123100900"), QStringLiteral("shop-v10-20261123101000"),
                               QStringLiteral("shop-v2-20261123100200"), QStringLiteral("shop-v1-20261123100100"),
                               QStringLiteral("hand-made"), QStringLiteral("shop-v3-20261123100300")};
    // Newest by number, not by name; the current and previous are never removed; odd names are left alone.
    QCOMPARE(ReleaseDryRun::releasesToClean(releases, QStringLiteral("shop-v10-20261123101000"),
                                            QStringLiteral("shop-v2-20261123100200"), 3),
             (QStringList{QStringLiteral("shop-v1-20261123100100")}));
    QCOMPARE(ReleaseDryRun::releasesToClean(releases, QStringLiteral("shop-v10-20261123101000"),
                                            QStringLiteral("shop-v9-20261123100900"), 1),
             (QStringList{QStringLiteral("shop-v3-20261123100300"), QStringLiteral("shop-v2-20261123100200"),
                          QStringLiteral("shop-v1-20261123100100")}));
}

QTEST_GUILESS_MAIN(TestReleaseDryRun)
#include "tst_releasedryrun.moc"
