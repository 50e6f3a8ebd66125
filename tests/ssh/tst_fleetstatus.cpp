#include "cli/clicontext.h"
#include "cli/fleetcommands.h"
#include "common/datadir.h"
#include "release/fleetstatus.h"
#include "release/releaseengine.h"
#include "release/versionid.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "testhosts.h"
#include "tinypackage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <cstdio>
#include <unistd.h>

using namespace rd;
using namespace rd::test;

namespace {

QString serverName(int i) { return QStringLiteral("web-%1").arg(i + 1, 2, 10, QLatin1Char('0')); }

struct VerbRun
{
    CommandResult<> result;
    QByteArray out;
    int exitCode() const { return result ? 0 : int(result.error().code); }
};

} // namespace

// Fleet status against real sshd hosts: releases made by the real engine, then read back.
class TestFleetStatus : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void readsEveryServerInInventoryOrderAndMarksDrift();
    void explicitExpectedVersionAndLocksAreReported();
    void statusVerbGatesOnDrift();
    void stoppedServerIsUnreachableWhileTheOthersAreRead();
    void emptyFleetFinishesAfterStart();

private:
    ReleasePlan plan(int number, const QString &deployRoot) const;
    bool release(const ReleasePlan &plan, const TestHostSet &set, const QList<int> &hosts, KnownHosts &knownHosts);
    QList<ServerRelease> status(const TestHostSet &set, const QList<int> &hosts, KnownHosts &knownHosts,
                                const QString &expected, int *readSignals = nullptr, QString *measuredAgainst = nullptr);
    QString onServer(int host, const QString &relative) const
    {
        return m_hosts.hosts[host].backingDir + QStringLiteral("/fleet/") + relative;
    }
    QString makeInventory(const QString &name, const TestHostSet &set, const QList<QPair<QString, QList<int>>> &environments);
    VerbRun runStatus(const QString &dataDir, const QStringList &arguments, bool json);

    SshLibrary m_library;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
    QString m_root;
    QString m_package;
    QString m_sha256;
};

void TestFleetStatus::initTestCase()
{
    QVERIFY(m_library.ok());
    m_hosts = fixtureHosts();
    QCOMPARE(m_hosts.hosts.size(), 10);
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(m_hosts.knownHosts()));
    m_root = m_hosts.hosts[0].deployRoot + QStringLiteral("/fleet");
    const auto package = makeTinyPackage(m_dir.path());
    QVERIFY(package);
    m_package = package->path;
    m_sha256 = package->sha256;
}

void TestFleetStatus::init()
{
    for (const TestHost &host : m_hosts.hosts)
        QDir(host.backingDir + QStringLiteral("/fleet")).removeRecursively();
}

ReleasePlan TestFleetStatus::plan(int number, const QString &deployRoot) const
{
    ReleasePlan plan;
    plan.taskId = QStringLiteral("fleet-%1").arg(number);
    plan.project = QStringLiteral("shop");
    plan.environment = QStringLiteral("prod");
    plan.deployRoot = deployRoot;
    const QDateTime when(QDate(2026, 11, 23), QTime(10, 0).addSecs(number * 60), Qt::UTC);
    plan.version = VersionId::make(QStringLiteral("shop"), number, when).toString();
    plan.commit = QStringLiteral("%1").arg(number, 40, 10, QLatin1Char('c'));
    plan.ref = QStringLiteral("v%1").arg(number);
    plan.operatorName = QStringLiteral("ops%1").arg(number);
    plan.packagePath = m_package;
    plan.packageSha256 = m_sha256;
    plan.keepReleases = 5;
    return plan;
}

bool TestFleetStatus::release(const ReleasePlan &plan, const TestHostSet &set, const QList<int> &hosts,
                              KnownHosts &knownHosts)
{
    ReleaseEngine engine(plan, knownHosts, HostKeyPrompt(), 10, m_dir.filePath(QStringLiteral("logs/") + plan.taskId));
    for (int i : hosts) {
        SshTarget target = keyFileTarget(set, set.hosts[i]);
        target.name = serverName(i);
        engine.addServer(std::move(target));
    }
    QSignalSpy finished(&engine, &ReleaseEngine::finished);
    engine.start();
    return finished.wait(120000) && finished.first().first().toBool();
}

