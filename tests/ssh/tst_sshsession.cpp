#include "hostkeys/knownhosts.h"
#include "ssh/remotecommand.h"
#include "ssh/sshlibrary.h"
#include "ssh/sshsession.h"
#include "testhosts.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>
#include <thread>

using namespace rd;
using namespace rd::test;

namespace {

HostKeyPrompt remember() { return [](const HostKeyInfo &) { return HostKeyDecision::Remember; }; }

QString writeRandomFile(const QString &path, qint64 size)
{
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    QByteArray block(1 << 20, Qt::Uninitialized);
    for (qint64 written = 0; written < size;) {
        const qint64 n = qMin<qint64>(block.size(), size - written);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
        file.write(block.constData(), n);
        written += n;
    }
    return path;
}

QByteArray sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

QStringList partialFiles(const QString &dir)
{
    QStringList found;
    QDirIterator it(dir, {QStringLiteral("*.rd-part-*")}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        found.append(it.next());
    return found;
}

// Every sshd process of one test host (listener and per-connection daemons), but not the user's
// commands: what dies when "sshd is killed" on a real server.
QList<int> sshdTree(int listener)
{
    QList<int> tree{listener};
    for (bool grew = true; grew;) {
        grew = false;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            bool isPid = false;
            const int pid = entry.toInt(&isPid);
            if (!isPid || tree.contains(pid))
                continue;
            const QByteArray stat = readAll(QStringLiteral("/proc/%1/stat").arg(pid));
            const qsizetype close = stat.lastIndexOf(')');
            if (close < 0 || !stat.mid(stat.indexOf('(') + 1, close - stat.indexOf('(') - 1).startsWith("sshd"))
                continue;
            const int parent = stat.mid(close + 2).split(' ').value(1).toInt();
            if (tree.contains(parent)) {
                tree.append(pid);
                grew = true;
            }
        }
    }
    return tree;
}

} // namespace

class TestSshSession : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void authenticatesWithKeyFile();
    void authenticatesWithStoredKeyFromMemory();
    void authenticatesWithPassphraseKeys();
    void wrongPassphraseIsClear();
    void authenticatesWithAgent();
    void wrongKeyNamesOfferedAndTriedMethods();
    void unknownUserIsRefused();
    void unreachablePortIsClear();
    void connectsOverIpv6();
    void firstContactAsksAndRemembers();
    void rejectedOrOnceAcceptedKeysAreNotStored();
    void changedHostKeyIsRefusedWithBothFingerprints();
    void importsOpenSshKnownHosts();
    void keyOfAnotherTypeIsAChangeNotAFirstContact();
    void execStreamsLinesAndExitCode();
    void execReportsSignals();
    void timeLimitEndsTheRemoteProcess();
    void cancelEndsTheRemoteProcess();
    void commandsThatCloseTheirOutputAreWaitedFor();
    void cancelledUploadLeavesTheSessionUsable();
    void uploadsExactBytes_data();
    void uploadsExactBytes();
    void uploadIntoMissingDirectoryFails();
    void fullDiskFailsAndLeavesNoPartialFile();
    void killedSshdMidUploadLeavesNoPartialFile();
    void cleanupTestCase();

private:
    std::unique_ptr<SshSession> connectTo(const TestHost &host);

    SshLibrary m_library;
    TestHostSet m_hosts;
    QTemporaryDir m_dir;
    std::unique_ptr<KnownHosts> m_knownHosts;
    QStringList m_privateSets;
};

void TestSshSession::initTestCase()
{
    QVERIFY(m_library.ok());
    m_hosts = fixtureHosts();
    QVERIFY2(m_hosts.hosts.size() >= 3, "the testhosts fixture is not running");
    m_knownHosts = std::make_unique<KnownHosts>(m_dir.filePath(QStringLiteral("known_hosts")));
}

void TestSshSession::cleanupTestCase()
{
    for (const QString &dir : m_privateSets)
        stopPrivateHosts(dir);
}

std::unique_ptr<SshSession> TestSshSession::connectTo(const TestHost &host)
{
    auto session = SshSession::connect(keyFileTarget(m_hosts, host), *m_knownHosts, remember());
    if (!session) {
        qWarning("%s", qPrintable(session.error().text()));
        return nullptr;
    }
    return std::move(*session);
}

