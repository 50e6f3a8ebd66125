#include "clirunner.h"
#include "gitfixture.h"
#include "testhosts.h"

#include <QDir>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

#include <vector>

using namespace rd::test;

namespace {

QString linkText(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QString::fromUtf8(buffer, n);
}

constexpr int Servers = 4;

} // namespace

// The release verbs of releasedesk-cli end to end: a real repository, a real inventory, the real
// sshd test hosts, and the process killed with SIGKILL at the worst moments.
class TestCliRelease : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void fullReleaseThenRollback();
    void grayWaitsForPromoteAndHoldsTheLock();
    void abortOfARunnerThatEndsIsDoneHere();
    void productionAsksOnATerminal();
    void retryRunsTheFailedServersAgain();
    void killedDuringHooksResumes();
    void killedDuringUploadRollsBack();
    void killedDuringSwitchResumes();
    void scheduledTaskRunsAtItsTime();
    void shellMetacharactersReachNoShell();
    void badInputIsRefusedClearly();
    void deltaAndPatchOfANestedTree();

private:
    CliRun cli(const QStringList &arguments) { return m_cli.run(arguments); }
    QProcess *startCli(const QStringList &arguments) { return m_cli.start(arguments); }
    QString current(int host) const { return linkText(onServer(host, QStringLiteral("current"))); }
    QString onServer(int host, const QString &relative) const
    {
        return m_hosts.hosts[host].backingDir + QStringLiteral("/cli/") + relative;
    }
    QString taskDir(const QString &task) const { return m_dir.filePath(QStringLiteral("data/tasks/")) + task; }
    QString release(const QStringList &extra, int expectedExit = 0);
    bool waitForLog(const QString &task, const QByteArray &text, int timeoutMs);
    // Starts "release start shop/prod --offline" with `extra` in the background (the process is
    // m_processes.back()); its task id once the task's directory is there, else empty.
    QString startRelease(const QStringList &extra);
    // Also no lock left behind.
    void checkComplete(int host, const QString &version);
    void checkCurrentIs(int host, const QString &version);
    // The server's live release, file for file, against `git archive` of HEAD (the shared path
    // "storage" is the release's link there).
    void checkCurrentIsHead(int host);
    QString taskOf(const CliRun &run) const { return run.object()[QStringLiteral("task")].toString(); }
    QByteArray serverLog(const QString &task, int host)
    {
        return cli({QStringLiteral("release"), QStringLiteral("logs"), task, QStringLiteral("--server"),
                    QStringLiteral("web-%1").arg(host + 1)})
            .out;
    }

    QTemporaryDir m_dir;
    CliRunner m_cli{m_dir.path(), m_dir.filePath(QStringLiteral("data")),
                    {{QStringLiteral("USER"), QStringLiteral("ops")}}};
    TestHostSet m_hosts;
    std::unique_ptr<GitFixture> m_repo;
    std::vector<std::unique_ptr<QProcess>> m_processes;
};

void TestCliRelease::initTestCase()
{
    m_hosts = fixtureHosts();
    QVERIFY(m_hosts.hosts.size() >= Servers);
    m_repo = std::make_unique<GitFixture>(m_dir.filePath(QStringLiteral("repo")));
    QVERIFY(m_repo->init());
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>v1</h1>\n"));
    QVERIFY(m_repo->write(QStringLiteral("bin/serve"), "#!/bin/sh\necho serving\n", true));
    QVERIFY(!m_repo->commit(QStringLiteral("first")).isEmpty());

    QCOMPARE(cli({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("file-key"), QStringLiteral("--user"),
                  QStringLiteral("root"), QStringLiteral("--key-file"), m_hosts.clientKey()})
                 .code,
             0);
    QCOMPARE(cli({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"), QStringLiteral("--git-url"),
                  m_repo->path(), QStringLiteral("--keep"), QStringLiteral("3")})
                 .code,
             0);
    QStringList serverNames;
    for (int i = 0; i < Servers; ++i) {
        const TestHost &host = m_hosts.hosts[i];
        const QString name = QStringLiteral("web-%1").arg(i + 1);
        serverNames << QStringLiteral("--server") << name;
        QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), name, QStringLiteral("--host"), host.address,
                      QStringLiteral("--port"), QString::number(host.port), QStringLiteral("--key"),
                      QStringLiteral("file-key")})
                     .code,
                 0);
    }
    const CliRun env = cli(QStringList{QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/prod"),
                                    QStringLiteral("--root"), m_hosts.hosts[0].deployRoot + QStringLiteral("/cli"),
                                    QStringLiteral("--shared"), QStringLiteral("storage")}
                        + serverNames);
    QVERIFY2(env.code == 0, env.err.constData());
    const CliRun scan = cli({QStringLiteral("hostkeys"), QStringLiteral("scan"), QStringLiteral("--env"),
                          QStringLiteral("shop/prod"), QStringLiteral("--accept")});
    QVERIFY2(scan.code == 0, scan.err.constData());
}

void TestCliRelease::init()
{
    for (auto &process : m_processes)
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished();
        }
    m_processes.clear();
    for (int i = 0; i < Servers; ++i)
        QDir(m_hosts.hosts[i].backingDir + QStringLiteral("/cli")).removeRecursively();
}

