#include "release/remotelayout.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshsession.h"
#include "testhosts.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <unistd.h>
#include <thread>

using namespace rd;
using namespace rd::test;

namespace {

// The link's own text, as readlink prints it: relative links must stay relative.
QString linkText(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QString::fromUtf8(buffer, n);
}

struct Ran
{
    int exitStatus = -1;
    QStringList out;
    QStringList err;
};

} // namespace

// The remote layout on a real server: a deploy root with a space, a quote and $(...) in its name
// proves every path reaches the remote shell quoted.
class TestRemoteLayout : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void unpackLinksSharedPathsAndWritesManifest();
    void switchIsAtomicAndRemembersPrevious();
    void existingSharedFilesWin();
    void damagedPackagesLeaveNothing();
    void switchToMissingReleaseChangesNothing();
    void switchOnSignalWaitsForGo();
    void patchChecksThePackageOnItsInput();
    void cleanupKeepsNewestCurrentAndPrevious();
    void stateReadsBackTheServer();
    void lockIsExclusiveAndBreaksOnlyWhenStale();
    void cleanupTestCase();

private:
    Ran run(const QString &command);
    QString makePackage(const QString &name, const QByteArray &envContent);
    void deploy(const QString &version, const QByteArray &envContent = "APP_ENV=prod\n");
    QString onServer(const QString &relative) const { return m_backingRoot + u'/' + relative; }

    SshLibrary m_library;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
    std::unique_ptr<SshSession> m_session;
    std::unique_ptr<RemoteLayout> m_layout;
    QString m_backingRoot;
    const QStringList m_shared{QStringLiteral("storage/logs"), QStringLiteral(".env"), QStringLiteral("data/uploads")};
};

void TestRemoteLayout::initTestCase()
{
    QVERIFY(m_library.ok());
    m_hosts = fixtureHosts();
    QVERIFY(m_hosts.hosts.size() >= 5);
    const TestHost &host = m_hosts.hosts[4];
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(m_hosts.knownHosts()));
    auto session = SshSession::connect(keyFileTarget(m_hosts, host), *m_knownHosts, {});
    QVERIFY2(session, session ? "" : qPrintable(session.error().text()));
    m_session = std::move(*session);
    const QString name = QStringLiteral("shop it's $(touch pwned) `id`");
    m_layout = std::make_unique<RemoteLayout>(host.deployRoot + u'/' + name);
    m_backingRoot = host.backingDir + u'/' + name;
    QDir(m_backingRoot).removeRecursively();
    QCOMPARE(run(m_layout->prepareCommand()).exitStatus, 0);
    QVERIFY(QFileInfo(onServer(QStringLiteral("releases"))).isDir());
    QVERIFY(QFileInfo(onServer(QStringLiteral(".releasedesk/packages"))).isDir());
}

void TestRemoteLayout::cleanupTestCase()
{
    removeTestTree(m_backingRoot);
    QVERIFY(!QFile::exists(m_hosts.hosts[4].backingDir + QStringLiteral("/pwned")));
    QVERIFY(!QFile::exists(QDir::homePath() + QStringLiteral("/pwned")));
}

Ran TestRemoteLayout::run(const QString &command)
{
    Ran ran;
    ExecOptions options;
    options.onStdout = [&](const QString &line) { ran.out.append(line); };
    options.onStderr = [&](const QString &line) { ran.err.append(line); };
    auto result = m_session->exec(command, options);
    if (result)
        ran.exitStatus = result->exitStatus;
    return ran;
}