void TestSshSession::authenticatesWithKeyFile()
{
    auto session = connectTo(m_hosts.hosts[0]);
    QVERIFY(session);
    QVERIFY(session->authenticatedWith().startsWith(QStringLiteral("key file")));
    auto result = session->exec(QStringLiteral("true"));
    QVERIFY(result);
    QVERIFY(result->succeeded());
}

void TestSshSession::authenticatesWithStoredKeyFromMemory()
{
    SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[1]);
    target.keyPath.clear();
    target.privateKey = SecretBytes(readAll(m_hosts.clientKey()));
    auto session = SshSession::connect(std::move(target), *m_knownHosts, remember());
    QVERIFY2(session, session ? "" : qPrintable(session.error().text()));
    QCOMPARE((*session)->authenticatedWith(), QStringLiteral("stored key"));
    QString who;
    ExecOptions options;
    options.onStdout = [&](const QString &line) { who = line; };
    QVERIFY((*session)->exec(QStringLiteral("id -un"), options)->succeeded());
    QCOMPARE(who, m_hosts.hosts[1].user);
}

void TestSshSession::authenticatesWithPassphraseKeys()
{
    SshTarget fromFile = keyFileTarget(m_hosts, m_hosts.hosts[0]);
    fromFile.keyPath = m_hosts.passphraseKey();
    fromFile.passphrase = SecretBytes(m_hosts.passphrase());
    auto viaFile = SshSession::connect(std::move(fromFile), *m_knownHosts, remember());
    QVERIFY2(viaFile, viaFile ? "" : qPrintable(viaFile.error().text()));

    SshTarget fromMemory = keyFileTarget(m_hosts, m_hosts.hosts[0]);
    fromMemory.keyPath.clear();
    fromMemory.privateKey = SecretBytes(readAll(m_hosts.passphraseKey()));
    fromMemory.passphrase = SecretBytes(m_hosts.passphrase());
    auto viaMemory = SshSession::connect(std::move(fromMemory), *m_knownHosts, remember());
    QVERIFY2(viaMemory, viaMemory ? "" : qPrintable(viaMemory.error().text()));
}

void TestSshSession::wrongPassphraseIsClear()
{
    SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[0]);
    target.keyPath.clear();
    target.privateKey = SecretBytes(readAll(m_hosts.passphraseKey()));
    target.passphrase = SecretBytes(QByteArrayLiteral("not the passphrase"));
    auto session = SshSession::connect(std::move(target), *m_knownHosts, remember());
    QVERIFY(!session);
    const QString text = session.error().text();
    QVERIFY2(text.contains(QStringLiteral("stored key")), qPrintable(text));
    QVERIFY2(session.error().message.contains(QStringLiteral("stored key (")), qPrintable(text));
    QVERIFY(!text.contains(QStringLiteral("not the passphrase")));
}

void TestSshSession::authenticatesWithAgent()
{
    const QString socket = m_dir.filePath(QStringLiteral("agent.sock"));
    QProcess agent;
    agent.start(QStringLiteral("ssh-agent"), {QStringLiteral("-D"), QStringLiteral("-a"), socket});
    QVERIFY(agent.waitForStarted());
    QTRY_VERIFY(QFile::exists(socket));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SSH_AUTH_SOCK"), socket);
    QProcess add;
    add.setProcessEnvironment(environment);
    add.start(QStringLiteral("ssh-add"), {m_hosts.clientKey()});
    QVERIFY(add.waitForFinished());
    QCOMPARE(add.exitCode(), 0);

    const QByteArray previous = qgetenv("SSH_AUTH_SOCK");
    qputenv("SSH_AUTH_SOCK", QFile::encodeName(socket));
    SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[2]);
    target.keyPath.clear();
    target.useAgent = true;
    auto session = SshSession::connect(std::move(target), *m_knownHosts, remember());
    qputenv("SSH_AUTH_SOCK", previous);
    agent.kill();
    agent.waitForFinished();
    QVERIFY2(session, session ? "" : qPrintable(session.error().text()));
    QVERIFY((*session)->authenticatedWith().startsWith(QStringLiteral("ssh-agent")));
}

