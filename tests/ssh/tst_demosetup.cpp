// The demo a newcomer starts with: a generated repository, three real sshd servers with their own
// deploy roots and an inventory holding them, made twice on one data directory (the second time
// reuses it), and stopped at the end.

#include "demo/demosetup.h"
#include "git/gitlibrary.h"
#include "git/gitmirror.h"
#include "git/gitrefs.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshsession.h"
#include "ssh/sshtargetfactory.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

class TestDemoSetup : public QObject
{
    Q_OBJECT

private slots:
    void cleanupTestCase();
    void makesAReadyInventoryWithLiveServers();
    void startsAgainOnTheSameDataAndStops();

private:
    bool setUp(QString *error);
    bool serversUp() const;

    GitLibrary m_git;
    SshLibrary m_ssh;
    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
    std::unique_ptr<DemoSetup> m_demo; // refers to the workspace
    QString m_serversDir;
};

bool TestDemoSetup::setUp(QString *error)
{
    m_demo.reset();
    auto workspace = Workspace::open(m_dir.path());
    if (!workspace) {
        *error = workspace.error().text();
        return false;
    }
    m_workspace = std::move(*workspace);
    m_demo = std::make_unique<DemoSetup>(*m_workspace, DemoSetup::findTestHostsScript());
    m_serversDir = m_demo->serversDirectory();
    QSignalSpy finished(m_demo.get(), &DemoSetup::finished);
    m_demo->start();
    if (!finished.wait(180000))
        return false;
    *error = finished.first().at(1).toString();
    return finished.first().at(0).toBool();
}

bool TestDemoSetup::serversUp() const
{
    QProcess status;
    status.start(QStringLiteral("bash"), {DemoSetup::findTestHostsScript(), QStringLiteral("status"),
                                         QStringLiteral("--dir"), m_serversDir});
    status.waitForFinished(30000);
    return status.exitCode() == 0;
}

void TestDemoSetup::cleanupTestCase()
{
    m_demo.reset();
}

void TestDemoSetup::makesAReadyInventoryWithLiveServers()
{
    QString error;
    QVERIFY2(setUp(&error), qPrintable(error));
    const InventoryStore *store = &m_workspace->store();
    QVERIFY(serversUp());

    auto projects = store->projects();
    QVERIFY(projects);
    QCOMPARE(projects->size(), 1);
    QCOMPARE(projects->first().name, DemoSetup::projectName());
    auto environments = store->environments();
    QVERIFY(environments);
    QCOMPARE(environments->size(), 2);
    for (const Environment &environment : *environments)
        QCOMPARE(environment.serverIds.size(), DemoSetup::ServerCount);
    auto hooks = store->hookTemplates();
    QVERIFY(hooks && hooks->size() == 2);

    // The mirror holds the sample history: tags, a second branch, commits newest first.
    auto refs = GitRefs::open(GitMirror::pathFor(m_dir.path(), DemoSetup::projectName()));
    QVERIFY(refs);
    auto tags = refs->tags();
    QVERIFY(tags);
    QCOMPARE(tags->size(), 2);
    auto branches = refs->branches();
    QVERIFY(branches && branches->size() == 2);
    auto commits = refs->commits(QStringLiteral("main"), 10);
    QVERIFY(commits);
    QCOMPARE(commits->size(), 4);
    QCOMPARE(commits->last().subject, QStringLiteral("A first shop page"));

    // Every server takes a login with the demo's key and host keys, as a release will.
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("known_hosts")));
    auto servers = store->servers();
    QVERIFY(servers);
    QCOMPARE(servers->size(), DemoSetup::ServerCount);
    for (const Server &server : *servers) {
        auto target = SshTargetFactory::forServer(*store, nullptr, server);
        QVERIFY2(target, qPrintable(target ? QString() : target.error().text()));
        auto connected = SshSession::connect(std::move(*target), knownHosts, HostKeyPrompt());
        QVERIFY2(connected, qPrintable(connected ? QString() : connected.error().text()));
    }
}

void TestDemoSetup::startsAgainOnTheSameDataAndStops()
{
    QVERIFY(m_demo);
    m_demo->stop();
    QVERIFY(!serversUp());
    QString error;
    QVERIFY2(setUp(&error), qPrintable(error));
    const InventoryStore *store = &m_workspace->store();
    QVERIFY(serversUp());
    auto servers = store->servers();
    QVERIFY(servers);
    QCOMPARE(servers->size(), DemoSetup::ServerCount);
    auto projects = store->projects();
    QVERIFY(projects && projects->size() == 1);
    m_demo.reset();
    QVERIFY(!serversUp());
}

QTEST_GUILESS_MAIN(TestDemoSetup)
#include "tst_demosetup.moc"