QString TestRemoteLayout::makePackage(const QString &name, const QByteArray &envContent)
{
    const QString tree = m_dir.filePath(name + QStringLiteral(".tree"));
    QDir(tree).removeRecursively();
    QDir().mkpath(tree + QStringLiteral("/bin"));
    QDir().mkpath(tree + QStringLiteral("/storage/logs"));
    auto write = [&](const QString &path, const QByteArray &content) {
        QFile file(tree + u'/' + path);
        file.open(QIODevice::WriteOnly);
        file.write(content);
    };
    write(QStringLiteral("index.html"), "<h1>" + name.toUtf8() + "</h1>\n");
    write(QStringLiteral("bin/run.sh"), "#!/bin/sh\necho run\n");
    QFile::setPermissions(tree + QStringLiteral("/bin/run.sh"), QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                                                     | QFileDevice::ExeOwner | QFileDevice::ReadOther
                                                                     | QFileDevice::ExeOther);
    write(QStringLiteral("storage/logs/.keep"), "");
    write(QStringLiteral(".env"), envContent);
    QFile::link(QStringLiteral("index.html"), tree + QStringLiteral("/home.html"));
    const QString package = m_dir.filePath(name + QStringLiteral(".tar.gz"));
    if (QProcess::execute(QStringLiteral("tar"), {QStringLiteral("-czf"), package, QStringLiteral("-C"), tree,
                                                  QStringLiteral(".")})
        != 0)
        return {};
    return package;
}

void TestRemoteLayout::deploy(const QString &version, const QByteArray &envContent)
{
    const QString package = makePackage(version, envContent);
    QVERIFY(!package.isEmpty());
    auto hash = m_session->upload(package, m_layout->packagePath(version));
    QVERIFY2(hash, hash ? "" : qPrintable(hash.error().text()));
    const QByteArray manifest = "{\"version\": \"" + version.toUtf8() + "\", \"note\": \"it's $(id) %1 %5\"}";
    const Ran unpacked = run(m_layout->unpackCommand(version, QString::fromLatin1(hash->toHex()), m_shared, manifest));
    QVERIFY2(unpacked.exitStatus == 0, qPrintable(unpacked.err.join(u'\n')));
}

void TestRemoteLayout::unpackLinksSharedPathsAndWritesManifest()
{
    deploy(QStringLiteral("shop-v1-20261123100000"));
    const QString release = QStringLiteral("releases/shop-v1-20261123100000/");
    QVERIFY(QFileInfo(onServer(release + QStringLiteral("index.html"))).isFile());
    QVERIFY(QFileInfo(onServer(release + QStringLiteral("bin/run.sh"))).permissions() & QFileDevice::ExeOwner);
    QCOMPARE(QFileInfo(onServer(release + QStringLiteral("home.html"))).symLinkTarget(),
             onServer(release + QStringLiteral("index.html")));
    // Shared paths are relative links into <root>/shared, seeded from the first release.
    QCOMPARE(QFile::symLinkTarget(onServer(release + QStringLiteral("storage/logs"))),
             onServer(QStringLiteral("shared/storage/logs")));
    QCOMPARE(linkText(onServer(release + QStringLiteral("storage/logs"))),
             QStringLiteral("../../../shared/storage/logs"));
    QCOMPARE(linkText(onServer(release + QStringLiteral(".env"))), QStringLiteral("../../shared/.env"));
    QVERIFY(QFileInfo::exists(onServer(QStringLiteral("shared/storage/logs/.keep"))));
    QCOMPARE(readAll(onServer(QStringLiteral("shared/.env"))), QByteArray("APP_ENV=prod\n"));
    QVERIFY(QFileInfo(onServer(release + QStringLiteral(".env"))).isSymLink());
    QVERIFY(QFileInfo(onServer(QStringLiteral("shared/data/uploads"))).isDir());
    QVERIFY(QFileInfo(onServer(release + QStringLiteral("data/uploads"))).isSymLink());
    QCOMPARE(readAll(onServer(release + QStringLiteral(".releasedesk.json"))),
             QByteArray("{\"version\": \"shop-v1-20261123100000\", \"note\": \"it's $(id) %1 %5\"}\n"));
    QVERIFY(QDir(onServer(QStringLiteral("releases"))).entryList(QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot)
                == QStringList{QStringLiteral("shop-v1-20261123100000")});
    // Unpacking a complete release again changes nothing.
    QCOMPARE(run(m_layout->unpackCommand(QStringLiteral("shop-v1-20261123100000"), QStringLiteral("0"), m_shared, "{}"))
                 .exitStatus,
             0);
}