// Runs "release start shop/prod" and returns the task id.
QString TestCliRelease::release(const QStringList &extra, int expectedExit)
{
    const CliRun run = cli(QStringList{QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                                    QStringLiteral("shop/prod"), QStringLiteral("--offline")}
                        + extra);
    if (run.code != expectedExit) {
        qWarning("exit %d\n%s\n%s", run.code, run.out.constData(), run.err.constData());
        return {};
    }
    return run.object()[QStringLiteral("task")].toString();
}

bool TestCliRelease::waitForLog(const QString &task, const QByteArray &text, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        const QDir logs(taskDir(task) + QStringLiteral("/logs"));
        for (const QString &file : logs.entryList({QStringLiteral("*.log")}, QDir::Files))
            if (readAll(logs.filePath(file)).contains(text))
                return true;
        QTest::qWait(20);
    }
    return false;
}

QString TestCliRelease::startRelease(const QStringList &extra)
{
    const QDir tasks(m_dir.filePath(QStringLiteral("data/tasks")));
    const QStringList before = tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    m_processes.emplace_back(startCli(QStringList{QStringLiteral("release"), QStringLiteral("start"),
                                                  QStringLiteral("shop/prod"), QStringLiteral("--offline")}
                                      + extra));
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 60000) {
        for (const QString &id : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            if (!before.contains(id))
                return id;
        QTest::qWait(20);
    }
    return {};
}

// The server runs a whole release: the link resolves, the manifest names it, its files are there.
void TestCliRelease::checkCurrentIs(int host, const QString &version)
{
    QCOMPARE(current(host), QStringLiteral("releases/") + version);
    const QJsonObject manifest =
        QJsonDocument::fromJson(readAll(onServer(host, QStringLiteral("current/.releasedesk.json")))).object();
    QCOMPARE(manifest[QStringLiteral("version")].toString(), version);
    QVERIFY(QFileInfo(onServer(host, QStringLiteral("current/bin/serve"))).isExecutable());
}

void TestCliRelease::checkComplete(int host, const QString &version)
{
    checkCurrentIs(host, version);
    QVERIFY(!QFileInfo::exists(onServer(host, QStringLiteral(".releasedesk/lock"))));
}

void TestCliRelease::checkCurrentIsHead(int host)
{
    const QString archive = m_dir.filePath(QStringLiteral("archive"));
    QDir(archive).removeRecursively();
    QVERIFY(QDir().mkpath(archive));
    QByteArray output;
    QVERIFY2(run(QStringLiteral("sh"),
                 {QStringLiteral("-c"), QStringLiteral("git -C \"$0\" -c tar.umask=022 archive HEAD | tar -x -C \"$1\""),
                  m_repo->path(), archive},
                 &output),
             output.constData());
    QDir(archive + QStringLiteral("/storage")).removeRecursively();
    auto expected = snapshot(archive);
    expected.insert(QStringLiteral("storage"), QStringLiteral("l -> ../../shared/storage"));
    const auto live = snapshot(onServer(host, QStringLiteral("current/")), {QStringLiteral(".releasedesk.json")});
    for (auto it = expected.cbegin(); it != expected.cend(); ++it)
        QVERIFY2(live.value(it.key()) == it.value(),
                 qPrintable(QStringLiteral("web-%1 %2: \"%3\", git archive \"%4\"")
                                .arg(host + 1).arg(it.key(), live.value(it.key()), it.value())));
    QCOMPARE(live.size(), expected.size());
}

