#include "git/gitlibrary.h"
#include "git/gitmirror.h"
#include "git/gitrefs.h"
#include "hostkeys/knownhosts.h"
#include "testhosts.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace rd;
using namespace rd::test;

namespace {

QByteArray git(const QString &directory, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(directory);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    environment.insert(QStringLiteral("HOME"), directory);
    for (const char *name : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
        environment.insert(QString::fromLatin1(name), QStringLiteral("Tester"));
    for (const char *name : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
        environment.insert(QString::fromLatin1(name), QStringLiteral("tester@example.com"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("git"), arguments);
    process.waitForFinished(-1);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        qFatal("git %s failed: %s", qPrintable(arguments.join(u' ')),
               process.readAllStandardError().constData());
    return process.readAllStandardOutput().trimmed();
}

QByteArray refsOf(const QString &repository)
{
    return git(repository,
               {QStringLiteral("for-each-ref"), QStringLiteral("--format=%(refname) %(objectname)")});
}

// Records what the prompt was shown and answers as told.
struct Prompt
{
    HostKeyDecision answer = HostKeyDecision::Reject;
    QList<HostKeyInfo> shown;

    HostKeyPrompt callback()
    {
        return [this](const HostKeyInfo &info) {
            shown.append(info);
            return answer;
        };
    }
};

} // namespace

class TestGitSshFetch : public QObject
{
    Q_OBJECT

private:
    GitLibrary m_git;
    QTemporaryDir m_dir;
    TestHostSet m_hosts;
    TestHost m_host;
    QString m_served; // the bare repository as the test sees it
    QString m_url;    // ... and as the ssh server serves it
    QString m_work;   // a clone that pushes new commits into it

    void commitAndPush(const QString &name)
    {
        QFile file(QDir(m_work).filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(name.toUtf8() + '\n');
        file.close();
        git(m_work, {QStringLiteral("add"), name});
        git(m_work, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"),
                     QStringLiteral("Add ") + name});
        git(m_work,
            {QStringLiteral("push"), QStringLiteral("-q"), QStringLiteral("origin"), QStringLiteral("main")});
    }

    FetchOptions keyFileOptions(KnownHosts *knownHosts, Prompt *prompt)
    {
        FetchOptions options;
        options.credentials.keyPath = m_hosts.clientKey();
        options.knownHosts = knownHosts;
        options.hostKeyPrompt = prompt->callback();
        return options;
    }

    // The key the server offers a fetch (of the type libgit2 asks for); empty when it shows none.
    HostKeyInfo offeredKey(const QString &name);
    // A known_hosts file of this one line.
    static bool writeLine(const QString &path, const QByteArray &line)
    {
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(line + '\n') == line.size() + 1;
    }
    QString mirrorPath(const QString &name) const
    {
        return GitMirror::pathFor(m_dir.filePath(QStringLiteral("data")), name);
    }

private slots:
    void initTestCase();
    void cleanupTestCase();
    void fetchesWithAKeyFileAfterAcceptingTheHostKey();
    void fetchesWithStoredKeysInMemory();
    void refusesAnUnacceptedHostKey();
    void refusesAChangedHostKey();
    void keyOfAnotherTypeIsAskedAsNew();
    void explainsFailedSignIn();
    void explainsAMissingRepository();
};

void TestGitSshFetch::initTestCase()
{
    QVERIFY(m_git.ok());
    QVERIFY(m_dir.isValid());
    m_hosts = fixtureHosts();
    QVERIFY2(!m_hosts.hosts.isEmpty(), "the testhosts fixture is not running");
    m_host = m_hosts.hosts.first();

    // The repository lives in the host's backing dir, so its sshd serves it under the deploy root.
    const QString name = QStringLiteral("gitsshfetch-%1.git").arg(QUuid::createUuid().toString(QUuid::Id128));
    m_served = QDir(m_host.backingDir).filePath(name);
    m_url = QStringLiteral("ssh://%1@%2:%3%4/%5")
                .arg(m_host.user, m_host.address)
                .arg(m_host.port)
                .arg(m_host.deployRoot, name);
    git(m_dir.path(), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"),
                       QStringLiteral("-b"), QStringLiteral("main"), m_served});
    m_work = m_dir.filePath(QStringLiteral("work"));
    git(m_dir.path(), {QStringLiteral("clone"), QStringLiteral("-q"), m_served, m_work});
    git(m_work,
        {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
    commitAndPush(QStringLiteral("first.txt"));
    git(m_work, {QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("v1"), QStringLiteral("-m"),
                 QStringLiteral("One")});
    git(m_work,
        {QStringLiteral("push"), QStringLiteral("-q"), QStringLiteral("origin"), QStringLiteral("v1")});
}

void TestGitSshFetch::cleanupTestCase()
{
    if (!m_served.isEmpty())
        QDir(m_served).removeRecursively();
}

void TestGitSshFetch::fetchesWithAKeyFileAfterAcceptingTheHostKey()
{
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("accept/known_hosts")));
    Prompt prompt;
    prompt.answer = HostKeyDecision::Remember;
    const GitMirror mirror(mirrorPath(QStringLiteral("accepted")));
    auto cloned = mirror.fetch(m_url, keyFileOptions(&knownHosts, &prompt));
    QVERIFY2(cloned, cloned ? "" : qPrintable(cloned.error().text()));
    QVERIFY(cloned->cloned);
    QCOMPARE(refsOf(mirror.path()), refsOf(m_served));

    // First contact asked once, with the server's real key; the key was remembered.
    QCOMPARE(prompt.shown.size(), 1);
    const HostKeyInfo &shown = prompt.shown.first();
    QCOMPARE(shown.host, m_host.address);
    QCOMPARE(shown.port, m_host.port);
    QCOMPARE(shown.state, HostKeyState::Unknown);
    const QByteArray serverKeys = readAll(m_hosts.knownHosts());
    QVERIFY2(serverKeys.contains(shown.blob.toBase64()), "the offered key is not one of the host's keys");
    HostKeyInfo again = shown;
    knownHosts.check(again);
    QCOMPARE(again.state, HostKeyState::Known);

    // Next time the key is known: no question, and the new commit arrives.
    commitAndPush(QStringLiteral("second.txt"));
    auto fetched = mirror.fetch(m_url, keyFileOptions(&knownHosts, &prompt));
    QVERIFY2(fetched, fetched ? "" : qPrintable(fetched.error().text()));
    QCOMPARE(prompt.shown.size(), 1);
    QVERIFY(!fetched->cloned);
    QCOMPARE(fetched->updates.size(), 1);
    QCOMPARE(refsOf(mirror.path()), refsOf(m_served));
    auto refs = GitRefs::open(mirror.path());
    QVERIFY(refs);
    QCOMPARE(refs->commits(QStringLiteral("main"), 1).value().first().subject,
             QStringLiteral("Add second.txt"));
}

void TestGitSshFetch::fetchesWithStoredKeysInMemory()
{
    // The host keys as the test hosts list them: every fetch below finds a known key.
    const QString knownHostsPath = m_dir.filePath(QStringLiteral("memory_known_hosts"));
    QVERIFY(QFile::copy(m_hosts.knownHosts(), knownHostsPath));
    KnownHosts knownHosts(knownHostsPath);
    Prompt prompt;

    FetchOptions plain;
    plain.credentials.privateKey = SecretBytes(readAll(m_hosts.clientKey()));
    plain.knownHosts = &knownHosts;
    plain.hostKeyPrompt = prompt.callback();
    const GitMirror first(mirrorPath(QStringLiteral("memory")));
    auto cloned = first.fetch(m_url, plain);
    QVERIFY2(cloned, cloned ? "" : qPrintable(cloned.error().text()));
    QCOMPARE(refsOf(first.path()), refsOf(m_served));

    FetchOptions withPassphrase;
    withPassphrase.credentials.privateKey = SecretBytes(readAll(m_hosts.passphraseKey()));
    withPassphrase.credentials.passphrase = SecretBytes(m_hosts.passphrase());
    withPassphrase.knownHosts = &knownHosts;
    withPassphrase.hostKeyPrompt = prompt.callback();
    const GitMirror second(mirrorPath(QStringLiteral("memory-passphrase")));
    auto clonedAgain = second.fetch(m_url, withPassphrase);
    QVERIFY2(clonedAgain, clonedAgain ? "" : qPrintable(clonedAgain.error().text()));
    QCOMPARE(refsOf(second.path()), refsOf(m_served));
    QVERIFY(prompt.shown.isEmpty());
}

void TestGitSshFetch::refusesAnUnacceptedHostKey()
{
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("reject/known_hosts")));
    Prompt prompt;
    prompt.answer = HostKeyDecision::Reject;
    const GitMirror mirror(mirrorPath(QStringLiteral("rejected")));
    auto refused = mirror.fetch(m_url, keyFileOptions(&knownHosts, &prompt));
    QVERIFY(!refused);
    QCOMPARE(prompt.shown.size(), 1);
    QVERIFY2(refused.error().message.contains(QStringLiteral("not known and was not accepted")),
             qPrintable(refused.error().message));
    QVERIFY(refused.error().message.contains(prompt.shown.first().fingerprint));
    QVERIFY(!mirror.exists());
    QVERIFY(!QFile::exists(knownHosts.path()));
}