void TestSshSession::wrongKeyNamesOfferedAndTriedMethods()
{
    const QString stranger = m_dir.filePath(QStringLiteral("stranger"));
    QCOMPARE(QProcess::execute(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"),
                                                              QStringLiteral("ed25519"), QStringLiteral("-N"),
                                                              QString(), QStringLiteral("-f"), stranger}),
             0);
    SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[0]);
    target.keyPath = stranger;
    auto session = SshSession::connect(std::move(target), *m_knownHosts, remember());
    QVERIFY(!session);
    const QString text = session.error().text();
    QVERIFY2(text.contains(QStringLiteral("offers: publickey")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("key file ") + stranger), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("authorized_keys")), qPrintable(text));
}

void TestSshSession::unknownUserIsRefused()
{
    SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[0]);
    target.username = QStringLiteral("no-such-user");
    auto session = SshSession::connect(std::move(target), *m_knownHosts, remember());
    QVERIFY(!session);
    QVERIFY2(session.error().message.contains(QStringLiteral("Authentication as no-such-user")),
             qPrintable(session.error().text()));
}

void TestSshSession::unreachablePortIsClear()
{
    SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[0]);
    target.port = 1; // nothing listens on tcpmux here
    auto session = SshSession::connect(std::move(target), *m_knownHosts, remember());
    QVERIFY(!session);
    QVERIFY2(session.error().message.contains(QStringLiteral("Connection refused")), qPrintable(session.error().text()));
    QVERIFY(session.error().hint.contains(QStringLiteral("port 1")));

    SshTarget unresolvable = keyFileTarget(m_hosts, m_hosts.hosts[0]);
    unresolvable.host = QStringLiteral("no-such-host.invalid");
    auto unresolved = SshSession::connect(std::move(unresolvable), *m_knownHosts, remember());
    QVERIFY(!unresolved);
    QVERIFY2(unresolved.error().message.contains(QStringLiteral("resolve")), qPrintable(unresolved.error().text()));
}

void TestSshSession::connectsOverIpv6()
{
    const TestHost &host = m_hosts.hosts[0];
    if (host.address6.isEmpty())
        QSKIP("IPv6 loopback is not available on this machine");
    SshTarget target = keyFileTarget(m_hosts, host);
    target.host = host.address6;
    auto session = SshSession::connect(std::move(target), *m_knownHosts, remember());
    QVERIFY2(session, session ? "" : qPrintable(session.error().text()));
    QVERIFY((*session)->exec(QStringLiteral("true"))->succeeded());
}

void TestSshSession::firstContactAsksAndRemembers()
{
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("first_contact")));
    const TestHost &host = m_hosts.hosts[2];
    QList<HostKeyInfo> asked;
    HostKeyPrompt prompt = [&](const HostKeyInfo &info) {
        asked.append(info);
        return HostKeyDecision::Remember;
    };
    QVERIFY(SshSession::connect(keyFileTarget(m_hosts, host), knownHosts, prompt));
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked[0].state, HostKeyState::Unknown);
    QCOMPARE(asked[0].type, QStringLiteral("ssh-ed25519"));
    // The fingerprint shown is the one OpenSSH computes for the host's key.
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"),
                 {QStringLiteral("-lf"), m_hosts.dir + u'/' + host.name + QStringLiteral("/ssh_host_ed25519_key.pub")});
    QVERIFY(keygen.waitForFinished());
    QCOMPARE(QString::fromLatin1(keygen.readAll()).split(u' ').value(1), asked[0].fingerprint);
    QVERIFY(readAll(knownHosts.path()).startsWith(KnownHosts::hostPattern(host.address, host.port).toUtf8() + " ssh-ed25519 "));

    QVERIFY(SshSession::connect(keyFileTarget(m_hosts, host), knownHosts, prompt));
    QCOMPARE(asked.size(), 1); // known now: no second question
}