// A real nested tree with names in any language, released under the C locale: every release after
// the first is a delta where a server's live release checks out and the whole package where it does
// not (changed by hand, or missing), each server's log says which and why; a patch release of a
// nested one-file change works; the tree on every server equals `git archive`, and a file that git
// deletes under the shared path stays on the servers.
void TestCliRelease::deltaAndPatchOfANestedTree()
{
    QVERIFY(m_repo->write(QStringLiteral("app/Http/Controllers/深/文件.php"), "<?php // v1\n"));
    QVERIFY(m_repo->write(QStringLiteral("app/views/a b/it's.html"), "<p>v1</p>\n"));
    QVERIFY(m_repo->write(QStringLiteral("app/views/old/gone.html"), "<p>gone soon</p>\n"));
    QVERIFY(m_repo->write(QStringLiteral("storage/app/seed.txt"), "seed\n"));
    QVERIFY(m_repo->symlink(QStringLiteral("public/app"), QStringLiteral("../app")));
    QVERIFY(!m_repo->commit(QStringLiteral("nested")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const CliRun first = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                           QStringLiteral("shop/prod")});
    QVERIFY2(first.code == 0, first.err.constData());
    for (int i = 0; i < Servers; ++i)
        checkCurrentIsHead(i);
    QVERIFY(QFileInfo::exists(onServer(0, QStringLiteral("shared/storage/app/seed.txt"))));

    QVERIFY(m_repo->write(QStringLiteral("app/Http/Controllers/深/文件.php"), "<?php // v2\n"));
    QVERIFY(m_repo->remove(QStringLiteral("app/views/old")));
    QVERIFY(m_repo->remove(QStringLiteral("storage/app/seed.txt")));
    QVERIFY(!m_repo->commit(QStringLiteral("nested change")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    // web-2's live release edited by hand; web-3 has none.
    {
        QFile edited(onServer(1, QStringLiteral("current/app/views/a b/it's.html")));
        QVERIFY(edited.open(QIODevice::Append));
        edited.write("<!-- hotfix -->\n");
    }
    QVERIFY(QFile::remove(onServer(2, QStringLiteral("current"))));
    // The dry run says per server how the release would travel.
    const CliRun plan = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("plan"),
                          QStringLiteral("shop/prod")});
    QVERIFY2(plan.out.contains("\"delivery\": \"delta: 1 file(s)") || plan.out.contains("\"delivery\":\"delta: 1 file(s)"),
             plan.out.constData());
    QVERIFY2(plan.out.contains("whole package: there is no current release to build on"), plan.out.constData());
    const CliRun delta = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                           QStringLiteral("shop/prod")});
    QVERIFY2(delta.code == 0, delta.err.constData());
    for (int i = 0; i < Servers; ++i)
        checkCurrentIsHead(i);
    const QByteArray patched = serverLog(taskOf(delta), 0);
    QVERIFY2(patched.contains("== 07 patch with the lock") && patched.contains("delta from ") &&
                 patched.contains(": 1 file(s), ") && !patched.contains("whole package"),
             patched.constData());
    const QByteArray edited = serverLog(taskOf(delta), 1);
    QVERIFY2(edited.count("whole package: the live release") == 1 && edited.contains("== 06 upload"), edited.constData());
    const QByteArray missing = serverLog(taskOf(delta), 2);
    QVERIFY2(missing.contains("whole package: there is no current release to patch"), missing.constData());
    // Git deleted it, but it lies in the shared path: the servers keep it.
    QCOMPARE(readAll(onServer(0, QStringLiteral("shared/storage/app/seed.txt"))), QByteArray("seed\n"));

    QVERIFY(m_repo->write(QStringLiteral("app/views/a b/it's.html"), "<p>v3</p>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("one nested file")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const CliRun patch = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                           QStringLiteral("shop/prod"), QStringLiteral("--kind"), QStringLiteral("patch")});
    QVERIFY2(patch.code == 0, patch.err.constData());
    for (int i = 0; i < Servers; ++i) {
        checkCurrentIsHead(i);
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    }
}

void TestCliRelease::fullReleaseThenRollback()
{
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const CliRun first = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                           QStringLiteral("shop/prod"), QStringLiteral("--ref"), QStringLiteral("main")});
    QVERIFY2(first.code == 0, first.err.constData());
    const QString v1 = first.object()[QStringLiteral("version")].toString();
    QVERIFY(v1.startsWith(QStringLiteral("shop-v")));
    QCOMPARE(first.object()[QStringLiteral("status")].toString(), QStringLiteral("succeeded"));
    for (int i = 0; i < Servers; ++i) {
        checkComplete(i, v1);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>v1</h1>\n"));
        QCOMPARE(linkText(onServer(i, QStringLiteral("current/storage"))), QStringLiteral("../../shared/storage"));
    }

    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>v2</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("second")).isEmpty());
    const CliRun second = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                            QStringLiteral("shop/prod")});
    QVERIFY2(second.code == 0, second.err.constData());
    const QString v2 = second.object()[QStringLiteral("version")].toString();
    QVERIFY(v2 != v1);
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>v2</h1>\n"));

    const CliRun back = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("rollback"),
                          QStringLiteral("shop/prod"), QStringLiteral("--to"), v1});
    QVERIFY2(back.code == 0, back.err.constData());
    for (int i = 0; i < Servers; ++i) {
        checkComplete(i, v1);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>v1</h1>\n"));
    }

    // Fleet status: every server on v1; then one server moved by hand is drift.
    const CliRun status = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("status"),
                            QStringLiteral("shop/prod")});
    QVERIFY2(status.code == 0, status.err.constData());
    const QJsonArray fleet = QJsonDocument::fromJson(status.out).array();
    QCOMPARE(fleet.size(), Servers);
    for (const QJsonValue &server : fleet) {
        QCOMPARE(server[QStringLiteral("version")].toString(), v1);
        QCOMPARE(server[QStringLiteral("commit")].toString().size(), 40);
        QCOMPARE(server[QStringLiteral("drift")].toBool(), false);
    }
    QVERIFY(QFile::remove(onServer(2, QStringLiteral("current"))));
    QVERIFY(QFile::link(QStringLiteral("releases/") + v2, onServer(2, QStringLiteral("current"))));
    const CliRun drift = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("status"),
                           QStringLiteral("shop/prod")});
    QCOMPARE(drift.code, 6);
    const QJsonArray drifted = QJsonDocument::fromJson(drift.out).array();
    QCOMPARE(drifted[2][QStringLiteral("version")].toString(), v2);
    QCOMPARE(drifted[2][QStringLiteral("drift")].toBool(), true);
    QCOMPARE(drifted[1][QStringLiteral("drift")].toBool(), false);
    QVERIFY(QFile::remove(onServer(2, QStringLiteral("current"))));
    QVERIFY(QFile::link(QStringLiteral("releases/") + v1, onServer(2, QStringLiteral("current"))));

    const CliRun history = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("history"),
                             QStringLiteral("--project"), QStringLiteral("shop")});
    QCOMPARE(history.code, 0);
    const QJsonArray tasks = QJsonDocument::fromJson(history.out).array();
    QVERIFY(tasks.size() >= 3);
    QCOMPARE(tasks[0][QStringLiteral("kind")].toString(), QStringLiteral("rollback"));
    QCOMPARE(tasks[0][QStringLiteral("version")].toString(), v1);
    QCOMPARE(tasks[1][QStringLiteral("version")].toString(), v2);

    const CliRun logs = cli({QStringLiteral("release"), QStringLiteral("logs"), second.object()[QStringLiteral("task")].toString(),
                          QStringLiteral("--server"), QStringLiteral("web-2")});
    QCOMPARE(logs.code, 0);
    // The second release is a delta from the first: the patch travels with the lock command.
    QVERIFY2(logs.out.contains("== 07 patch with the lock") && !logs.out.contains("== 06 upload"), logs.out.constData());
    QVERIFY(logs.out.contains("== 08 switch"));
    const CliRun firstLogs = cli({QStringLiteral("release"), QStringLiteral("logs"), first.object()[QStringLiteral("task")].toString(),
                               QStringLiteral("--server"), QStringLiteral("web-2")});
    QVERIFY(firstLogs.out.contains("== 06 upload"));
    // No earlier release, or (after the other tests) none left on the servers.
    QVERIFY2(firstLogs.out.contains("whole package: no earlier release of shop/prod") ||
                 firstLogs.out.contains("whole package: there is no current release to patch"),
             firstLogs.out.constData());

    const CliRun missing = cli({QStringLiteral("release"), QStringLiteral("rollback"), QStringLiteral("shop/prod"),
                             QStringLiteral("--to"), QStringLiteral("shop-v99-20260101000000")});
    QCOMPARE(missing.code, 7);
    QVERIFY(missing.err.contains("shop-v99-20260101000000 is not on this server"));
    for (int i = 0; i < Servers; ++i)
        checkComplete(i, v1);
}