QList<ServerRelease> TestFleetStatus::status(const TestHostSet &set, const QList<int> &hosts, KnownHosts &knownHosts,
                                             const QString &expected, int *readSignals, QString *measuredAgainst)
{
    FleetStatus fleet(knownHosts, set.hosts[0].deployRoot + QStringLiteral("/fleet"), 10);
    fleet.setExpectedVersion(expected);
    for (int i : hosts) {
        SshTarget target = keyFileTarget(set, set.hosts[i]);
        target.name = serverName(i);
        fleet.addServer(std::move(target));
    }
    int read = 0;
    connect(&fleet, &FleetStatus::serverRead, this, [&read](const ServerRelease &) { ++read; });
    QList<ServerRelease> finished;
    bool done = false;
    connect(&fleet, &FleetStatus::finished, this, [&](const QList<ServerRelease> &servers) {
        finished = servers;
        done = true;
    });
    fleet.start();
    if (!QTest::qWaitFor([&] { return done; }, 60000))
        return {};
    if (readSignals)
        *readSignals = read;
    if (measuredAgainst)
        *measuredAgainst = fleet.expectedVersion();
    return finished;
}

void TestFleetStatus::readsEveryServerInInventoryOrderAndMarksDrift()
{
    const ReleasePlan first = plan(1, m_root);
    const ReleasePlan second = plan(2, m_root);
    QVERIFY(release(first, m_hosts, {0, 1, 2, 3}, *m_knownHosts));
    QVERIFY(release(second, m_hosts, {0, 1, 2}, *m_knownHosts));

    // Neither name order nor the order the answers come in: the order given.
    const QList<int> order{2, 0, 3, 1};
    int reads = 0;
    QString expected;
    const QList<ServerRelease> fleet = status(m_hosts, order, *m_knownHosts, QString(), &reads, &expected);
    QCOMPARE(fleet.size(), 4);
    QCOMPARE(reads, 4);
    QCOMPARE(expected, second.version); // the newest one current anywhere
    for (int i = 0; i < order.size(); ++i) {
        const ServerRelease &server = fleet[i];
        const ReleasePlan &runs = order[i] == 3 ? first : second;
        QCOMPARE(server.server, serverName(order[i]));
        QCOMPARE(server.host, m_hosts.hosts[order[i]].address);
        QVERIFY2(server.reachable, qPrintable(server.error));
        QCOMPARE(server.version, runs.version);
        QCOMPARE(server.commit, runs.commit);
        QCOMPARE(server.ref, runs.ref);
        QCOMPARE(server.operatorName, runs.operatorName);
        QVERIFY(server.time.isValid());
        QCOMPARE(server.drift, order[i] == 3);
        QVERIFY(server.freeKiB > 0);
        QVERIFY(server.lockHolder.isEmpty());
        QCOMPARE(server.releases.contains(second.version), order[i] != 3);
        QVERIFY(server.releases.contains(first.version));
    }
}

void TestFleetStatus::explicitExpectedVersionAndLocksAreReported()
{
    const ReleasePlan first = plan(1, m_root);
    const ReleasePlan second = plan(2, m_root);
    QVERIFY(release(first, m_hosts, {0, 1, 2}, *m_knownHosts));
    QVERIFY(release(second, m_hosts, {0, 1}, *m_knownHosts));
    // Another release's lock, as that release's engine writes it.
    QVERIFY(QDir().mkpath(onServer(1, QStringLiteral(".releasedesk/lock"))));
    QFile owner(onServer(1, QStringLiteral(".releasedesk/lock/owner")));
    QVERIFY(owner.open(QIODevice::WriteOnly));
    owner.write("task 77 by ana@desk-7\n");
    owner.close();

    // The last succeeded task said first: the servers on the newer release drift from it.
    QString expected;
    const QList<ServerRelease> fleet = status(m_hosts, {0, 1, 2}, *m_knownHosts, first.version, nullptr, &expected);
    QCOMPARE(fleet.size(), 3);
    QCOMPARE(expected, first.version);
    QCOMPARE(fleet[0].drift, true);
    QCOMPARE(fleet[1].drift, true);
    QCOMPARE(fleet[2].drift, false);
    QCOMPARE(fleet[1].lockHolder, QStringLiteral("task 77 by ana@desk-7"));
    QVERIFY(fleet[1].lockAgeSeconds >= 0);
    QVERIFY(fleet[0].lockHolder.isEmpty());
    QCOMPARE(fleet[0].lockAgeSeconds, -1);

    // No release anywhere: nobody drifts.
    init();
    const QList<ServerRelease> empty = status(m_hosts, {0, 1}, *m_knownHosts, QString(), nullptr, &expected);
    QCOMPARE(empty.size(), 2);
    QVERIFY(expected.isEmpty());
    for (const ServerRelease &server : empty) {
        QVERIFY(server.reachable);
        QVERIFY(server.version.isEmpty());
        QVERIFY(!server.drift);
    }
}

