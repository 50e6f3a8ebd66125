#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshsession.h"

#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace rd;

// Keyboard-interactive needs PAM and an account with a password, which the shared test hosts do
// not have: this test runs its own sshd with UsePAM and a throw-away user.
class TestKeyboardInteractive : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void signsInByAnsweringThePrompt();
    void wrongAnswerIsRefusedAndNamed();
    void cleanupTestCase();

private:
    SshTarget target(const QByteArray &answer, QStringList *prompts = nullptr) const;

    SshLibrary m_library;
    QTemporaryDir m_dir;
    QByteArray m_password;
    int m_port = 0;
    qint64 m_sshdPid = 0;
    bool m_userCreated = false;
    std::unique_ptr<KnownHosts> m_knownHosts;
};

static const QString User = QStringLiteral("rdtest-kbd");

void TestKeyboardInteractive::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("needs root to create the test account");
    QVERIFY(m_library.ok());
    if (QProcess::execute(QStringLiteral("id"), {User}) != 0) {
        QCOMPARE(QProcess::execute(QStringLiteral("useradd"), {QStringLiteral("-M"), User}), 0);
        m_userCreated = true;
    }
    m_password = QByteArray::number(QRandomGenerator::global()->generate64(), 36) + "-Kb!";
    QProcess chpasswd;
    chpasswd.start(QStringLiteral("chpasswd"));
    chpasswd.write(User.toUtf8() + ':' + m_password + '\n');
    chpasswd.closeWriteChannel();
    QVERIFY(chpasswd.waitForFinished());
    QCOMPARE(chpasswd.exitCode(), 0);

    const QString hostKey = m_dir.filePath(QStringLiteral("hostkey"));
    QCOMPARE(QProcess::execute(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"),
                                                              QStringLiteral("ed25519"), QStringLiteral("-N"), QString(),
                                                              QStringLiteral("-f"), hostKey}),
             0);
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        m_port = probe.serverPort();
    }
    QFile config(m_dir.filePath(QStringLiteral("sshd_config")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral("Port %1\nListenAddress 127.0.0.1\nHostKey %2\nUsePAM yes\n"
                                "KbdInteractiveAuthentication yes\nPasswordAuthentication no\n"
                                "PubkeyAuthentication no\nPidFile %3\nStrictModes no\nUseDNS no\n")
                     .arg(m_port)
                     .arg(hostKey, m_dir.filePath(QStringLiteral("sshd.pid")))
                     .toUtf8());
    config.close();
    QDir().mkpath(QStringLiteral("/run/sshd"));
    QCOMPARE(QProcess::execute(QStringLiteral("/usr/sbin/sshd"),
                               {QStringLiteral("-f"), config.fileName(), QStringLiteral("-E"),
                                m_dir.filePath(QStringLiteral("sshd.log"))}),
             0);
    QTRY_VERIFY(QFile::exists(m_dir.filePath(QStringLiteral("sshd.pid"))));
    QFile pid(m_dir.filePath(QStringLiteral("sshd.pid")));
    QVERIFY(pid.open(QIODevice::ReadOnly));
    m_sshdPid = pid.readAll().trimmed().toLongLong();
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
}

void TestKeyboardInteractive::cleanupTestCase()
{
    if (m_sshdPid > 0)
        ::kill(pid_t(m_sshdPid), SIGTERM);
    if (m_userCreated)
        QProcess::execute(QStringLiteral("userdel"), {User});
}

SshTarget TestKeyboardInteractive::target(const QByteArray &answer, QStringList *prompts) const
{
    SshTarget target;
    target.name = QStringLiteral("pam-host");
    target.host = QStringLiteral("127.0.0.1");
    target.port = m_port;
    target.username = User;
    target.connectTimeoutMs = 5000;
    target.keyboardInteractive = [answer, prompts](const QString &, const QString &prompt, bool echo) {
        if (prompts)
            prompts->append(prompt);
        return echo ? std::optional<QByteArray>() : std::optional<QByteArray>(answer);
    };
    return target;
}

void TestKeyboardInteractive::signsInByAnsweringThePrompt()
{
    QStringList prompts;
    auto session = SshSession::connect(target(m_password, &prompts), *m_knownHosts,
                                       [](const HostKeyInfo &) { return HostKeyDecision::AcceptOnce; });
    QVERIFY2(session, session ? "" : qPrintable(session.error().text()));
    QCOMPARE((*session)->authenticatedWith(), QStringLiteral("keyboard-interactive"));
    QVERIFY(!prompts.isEmpty());
    QVERIFY2(prompts.first().contains(QStringLiteral("assword")), qPrintable(prompts.first()));
    QString who;
    ExecOptions options;
    options.onStdout = [&](const QString &line) { who = line; };
    QVERIFY((*session)->exec(QStringLiteral("id -un"), options)->succeeded());
    QCOMPARE(who, User);
}

void TestKeyboardInteractive::wrongAnswerIsRefusedAndNamed()
{
    auto session = SshSession::connect(target("not-the-password"), *m_knownHosts,
                                       [](const HostKeyInfo &) { return HostKeyDecision::AcceptOnce; });
    QVERIFY(!session);
    const QString text = session.error().text();
    QVERIFY2(text.contains(QStringLiteral("offers: keyboard-interactive")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Tried: keyboard-interactive")), qPrintable(text));
    QVERIFY(!text.contains(QStringLiteral("not-the-password")));
}

QTEST_GUILESS_MAIN(TestKeyboardInteractive)
#include "tst_keyboardinteractive.moc"