void TestCliRelease::grayWaitsForPromoteAndHoldsTheLock()
{
    const QString base = release({});
    QVERIFY(!base.isEmpty());
    const QString v1 = QString::fromUtf8(readAll(onServer(0, QStringLiteral("current/.releasedesk.json"))));
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>gray</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("gray")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);

    const CliRun gray = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                          QStringLiteral("shop/prod"), QStringLiteral("--offline"), QStringLiteral("--kind"),
                          QStringLiteral("gray"), QStringLiteral("--canary"), QStringLiteral("web-2")});
    QVERIFY2(gray.code == 0, gray.err.constData());
    const QString task = gray.object()[QStringLiteral("task")].toString();
    QCOMPARE(gray.object()[QStringLiteral("status")].toString(), QStringLiteral("awaiting-promotion"));
    QVERIFY(gray.err.contains("release promote " + task.toUtf8()));
    QCOMPARE(readAll(onServer(1, QStringLiteral("current/index.html"))), QByteArray("<h1>gray</h1>\n"));
    QVERIFY(readAll(onServer(0, QStringLiteral("current/index.html"))) != QByteArray("<h1>gray</h1>\n"));

    // The paused task still holds the environment: another release is refused and says by whom.
    const CliRun other = cli({QStringLiteral("release"), QStringLiteral("start"), QStringLiteral("shop/prod"),
                           QStringLiteral("--offline")});
    QCOMPARE(other.code, 6);
    QVERIFY(other.err.contains((QStringLiteral("task ") + task).toUtf8()));

    // A dry run meanwhile names the lock and changes nothing on any server.
    QMap<QString, QString> before;
    for (int i = 0; i < Servers; ++i)
        before.insert(QString::number(i), QDir(onServer(i, QStringLiteral("releases"))).entryList().join(u',') +
                                              current(i));
    const CliRun planned = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("plan"),
                             QStringLiteral("shop/prod"), QStringLiteral("--offline")});
    QCOMPARE(planned.code, 6);
    const QJsonArray plans = QJsonDocument::fromJson(planned.out).array();
    QCOMPARE(plans.size(), Servers);
    QCOMPARE(plans[0][QStringLiteral("hostKey")].toString(), QStringLiteral("known"));
    QVERIFY(plans[0][QStringLiteral("problems")].toArray().first().toString().contains(task));
    const QStringList steps = plans[0][QStringLiteral("steps")].toVariant().toStringList();
    QVERIFY2(steps.filter(QStringLiteral("switch current")).size() == 1, qPrintable(steps.join(u'\n')));
    QCOMPARE(steps.last(), QStringLiteral("unlock"));
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(QDir(onServer(i, QStringLiteral("releases"))).entryList().join(u',') + current(i),
                 before.value(QString::number(i)));

    const CliRun promoted = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("promote"), task});
    QVERIFY2(promoted.code == 0, promoted.err.constData());
    QCOMPARE(promoted.object()[QStringLiteral("status")].toString(), QStringLiteral("succeeded"));
    const QString version = promoted.object()[QStringLiteral("version")].toString();
    for (int i = 0; i < Servers; ++i) {
        checkComplete(i, version);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>gray</h1>\n"));
    }
    QVERIFY(!v1.isEmpty());
    // A task that is over takes no second promote: refused as a conflict (exit 6), nothing touched.
    const CliRun again = cli({QStringLiteral("release"), QStringLiteral("promote"), task});
    QCOMPARE(again.code, 6);
    QVERIFY2(!again.err.isEmpty(), "the refusal says why");
    QCOMPARE(readAll(onServer(0, QStringLiteral("current/index.html"))), QByteArray("<h1>gray</h1>\n"));

    // A paused task can be aborted from another process: the canary goes back to the release it ran,
    // its locks go, and the abort says what it did and succeeds.
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>gray 2</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("gray 2")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const QString second = release({QStringLiteral("--kind"), QStringLiteral("gray"), QStringLiteral("--canary"),
                                    QStringLiteral("web-1")});
    QVERIFY(!second.isEmpty());
    QCOMPARE(readAll(onServer(0, QStringLiteral("current/index.html"))), QByteArray("<h1>gray 2</h1>\n"));
    const CliRun aborted = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("abort"), second});
    QVERIFY2(aborted.code == 0, aborted.err.constData());
    QCOMPARE(aborted.object()[QStringLiteral("status")].toString(), QStringLiteral("aborted"));
    QVERIFY2(aborted.err.contains("switched back"), aborted.err.constData());
    QVERIFY2(!aborted.err.contains("failed servers"), aborted.err.constData());
    QCOMPARE(aborted.object()[QStringLiteral("servers")].toArray()[0][QStringLiteral("release")].toString(),
             QStringLiteral("cancelled"));
    for (int i = 0; i < Servers; ++i) {
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>gray</h1>\n"));
    }

    // Asked to, the canary keeps the new release.
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>gray 3</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("gray 3")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const QString third = release({QStringLiteral("--kind"), QStringLiteral("gray"), QStringLiteral("--canary"),
                                   QStringLiteral("web-1")});
    QVERIFY(!third.isEmpty());
    const CliRun kept = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("abort"), third,
                          QStringLiteral("--keep-canaries")});
    QVERIFY2(kept.code == 0, kept.err.constData());
    QCOMPARE(kept.object()[QStringLiteral("status")].toString(), QStringLiteral("aborted"));
    for (int i = 0; i < Servers; ++i)
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    QCOMPARE(readAll(onServer(0, QStringLiteral("current/index.html"))), QByteArray("<h1>gray 3</h1>\n"));
    QCOMPARE(readAll(onServer(1, QStringLiteral("current/index.html"))), QByteArray("<h1>gray</h1>\n"));
}

