#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshpool.h"
#include "ssh/sshsession.h"
#include "testhosts.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace rd;
using namespace rd::test;

namespace {

int countEntries(const QString &dir) { return int(QDir(dir).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System).size()); }
int threadCount() { return countEntries(QStringLiteral("/proc/self/task")); }
int fdCount() { return countEntries(QStringLiteral("/proc/self/fd")); }

// A job that runs one command on its server.
SshJob commandJob(const QString &command)
{
    return [command](SshSession &session, const SshJobContext &) -> Result<> {
        auto result = session.exec(command);
        return result ? Result<>{} : std::unexpected(result.error());
    };
}

// A job that holds its slot for `seconds`, with `running` set meanwhile.
SshJob slotHolder(std::atomic_bool &running, int seconds)
{
    return [&running, seconds](SshSession &session, const SshJobContext &) -> Result<> {
        running = true;
        auto result = session.exec(QStringLiteral("sleep %1").arg(seconds));
        running = false;
        return result ? Result<>{} : std::unexpected(result.error());
    };
}

struct Outcome
{
    QString server;
    bool ok = false;
    QString message;
};

} // namespace

class TestSshPool : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void fiftyServersReuseOneConnectionAndLeaveNothingBehind();
    void parallelismBoundsConcurrentServers();
    void shortJobsOnConnectedServersPassTheLimit();
    void shortJobsBehindABusyServerPassTheLimitToo();
    void aJobThatOnlyWaitsGivesItsSlotAway();
    void failuresStayWithTheirServer();
    void cancelStopsRunningAndQueuedJobs();
    void cleanupTestCase();

private:
    QHash<int, Outcome> runUntilIdle(SshPool &pool);
    SshTarget target(const TestHost &host) const { return keyFileTarget(m_fifty, host); }

    SshLibrary m_library;
    QTemporaryDir m_dir;
    TestHostSet m_fifty;
    std::unique_ptr<KnownHosts> m_knownHosts;
};

void TestSshPool::initTestCase()
{
    QVERIFY(m_library.ok());
    m_fifty = startPrivateHosts(m_dir.filePath(QStringLiteral("fifty")), 50);
    QCOMPARE(m_fifty.hosts.size(), 50);
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(m_fifty.knownHosts()));
}

void TestSshPool::cleanupTestCase() { stopPrivateHosts(m_fifty.dir); }

QHash<int, Outcome> TestSshPool::runUntilIdle(SshPool &pool)
{
    QHash<int, Outcome> outcomes;
    QObject receiver; // ends the connection with this function
    connect(&pool, &SshPool::jobFinished, &receiver,
            [&](int id, const QString &server, bool ok, const QString &message, const QString &) {
                outcomes.insert(id, {server, ok, message});
            });
    QSignalSpy idle(&pool, &SshPool::idle);
    pool.finishAll();
    if (!pool.isIdle() && !idle.wait(120000))
        qWarning("the pool did not become idle");
    return outcomes;
}

void TestSshPool::fiftyServersReuseOneConnectionAndLeaveNothingBehind()
{
    const int threadsBefore = threadCount();
    const int fdsBefore = fdCount();
    QHash<QString, QStringList> seen; // server -> lines from both jobs
    {
        SshPool pool(*m_knownHosts, {}, 50, 200);
        connect(&pool, &SshPool::logLine, this,
                [&](const QString &server, const QString &line, bool) { seen[server].append(line); });
        QList<int> jobs;
        for (const TestHost &host : m_fifty.hosts) {
            pool.addServer(target(host));
            // $PPID is the sshd process serving this connection: equal in both jobs when the session is reused.
            for (int stage = 0; stage < 2; ++stage) {
                jobs.append(pool.enqueue(host.name, [](SshSession &session, const SshJobContext &context) -> Result<> {
                    ExecOptions options;
                    options.onStdout = [&](const QString &line) { context.log(line, false); };
                    auto result = session.exec(QStringLiteral("echo \"$(hostname) $PPID\""), options);
                    if (!result)
                        return std::unexpected(result.error());
                    return {};
                }));
            }
        }
        QVERIFY(threadCount() > threadsBefore);
        const auto outcomes = runUntilIdle(pool);
        QCOMPARE(outcomes.size(), jobs.size());
        for (int id : jobs)
            QVERIFY2(outcomes[id].ok, qPrintable(outcomes[id].server + QStringLiteral(": ") + outcomes[id].message));
    }
    for (const TestHost &host : m_fifty.hosts) {
        const QStringList lines = seen.value(host.name);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0], lines[1]);
        QCOMPARE(lines[0].section(u' ', 0, 0), host.name); // each job ran on its own server
    }
    // Not more than before: a thread that Qt itself had running then may have ended since.
    QTRY_VERIFY(threadCount() <= threadsBefore);
    QVERIFY(fdCount() <= fdsBefore);
}