void TestSshSession::rejectedOrOnceAcceptedKeysAreNotStored()
{
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("not_stored")));
    auto rejected = SshSession::connect(keyFileTarget(m_hosts, m_hosts.hosts[0]), knownHosts,
                                        [](const HostKeyInfo &) { return HostKeyDecision::Reject; });
    QVERIFY(!rejected);
    QVERIFY(rejected.error().message.contains(QStringLiteral("not known")));
    QVERIFY(rejected.error().message.contains(QStringLiteral("SHA256:")));
    auto noPrompt = SshSession::connect(keyFileTarget(m_hosts, m_hosts.hosts[0]), knownHosts, {});
    QVERIFY(!noPrompt);
    auto once = SshSession::connect(keyFileTarget(m_hosts, m_hosts.hosts[0]), knownHosts,
                                    [](const HostKeyInfo &) { return HostKeyDecision::AcceptOnce; });
    QVERIFY(once);
    QVERIFY(!QFile::exists(knownHosts.path()));
}

void TestSshSession::changedHostKeyIsRefusedWithBothFingerprints()
{
    const QString dir = m_dir.filePath(QStringLiteral("changing"));
    m_privateSets.append(dir);
    TestHostSet set = startPrivateHosts(dir, 1);
    QCOMPARE(set.hosts.size(), 1);
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("changing_known_hosts")));
    QString before;
    QVERIFY(SshSession::connect(keyFileTarget(set, set.hosts[0]), knownHosts, [&](const HostKeyInfo &info) {
        before = info.fingerprint;
        return HostKeyDecision::Remember;
    }));
    int exitCode = -1;
    runTestHosts({QStringLiteral("break-hostkey"), QStringLiteral("--dir"), dir, QStringLiteral("--host"),
                  QStringLiteral("1")},
                 &exitCode);
    QCOMPARE(exitCode, 0);
    bool asked = false;
    auto refused = SshSession::connect(keyFileTarget(set, set.hosts[0]), knownHosts, [&](const HostKeyInfo &) {
        asked = true;
        return HostKeyDecision::Remember;
    });
    QVERIFY(!refused);
    QVERIFY(!asked); // a changed key is never a question
    const QString text = refused.error().text();
    QVERIFY2(text.contains(QStringLiteral("CHANGED")), qPrintable(text));
    QVERIFY2(text.contains(before), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Offered now: SHA256:")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("hostkeys forget")), qPrintable(text));
}

void TestSshSession::keyOfAnotherTypeIsAChangeNotAFirstContact()
{
    // host02 has no RSA key: with an RSA key stored for it, what it offers instead must not be taken
    // for a server met for the first time.
    const TestHost &host = m_hosts.hosts[1];
    const QByteArray rsa = readAll(m_hosts.dir + QStringLiteral("/host01/ssh_host_rsa_key.pub")).split(' ').value(1);
    QVERIFY(!rsa.isEmpty());
    const QString path = m_dir.filePath(QStringLiteral("other_type"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(KnownHosts::hostPattern(host.address, host.port).toUtf8() + " ssh-rsa " + rsa + '\n');
    file.close();
    KnownHosts knownHosts(path);
    bool asked = false;
    auto session = SshSession::connect(keyFileTarget(m_hosts, host), knownHosts, [&](const HostKeyInfo &) {
        asked = true;
        return HostKeyDecision::Remember;
    });
    QVERIFY(!session);
    QVERIFY(!asked);
    QVERIFY2(session.error().message.contains(QStringLiteral("CHANGED")), qPrintable(session.error().text()));
    QVERIFY(session.error().message.contains(QStringLiteral("ssh-rsa SHA256:")));
}

void TestSshSession::importsOpenSshKnownHosts()
{
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("imported")));
    auto imported = knownHosts.import(m_hosts.knownHosts());
    QVERIFY2(imported, imported ? "" : qPrintable(imported.error().text()));
    QVERIFY(imported->added >= m_hosts.hosts.size());
    QVERIFY2(imported->skipped.isEmpty(), qPrintable(imported->skipped.join(u'\n')));
    bool asked = false;
    auto session = SshSession::connect(keyFileTarget(m_hosts, m_hosts.hosts[1]), knownHosts, [&](const HostKeyInfo &) {
        asked = true;
        return HostKeyDecision::Reject;
    });
    QVERIFY2(session, session ? "" : qPrintable(session.error().text()));
    QVERIFY(!asked);
    const auto again = knownHosts.import(m_hosts.knownHosts());
    QVERIFY(again);
    QCOMPARE(again->added, 0); // nothing new the second time
    QCOMPARE(again->alreadyKnown, imported->added);
    QVERIFY(!knownHosts.import(m_dir.filePath(QStringLiteral("missing"))));
}

