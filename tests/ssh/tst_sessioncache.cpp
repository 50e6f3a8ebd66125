#include "hostkeys/knownhosts.h"
#include "ssh/sessioncache.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshpool.h"
#include "ssh/sshsession.h"
#include "testhosts.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace rd;
using namespace rd::test;
using namespace std::chrono_literals;

namespace {
// The sshd process that served a connection has ended: gone, or a zombie its parent has not reaped yet
// (its connection is closed either way).
bool processEnded(const QString &pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray fields = stat.readAll();
    // "pid (name) state ...": the name may hold spaces and parentheses, the state follows the last ')'.
    const qsizetype end = fields.lastIndexOf(')');
    return end > 0 && fields.mid(end + 2, 1) == "Z";
}
} // namespace

// Connections kept open between tasks, on the shared sshd test hosts: a second pool's jobs run on the
// first pool's connection (the same sshd process serves both), unless the cache is off, the server
// hung up, the connection sat idle past the limit, a job on it failed, or its host key is no longer trusted.
class TestSessionCache : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void aKeptConnectionServesTheNextTask();
    void offNothingIsKept();
    void aServerThatHungUpGetsANewConnection();
    void idleConnectionsCloseAfterTheLimit();
    void aFailedJobsConnectionIsNotKept();
    void aForgottenHostKeyEndsTheKeptConnection();

private:
    struct Run
    {
        QHash<QString, QString> sshdPid; // server -> pid of the sshd process serving its connection
        QHash<QString, bool> ok;
        int connections = 0; // `connected` signals: one per server, kept or new
    };
    // One pool, one job per server, closed at the end (as a task's pool is).
    Run runOnce(const QList<TestHost> &hosts, const QString &command = QStringLiteral("echo $PPID"));

    SshLibrary m_library;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    std::unique_ptr<KnownHosts> m_knownHosts;
};

void TestSessionCache::initTestCase()
{
    QVERIFY(m_library.ok());
    m_hosts = fixtureHosts();
    QVERIFY(m_hosts.hosts.size() >= 6);
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(m_hosts.knownHosts()));
}

void TestSessionCache::init() { SessionCache::instance().setIdleLimit(60s); }

void TestSessionCache::cleanup()
{
    SessionCache::instance().setIdleLimit(0s);
    QCOMPARE(SessionCache::instance().size(), 0);
}

TestSessionCache::Run TestSessionCache::runOnce(const QList<TestHost> &hosts, const QString &command)
{
    Run run;
    SshPool pool(*m_knownHosts, {}, 10, 100);
    connect(&pool, &SshPool::connected, this, [&](const QString &, const QString &) { ++run.connections; });
    connect(&pool, &SshPool::logLine, this, [&](const QString &server, const QString &line, bool isStderr) {
        if (!isStderr)
            run.sshdPid[server] = line;
    });
    connect(&pool, &SshPool::jobFinished, this,
            [&](int, const QString &server, bool ok, const QString &, const QString &) { run.ok[server] = ok; });
    for (const TestHost &host : hosts) {
        pool.addServer(keyFileTarget(m_hosts, host));
        pool.enqueue(host.name, [command](SshSession &session, const SshJobContext &context) -> Result<> {
            ExecOptions options;
            options.onStdout = [&](const QString &line) { context.log(line, false); };
            auto result = session.exec(command, options);
            if (!result)
                return std::unexpected(result.error());
            if (result->exitStatus != 0)
                return fail(QStringLiteral("exit %1").arg(result->exitStatus));
            return {};
        });
    }
    QSignalSpy idle(&pool, &SshPool::idle);
    pool.finishAll();
    if (!pool.isIdle() && !idle.wait(60000))
        qWarning("the pool did not become idle");
    return run;
}