void TestRemoteLayout::switchIsAtomicAndRemembersPrevious()
{
    QCOMPARE(run(m_layout->switchCommand(QStringLiteral("shop-v1-20261123100000"))).exitStatus, 0);
    QCOMPARE(linkText(onServer(QStringLiteral("current"))), QStringLiteral("releases/shop-v1-20261123100000"));
    deploy(QStringLiteral("shop-v2-20261123110000"));

    // While the server switches back and forth, `current` always resolves to a complete release.
    std::atomic_bool stop = false;
    std::atomic_int missing = 0;
    std::atomic_int looks = 0;
    std::thread watcher([&] {
        while (!stop) {
            if (!QFileInfo::exists(onServer(QStringLiteral("current/index.html"))))
                ++missing;
            ++looks;
        }
    });
    const QString loop = QStringLiteral("for i in $(seq 100); do\n") + m_layout->switchCommand(QStringLiteral("shop-v2-20261123110000"))
                         + m_layout->switchCommand(QStringLiteral("shop-v1-20261123100000")) + QStringLiteral("done\n");
    const Ran flipped = run(loop + m_layout->switchCommand(QStringLiteral("shop-v2-20261123110000")));
    stop = true;
    watcher.join();
    QCOMPARE(flipped.exitStatus, 0);
    QVERIFY(looks > 100);
    QCOMPARE(missing.load(), 0);
    QCOMPARE(linkText(onServer(QStringLiteral("current"))), QStringLiteral("releases/shop-v2-20261123110000"));
    QCOMPARE(readAll(onServer(QStringLiteral(".releasedesk/previous"))).trimmed(), QByteArray("shop-v1-20261123100000"));
    QVERIFY(QDir(m_backingRoot).entryList({QStringLiteral(".current.*")}, QDir::AllEntries | QDir::Hidden | QDir::System).isEmpty());
}

void TestRemoteLayout::existingSharedFilesWin()
{
    deploy(QStringLiteral("shop-v3-20261123120000"), "APP_ENV=from-the-package\n");
    QCOMPARE(readAll(onServer(QStringLiteral("shared/.env"))), QByteArray("APP_ENV=prod\n"));
    QCOMPARE(readAll(onServer(QStringLiteral("releases/shop-v3-20261123120000/.env"))), QByteArray("APP_ENV=prod\n"));
}

void TestRemoteLayout::damagedPackagesLeaveNothing()
{
    const QString version = QStringLiteral("shop-v4-20261123130000");
    const QString package = makePackage(version, "x");
    auto hash = m_session->upload(package, m_layout->packagePath(version));
    QVERIFY(hash);
    const Ran wrongSum = run(m_layout->unpackCommand(version, QString(64, u'0'), m_shared, "{}"));
    QCOMPARE(wrongSum.exitStatus, int(RemoteLayout::PackageDamaged));
    QVERIFY(wrongSum.err.join(u' ').contains(QStringLiteral("sha256")));

    // A truncated package whose sha256 matches what arrived: tar fails half-way.
    QFile truncated(m_dir.filePath(QStringLiteral("truncated.tar.gz")));
    QVERIFY(truncated.open(QIODevice::WriteOnly));
    truncated.write(readAll(package).left(200));
    truncated.close();
    auto truncatedHash = m_session->upload(truncated.fileName(), m_layout->packagePath(version));
    QVERIFY(truncatedHash);
    const Ran broken = run(m_layout->unpackCommand(version, QString::fromLatin1(truncatedHash->toHex()), m_shared, "{}"));
    QCOMPARE(broken.exitStatus, int(RemoteLayout::UnpackFailed));
    QVERIFY(!QFileInfo::exists(onServer(QStringLiteral("releases/") + version)));
    QVERIFY(QDir(onServer(QStringLiteral("releases"))).entryList({QStringLiteral(".*.partial")}, QDir::Hidden | QDir::AllEntries).isEmpty());
}

