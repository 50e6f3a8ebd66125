#include "hostkeys/knownhosts.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;
using namespace Qt::StringLiterals;

// ReleaseDesk's known_hosts against OpenSSH's own reading of the same file (ssh-keygen -F).
class TestKnownHosts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void matchesAsOpenSshDoes_data();
    void matchesAsOpenSshDoes();
    void hashedNamesMatch();
    void revokedKeyIsRefused();
    void changedKeyNamesTheStoredOne();
    void seesTheFileChangedByAnotherProgram();
    void remembersReplacesAndForgets();
    void importValidatesAndReportsEachLine();
    void importOfManyLinesIsLinear();

private:
    struct Key
    {
        QString type;
        QByteArray blob;
        QString line() const { return type + u' ' + QString::fromLatin1(blob.toBase64()); }
    };
    Key makeKey(const QString &name);
    QString writeFile(const QString &name, const QStringList &lines);
    HostKeyInfo checked(KnownHosts &knownHosts, const QString &host, int port, const Key &key);
    static bool openSshFinds(const QString &path, const QString &hostPattern);

    QTemporaryDir m_dir;
    Key m_first, m_second;
};

TestKnownHosts::Key TestKnownHosts::makeKey(const QString &name)
{
    const QString path = m_dir.filePath(name);
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                QStringLiteral("-N"), QString(), QStringLiteral("-f"), path});
    if (!keygen.waitForFinished() || keygen.exitCode() != 0)
        return {};
    QFile publicKey(path + QStringLiteral(".pub"));
    if (!publicKey.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> fields = publicKey.readAll().split(' ');
    return fields.size() < 2 ? Key{} : Key{QString::fromLatin1(fields[0]), QByteArray::fromBase64(fields[1])};
}

QString TestKnownHosts::writeFile(const QString &name, const QStringList &lines)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    for (const QString &line : lines)
        file.write(line.toUtf8() + '\n');
    return path;
}

HostKeyInfo TestKnownHosts::checked(KnownHosts &knownHosts, const QString &host, int port, const Key &key)
{
    HostKeyInfo info;
    info.host = host;
    info.port = port;
    info.type = key.type;
    info.blob = key.blob;
    knownHosts.check(info);
    return info;
}

bool TestKnownHosts::openSshFinds(const QString &path, const QString &hostPattern)
{
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-F"), hostPattern, QStringLiteral("-f"), path});
    keygen.waitForFinished();
    return keygen.exitStatus() == QProcess::NormalExit && keygen.exitCode() == 0;
}

void TestKnownHosts::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_first = makeKey(QStringLiteral("first"));
    m_second = makeKey(QStringLiteral("second"));
    QCOMPARE(m_first.type, QStringLiteral("ssh-ed25519"));
    QCOMPARE(m_second.blob.size(), m_first.blob.size());
    QVERIFY(m_first.blob != m_second.blob);
}

void TestKnownHosts::matchesAsOpenSshDoes_data()
{
    QTest::addColumn<QString>("patterns");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("known");
    auto row = [](const char *name, const char *patterns, const char *host, int port, bool known) {
        QTest::newRow(name) << QString::fromLatin1(patterns) << QString::fromLatin1(host) << port << known;
    };
    row("plain name", "web1.example.com", "web1.example.com", 22, true);
    row("another name", "web1.example.com", "web2.example.com", 22, false);
    row("a name is not a prefix", "web1", "web1.example.com", 22, false);
    row("any case", "Web1.Example.com", "WEB1.example.COM", 22, true);
    row("port in brackets", "[10.0.0.5]:2222", "10.0.0.5", 2222, true);
    row("port 22 is written bare", "[10.0.0.5]:2222", "10.0.0.5", 22, false);
    row("other port", "[10.0.0.5]:2222", "10.0.0.5", 2200, false);
    row("star", "*.example.com", "db.eu.example.com", 22, true);
    row("star needs the dot", "*.example.com", "example.com", 22, false);
    row("question mark", "web?.example.com", "web7.example.com", 22, true);
    row("question mark is one character", "web?.example.com", "web17.example.com", 22, false);
    row("question mark inside brackets", "[10.0.0.?]:2222", "10.0.0.9", 2222, true);
    row("brackets are literal", "[10.0.0.?]:2222", "10.0.0.19", 2222, false);
    row("several stars", "*web*.*", "eu-web-3.example.com", 22, true);
    row("star backtracks", "*.a.b", "x.a.a.b", 22, true);
    row("list", "db.example.com,web1.example.com", "web1.example.com", 22, true);
    row("negation wins", "!db.example.com,*.example.com", "db.example.com", 22, false);
    row("negation leaves others", "!db.example.com,*.example.com", "app.example.com", 22, true);
    row("negation alone matches nothing", "!db.example.com", "app.example.com", 22, false);
    row("regex characters are literal", "web.+", "webx+", 22, false);
}