void TestCliRelease::abortOfARunnerThatEndsIsDoneHere()
{
    // A process that runs the task may end just as an abort asks it (a gray start reaching its
    // canaries): the request must not wait unread for a later run, and the abort must still happen.
    QVERIFY(!release({}).isEmpty());
    const QString before = current(0);
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>ending runner</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("ending runner")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const QString task = release({QStringLiteral("--kind"), QStringLiteral("gray"), QStringLiteral("--canary"),
                                  QStringLiteral("web-1")});
    QVERIFY(!task.isEmpty());
    QCOMPARE(readAll(onServer(0, QStringLiteral("current/index.html"))), QByteArray("<h1>ending runner</h1>\n"));

    // The journal says a live process runs the task, one that never reads requests and ends soon.
    QProcess runner;
    runner.start(QStringLiteral("sleep"), {QStringLiteral("1.5")});
    QVERIFY(runner.waitForStarted());
    QFile journal(taskDir(task) + QStringLiteral("/journal.jsonl"));
    QVERIFY(journal.open(QIODevice::Append));
    for (const QJsonObject &event :
         {QJsonObject{{QStringLiteral("e"), QStringLiteral("status")}, {QStringLiteral("v"), QStringLiteral("running")},
                      {QStringLiteral("pid"), runner.processId()}, {QStringLiteral("host"), QHostInfo::localHostName()}},
          QJsonObject{{QStringLiteral("e"), QStringLiteral("status")},
                      {QStringLiteral("v"), QStringLiteral("awaiting-promotion")}}})
        journal.write(QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n');
    journal.close();

    const CliRun aborted = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("abort"), task});
    QVERIFY2(aborted.code == 0, aborted.err.constData());
    QVERIFY2(aborted.err.contains("ended before it read the request"), aborted.err.constData());
    QCOMPARE(aborted.object()[QStringLiteral("status")].toString(), QStringLiteral("aborted"));
    QCOMPARE(current(0), before);
    QVERIFY(QDir(taskDir(task) + QStringLiteral("/control")).entryList(QDir::Files | QDir::Hidden).isEmpty());
    for (int i = 0; i < Servers; ++i)
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral(".releasedesk/lock"))));
    runner.waitForFinished();
}

