#include "release/remotehook.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshsession.h"
#include "testhosts.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;
using namespace rd::test;

class TestRemoteHook : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void variablesArriveVerbatim();
    void firstFailingCommandFailsTheHook();
    void missingDirectoryIsNamed();
    void cleanupTestCase();

private:
    std::optional<ExecResult> run(const QString &script, const QString &workDir, QStringList *err = nullptr);

    SshLibrary m_library;
    QTemporaryDir m_dir;
    TestHost m_host;
    std::unique_ptr<KnownHosts> m_knownHosts;
    std::unique_ptr<SshSession> m_session;
    QString m_remoteDir;
    QString m_backingDir;
    HookEnvironment m_environment;
};

void TestRemoteHook::initTestCase()
{
    QVERIFY(m_library.ok());
    const TestHostSet hosts = fixtureHosts();
    QVERIFY(hosts.hosts.size() >= 6);
    m_host = hosts.hosts[5];
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
    QVERIFY(m_knownHosts->import(hosts.knownHosts()));
    auto session = SshSession::connect(keyFileTarget(hosts, m_host), *m_knownHosts, {});
    QVERIFY(session);
    m_session = std::move(*session);
    const QString name = QStringLiteral("hook dir 'q' $(x)");
    m_remoteDir = m_host.deployRoot + u'/' + name;
    m_backingDir = m_host.backingDir + u'/' + name;
    QVERIFY(QDir().mkpath(m_backingDir));

    m_environment.project = QStringLiteral("shop");
    m_environment.environment = QStringLiteral("prod");
    m_environment.version = QStringLiteral("shop-v7-20261123101500");
    m_environment.commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    m_environment.ref = QStringLiteral("release/it's $(touch pwned) `touch pwned2` \"x\"\nsecond line");
    m_environment.stage = QStringLiteral("before-release");
    m_environment.server = QStringLiteral("web-01");
    m_environment.deployRoot = m_host.deployRoot;
    m_environment.releaseDir = m_remoteDir;
    m_environment.previousDir = QString();
}

void TestRemoteHook::cleanupTestCase() { removeTestTree(m_backingDir); }

std::optional<ExecResult> TestRemoteHook::run(const QString &script, const QString &workDir, QStringList *err)
{
    ExecOptions options;
    options.onStderr = [err](const QString &line) {
        if (err)
            err->append(line);
    };
    auto result = m_session->exec(RemoteHook::command(script, workDir, m_environment), options);
    return result ? std::optional<ExecResult>(*result) : std::nullopt;
}

void TestRemoteHook::variablesArriveVerbatim()
{
    QString script;
    for (const auto &[name, value] : m_environment.variables())
        script += QStringLiteral("printf '%s=%s\\0' %1 \"$%1\" >> vars\n").arg(name);
    script += QStringLiteral("pwd > where\n");
    const auto result = run(script, m_remoteDir);
    QVERIFY(result);
    QCOMPARE(result->exitStatus, 0);
    QByteArray expected;
    for (const auto &[name, value] : m_environment.variables())
        expected += (name + u'=' + value).toUtf8() + '\0';
    QCOMPARE(readAll(m_backingDir + QStringLiteral("/vars")), expected);
    QCOMPARE(readAll(m_backingDir + QStringLiteral("/where")).trimmed(), m_remoteDir.toUtf8());
    QVERIFY(!QFile::exists(m_backingDir + QStringLiteral("/pwned")));
    QVERIFY(!QFile::exists(m_backingDir + QStringLiteral("/pwned2")));
}

void TestRemoteHook::firstFailingCommandFailsTheHook()
{
    const auto result = run(QStringLiteral("echo before\nfalse\ntouch after\n"), m_remoteDir);
    QVERIFY(result);
    QCOMPARE(result->exitStatus, 1);
    QVERIFY(!QFile::exists(m_backingDir + QStringLiteral("/after")));
    const auto exitCode = run(QStringLiteral("exit 42"), m_remoteDir);
    QCOMPARE(exitCode->exitStatus, 42);
}

void TestRemoteHook::missingDirectoryIsNamed()
{
    QStringList err;
    const auto result = run(QStringLiteral("touch nowhere"), m_remoteDir + QStringLiteral("/missing"), &err);
    QVERIFY(result);
    QCOMPARE(result->exitStatus, RemoteHook::MissingWorkDir);
    QVERIFY2(err.join(u' ').contains(QStringLiteral("does not exist on this server")), qPrintable(err.join(u' ')));
}

QTEST_GUILESS_MAIN(TestRemoteHook)
#include "tst_remotehook.moc"