void TestSshPool::parallelismBoundsConcurrentServers()
{
    std::atomic_int running = 0;
    std::atomic_int peak = 0;
    SshPool pool(*m_knownHosts, {}, 4, 200);
    for (int i = 0; i < 12; ++i) {
        pool.addServer(target(m_fifty.hosts[i]));
        pool.enqueue(m_fifty.hosts[i].name, [&](SshSession &session, const SshJobContext &) -> Result<> {
            const int now = ++running;
            int previous = peak.load();
            while (now > previous && !peak.compare_exchange_weak(previous, now)) {
            }
            auto result = session.exec(QStringLiteral("sleep 0.3"));
            --running;
            return result ? Result<>{} : std::unexpected(result.error());
        });
    }
    const auto outcomes = runUntilIdle(pool);
    QCOMPARE(outcomes.size(), 12);
    for (const Outcome &outcome : outcomes)
        QVERIFY(outcome.ok);
    QVERIFY(peak.load() <= 4);
    QVERIFY(peak.load() >= 2);
}

void TestSshPool::shortJobsOnConnectedServersPassTheLimit()
{
    // Parallelism 1: server A holds the only slot with a long job while server B, connected by an
    // earlier job, gets a job beyond the limit; a third server, not yet connected, has to wait.
    SshPool pool(*m_knownHosts, {}, 1, 200);
    for (int i = 0; i < 3; ++i)
        pool.addServer(target(m_fifty.hosts[i]));
    const QString a = m_fifty.hosts[0].name;
    const QString b = m_fifty.hosts[1].name;
    const QString c = m_fifty.hosts[2].name;
    const SshJob quick = commandJob(QStringLiteral("true"));
    QSignalSpy finished(&pool, &SshPool::jobFinished);
    pool.enqueue(b, quick);
    QVERIFY(finished.wait(30000));
    std::atomic_bool longRunning = false;
    pool.enqueue(a, slotHolder(longRunning, 3));
    QTRY_VERIFY(longRunning.load());
    const int beyond = pool.enqueue(b, quick, true);
    const int waiting = pool.enqueue(c, quick, true);
    QList<int> order;
    connect(&pool, &SshPool::jobFinished, this, [&](int id, const QString &, bool ok, const QString &, const QString &) {
        QVERIFY(ok);
        order.append(id);
    });
    QTRY_VERIFY_WITH_TIMEOUT(order.contains(beyond), 10000);
    QVERIFY(longRunning.load()); // B's job ended while A still held the slot
    QVERIFY(!order.contains(waiting));
    runUntilIdle(pool);
    QVERIFY(order.contains(waiting));
}

void TestSshPool::aJobThatOnlyWaitsGivesItsSlotAway()
{
    // Parallelism 1: server A's job gives its slot away and then waits for server B's job, as a
    // command at a switch gate waits for the others. B gets the slot while A waits; C only after B.
    SshPool pool(*m_knownHosts, {}, 1, 200);
    for (int i = 0; i < 3; ++i)
        pool.addServer(target(m_fifty.hosts[i]));
    std::atomic_bool aWaiting = false, bDone = false, bSawAWaiting = false, cSawBDone = false;
    QSignalSpy finished(&pool, &SshPool::jobFinished);
    const int waiter = pool.enqueue(m_fifty.hosts[0].name, [&](SshSession &session, const SshJobContext &context) -> Result<> {
        if (auto ran = session.exec(QStringLiteral("true")); !ran)
            return std::unexpected(ran.error());
        aWaiting = true;
        context.yieldSlot();
        const QDeadlineTimer patience(30000);
        while (!bDone.load() && !patience.hasExpired())
            QThread::msleep(10);
        aWaiting = false;
        return bDone.load() ? Result<>{} : fail(QStringLiteral("B never ran while A waited"));
    });
    const int other = pool.enqueue(m_fifty.hosts[1].name, [&](SshSession &session, const SshJobContext &) -> Result<> {
        bSawAWaiting = aWaiting.load();
        auto ran = session.exec(QStringLiteral("true"));
        bDone = true;
        return ran ? Result<>{} : std::unexpected(ran.error());
    });
    const int third = pool.enqueue(m_fifty.hosts[2].name, [&](SshSession &, const SshJobContext &) -> Result<> {
        cSawBDone = bDone.load();
        return {};
    });
    runUntilIdle(pool);
    QHash<int, bool> ok;
    for (const QList<QVariant> &result : finished)
        ok.insert(result.at(0).toInt(), result.at(2).toBool());
    QCOMPARE(ok, (QHash<int, bool>{{waiter, true}, {other, true}, {third, true}}));
    QVERIFY(bSawAWaiting.load());
    QVERIFY(cSawBDone.load());
}