void TestCliRelease::productionAsksOnATerminal()
{
    // shop/prod is production-like: on a terminal the CLI waits for a yes (the tests above, without
    // one, are never asked), and shows progress as a terminal wants it. script(1) gives the CLI a
    // terminal and types the answer.
    const QString first = release({});
    QVERIFY(!first.isEmpty());
    const QString firstLink = current(0);
    const QString firstVersion = QFileInfo(firstLink).fileName();
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>asked</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("asked")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    QVERIFY(!release({}).isEmpty());
    const QString secondLink = current(0);
    const QString secondVersion = QFileInfo(secondLink).fileName();
    QVERIFY(secondLink != firstLink);
    const QStringList tasksBefore = QDir(m_dir.filePath(QStringLiteral("data/tasks"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot);

    const auto onTerminal = [this](const QStringList &arguments, const QByteArray &answer) {
        QStringList command{QStringLiteral(RELEASEDESK_CLI), QStringLiteral("--data-dir"),
                            m_dir.filePath(QStringLiteral("data"))};
        command += arguments;
        for (QString &word : command)
            word = u'\'' + word + u'\'';
        auto process = std::make_unique<QProcess>();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("HOME"), m_dir.path());
        process->setProcessEnvironment(environment);
        process->start(QStringLiteral("script"), {QStringLiteral("-qec"), command.join(u' '), QStringLiteral("/dev/null")});
        process->write(answer);
        process->waitForFinished(180000);
        return CliRun{process->exitCode(), process->readAllStandardOutput(), process->readAllStandardError()};
    };
    const QStringList rollback{QStringLiteral("release"), QStringLiteral("rollback"), QStringLiteral("shop/prod"),
                               QStringLiteral("--to"), firstVersion};
    const CliRun declined = onTerminal(rollback, "no\n");
    QCOMPARE(declined.code, 2);
    QVERIFY2(declined.out.contains("back to " + firstVersion.toUtf8()), declined.out.constData());
    QVERIFY2(declined.out.contains("was not confirmed"), declined.out.constData());
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(current(i), secondLink);
    QCOMPARE(QDir(m_dir.filePath(QStringLiteral("data/tasks"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot), tasksBefore);

    const CliRun confirmed = onTerminal(rollback, "yes\n");
    QVERIFY2(confirmed.code == 0, confirmed.out.constData());
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(current(i), firstLink);
    // On a terminal the stages are counted on one live line, not told per server.
    QVERIFY2(confirmed.out.contains("08 release 4/4"), confirmed.out.constData());
    QVERIFY2(!confirmed.out.contains("web-1  08 release"), confirmed.out.constData());

    // --yes: not asked, even on a terminal; --verbose: a line per server and stage as well.
    const CliRun unasked = onTerminal(QStringList{rollback.mid(0, 4)} << secondVersion << QStringLiteral("--yes")
                                                                    << QStringLiteral("--verbose"),
                                   {});
    QVERIFY2(unasked.code == 0, unasked.out.constData());
    QVERIFY2(!unasked.out.contains("Go on?"), unasked.out.constData());
    QVERIFY2(unasked.out.contains("web-1  08 release succeeded"), unasked.out.constData());
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(current(i), secondLink);
}

void TestCliRelease::retryRunsTheFailedServersAgain()
{
    QVERIFY(!release({}).isEmpty());
    const QString hook = m_dir.filePath(QStringLiteral("before.sh"));
    QFile script(hook);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("if [ -e \"$RD_DEPLOY_ROOT/broken\" ]; then echo 'migration failed' >&2; exit 3; fi\n"
                 "echo \"$RD_SERVER\" >> \"$RD_DEPLOY_ROOT/shared/storage/migrated\"\n");
    script.close();
    for (int i : {1, 3}) {
        QFile broken(onServer(i, QStringLiteral("broken")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
    }
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>retry</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("retry")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const CliRun failed = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                            QStringLiteral("shop/prod"), QStringLiteral("--offline"), QStringLiteral("--budget"),
                            QStringLiteral("50%"), QStringLiteral("--before-release-file"), hook});
    QCOMPARE(failed.code, 7);
    QVERIFY(failed.err.contains("migration failed"));
    const QString task = failed.object()[QStringLiteral("task")].toString();
    QCOMPARE(failed.object()[QStringLiteral("status")].toString(), QStringLiteral("failed"));
    QCOMPARE(readAll(onServer(0, QStringLiteral("current/index.html"))), QByteArray("<h1>retry</h1>\n"));
    QVERIFY(readAll(onServer(1, QStringLiteral("current/index.html"))) != QByteArray("<h1>retry</h1>\n"));

    for (int i : {1, 3})
        QVERIFY(QFile::remove(onServer(i, QStringLiteral("broken"))));
    const CliRun retried = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("retry"), task});
    QVERIFY2(retried.code == 0, retried.err.constData());
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>retry</h1>\n"));
    // The hook ran once on each server that passed and again only where it had failed.
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(readAll(onServer(i, QStringLiteral("shared/storage/migrated"))),
                 (QStringLiteral("web-%1\n").arg(i + 1)).toUtf8());
}

void TestCliRelease::killedDuringHooksResumes()
{
    QVERIFY(!release({}).isEmpty());
    const QString previous = current(0).section(u'/', 1);
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>resumed</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("resumed")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const QString hook = m_dir.filePath(QStringLiteral("slow.sh"));
    QFile script(hook);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("[ -e \"$RD_DEPLOY_ROOT/shared/storage/hooked-$RD_SERVER\" ] || { touch "
                 "\"$RD_DEPLOY_ROOT/shared/storage/hooked-$RD_SERVER\"; sleep 30; }\n");
    script.close();
    auto *process = startCli({QStringLiteral("release"), QStringLiteral("start"), QStringLiteral("shop/prod"),
                              QStringLiteral("--offline"), QStringLiteral("--before-release-file"), hook});
    m_processes.emplace_back(process);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(onServer(3, QStringLiteral("shared/storage/hooked-web-4"))) &&
                                 QFileInfo::exists(onServer(0, QStringLiteral("shared/storage/hooked-web-1"))),
                             60000);
    ::kill(pid_t(process->processId()), SIGKILL);
    QVERIFY(process->waitForFinished());

    const CliRun shown = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("show"),
                           QStringLiteral("last")});
    QCOMPARE(shown.object()[QStringLiteral("status")].toString(), QStringLiteral("interrupted"));
    const QString task = shown.object()[QStringLiteral("task")].toString();
    QCOMPARE(shown.object()[QStringLiteral("servers")].toArray()[0][QStringLiteral("prepare")].toString(),
             QStringLiteral("running"));
    // Killed in the middle of a delta (the second release of the commit's history is one): nothing
    // was switched, every server still runs the previous release, whole.
    for (int i = 0; i < Servers; ++i) {
        QVERIFY2(serverLog(task, i).contains("delta from"), serverLog(task, i).constData());
        checkCurrentIs(i, previous);
    }

    const CliRun resumed = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("resume"), task});
    QVERIFY2(resumed.code == 0, resumed.err.constData());
    const QString version = resumed.object()[QStringLiteral("version")].toString();
    for (int i = 0; i < Servers; ++i) {
        checkComplete(i, version);
        checkCurrentIsHead(i);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>resumed</h1>\n"));
    }
}