void TestKnownHosts::matchesAsOpenSshDoes()
{
    QFETCH(QString, patterns);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(bool, known);
    const QString path = writeFile(QStringLiteral("patterns"), {QStringLiteral("# a comment"), QString(),
                                                                patterns + QStringLiteral("  ") + m_first.line()});
    QCOMPARE(openSshFinds(path, KnownHosts::hostPattern(host, port)), known);
    KnownHosts knownHosts(path);
    QCOMPARE(checked(knownHosts, host, port, m_first).state, known ? HostKeyState::Known : HostKeyState::Unknown);
    QCOMPARE(knownHosts.knownTypes(host, port), known ? QStringList{m_first.type} : QStringList{});
}

void TestKnownHosts::hashedNamesMatch()
{
    const QString path = writeFile(QStringLiteral("hashed"), {QStringLiteral("web1.example.com ") + m_first.line(),
                                                              QStringLiteral("[10.0.0.5]:2222 ") + m_second.line()});
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-H"), QStringLiteral("-f"), path});
    QVERIFY(keygen.waitForFinished());
    QCOMPARE(keygen.exitCode(), 0);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray hashed = file.readAll();
    QVERIFY2(!hashed.contains("example") && hashed.startsWith("|1|"), hashed.constData());

    KnownHosts knownHosts(path);
    QCOMPARE(checked(knownHosts, QStringLiteral("web1.example.com"), 22, m_first).state, HostKeyState::Known);
    QCOMPARE(checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_second).state, HostKeyState::Known);
    QCOMPARE(checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_first).state, HostKeyState::Changed);
    QCOMPARE(checked(knownHosts, QStringLiteral("web2.example.com"), 22, m_first).state, HostKeyState::Unknown);
    QCOMPARE(checked(knownHosts, QStringLiteral("10.0.0.5"), 22, m_second).state, HostKeyState::Unknown);
}

void TestKnownHosts::revokedKeyIsRefused()
{
    const QString path = writeFile(QStringLiteral("revoked"), {QStringLiteral("@revoked * ") + m_second.line(),
                                                               QStringLiteral("*.example.com ") + m_second.line(),
                                                               QStringLiteral("*.example.com ") + m_first.line()});
    KnownHosts knownHosts(path);
    QCOMPARE(checked(knownHosts, QStringLiteral("web1.example.com"), 22, m_second).state, HostKeyState::Revoked);
    QCOMPARE(checked(knownHosts, QStringLiteral("web1.example.com"), 22, m_first).state, HostKeyState::Known);
    QCOMPARE(checked(knownHosts, QStringLiteral("elsewhere.org"), 22, m_second).state, HostKeyState::Revoked);
}

void TestKnownHosts::changedKeyNamesTheStoredOne()
{
    const QString path = writeFile(QStringLiteral("changed"), {QStringLiteral("[10.0.0.5]:2222 ") + m_first.line()});
    KnownHosts knownHosts(path);
    const HostKeyInfo info = checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_second);
    QCOMPARE(info.state, HostKeyState::Changed);
    QCOMPARE(info.storedFingerprint, HostKeyInfo::fingerprintOf(m_first.blob));
}

void TestKnownHosts::seesTheFileChangedByAnotherProgram()
{
    const QString path = writeFile(QStringLiteral("shared"), {QStringLiteral("web1.example.com ") + m_first.line()});
    KnownHosts knownHosts(path);
    QCOMPARE(checked(knownHosts, QStringLiteral("web1.example.com"), 22, m_first).state, HostKeyState::Known);

    // Rewritten in place at once: same inode, same size, most likely the same timestamp.
    QCOMPARE(writeFile(QStringLiteral("shared"), {QStringLiteral("web1.example.com ") + m_second.line()}), path);
    QCOMPARE(checked(knownHosts, QStringLiteral("web1.example.com"), 22, m_first).state, HostKeyState::Changed);
    QCOMPARE(checked(knownHosts, QStringLiteral("web1.example.com"), 22, m_second).state, HostKeyState::Known);

    // Replaced by another file, as editors and ssh-keygen -R do.
    const QString other = writeFile(QStringLiteral("shared.new"), {QStringLiteral("web2.example.com ") + m_second.line()});
    QVERIFY(QFile::remove(path));
    QVERIFY(QFile::rename(other, path));
    QCOMPARE(checked(knownHosts, QStringLiteral("web1.example.com"), 22, m_second).state, HostKeyState::Unknown);
    QCOMPARE(checked(knownHosts, QStringLiteral("web2.example.com"), 22, m_second).state, HostKeyState::Known);

    QVERIFY(QFile::remove(path));
    QCOMPARE(checked(knownHosts, QStringLiteral("web2.example.com"), 22, m_second).state, HostKeyState::Unknown);
}