HostKeyInfo TestGitSshFetch::offeredKey(const QString &name)
{
    // A fetch with empty known hosts that refuses the key shows what the server offers the fetch.
    KnownHosts learning(m_dir.filePath(name + QStringLiteral("/known_hosts")));
    Prompt learn;
    learn.answer = HostKeyDecision::Reject;
    if (GitMirror(mirrorPath(name)).fetch(m_url, keyFileOptions(&learning, &learn)) || learn.shown.size() != 1)
        return {};
    return learn.shown.first();
}

void TestGitSshFetch::refusesAChangedHostKey()
{
    // Learn which key type the server offers, then store a different key of that type for it.
    const HostKeyInfo offered = offeredKey(QStringLiteral("learn"));
    QVERIFY(!offered.blob.isEmpty());

    QByteArray otherBlob = offered.blob;
    otherBlob[otherBlob.size() - 1] = char(otherBlob.at(otherBlob.size() - 1) ^ 0x5a);
    const QString knownHostsPath = m_dir.filePath(QStringLiteral("changed_known_hosts"));
    QVERIFY(writeLine(knownHostsPath, KnownHosts::hostPattern(offered.host, offered.port).toUtf8() + ' ' +
                                          offered.type.toUtf8() + ' ' + otherBlob.toBase64()));

    KnownHosts knownHosts(knownHostsPath);
    Prompt prompt;
    prompt.answer = HostKeyDecision::Remember;
    const GitMirror mirror(mirrorPath(QStringLiteral("changed")));
    auto refused = mirror.fetch(m_url, keyFileOptions(&knownHosts, &prompt));
    QVERIFY(!refused);
    QVERIFY(prompt.shown.isEmpty()); // a changed key is never offered for acceptance
    const QString message = refused.error().message;
    QVERIFY2(message.contains(QStringLiteral("CHANGED")), qPrintable(message));
    QVERIFY2(message.contains(HostKeyInfo::fingerprintOf(otherBlob)), qPrintable(message));
    QVERIFY2(message.contains(offered.fingerprint), qPrintable(message));
    QVERIFY(!refused.error().hint.isEmpty());
    QVERIFY(!mirror.exists());
    QCOMPARE(readAll(knownHostsPath).count('\n'), 1); // left as it was
}