void TestRemoteLayout::switchToMissingReleaseChangesNothing()
{
    const QString before = linkText(onServer(QStringLiteral("current")));
    const Ran missing = run(m_layout->switchCommand(QStringLiteral("shop-v9-20261123190000")));
    QCOMPARE(missing.exitStatus, int(RemoteLayout::ReleaseMissing));
    QVERIFY(missing.err.join(u' ').contains(QStringLiteral("not on this server")));
    QCOMPARE(linkText(onServer(QStringLiteral("current"))), before);
}

void TestRemoteLayout::switchOnSignalWaitsForGo()
{
    const QString before = linkText(onServer(QStringLiteral("current")));
    const QString target = QStringLiteral("releases/shop-v1-20261123100000");
    QVERIFY(!before.isEmpty() && before != target);
    const QString command =
        m_layout->switchCommand(QStringLiteral("shop-v1-20261123100000"), RemoteLayout::SwitchStart::OnSignal);
    auto leftoverLinks = [&] {
        return QDir(m_backingRoot).entryList({QStringLiteral(".current.*")}, QDir::AllEntries | QDir::Hidden | QDir::System);
    };

    // `signal` is sent once the server said it is ready; before that, and while it waits, `current`
    // is untouched and the new link already made.
    auto switchWith = [&](const QByteArray &signal, QStringList &out, QString &currentWhileWaiting,
                          QStringList &linksWhileWaiting) {
        ExecOptions options;
        options.onStdout = [&](const QString &line) { out.append(line); };
        bool sent = false;
        options.input = [&]() -> std::optional<QByteArray> {
            if (sent)
                return QByteArray();
            if (!out.contains(RemoteLayout::ReadyLine))
                return std::nullopt;
            currentWhileWaiting = linkText(onServer(QStringLiteral("current")));
            linksWhileWaiting = leftoverLinks();
            sent = true;
            return signal;
        };
        auto result = m_session->exec(command, options);
        return result ? result->exitStatus : -1;
    };

    // Anything but "go" (here the input simply ends, as when the client is gone) switches nothing.
    QStringList out;
    QString waiting;
    QStringList links;
    QCOMPARE(switchWith(QByteArray(), out, waiting, links), int(RemoteLayout::NotSwitched));
    QCOMPARE(waiting, before);
    QCOMPARE(links.size(), 1);
    QVERIFY(!out.contains(RemoteLayout::SwitchedLine));
    QCOMPARE(linkText(onServer(QStringLiteral("current"))), before);
    QVERIFY(leftoverLinks().isEmpty());

    // Each "wait" before the "go" refreshes the deploy lock, as a heartbeat would: a long wait at the
    // gate does not make the lock look stale.
    const QString owner = QStringLiteral("task 7 by ops");
    QCOMPARE(run(m_layout->lockCommand(owner)).exitStatus, 0);
    QFile ownerFile(onServer(QStringLiteral(".releasedesk/lock/owner")));
    const QDateTime anHourAgo = QDateTime::currentDateTimeUtc().addSecs(-3600);
    QVERIFY(ownerFile.open(QIODevice::ReadOnly) && ownerFile.setFileTime(anHourAgo, QFileDevice::FileModificationTime));
    ownerFile.close();
    out.clear();
    QCOMPARE(switchWith(QByteArray(RemoteLayout::WaitLine.data()) + "\ngo\n", out, waiting, links), 0);
    QVERIFY(QFileInfo(ownerFile).lastModified().toUTC() > anHourAgo.addSecs(3000));
    QCOMPARE(run(m_layout->unlockCommand(owner)).exitStatus, 0);
    QCOMPARE(waiting, before);
    QCOMPARE(links.size(), 1);
    QCOMPARE(out, (QStringList{RemoteLayout::ReadyLine, RemoteLayout::SwitchedLine}));
    QCOMPARE(linkText(onServer(QStringLiteral("current"))), target);
    QCOMPARE(readAll(onServer(QStringLiteral(".releasedesk/previous"))).trimmed(), before.section(u'/', 1).toUtf8());
    QVERIFY(leftoverLinks().isEmpty());
}