void TestCliRelease::killedDuringUploadRollsBack()
{
    const CliRun first = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                           QStringLiteral("shop/prod"), QStringLiteral("--offline")});
    QVERIFY2(first.code == 0, first.err.constData());
    const QString v1 = first.object()[QStringLiteral("version")].toString();
    // A package big enough for the upload to take a moment.
    QByteArray noise(24 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < noise.size(); ++i)
        noise[i] = char((i * 2654435761u) >> 13);
    QVERIFY(m_repo->write(QStringLiteral("assets/blob.bin"), noise));
    QVERIFY(!m_repo->commit(QStringLiteral("big")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);

    // The whole package, not the delta: the upload is what is killed.
    const QString task = startRelease({QStringLiteral("--parallelism"), QStringLiteral("1"), QStringLiteral("--whole")});
    QVERIFY(!task.isEmpty());
    QVERIFY(waitForLog(task, "== 06 upload", 60000));
    ::kill(pid_t(m_processes.back()->processId()), SIGKILL);
    QVERIFY(m_processes.back()->waitForFinished());

    const CliRun back = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("rollback"),
                          QStringLiteral("shop/prod"), QStringLiteral("--to"), v1});
    // The killed task's lock is its own: another task may not take it over by itself.
    QCOMPARE(back.code, 6);
    QVERIFY(back.err.contains((QStringLiteral("task ") + task).toUtf8()));
    const CliRun aborted = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("abort"), task});
    QVERIFY2(aborted.code == 0 || aborted.code == 7, aborted.err.constData());
    const CliRun rolled = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("rollback"),
                            QStringLiteral("shop/prod"), QStringLiteral("--to"), v1});
    QVERIFY2(rolled.code == 0, rolled.err.constData());
    for (int i = 0; i < Servers; ++i)
        checkComplete(i, v1);
}

void TestCliRelease::killedDuringSwitchResumes()
{
    QVERIFY(!release({}).isEmpty());
    const QString previous = current(0).section(u'/', 1);
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>switched</h1>\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("switched")).isEmpty());
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);

    // The task outlives the switch by the health check's sleep, so the kill below always lands before its end.
    const QString task = startRelease({QStringLiteral("--health-command"), QStringLiteral("sleep 5")});
    QVERIFY(!task.isEmpty());
    // Killed as the first server says it is ready to switch: whether the moment to switch came
    // before the kill or not, no server may be left between two releases.
    QVERIFY(waitForLog(task, "ready to switch", 60000));
    ::kill(pid_t(m_processes.back()->processId()), SIGKILL);
    QVERIFY(m_processes.back()->waitForFinished());

    const CliRun shown = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("show"), task});
    QCOMPARE(shown.object()[QStringLiteral("status")].toString(), QStringLiteral("interrupted"));
    const QString version = shown.object()[QStringLiteral("version")].toString();
    QVERIFY(!version.isEmpty() && version != previous);
    for (int i = 0; i < Servers; ++i) {
        const QString now = current(i).section(u'/', 1);
        QVERIFY2(now == previous || now == version, qPrintable(now));
        checkCurrentIs(i, now);
        // The link a waiting server had made is gone or became `current`.
        QTRY_VERIFY(QDir(onServer(i, QString())).entryList({QStringLiteral(".current.*")},
                                                            QDir::AllEntries | QDir::Hidden | QDir::System).isEmpty());
    }

    const CliRun resumed = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("resume"), task});
    QVERIFY2(resumed.code == 0, resumed.err.constData());
    QCOMPARE(resumed.object()[QStringLiteral("version")].toString(), version);
    QCOMPARE(resumed.object()[QStringLiteral("status")].toString(), QStringLiteral("succeeded"));
    for (int i = 0; i < Servers; ++i) {
        checkComplete(i, version);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>switched</h1>\n"));
    }
}

