#include "ssh/remotecommand.h"

#include <QDir>
#include <QProcess>
#include <QTest>

using namespace rd;

// Quoting checked by the shell itself: dash (Debian's /bin/sh) must read every quoted value back
// as exactly one word, byte for byte.
class TestRemoteCommand : public QObject
{
    Q_OBJECT

private slots:
    void dashReadsBackEveryValue_data();
    void dashReadsBackEveryValue();
    void safeWordsStayReadable();
};

void TestRemoteCommand::dashReadsBackEveryValue_data()
{
    QTest::addColumn<QString>("value");
    QTest::newRow("plain") << QStringLiteral("web-01");
    QTest::newRow("empty") << QString();
    QTest::newRow("space") << QStringLiteral("my shop");
    QTest::newRow("quote") << QStringLiteral("it's");
    QTest::newRow("substitution") << QStringLiteral("$(touch pwned)");
    QTest::newRow("backticks") << QStringLiteral("`touch pwned`");
    QTest::newRow("trailing newline") << QStringLiteral("x\n");
    QTest::newRow("newline then command") << QStringLiteral("a\ntouch pwned");
    QTest::newRow("semicolon") << QStringLiteral("a; touch pwned");
    QTest::newRow("glob") << QStringLiteral("*");
    QTest::newRow("leading dash") << QStringLiteral("-rf");
    QTest::newRow("unicode") << QStringLiteral("发布 ümlaut");
    QTest::newRow("backslashes") << QStringLiteral("a\\b\\'c");
    QTest::newRow("only quotes") << QStringLiteral("''''");
}

void TestRemoteCommand::dashReadsBackEveryValue()
{
    QFETCH(QString, value);
    QProcess shell;
    shell.setWorkingDirectory(QDir::tempPath());
    shell.start(QStringLiteral("/bin/sh"),
                {QStringLiteral("-c"), QStringLiteral("printf '%s' ") + RemoteCommand::quote(value)});
    QVERIFY(shell.waitForFinished());
    QCOMPARE(shell.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(shell.readAllStandardOutput()), value);
    QVERIFY(!QFile::exists(QDir::temp().filePath(QStringLiteral("pwned"))));
}

void TestRemoteCommand::safeWordsStayReadable()
{
    QCOMPARE(RemoteCommand::quote(QStringLiteral("/srv/shop/releases/shop-v1")), QStringLiteral("/srv/shop/releases/shop-v1"));
    QCOMPARE(RemoteCommand::quote(QStringLiteral("x\n")), QStringLiteral("'x\n'"));
    QCOMPARE(RemoteCommand(QStringLiteral("mkdir")).arg(QStringLiteral("-p")).arg(QStringLiteral("a b")).toString(),
             QStringLiteral("mkdir -p 'a b'"));
}

QTEST_GUILESS_MAIN(TestRemoteCommand)
#include "tst_remotecommand.moc"
