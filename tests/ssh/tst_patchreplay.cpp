#include "git/gitlibrary.h"
#include "git/gitrefs.h"
#include "git/packagebuilder.h"
#include "git/packagestore.h"
#include "git/patchpackage.h"
#include "git/releaselisting.h"
#include "release/remotelayout.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshsession.h"

#include "gitfixture.h"
#include "testhosts.h"
#include "torturehistory.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <clocale>
#include <cstdio>

using namespace rd;
using namespace rd::test;

// Proof by difference: each commit of a history goes out once as a patch on top of the release of
// the commit before it, and once as a full package unpacked beside it, on a real server. The two
// releases must be equal path for path (type, mode, symlink target, content), the live release the
// patch hard-linked must not change, and <root>/shared must not change by a byte. Histories: a
// generated one that draws every change kind from a fixed seed, and this project's own.
class TestPatchReplay : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void tortureHistory_data();
    void tortureHistory();
    void projectHistory();
    void cleanupTestCase();

private:
    struct Ran
    {
        int exitStatus = -1;
        QStringList err;
    };
    Ran run(const QString &command, const QByteArray &input = {});
    QString onServer(const QString &relative) const { return m_backingRoot + u'/' + relative; }
    // Replays consecutive pairs of `commits`; the first failure names the pair and the first
    // differing path.
    void replay(const GitRefs &refs, const QStringList &commits, const QStringList &sharedPaths);
    StoredPackage full(const GitRefs &refs, PackageStore &store, const QString &commit);
    // What the patch reads back from the live release: the commit it runs.
    static QByteArray manifestOf(const QString &commit) { return "{\"commit\":\"" + commit.toLatin1() + "\"}"; }

    GitLibrary m_git;
    SshLibrary m_ssh;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
    std::unique_ptr<SshSession> m_session;
    std::unique_ptr<RemoteLayout> m_layout;
    QString m_backingRoot;
    QString m_torture; // the generated repository
    QStringList m_tortureCommits;
};

void TestPatchReplay::initTestCase()
{
    QVERIFY(m_git.ok());
    QVERIFY(m_ssh.ok());
    QVERIFY(m_dir.isValid());
    m_hosts = fixtureHosts();
    QVERIFY(m_hosts.hosts.size() >= 4);
    const TestHost &host = m_hosts.hosts[3];
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(m_hosts.knownHosts()));
    auto session = SshSession::connect(keyFileTarget(m_hosts, host), *m_knownHosts, {});
    QVERIFY2(session, session ? "" : qPrintable(session.error().text()));
    m_session = std::move(*session);
    // A root of this test's own on the shared fixture host.
    const QString name = QStringLiteral("patch replay %1").arg(QCoreApplication::applicationPid());
    m_layout = std::make_unique<RemoteLayout>(host.deployRoot + u'/' + name);
    m_backingRoot = host.backingDir + u'/' + name;

    m_torture = m_dir.filePath(QStringLiteral("torture"));
    GitFixture repo(m_torture);
    QVERIFY(repo.init());
    TortureHistory history(repo, 20261207);
    m_tortureCommits = history.make(210);
    QVERIFY2(m_tortureCommits.size() == 210, qPrintable(repo.lastError()));
}

void TestPatchReplay::cleanupTestCase()
{
    removeTestTree(m_backingRoot);
    std::setlocale(LC_ALL, "");
}

TestPatchReplay::Ran TestPatchReplay::run(const QString &command, const QByteArray &input)
{
    Ran ran;
    ExecOptions options;
    options.onStderr = [&](const QString &line) { ran.err.append(line); };
    bool sent = input.isEmpty();
    options.input = [&]() -> std::optional<QByteArray> { return std::exchange(sent, true) ? QByteArray() : input; };
    auto result = m_session->exec(command, options);
    if (result)
        ran.exitStatus = result->exitStatus;
    else
        ran.err.append(result.error().text());
    return ran;
}