void TestSessionCache::aKeptConnectionServesTheNextTask()
{
    const QList<TestHost> hosts = m_hosts.hosts.mid(0, 3);
    const Run first = runOnce(hosts);
    QCOMPARE(first.ok.size(), 3);
    QCOMPARE(first.connections, 3);
    QTRY_COMPARE(SessionCache::instance().size(), 3);
    const Run second = runOnce(hosts);
    QCOMPARE(second.connections, 3);
    for (const TestHost &host : hosts) {
        QVERIFY(second.ok.value(host.name));
        QVERIFY(!first.sshdPid.value(host.name).isEmpty());
        QCOMPARE(second.sshdPid.value(host.name), first.sshdPid.value(host.name));
    }
    // The same server with another known_hosts file is another key: a new connection.
    KnownHosts other(m_dir.filePath(QStringLiteral("other_known_hosts")));
    QVERIFY(other.import(m_hosts.knownHosts()));
    QVERIFY(SessionCache::keyFor(keyFileTarget(m_hosts, hosts[0]), other.path())
            != SessionCache::keyFor(keyFileTarget(m_hosts, hosts[0]), m_knownHosts->path()));
}

void TestSessionCache::offNothingIsKept()
{
    SessionCache::instance().setIdleLimit(0s);
    const QList<TestHost> hosts = m_hosts.hosts.mid(0, 2);
    const Run first = runOnce(hosts);
    QCOMPARE(SessionCache::instance().size(), 0);
    const Run second = runOnce(hosts);
    for (const TestHost &host : hosts) {
        QVERIFY(first.ok.value(host.name) && second.ok.value(host.name));
        QVERIFY(second.sshdPid.value(host.name) != first.sshdPid.value(host.name));
    }
}

void TestSessionCache::aServerThatHungUpGetsANewConnection()
{
    const QList<TestHost> hosts{m_hosts.hosts[2]};
    const Run first = runOnce(hosts);
    QTRY_COMPARE(SessionCache::instance().size(), 1);
    // The sshd process serving the kept connection is killed: the server hangs up.
    const qint64 pid = first.sshdPid.value(hosts[0].name).toLongLong();
    QVERIFY(pid > 1);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(processEnded(QString::number(pid)), 5000);
    const Run second = runOnce(hosts);
    QVERIFY(second.ok.value(hosts[0].name));
    QVERIFY(!second.sshdPid.value(hosts[0].name).isEmpty());
    QVERIFY(second.sshdPid.value(hosts[0].name) != first.sshdPid.value(hosts[0].name));
}

void TestSessionCache::idleConnectionsCloseAfterTheLimit()
{
    SessionCache::instance().setIdleLimit(1s);
    const QList<TestHost> hosts{m_hosts.hosts[3]};
    const Run first = runOnce(hosts);
    QVERIFY(first.ok.value(hosts[0].name));
    QTRY_COMPARE_WITH_TIMEOUT(SessionCache::instance().size(), 0, 5000);
    // Closed, not forgotten: the server's process for it has ended.
    QTRY_VERIFY_WITH_TIMEOUT(processEnded(first.sshdPid.value(hosts[0].name)), 5000);
    const Run second = runOnce(hosts);
    QVERIFY(second.sshdPid.value(hosts[0].name) != first.sshdPid.value(hosts[0].name));
}

void TestSessionCache::aFailedJobsConnectionIsNotKept()
{
    const QList<TestHost> hosts{m_hosts.hosts[4]};
    const Run run = runOnce(hosts, QStringLiteral("echo $PPID; exit 3"));
    QCOMPARE(run.ok.value(hosts[0].name), false);
    QCOMPARE(SessionCache::instance().size(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(processEnded(run.sshdPid.value(hosts[0].name)), 5000);
}

void TestSessionCache::aForgottenHostKeyEndsTheKeptConnection()
{
    const QList<TestHost> hosts{m_hosts.hosts[5]};
    const Run first = runOnce(hosts);
    QVERIFY(first.ok.value(hosts[0].name));
    QTRY_COMPARE(SessionCache::instance().size(), 1);
    // The operator forgets the server's key (it was reinstalled, say): the kept connection is not used,
    // and a new one meets an unknown key that nobody accepts (these pools have no prompt).
    const auto forgotten = m_knownHosts->forget(hosts[0].address, hosts[0].port);
    QVERIFY(forgotten && *forgotten > 0);
    const Run second = runOnce(hosts);
    QVERIFY(m_knownHosts->import(m_hosts.knownHosts()));
    QCOMPARE(second.ok.value(hosts[0].name, true), false);
    QVERIFY(second.sshdPid.isEmpty());
    QCOMPARE(SessionCache::instance().size(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(processEnded(first.sshdPid.value(hosts[0].name)), 5000);
}

QTEST_GUILESS_MAIN(TestSessionCache)
#include "tst_sessioncache.moc"