void TestSshPool::shortJobsBehindABusyServerPassTheLimitToo()
{
    // As in a switch while a lock heartbeat runs: server B is busy with one job beyond the limit when
    // the next one comes; that one starts when B is free, not when A gives up the only slot.
    SshPool pool(*m_knownHosts, {}, 1, 200);
    for (int i = 0; i < 2; ++i)
        pool.addServer(target(m_fifty.hosts[i]));
    const QString a = m_fifty.hosts[0].name;
    const QString b = m_fifty.hosts[1].name;
    QSignalSpy finished(&pool, &SshPool::jobFinished);
    pool.enqueue(b, commandJob(QStringLiteral("true")));
    QVERIFY(finished.wait(30000));
    std::atomic_bool longRunning = false;
    pool.enqueue(a, slotHolder(longRunning, 6));
    QTRY_VERIFY(longRunning.load());
    const int busy = pool.enqueue(b, commandJob(QStringLiteral("sleep 1")), true);
    const int next = pool.enqueue(b, commandJob(QStringLiteral("true")), true);
    QList<int> order;
    connect(&pool, &SshPool::jobFinished, this, [&](int id, const QString &, bool ok, const QString &, const QString &) {
        QVERIFY(ok);
        order.append(id);
    });
    QTRY_VERIFY_WITH_TIMEOUT(order.contains(next), 15000);
    QVERIFY(longRunning.load()); // A still held the slot
    QCOMPARE(order.first(), busy);
    runUntilIdle(pool);
}

void TestSshPool::failuresStayWithTheirServer()
{
    SshPool pool(*m_knownHosts, {}, 10, 200);
    SshTarget dead = target(m_fifty.hosts[0]);
    dead.name = QStringLiteral("dead");
    dead.port = 1;
    pool.addServer(std::move(dead));
    pool.addServer(target(m_fifty.hosts[1]));
    auto job = [](SshSession &session, const SshJobContext &) -> Result<> {
        auto result = session.exec(QStringLiteral("exit 0"));
        return result ? Result<>{} : std::unexpected(result.error());
    };
    const int deadFirst = pool.enqueue(QStringLiteral("dead"), job);
    const int deadSecond = pool.enqueue(QStringLiteral("dead"), job);
    const int alive = pool.enqueue(m_fifty.hosts[1].name, job);
    const int unknown = pool.enqueue(QStringLiteral("never-added"), job);
    const auto outcomes = runUntilIdle(pool);
    QCOMPARE(outcomes.size(), 4);
    QVERIFY(!outcomes[deadFirst].ok);
    QVERIFY2(outcomes[deadFirst].message.contains(QStringLiteral("Connection refused")), qPrintable(outcomes[deadFirst].message));
    QCOMPARE(outcomes[deadSecond].message, outcomes[deadFirst].message); // no second connection attempt
    QVERIFY(outcomes[alive].ok);
    QVERIFY(!outcomes[unknown].ok);
    QVERIFY(outcomes[unknown].message.contains(QStringLiteral("never-added")));
}

void TestSshPool::cancelStopsRunningAndQueuedJobs()
{
    const int threadsBefore = threadCount();
    QHash<int, Outcome> outcomes;
    {
        SshPool pool(*m_knownHosts, {}, 3, 200);
        connect(&pool, &SshPool::jobFinished, this,
                [&](int id, const QString &server, bool ok, const QString &message, const QString &) {
                    outcomes.insert(id, {server, ok, message});
                });
        QSignalSpy connected(&pool, &SshPool::connected);
        for (int i = 0; i < 6; ++i) {
            pool.addServer(target(m_fifty.hosts[i]));
            pool.enqueue(m_fifty.hosts[i].name, [](SshSession &session, const SshJobContext &context) -> Result<> {
                ExecOptions options;
                options.cancel = context.cancel;
                auto result = session.exec(QStringLiteral("sleep 60"), options);
                if (!result)
                    return std::unexpected(result.error());
                if (result->cancelled)
                    return fail(QStringLiteral("cancelled"));
                return {};
            });
        }
        QVERIFY(connected.wait(10000));
        pool.cancel();
        QSignalSpy idle(&pool, &SshPool::idle);
        pool.finishAll();
        QVERIFY(idle.wait(30000));
    }
    QCOMPARE(outcomes.size(), 6);
    for (const Outcome &outcome : outcomes)
        QVERIFY(!outcome.ok);
    QTRY_VERIFY(threadCount() <= threadsBefore);
}

QTEST_GUILESS_MAIN(TestSshPool)
#include "tst_sshpool.moc"