QString TestFleetStatus::makeInventory(const QString &name, const TestHostSet &set,
                                       const QList<QPair<QString, QList<int>>> &environments)
{
    const QString dataDir = m_dir.filePath(name);
    if (!QDir().mkpath(dataDir))
        return {};
    KnownHosts known(QDir(dataDir).filePath(QStringLiteral("known_hosts")));
    if (!known.import(set.knownHosts()))
        return {};
    auto store = InventoryStore::open(DataDir::inventoryPath(dataDir));
    if (!store)
        return {};
    SshKey key;
    key.name = QStringLiteral("deploy");
    key.username = set.hosts[0].user;
    key.kind = KeyKind::File;
    key.keyPath = set.clientKey();
    auto keyId = (*store)->addKey(key);
    if (!keyId)
        return {};
    QHash<int, qint64> serverIds;
    for (const auto &environment : environments)
        for (int i : environment.second) {
            if (serverIds.contains(i))
                continue;
            Server server;
            server.name = serverName(i);
            server.host = set.hosts[i].address;
            server.port = set.hosts[i].port;
            server.username = set.hosts[i].user;
            server.keyId = *keyId;
            auto id = (*store)->addServer(server);
            if (!id)
                return {};
            serverIds.insert(i, *id);
        }
    Project shop;
    shop.name = QStringLiteral("shop");
    shop.gitUrl = QStringLiteral("https://git.example.net/team/shop.git");
    auto projectId = (*store)->addProject(shop);
    if (!projectId)
        return {};
    for (const auto &[environmentName, hosts] : environments) {
        Environment environment;
        environment.projectId = *projectId;
        environment.name = environmentName;
        environment.deployRoot = set.hosts[0].deployRoot + QStringLiteral("/fleet");
        for (int i : hosts)
            environment.serverIds.append(serverIds.value(i));
        if (!(*store)->addEnvironment(environment))
            return {};
    }
    return dataDir;
}

// The verb itself, in this process: its table or JSON goes to stdout, which is caught in a file.
VerbRun TestFleetStatus::runStatus(const QString &dataDir, const QStringList &arguments, bool json)
{
    const Verb verb = FleetCommands::statusVerb();
    QCommandLineParser parser;
    parser.addOptions(verb.options);
    if (!parser.parse(QStringList{QStringLiteral("releasedesk-cli")} + arguments))
        qWarning("%s", qPrintable(parser.errorText()));
    CliContext context(dataDir, json, false);
    QTemporaryFile captured;
    if (!captured.open())
        return {};
    std::fflush(stdout);
    const int saved = ::dup(STDOUT_FILENO);
    ::dup2(captured.handle(), STDOUT_FILENO);
    VerbRun run{verb.run(context, parser, parser.positionalArguments()), {}};
    std::fflush(stdout);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    captured.seek(0);
    run.out = captured.readAll();
    return run;
}

void TestFleetStatus::statusVerbGatesOnDrift()
{
    const ReleasePlan first = plan(1, m_root);
    const ReleasePlan second = plan(2, m_root);
    QVERIFY(release(first, m_hosts, {0, 1, 2, 3}, *m_knownHosts));
    QVERIFY(release(second, m_hosts, {0, 1, 2}, *m_knownHosts));
    const QString dataDir = makeInventory(QStringLiteral("verb"), m_hosts,
                                          {{QStringLiteral("prod"), {0, 1, 2, 3}}, {QStringLiteral("canary"), {0, 1, 2}}});
    QVERIFY(!dataDir.isEmpty());

    const VerbRun drift = runStatus(dataDir, {QStringLiteral("shop"), QStringLiteral("prod")}, true);
    QCOMPARE(drift.exitCode(), int(ExitCode::Conflict));
    QVERIFY(drift.result.error().error.message.contains(second.version));
    const QJsonArray rows = QJsonDocument::fromJson(drift.out).array();
    QCOMPARE(rows.size(), 4);
    for (int i = 0; i < 4; ++i) {
        const QJsonObject row = rows[i].toObject();
        QCOMPARE(row[QStringLiteral("server")].toString(), serverName(i));
        QCOMPARE(row[QStringLiteral("version")].toString(), i == 3 ? first.version : second.version);
        QCOMPARE(row[QStringLiteral("commit")].toString(), i == 3 ? first.commit : second.commit);
        QCOMPARE(row[QStringLiteral("drift")].toBool(), i == 3);
        QCOMPARE(row[QStringLiteral("expected")].toString(), second.version);
        QVERIFY(row[QStringLiteral("reachable")].toBool());
    }

    // The same fleet for people: short commits, a drift mark on the odd one out.
    const VerbRun table = runStatus(dataDir, {QStringLiteral("shop/prod")}, false);
    QCOMPARE(table.exitCode(), int(ExitCode::Conflict));
    const QList<QByteArray> lines = table.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 5);
    QVERIFY(lines[0].contains("Drift"));
    QVERIFY(lines[4].startsWith("web-04"));
    QVERIFY(lines[4].contains("DRIFT"));
    QVERIFY(lines[4].contains(first.commit.left(12).toUtf8()));
    QVERIFY(!lines[4].contains(first.commit.toUtf8()));
    QVERIFY(!lines[1].contains("DRIFT"));
    QVERIFY(lines[1].contains(second.operatorName.toUtf8()));

    // The servers that all run the newest release pass; an explicit older one makes them drift.
    const VerbRun aligned = runStatus(dataDir, {QStringLiteral("shop"), QStringLiteral("canary")}, true);
    QVERIFY2(aligned.result, aligned.result ? "" : qPrintable(aligned.result.error().error.text()));
    QCOMPARE(QJsonDocument::fromJson(aligned.out).array().size(), 3);
    const VerbRun older = runStatus(dataDir, {QStringLiteral("shop"), QStringLiteral("canary"),
                                              QStringLiteral("--expected"), first.version},
                                    true);
    QCOMPARE(older.exitCode(), int(ExitCode::Conflict));
    for (const QJsonValue &row : QJsonDocument::fromJson(older.out).array())
        QVERIFY(row[QStringLiteral("drift")].toBool());

    const VerbRun missing = runStatus(dataDir, {QStringLiteral("shop"), QStringLiteral("nowhere")}, true);
    QCOMPARE(missing.exitCode(), int(ExitCode::NotFound));
}