void TestRemoteLayout::patchChecksThePackageOnItsInput()
{
    const QString version = QStringLiteral("shop-v7-20261123170000");
    const QString before = linkText(onServer(QStringLiteral("current")));
    const QByteArray package = readAll(makePackage(version, "patched"));
    QVERIFY(!package.isEmpty());
    auto patch = [&](const QString &sum, const QString &base) {
        Ran ran;
        ExecOptions options;
        options.onStderr = [&](const QString &line) { ran.err.append(line); };
        bool sent = false;
        options.input = [&]() -> std::optional<QByteArray> { return std::exchange(sent, true) ? QByteArray() : package; };
        auto result = m_session->exec(m_layout->patchCommand(version, base, {}, sum, package.size(), {}, m_shared, "{}"),
                                      options);
        if (result)
            ran.exitStatus = result->exitStatus;
        return ran;
    };

    const Ran damaged = patch(QString(64, u'0'), QString());
    QCOMPARE(damaged.exitStatus, int(RemoteLayout::PackageDamaged));
    QVERIFY(damaged.err.join(u' ').contains(QStringLiteral("sha256")));

    const QString sum = QString::fromLatin1(QCryptographicHash::hash(package, QCryptographicHash::Sha256).toHex());
    const Ran offBase = patch(sum, QStringLiteral("abc123"));
    QCOMPARE(offBase.exitStatus, int(RemoteLayout::BaseMismatch));
    QVERIFY2(offBase.err.join(u' ').contains(QStringLiteral("not the patch's base abc123")), qPrintable(offBase.err.join(u' ')));
    // What arrived is the package, whole, where the packages are kept.
    QCOMPARE(readAll(onServer(QStringLiteral(".releasedesk/packages/") + version + QStringLiteral(".tar.gz"))), package);

    QVERIFY(!QFileInfo::exists(onServer(QStringLiteral("releases/") + version)));
    QCOMPARE(linkText(onServer(QStringLiteral("current"))), before);
    QVERIFY(QFile::remove(onServer(QStringLiteral(".releasedesk/packages/") + version + QStringLiteral(".tar.gz"))));
}