void TestGitSshFetch::keyOfAnotherTypeIsAskedAsNew()
{
    // libgit2 picks the host key type from ~/.ssh/known_hosts, not ours: with only the server's
    // other key stored, it is offered a type we do not hold. That is a new key, not a change.
    const HostKeyInfo offered = offeredKey(QStringLiteral("learn-type"));
    QVERIFY(!offered.blob.isEmpty());

    const QString pattern = KnownHosts::hostPattern(offered.host, offered.port);
    QByteArray otherLine;
    for (const QByteArray &line : readAll(m_hosts.knownHosts()).split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() >= 3 && fields[0] == pattern.toUtf8() && fields[1] != offered.type.toUtf8())
            otherLine = line;
    }
    QVERIFY2(!otherLine.isEmpty(), "the test host has only one host key type");
    const QString otherType = QString::fromLatin1(otherLine.split(' ')[1]);
    const QString knownHostsPath = m_dir.filePath(QStringLiteral("other_type_known_hosts"));
    QVERIFY(writeLine(knownHostsPath, otherLine));

    KnownHosts knownHosts(knownHostsPath);
    Prompt prompt;
    prompt.answer = HostKeyDecision::Reject;
    const GitMirror mirror(mirrorPath(QStringLiteral("other-type")));
    auto refused = mirror.fetch(m_url, keyFileOptions(&knownHosts, &prompt));
    QVERIFY(!refused);
    QCOMPARE(prompt.shown.size(), 1);
    QCOMPARE(prompt.shown.first().state, HostKeyState::Unknown);
    QVERIFY2(prompt.shown.first().otherKnownKey.startsWith(otherType), qPrintable(prompt.shown.first().otherKnownKey));
    const QString message = refused.error().message;
    QVERIFY2(!message.contains(QStringLiteral("CHANGED")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("knows another key")) && message.contains(otherType), qPrintable(message));
    QCOMPARE(readAll(knownHostsPath).count('\n'), 1);

    // Verified and accepted: the fetch goes on, and both keys are stored.
    prompt.answer = HostKeyDecision::Remember;
    auto cloned = mirror.fetch(m_url, keyFileOptions(&knownHosts, &prompt));
    QVERIFY2(cloned, cloned ? "" : qPrintable(cloned.error().text()));
    QCOMPARE(refsOf(mirror.path()), refsOf(m_served));
    const QByteArray stored = readAll(knownHostsPath);
    QCOMPARE(stored.count('\n'), 2);
    QVERIFY(stored.contains(offered.blob.toBase64()));
}