StoredPackage TestPatchReplay::full(const GitRefs &refs, PackageStore &store, const QString &commit)
{
    PackageRequest request;
    request.project = QStringLiteral("shop");
    request.ref = commit;
    auto built = PackageBuilder(refs, store, m_dir.filePath(QStringLiteral("work"))).build(request);
    if (!built)
        qWarning("full package of %s: %s", qPrintable(commit), qPrintable(built.error().text()));
    return built ? built->package : StoredPackage{};
}

void TestPatchReplay::replay(const GitRefs &refs, const QStringList &commits, const QStringList &sharedPaths)
{
    QDir(m_backingRoot).removeRecursively();
    QCOMPARE(run(m_layout->prepareCommand()).exitStatus, 0);
    const QString storeDir = m_dir.filePath(QStringLiteral("packages"));
    auto version = [](int number) { return QStringLiteral("shop-v%1-20261207000000").arg(number); };
    // The full package of `commit`, laid where an upload puts it (uploads have tests of their own);
    // the command that unpacks it as release `as`.
    auto unpackCommand = [&](PackageStore &store, const QString &commit, const QString &as) -> QString {
        const StoredPackage package = full(refs, store, commit);
        const QString uploaded = onServer(QStringLiteral(".releasedesk/packages/") + as + QStringLiteral(".tar.gz"));
        if (package.path.isEmpty() || !QFile::copy(package.path, uploaded))
            return {};
        return m_layout->unpackCommand(as, package.sha256, sharedPaths, manifestOf(commit));
    };
    // Switched by hand on the server's disk: the switch has tests of its own, and each command
    // costs the replay a round trip.
    auto switchTo = [&](const QString &release) {
        const QString link = onServer(QStringLiteral("current.new"));
        return QFile::link(QStringLiteral("releases/") + release, link) &&
               ::rename(QFile::encodeName(link).constData(), QFile::encodeName(onServer(QStringLiteral("current"))).constData()) == 0;
    };
    {
        PackageStore store(storeDir);
        const QString first = unpackCommand(store, commits.first(), version(1));
        QVERIFY(!first.isEmpty());
        const Ran unpacked = run(first);
        QVERIFY2(unpacked.exitStatus == 0, qPrintable(unpacked.err.join(u'\n')));
        QVERIFY(switchTo(version(1)));
    }
    const QStringList manifest{QStringLiteral(".releasedesk.json")};

    for (int i = 1; i < commits.size(); ++i) {
        const QString pair = QStringLiteral("%1..%2").arg(commits[i - 1].left(12), commits[i].left(12));
        QDir(storeDir).removeRecursively(); // each package once: the history's large files add up
        PackageStore store(storeDir);
        PatchRequest request;
        request.project = QStringLiteral("shop");
        request.baseRef = commits[i - 1];
        request.targetRef = commits[i];
        request.sharedPaths = sharedPaths;
        auto patch = PatchPackage::build(refs, store, request);
        QVERIFY2(patch, qPrintable(pair + u' ' + (patch ? QString() : patch.error().text())));
        QVERIFY2(RemoteLayout::checkPatchPaths(patch->package.manifest.deleted), qPrintable(pair));
        QFile package(patch->package.path);
        QVERIFY(package.open(QIODevice::ReadOnly));
        const QByteArray bytes = package.readAll();

        // The server checks its live release against the listing the base commit gives.
        auto listing = ReleaseListing::digest(refs.repository(), commits[i - 1], {}, sharedPaths);
        QVERIFY2(listing, qPrintable(pair + u' ' + (listing ? QString() : listing.error().text())));
        const QString base = version(2 * i - 1);
        const QString patched = version(2 * i + 1);
        const QString unpacked = version(2 * i);
        const auto baseBefore = snapshot(onServer(QStringLiteral("releases/") + base));
        const auto sharedBefore = snapshot(onServer(QStringLiteral("shared")));
        const QString unpack = unpackCommand(store, commits[i], unpacked);
        QVERIFY2(!unpack.isEmpty(), qPrintable(pair));
        // One round trip: the patch on the live release, then the full package beside it.
        const Ran applied = run(QStringLiteral("(\n%1) || exit $?\n(\n%2)\n")
                                    .arg(m_layout->patchCommand(patched, commits[i - 1], *listing, patch->package.sha256,
                                                                bytes.size(), patch->package.manifest.deleted,
                                                                sharedPaths, manifestOf(commits[i])),
                                         unpack),
                                bytes);
        QVERIFY2(applied.exitStatus == 0, qPrintable(pair + QStringLiteral(": ") + applied.err.join(u'\n')));

        const auto byPatch = snapshot(onServer(QStringLiteral("releases/") + patched), manifest);
        const auto byFull = snapshot(onServer(QStringLiteral("releases/") + unpacked), manifest);
        if (byPatch != byFull) {
            QString first;
            for (auto it = byFull.cbegin(); it != byFull.cend() && first.isEmpty(); ++it)
                if (byPatch.value(it.key()) != it.value())
                    first = QStringLiteral("%1: full \"%2\", patch \"%3\"").arg(it.key(), it.value(), byPatch.value(it.key()));
            for (auto it = byPatch.cbegin(); it != byPatch.cend() && first.isEmpty(); ++it)
                if (!byFull.contains(it.key()))
                    first = QStringLiteral("%1: only in the patched release (%2)").arg(it.key(), it.value());
            QFAIL(qPrintable(QStringLiteral("%1 differs at %2").arg(pair, first)));
        }
        QVERIFY2(snapshot(onServer(QStringLiteral("releases/") + base)) == baseBefore,
                 qPrintable(pair + QStringLiteral(": the patch changed the live release it copied")));
        QVERIFY2(snapshot(onServer(QStringLiteral("shared"))) == sharedBefore,
                 qPrintable(pair + QStringLiteral(": the patch changed <root>/shared")));

        // The patched release goes live; the one before it and the full one are not needed again.
        QVERIFY(switchTo(patched));
        QVERIFY(QDir(onServer(QStringLiteral("releases/") + base)).removeRecursively());
        QVERIFY(QDir(onServer(QStringLiteral("releases/") + unpacked)).removeRecursively());
        QDir(onServer(QStringLiteral(".releasedesk/packages"))).removeRecursively();
        QVERIFY(QDir().mkpath(onServer(QStringLiteral(".releasedesk/packages"))));
    }
}