void TestRemoteLayout::cleanupKeepsNewestCurrentAndPrevious()
{
    deploy(QStringLiteral("shop-v5-20261123140000"));
    deploy(QStringLiteral("shop-v6-20261123150000"));
    // v10 is newer than v6 by number, though it sorts before it by name.
    deploy(QStringLiteral("shop-v10-20261123160000"));
    // Directories not named like a release are never removed.
    const QStringList foreign{QStringLiteral("manual backup"), QStringLiteral("shop-vX-20261123100000"),
                              QStringLiteral("shop-v0-2026")};
    for (const QString &name : foreign)
        QVERIFY(QDir().mkpath(onServer(QStringLiteral("releases/") + name)));
    // What an unpack killed half-way leaves goes.
    const QString partial = onServer(QStringLiteral("releases/.shop-v11-20261123170000.partial"));
    QVERIFY(QDir().mkpath(partial + QStringLiteral("/public")));
    // current = v2, previous = v1 (the oldest): both must survive keep 2.
    QCOMPARE(run(m_layout->switchCommand(QStringLiteral("shop-v1-20261123100000"))).exitStatus, 0);
    QCOMPARE(run(m_layout->switchCommand(QStringLiteral("shop-v2-20261123110000"))).exitStatus, 0);
    const Ran cleaned = run(m_layout->cleanupCommand(2));
    QCOMPARE(cleaned.exitStatus, 0);
    QStringList left = QDir(onServer(QStringLiteral("releases"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    left.sort();
    QStringList expected = foreign + QStringList{QStringLiteral("shop-v1-20261123100000"),
                                                 QStringLiteral("shop-v10-20261123160000"),
                                                 QStringLiteral("shop-v2-20261123110000"),
                                                 QStringLiteral("shop-v6-20261123150000")};
    expected.sort();
    QCOMPARE(left, expected);
    QVERIFY(!QFileInfo::exists(partial));
    QStringList removed = cleaned.out;
    removed.sort();
    QCOMPARE(removed, (QStringList{QStringLiteral("removed shop-v3-20261123120000"),
                                   QStringLiteral("removed shop-v5-20261123140000")}));
    QVERIFY(!QFileInfo::exists(onServer(QStringLiteral(".releasedesk/packages/shop-v3-20261123120000.tar.gz"))));
    QVERIFY(QFileInfo::exists(onServer(QStringLiteral(".releasedesk/packages/shop-v10-20261123160000.tar.gz"))));
    QVERIFY(QFileInfo::exists(onServer(QStringLiteral("current/index.html"))));
    for (const QString &name : foreign)
        QVERIFY(QDir(onServer(QStringLiteral("releases/") + name)).removeRecursively());
}

void TestRemoteLayout::stateReadsBackTheServer()
{
    const RemoteState state = RemoteLayout::parseState(run(m_layout->stateCommand()).out);
    QVERIFY(state.rootExists);
    QCOMPARE(state.current, QStringLiteral("shop-v2-20261123110000"));
    QCOMPARE(state.previous, QStringLiteral("shop-v1-20261123100000"));
    QCOMPARE(state.releases.size(), 4);
    QVERIFY(state.freeKiB > 0);
    QVERIFY(state.lockHolder.isEmpty());

    const RemoteState absent = RemoteLayout::parseState(
        run(RemoteLayout(m_layout->root() + QStringLiteral("/nowhere")).stateCommand()).out);
    QVERIFY(!absent.rootExists);
    QVERIFY(absent.current.isEmpty());
}

void TestRemoteLayout::lockIsExclusiveAndBreaksOnlyWhenStale()
{
    const QString alice = QStringLiteral("alice@desk-1 pid 100 task 7 %1");
    const QString bob = QStringLiteral("bob@desk-2 pid 200 task 8");
    QCOMPARE(run(m_layout->lockCommand(alice)).exitStatus, 0);
    const Ran refused = run(m_layout->lockCommand(bob));
    QCOMPARE(refused.exitStatus, int(RemoteLayout::LockHeld));
    QVERIFY2(refused.err.join(u' ').contains(alice), qPrintable(refused.err.join(u' ')));
    const RemoteState locked = RemoteLayout::parseState(run(m_layout->stateCommand()).out);
    QCOMPARE(locked.lockHolder, alice);
    QVERIFY(locked.lockAgeSeconds >= 0);

    QCOMPARE(run(m_layout->unlockCommand(bob)).exitStatus, 0); // not bob's: stays
    QCOMPARE(run(m_layout->lockCommand(bob)).exitStatus, int(RemoteLayout::LockHeld));
    // The same owner again (its task resumed by a new process) gets its own lock back.
    QCOMPARE(run(m_layout->lockCommand(alice)).exitStatus, 0);
    QCOMPARE(RemoteLayout::parseState(run(m_layout->stateCommand()).out).lockHolder, alice);
    QCOMPARE(run(m_layout->heartbeatCommand(alice)).exitStatus, 0);
    QCOMPARE(run(m_layout->heartbeatCommand(bob)).exitStatus, int(RemoteLayout::LockLost));
    QCOMPARE(run(m_layout->breakStaleLockCommand(3600)).exitStatus, int(RemoteLayout::LockNotStale));
    QCOMPARE(RemoteLayout::parseState(run(m_layout->stateCommand()).out).lockHolder, alice); // put back
    QCOMPARE(run(m_layout->breakStaleLockCommand(0)).exitStatus, 0);
    QCOMPARE(run(m_layout->lockCommand(bob)).exitStatus, 0);
    QCOMPARE(run(m_layout->heartbeatCommand(alice)).exitStatus, int(RemoteLayout::LockLost));
    QCOMPARE(run(m_layout->unlockCommand(bob)).exitStatus, 0);
    QVERIFY(!QFileInfo::exists(onServer(QStringLiteral(".releasedesk/lock"))));
}

QTEST_GUILESS_MAIN(TestRemoteLayout)
#include "tst_remotelayout.moc"