void TestCliRelease::scheduledTaskRunsAtItsTime()
{
    const QDateTime at = QDateTime::currentDateTimeUtc().addSecs(3);
    const CliRun scheduled = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                               QStringLiteral("shop/prod"), QStringLiteral("--offline"), QStringLiteral("--at"),
                               at.toString(Qt::ISODate)});
    QVERIFY2(scheduled.code == 0, scheduled.err.constData());
    const QString task = scheduled.object()[QStringLiteral("task")].toString();
    QCOMPARE(scheduled.object()[QStringLiteral("status")].toString(), QStringLiteral("scheduled"));
    QVERIFY(!QFileInfo::exists(onServer(0, QStringLiteral("current"))));

    auto *runner = startCli({QStringLiteral("release"), QStringLiteral("run"), QStringLiteral("--wait")});
    m_processes.emplace_back(runner);
    QTRY_VERIFY_WITH_TIMEOUT(cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("show"), task})
                                     .object()[QStringLiteral("status")]
                                     .toString()
                                 == QStringLiteral("succeeded"),
                             90000);
    const QString version = scheduled.object()[QStringLiteral("version")].toString();
    for (int i = 0; i < Servers; ++i)
        checkComplete(i, version);
    const CliRun shown = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("show"), task});
    QVERIFY(QDateTime::fromString(shown.object()[QStringLiteral("started")].toString(), Qt::ISODate) >= at.addMSecs(-1000));
    ::kill(pid_t(runner->processId()), SIGTERM);
    QVERIFY(runner->waitForFinished(20000));
}

void TestCliRelease::shellMetacharactersReachNoShell()
{
    const QString branch = QStringLiteral("fix-$(touch${IFS}pwned)-'q'\"d\"");
    QVERIFY(m_repo->branch(branch));
    QVERIFY(cli({QStringLiteral("mirror"), QStringLiteral("fetch"), QStringLiteral("shop")}).code == 0);
    const QString hook = m_dir.filePath(QStringLiteral("echo.sh"));
    QFile script(hook);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("printf '%s' \"$RD_REF\" > \"$RD_DEPLOY_ROOT/shared/storage/ref\"\n");
    script.close();
    const CliRun run = cli({QStringLiteral("--json"), QStringLiteral("release"), QStringLiteral("start"),
                         QStringLiteral("shop/prod"), QStringLiteral("--offline"), QStringLiteral("--ref"), branch,
                         QStringLiteral("--description"), QStringLiteral("$(touch /tmp/pwned-by-description)"),
                         QStringLiteral("--before-release-file"), hook});
    QVERIFY2(run.code == 0, run.err.constData());
    for (int i = 0; i < Servers; ++i) {
        QCOMPARE(readAll(onServer(i, QStringLiteral("shared/storage/ref"))), branch.toUtf8());
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("current/pwned"))));
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("pwned"))));
    }
    QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/pwned-by-description")));
}

void TestCliRelease::badInputIsRefusedClearly()
{
    const CliRun noEnv = cli({QStringLiteral("release"), QStringLiteral("start"), QStringLiteral("shop/nowhere"),
                           QStringLiteral("--offline")});
    QCOMPARE(noEnv.code, 4);
    QVERIFY(noEnv.err.contains("no environment \"nowhere\""));
    const CliRun badRef = cli({QStringLiteral("release"), QStringLiteral("start"), QStringLiteral("shop/prod"),
                            QStringLiteral("--offline"), QStringLiteral("--ref"), QStringLiteral("no-such-branch")});
    QCOMPARE(badRef.code, 4);
    QVERIFY(badRef.err.contains("no-such-branch"));
    const CliRun badKind = cli({QStringLiteral("release"), QStringLiteral("start"), QStringLiteral("shop/prod"),
                             QStringLiteral("--kind"), QStringLiteral("yolo")});
    QCOMPARE(badKind.code, 3);
    const CliRun noCanary = cli({QStringLiteral("release"), QStringLiteral("start"), QStringLiteral("shop/prod"),
                              QStringLiteral("--offline"), QStringLiteral("--kind"), QStringLiteral("gray")});
    QCOMPARE(noCanary.code, 3);
    QVERIFY(noCanary.err.contains("canary"));
    const CliRun past = cli({QStringLiteral("release"), QStringLiteral("start"), QStringLiteral("shop/prod"),
                          QStringLiteral("--offline"), QStringLiteral("--at"), QStringLiteral("2001-01-01T00:00:00Z")});
    QCOMPARE(past.code, 3);
    const CliRun noTask = cli({QStringLiteral("release"), QStringLiteral("resume"), QStringLiteral("20990101-000000-x-y")});
    QCOMPARE(noTask.code, 4);
    // Nothing above reached a server.
    for (int i = 0; i < Servers; ++i)
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("releases"))));
}

QTEST_GUILESS_MAIN(TestCliRelease)
#include "tst_clirelease.moc"