void TestFleetStatus::stoppedServerIsUnreachableWhileTheOthersAreRead()
{
    const QString dir = m_dir.filePath(QStringLiteral("private"));
    TestHostSet set = startPrivateHosts(dir, 3);
    QCOMPARE(set.hosts.size(), 3);
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("private_known_hosts")));
    QVERIFY(knownHosts.import(set.knownHosts()));
    const ReleasePlan first = plan(1, set.hosts[0].deployRoot + QStringLiteral("/fleet"));
    QVERIFY(release(first, set, {0, 1, 2}, knownHosts));
    const QString dataDir = makeInventory(QStringLiteral("private-verb"), set, {{QStringLiteral("prod"), {0, 1, 2}}});
    QVERIFY(!dataDir.isEmpty());

    int exitCode = -1;
    runTestHosts({QStringLiteral("kill"), QStringLiteral("--dir"), dir, QStringLiteral("--host"), QStringLiteral("2")},
                 &exitCode);
    QCOMPARE(exitCode, 0);

    const QList<ServerRelease> fleet = status(set, {0, 1, 2}, knownHosts, QString());
    QCOMPARE(fleet.size(), 3);
    QVERIFY(!fleet[1].reachable);
    qInfo("a stopped server reads as: %s", qPrintable(fleet[1].error));
    QVERIFY(!fleet[1].drift);
    QVERIFY(fleet[1].version.isEmpty());
    QVERIFY2(fleet[1].error.contains(set.hosts[1].address) || fleet[1].error.contains(QString::number(set.hosts[1].port)),
             qPrintable(fleet[1].error));
    for (int i : {0, 2}) {
        QVERIFY2(fleet[i].reachable, qPrintable(fleet[i].error));
        QCOMPARE(fleet[i].version, first.version);
        QVERIFY(!fleet[i].drift);
    }

    const VerbRun run = runStatus(dataDir, {QStringLiteral("shop"), QStringLiteral("prod")}, true);
    QCOMPARE(run.exitCode(), int(ExitCode::ServersFailed));
    const QJsonArray rows = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(rows.size(), 3);
    QVERIFY(!rows[1][QStringLiteral("reachable")].toBool());
    QVERIFY(!rows[1][QStringLiteral("error")].toString().isEmpty());
    QCOMPARE(rows[2][QStringLiteral("version")].toString(), first.version);
    stopPrivateHosts(dir);
}

void TestFleetStatus::emptyFleetFinishesAfterStart()
{
    FleetStatus fleet(*m_knownHosts, m_root, 4);
    fleet.addUnreachableServer(QStringLiteral("db-01"), QStringLiteral("db.invalid"), QStringLiteral("no key"));
    QSignalSpy read(&fleet, &FleetStatus::serverRead);
    QSignalSpy finished(&fleet, &FleetStatus::finished);
    fleet.start();
    QCOMPARE(read.size(), 0); // never inside start()
    QCOMPARE(finished.size(), 0);
    QVERIFY(finished.wait(10000));
    QCOMPARE(read.size(), 1);
    const QList<ServerRelease> servers = fleet.results();
    QCOMPARE(servers.size(), 1);
    QVERIFY(!servers[0].reachable);
    QCOMPARE(servers[0].error, QStringLiteral("no key"));
}

QTEST_GUILESS_MAIN(TestFleetStatus)
#include "tst_fleetstatus.moc"