void TestSshSession::execStreamsLinesAndExitCode()
{
    auto session = connectTo(m_hosts.hosts[0]);
    QVERIFY(session);
    QStringList out, err;
    ExecOptions options;
    options.onStdout = [&](const QString &line) { out.append(line); };
    options.onStderr = [&](const QString &line) { err.append(line); };
    auto result = session->exec(QStringLiteral("for i in 1 2 3; do echo \"out $i\"; echo \"err $i\" >&2; done; "
                                               "printf 'no newline'; exit 7"),
                                options);
    QVERIFY(result);
    QCOMPARE(result->exitStatus, 7);
    QVERIFY(!result->succeeded());
    QCOMPARE(out, (QStringList{QStringLiteral("out 1"), QStringLiteral("out 2"), QStringLiteral("out 3"),
                               QStringLiteral("no newline")}));
    QCOMPARE(err, (QStringList{QStringLiteral("err 1"), QStringLiteral("err 2"), QStringLiteral("err 3")}));
    QCOMPARE(result->lastStderr, err);

    // A quote-laden argument reaches the remote shell as one plain word.
    const QString tricky = QStringLiteral("it's $(echo pwned) `id` \"q\" ; done");
    out.clear();
    QVERIFY(session->exec(QStringLiteral("printf '%s\\n' ") + RemoteCommand::quote(tricky), options)->succeeded());
    QCOMPARE(out, QStringList{tricky});

    // Output arrives while the command still runs, not only at its end.
    QElapsedTimer clock;
    clock.start();
    qint64 firstLineAt = -1;
    options.onStdout = [&](const QString &) {
        if (firstLineAt < 0)
            firstLineAt = clock.elapsed();
    };
    QVERIFY(session->exec(QStringLiteral("echo early; sleep 1; echo late"), options)->succeeded());
    QVERIFY(firstLineAt >= 0);
    QVERIFY2(clock.elapsed() - firstLineAt >= 700, "the first line only arrived with the last");
}

void TestSshSession::execReportsSignals()
{
    auto session = connectTo(m_hosts.hosts[0]);
    QVERIFY(session);
    auto result = session->exec(QStringLiteral("kill -TERM $$"));
    QVERIFY(result);
    QCOMPARE(result->exitSignal, QStringLiteral("TERM"));
    QVERIFY(!result->succeeded());
}

namespace {

int countRemote(SshSession &session, const QString &marker)
{
    QStringList lines;
    ExecOptions options;
    options.onStdout = [&](const QString &line) { lines.append(line); };
    session.exec(QStringLiteral("pgrep -f ") + RemoteCommand::quote(marker) + QStringLiteral(" | wc -l"), options);
    // pgrep's own shell matches once.
    return lines.value(0).toInt() - 1;
}

} // namespace

void TestSshSession::timeLimitEndsTheRemoteProcess()
{
    auto session = connectTo(m_hosts.hosts[1]);
    QVERIFY(session);
    // The marker is the sleep's own argument, so a sleep left running after its shell died is found.
    const QString marker = QStringLiteral("300.%1").arg(QRandomGenerator::global()->bounded(100000, 999999));
    ExecOptions options;
    options.timeoutMs = 1000;
    auto result = session->exec(QStringLiteral("sleep ") + marker + QStringLiteral("; echo done"), options);
    QVERIFY(result);
    QVERIFY(result->timedOut);
    QVERIFY(!result->succeeded());
    QTRY_COMPARE_WITH_TIMEOUT(countRemote(*session, QStringLiteral("sleep ") + marker), 0, 5000);
}