void TestKnownHosts::remembersReplacesAndForgets()
{
    const QString path = m_dir.filePath(QStringLiteral("kept"));
    KnownHosts knownHosts(path);
    HostKeyInfo info = checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_first);
    QCOMPARE(info.state, HostKeyState::Unknown);
    QVERIFY(knownHosts.remember(info));
    QVERIFY(openSshFinds(path, QStringLiteral("[10.0.0.5]:2222")));
    QCOMPARE(checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_first).state, HostKeyState::Known);

    info = checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_second);
    QCOMPARE(info.state, HostKeyState::Changed);
    const auto refused = knownHosts.remember(info);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("[10.0.0.5]:2222")), qPrintable(refused.error().message));
    QVERIFY(knownHosts.replace(info));
    QCOMPARE(checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_second).state, HostKeyState::Known);
    QCOMPARE(checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_first).state, HostKeyState::Changed);

    QCOMPARE(knownHosts.forget(QStringLiteral("10.0.0.5"), 2222).value_or(-1), 1);
    QCOMPARE(checked(knownHosts, QStringLiteral("10.0.0.5"), 2222, m_second).state, HostKeyState::Unknown);
    QVERIFY(!openSshFinds(path, QStringLiteral("[10.0.0.5]:2222")));
}


void TestKnownHosts::importValidatesAndReportsEachLine()
{
    const QString goodBlob = QString::fromLatin1(m_first.blob.toBase64());
    const QString source = writeFile(
        QStringLiteral("openssh_known_hosts"),
        {QStringLiteral("# a comment"), QString(), u"web.example.com "_s + m_first.line(),
         u"* "_s + m_first.line(), u"*.* "_s + m_first.line(), u"@cert-authority *.example.com "_s + m_first.line(),
         u"@trusted db.example.com "_s + m_first.line(), u"db.example.com ssh-ed25519 AAAA$$$$"_s,
         u"db.example.com ssh-rsa "_s + goodBlob, u"db.example.com "_s + m_second.line(),
         u"db.example.com ssh-ed25519"_s, u"web.example.com "_s + m_first.line(),
         u"|1|bm90LWJhc2U2NA|$$ "_s + m_second.line(), u"@revoked old.example.com "_s + m_second.line(),
         u"web.example.com,,db "_s + m_first.line()});
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("validated")));
    const auto report = knownHosts.import(source);
    QVERIFY2(report, report ? "" : qPrintable(report.error().text()));
    QCOMPARE(report->added, 3); // web, db (second key), the revocation
    QCOMPARE(report->alreadyKnown, 1); // web again
    const QStringList expected{
        QStringLiteral("line 4: the host pattern \"*\" matches every server."),
        QStringLiteral("line 5: the host pattern \"*.*\" matches every server."),
        QStringLiteral("line 6: it names a certificate authority"),
        QStringLiteral("line 7: the marker @trusted is unknown."),
        QStringLiteral("line 8: the key is not valid base64."),
        QStringLiteral("line 9: the key is not a ssh-rsa key."),
        QStringLiteral("line 11: it has no host, key type and key."),
        QStringLiteral("line 13: the hashed host name"),
        QStringLiteral("line 15: its host list has an empty entry.")};
    QCOMPARE(report->skipped.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QVERIFY2(report->skipped[i].startsWith(expected[i]), qPrintable(report->skipped[i]));

    QCOMPARE(checked(knownHosts, QStringLiteral("web.example.com"), 22, m_first).state, HostKeyState::Known);
    QCOMPARE(checked(knownHosts, QStringLiteral("db.example.com"), 22, m_second).state, HostKeyState::Known);
    // The '*' line was not taken: any other server is still a first contact.
    QCOMPARE(checked(knownHosts, QStringLiteral("other.example.com"), 22, m_first).state, HostKeyState::Unknown);
    QCOMPARE(checked(knownHosts, QStringLiteral("old.example.com"), 22, m_second).state, HostKeyState::Revoked);
    // What was written reads back in OpenSSH too.
    QVERIFY(openSshFinds(knownHosts.path(), QStringLiteral("db.example.com")));
}

void TestKnownHosts::importOfManyLinesIsLinear()
{
    // 200,000 lines took 25 s when each new line was compared with every line before it.
    QByteArray content;
    const QByteArray key = m_first.line().toLatin1();
    for (int i = 0; i < 200000; ++i)
        content += "host-" + QByteArray::number(i) + ".example.com " + key + '\n';
    QFile file(m_dir.filePath(QStringLiteral("many")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    KnownHosts knownHosts(m_dir.filePath(QStringLiteral("many-imported")));
    const auto report = knownHosts.import(file.fileName());
    QVERIFY(report);
    QCOMPARE(report->added, 200000);
    QCOMPARE(checked(knownHosts, QStringLiteral("host-199999.example.com"), 22, m_first).state, HostKeyState::Known);
    const auto again = knownHosts.import(file.fileName());
    QVERIFY(again);
    QCOMPARE(again->alreadyKnown, 200000);
}

QTEST_GUILESS_MAIN(TestKnownHosts)
#include "tst_knownhosts.moc"