void TestPatchReplay::tortureHistory_data()
{
    QTest::addColumn<QByteArray>("locale");
    QTest::newRow("UTF-8 locale") << QByteArrayLiteral("C.UTF-8");
    // What cron, systemd units and containers run with: names are bytes all the same.
    QTest::newRow("C locale") << QByteArrayLiteral("C");
}

void TestPatchReplay::tortureHistory()
{
    QFETCH(QByteArray, locale);
    QVERIFY(std::setlocale(LC_ALL, locale.constData()));
    auto refs = GitRefs::open(m_torture);
    QVERIFY2(refs, refs ? "" : qPrintable(refs.error().text()));
    replay(*refs, m_tortureCommits, TortureHistory::sharedPaths());
}

void TestPatchReplay::projectHistory()
{
    // This project's own history, when the checkout has one: its last 60 commits on the first parent.
    GitFixture source(QStringLiteral(RELEASEDESK_SOURCE_DIR));
    const auto log = source.git({QStringLiteral("rev-list"), QStringLiteral("--first-parent"), QStringLiteral("--reverse"),
                                 QStringLiteral("--max-count=60"), QStringLiteral("HEAD")});
    if (!log || log->trimmed().split('\n').size() < 2)
        QSKIP("The checkout has no git history to replay.");
    QStringList commits;
    for (const QByteArray &line : log->trimmed().split('\n'))
        commits.append(QString::fromLatin1(line));
    auto refs = GitRefs::open(QStringLiteral(RELEASEDESK_SOURCE_DIR));
    QVERIFY2(refs, refs ? "" : qPrintable(refs.error().text()));
    replay(*refs, commits, {QStringLiteral("tests/data")});
}

QTEST_GUILESS_MAIN(TestPatchReplay)
#include "tst_patchreplay.moc"