void TestSshSession::cancelEndsTheRemoteProcess()
{
    auto session = connectTo(m_hosts.hosts[1]);
    QVERIFY(session);
    const QString marker = QStringLiteral("300.%1").arg(QRandomGenerator::global()->bounded(100000, 999999));
    std::atomic_bool cancel = false;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        cancel = true;
    });
    ExecOptions options;
    options.cancel = &cancel;
    auto result = session->exec(QStringLiteral("sleep ") + marker + QStringLiteral(" & wait"), options);
    canceller.join();
    QVERIFY(result);
    QVERIFY(result->cancelled);
    QTRY_COMPARE_WITH_TIMEOUT(countRemote(*session, QStringLiteral("sleep ") + marker), 0, 5000);
}

void TestSshSession::commandsThatCloseTheirOutputAreWaitedFor()
{
    // A hook that sends its output to a log file: the output ends at once, the command does not.
    auto session = connectTo(m_hosts.hosts[1]);
    QVERIFY(session);
    auto failing = session->exec(QStringLiteral("exec >/dev/null 2>&1; sleep 1; exit 9"));
    QVERIFY(failing);
    QCOMPARE(failing->exitStatus, 9);
    ExecOptions options;
    options.timeoutMs = 1000;
    auto hanging = session->exec(QStringLiteral("exec >/dev/null 2>&1; sleep 30"), options);
    QVERIFY(hanging);
    QVERIFY(hanging->timedOut);
    QVERIFY(!hanging->succeeded());
    QVERIFY(session->exec(QStringLiteral("true"))->succeeded());
}

void TestSshSession::cancelledUploadLeavesTheSessionUsable()
{
    const TestHost &host = m_hosts.hosts[2];
    auto session = connectTo(host);
    QVERIFY(session);
    QFile::remove(host.backingDir + QStringLiteral("/cancelled.bin"));
    const QString local = writeRandomFile(m_dir.filePath(QStringLiteral("cancelled.bin")), qint64(100) * 1024 * 1024);
    std::atomic_bool cancel = false;
    UploadOptions options;
    options.cancel = &cancel;
    options.onProgress = [&](qint64 sent, qint64) {
        if (sent > 10 * 1024 * 1024)
            cancel = true;
    };
    auto cancelled = session->upload(local, host.deployRoot + QStringLiteral("/cancelled.bin"), options);
    QVERIFY(!cancelled);
    QVERIFY2(cancelled.error().message.contains(QStringLiteral("cancelled")), qPrintable(cancelled.error().text()));
    QVERIFY(!QFile::exists(host.backingDir + QStringLiteral("/cancelled.bin")));
    QTRY_VERIFY_WITH_TIMEOUT(partialFiles(host.backingDir).isEmpty(), 10000);
    QVERIFY(session->exec(QStringLiteral("true"))->succeeded());
    QVERIFY(session->upload(writeRandomFile(m_dir.filePath(QStringLiteral("after.bin")), 1000),
                            host.deployRoot + QStringLiteral("/after.bin")));
    QFile::remove(host.backingDir + QStringLiteral("/after.bin"));
}

void TestSshSession::uploadsExactBytes_data()
{
    QTest::addColumn<qint64>("size");
    QTest::newRow("empty") << qint64(0);
    QTest::newRow("one byte") << qint64(1);
    QTest::newRow("odd size") << qint64(3 * 1024 * 1024 + 17);
    QTest::newRow("100 MB") << qint64(100) * 1024 * 1024;
}

void TestSshSession::uploadsExactBytes()
{
    QFETCH(qint64, size);
    const TestHost &host = m_hosts.hosts[2];
    auto session = connectTo(host);
    QVERIFY(session);
    const QString local = writeRandomFile(m_dir.filePath(QStringLiteral("upload.bin")), size);
    const QString name = QStringLiteral("upload %1 it's.bin").arg(size);
    qint64 lastProgress = -1;
    UploadOptions options;
    options.onProgress = [&](qint64 sent, qint64 total) {
        QVERIFY(sent > lastProgress);
        QCOMPARE(total, size);
        lastProgress = sent;
    };
    auto hash = session->upload(local, host.deployRoot + u'/' + name, options);
    QVERIFY2(hash, hash ? "" : qPrintable(hash.error().text()));
    const QString onServer = host.backingDir + u'/' + name;
    QCOMPARE(QFileInfo(onServer).size(), size);
    QCOMPARE(sha256Of(onServer), sha256Of(local));
    QCOMPARE(*hash, sha256Of(local));
    QCOMPARE(QFileInfo(onServer).permissions() & QFileDevice::ExeOwner, QFileDevice::Permissions());
    QVERIFY(partialFiles(host.backingDir).isEmpty());
    QFile::remove(onServer);
}

