#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace rd::test;

// End to end, the built releasedesk-cli run as a process over a data directory of its own: the
// command line as a whole (help, usage errors, exit codes, the private data directory).
class TestCli : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void init() { QVERIFY(setUpCli()); }
    void helpListsExitCodes();
    void usageErrors();
    void databaseIsCreatedPrivate();
    void invalidInputIsExit3_data();
    void invalidInputIsExit3();
    void missingEntriesAreExit4();
};

void TestCli::helpListsExitCodes()
{
    const CliRun help = cli({QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    const QString text = QString::fromUtf8(help.out);
    QVERIFY(text.contains(QStringLiteral("Exit codes:")));
    // The paragraphs are apart, and no pointer was printed where a line break belongs.
    QVERIFY2(text.contains(QStringLiteral("on the terminal.\n\nExit codes:")), qPrintable(text.right(1200)));
    for (const char *line : {"0  success", "1  runtime failure", "2  usage error", "3  invalid input",
                             "4  not found", "5  vault locked", "6  refused"})
        QVERIFY2(text.contains(QString::fromLatin1(line)), line);
    for (const char *command : {"key add", "server edit", "env assign", "hook add", "vault passwd",
                                "export json", "import ssh-config"})
        QVERIFY2(text.contains(QString::fromLatin1(command)), command);

    // A verb is asked only for the options it has: rollback has no --ref, --base or --whole.
    const CliRun rollback = cli({QStringLiteral("release"), QStringLiteral("rollback"), QStringLiteral("nowhere/prod"),
                              QStringLiteral("--to"), QStringLiteral("nowhere-v1-20260101000000")});
    QCOMPARE(rollback.code, 4);
    QVERIFY2(!rollback.err.contains("QCommandLineParser"), rollback.err.constData());
    QVERIFY2(rollback.err.contains("There is no project"), rollback.err.constData());

    const CliRun verbHelp = cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("--help")});
    QCOMPARE(verbHelp.code, 0);
    QVERIFY(verbHelp.out.contains("--host"));
}

void TestCli::usageErrors()
{
    QCOMPARE(cli({}).code, 2);
    const CliRun unknown = cli({QStringLiteral("frobnicate")});
    QCOMPARE(unknown.code, 2);
    QVERIFY(unknown.err.startsWith("releasedesk-cli: "));
    QVERIFY(unknown.err.contains("frobnicate"));
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("fly")}).code, 2);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("list"), QStringLiteral("--bogus")}).code, 2);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("show")}).code, 2);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("web")}).code,
             2); // no --host
    const CliRun json = cli({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("remove")});
    QCOMPARE(json.code, 2);
    QVERIFY(json.errorJson().contains(QStringLiteral("error")));
    QVERIFY(json.errorJson().contains(QStringLiteral("hint")));
}

void TestCli::databaseIsCreatedPrivate()
{
    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("list")}).code, 0);
    const QFileInfo database(QDir(m_dataDir).filePath(QStringLiteral("inventory.sqlite")));
    QVERIFY(database.exists());
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                            QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                            QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(database.permissions() & others, QFileDevice::Permissions());
    QVERIFY(database.permissions().testFlags(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
}

void TestCli::invalidInputIsExit3_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("says");

    const QString host = QStringLiteral("--host");
    QTest::newRow("bad host") << QStringList{QStringLiteral("server"), QStringLiteral("add"),
                                             QStringLiteral("web"), host, QStringLiteral("web_01..example")}
                              << QStringLiteral("host") << QStringLiteral("is not a valid host name");
    QTest::newRow("port 0") << QStringList{QStringLiteral("server"),
                                           QStringLiteral("add"),
                                           QStringLiteral("web"),
                                           host,
                                           QStringLiteral("web.example.com"),
                                           QStringLiteral("--port"),
                                           QStringLiteral("0")}
                            << QStringLiteral("port") << QStringLiteral("port 0 is out of range");
    QTest::newRow("port 70000") << QStringList{QStringLiteral("server"),
                                               QStringLiteral("add"),
                                               QStringLiteral("web"),
                                               host,
                                               QStringLiteral("web.example.com"),
                                               QStringLiteral("--port"),
                                               QStringLiteral("70000")}
                                << QStringLiteral("port") << QStringLiteral("port 70000 is out of range");
    QTest::newRow("shell in name") << QStringList{QStringLiteral("server"), QStringLiteral("add"),
                                                  QStringLiteral("$(rm -rf /)"), host,
                                                  QStringLiteral("web.example.com")}
                                   << QStringLiteral("name")
                                   << QStringLiteral("\"$(rm -rf /)\" is not allowed");
    QTest::newRow("relative root") << QStringList{QStringLiteral("env"), QStringLiteral("add"),
                                                  QStringLiteral("shop/prod"), QStringLiteral("--root"),
                                                  QStringLiteral("srv/shop")}
                                   << QStringLiteral("deployRoot")
                                   << QStringLiteral("is not an absolute path");
    QTest::newRow("bad git url") << QStringList{QStringLiteral("project"), QStringLiteral("add"),
                                                QStringLiteral("other"), QStringLiteral("--git-url"),
                                                QStringLiteral("ftp://example.com/x.git")}
                                 << QStringLiteral("gitUrl")
                                 << QStringLiteral("scheme \"ftp\" is not supported");
}

void TestCli::invalidInputIsExit3()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, field);
    QFETCH(QString, says);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"),
                 QStringLiteral("--git-url"), QStringLiteral("https://git.example.com/shop.git")})
                 .code,
             0);

    const CliRun text = cli(arguments);
    QCOMPARE(text.code, 3);
    QVERIFY2(text.err.startsWith("releasedesk-cli: "), text.err.constData());
    QVERIFY2(QString::fromUtf8(text.err).contains(says), text.err.constData());

    const CliRun json = cli(QStringList{QStringLiteral("--json")} + arguments);
    QCOMPARE(json.code, 3);
    QCOMPARE(json.errorJson()[QStringLiteral("field")].toString(), field);
    QVERIFY(!json.errorJson()[QStringLiteral("hint")].toString().isEmpty());
    // Nothing was written.
    QCOMPARE(ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")})
                 .json()
                 .toArray()
                 .size(),
             0);
    QCOMPARE(
        ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("list")}).json().toArray().size(),
        0);
}

void TestCli::missingEntriesAreExit4()
{
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("show"), QStringLiteral("nope")}).code, 4);
    QCOMPARE(cli({QStringLiteral("project"), QStringLiteral("remove"), QStringLiteral("nope")}).code, 4);
    QCOMPARE(cli({QStringLiteral("env"), QStringLiteral("show"), QStringLiteral("nope/prod")}).code, 4);
    QCOMPARE(cli({QStringLiteral("hook"), QStringLiteral("edit"), QStringLiteral("nope"),
                  QStringLiteral("--script"), QStringLiteral("x")})
                 .code,
             4);
    const CliRun withMissingKey =
        cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("web"), QStringLiteral("--host"),
             QStringLiteral("web.example.com"), QStringLiteral("--key"), QStringLiteral("ghost")});
    QCOMPARE(withMissingKey.code, 4);
    QVERIFY(withMissingKey.err.contains("ghost"));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