void TestGitSshFetch::explainsFailedSignIn()
{
    const QString knownHostsPath = m_dir.filePath(QStringLiteral("auth_known_hosts"));
    QVERIFY(QFile::copy(m_hosts.knownHosts(), knownHostsPath));
    KnownHosts knownHosts(knownHostsPath);
    Prompt prompt;

    // A key the server does not know.
    const QString strangerKey = m_dir.filePath(QStringLiteral("stranger"));
    QCOMPARE(QProcess::execute(QStringLiteral("ssh-keygen"),
                               {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                QStringLiteral("-N"), QString(), QStringLiteral("-f"), strangerKey}),
             0);
    FetchOptions stranger;
    stranger.credentials.keyPath = strangerKey;
    stranger.knownHosts = &knownHosts;
    stranger.hostKeyPrompt = prompt.callback();
    const GitMirror mirror(mirrorPath(QStringLiteral("auth")));
    auto denied = mirror.fetch(m_url, stranger);
    QVERIFY(!denied);
    QVERIFY2(denied.error().message.contains(QStringLiteral("Authentication")),
             qPrintable(denied.error().text()));
    QVERIFY2(denied.error().message.contains(strangerKey), qPrintable(denied.error().text()));
    QVERIFY(denied.error().hint.contains(QStringLiteral("authorized_keys")));

    FetchOptions none;
    none.knownHosts = &knownHosts;
    auto keyless = mirror.fetch(m_url, none);
    QVERIFY(!keyless);
    QVERIFY2(keyless.error().message.contains(QStringLiteral("No key")), qPrintable(keyless.error().text()));
    QVERIFY(!mirror.exists());
}

void TestGitSshFetch::explainsAMissingRepository()
{
    const QString knownHostsPath = m_dir.filePath(QStringLiteral("missing_known_hosts"));
    QVERIFY(QFile::copy(m_hosts.knownHosts(), knownHostsPath));
    KnownHosts knownHosts(knownHostsPath);
    Prompt prompt;
    const QString url = QStringLiteral("ssh://%1@%2:%3%4/no-such-repository.git")
                            .arg(m_host.user, m_host.address)
                            .arg(m_host.port)
                            .arg(m_host.deployRoot);
    const GitMirror mirror(mirrorPath(QStringLiteral("missing")));
    auto missing = mirror.fetch(url, keyFileOptions(&knownHosts, &prompt));
    QVERIFY(!missing);
    QVERIFY2(missing.error().hint.contains(QStringLiteral("not point to a git repository")),
             qPrintable(missing.error().text()));
    QVERIFY(!mirror.exists());
}

QTEST_GUILESS_MAIN(TestGitSshFetch)
#include "tst_gitsshfetch.moc"