void TestSshSession::uploadIntoMissingDirectoryFails()
{
    const TestHost &host = m_hosts.hosts[2];
    auto session = connectTo(host);
    QVERIFY(session);
    const QString local = writeRandomFile(m_dir.filePath(QStringLiteral("small.bin")), 1000);
    auto failed = session->upload(local, host.deployRoot + QStringLiteral("/no/such/dir/file"));
    QVERIFY(!failed);
    // The server's own words say why: the directory is not there.
    QVERIFY2(failed.error().message.contains(QStringLiteral("/no/such/dir/file"))
                 && failed.error().message.contains(QStringLiteral("No such file or directory")),
             qPrintable(failed.error().text()));
}

void TestSshSession::fullDiskFailsAndLeavesNoPartialFile()
{
    const QString dir = m_dir.filePath(QStringLiteral("full"));
    m_privateSets.append(dir);
    TestHostSet set = startPrivateHosts(dir, 1, {QStringLiteral("--tmpfs-size"), QStringLiteral("4m")});
    QCOMPARE(set.hosts.size(), 1);
    const TestHost &host = set.hosts[0];
    auto session = SshSession::connect(keyFileTarget(set, host), *m_knownHosts, remember());
    QVERIFY(session);
    const QString big = writeRandomFile(m_dir.filePath(QStringLiteral("big.bin")), 16 * 1024 * 1024);
    auto failed = (*session)->upload(big, host.deployRoot + QStringLiteral("/big.bin"));
    QVERIFY(!failed);
    QVERIFY2(failed.error().message.contains(QStringLiteral("No space left on device")), qPrintable(failed.error().text()));
    QVERIFY(failed.error().hint.contains(QStringLiteral("space")));
    QVERIFY(partialFiles(host.backingDir).isEmpty());
    QVERIFY(!QFile::exists(host.backingDir + QStringLiteral("/big.bin")));
    // The disk has room again for something that fits.
    const QString small = writeRandomFile(m_dir.filePath(QStringLiteral("fits.bin")), 1024 * 1024);
    QVERIFY((*session)->upload(small, host.deployRoot + QStringLiteral("/fits.bin")));
}

void TestSshSession::killedSshdMidUploadLeavesNoPartialFile()
{
    const QString dir = m_dir.filePath(QStringLiteral("killed"));
    m_privateSets.append(dir);
    TestHostSet set = startPrivateHosts(dir, 1);
    QCOMPARE(set.hosts.size(), 1);
    const TestHost &host = set.hosts[0];
    auto session = SshSession::connect(keyFileTarget(set, host), *m_knownHosts, remember());
    QVERIFY(session);
    const int listener = QString::fromLatin1(readAll(dir + u'/' + host.name + QStringLiteral("/sshd.pid"))).trimmed().toInt();
    QVERIFY(listener > 0);
    const QString local = writeRandomFile(m_dir.filePath(QStringLiteral("long.bin")), qint64(400) * 1024 * 1024);
    bool killed = false;
    UploadOptions options;
    options.onProgress = [&](qint64 sent, qint64) {
        if (!killed && sent > 30 * 1024 * 1024) {
            killed = true;
            for (int pid : sshdTree(listener))
                ::kill(pid, SIGKILL);
        }
    };
    auto failed = (*session)->upload(local, host.deployRoot + QStringLiteral("/long.bin"), options);
    QVERIFY(killed);
    QVERIFY(!failed);
    QVERIFY2(failed.error().message.contains(QStringLiteral("connection was lost")), qPrintable(failed.error().text()));
    QTRY_VERIFY_WITH_TIMEOUT(partialFiles(host.backingDir).isEmpty(), 10000);
    QVERIFY(!QFile::exists(host.backingDir + QStringLiteral("/long.bin")));
}

QTEST_GUILESS_MAIN(TestSshSession)
#include "tst_sshsession.moc"
