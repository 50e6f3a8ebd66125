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

// End to end: the built releasedesk-cli run as a process over a data directory of its own.
class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void helpListsExitCodes();
    void usageErrors();
    void databaseIsCreatedPrivate();
    void keysWithoutVault();
    void serversCrud();
    void projectsCrud();
    void environmentsCrudAndAssignOrder();
    void hooksCrud();
    void removingUsedKeyOrServerIsRefused();
    void invalidInputIsExit3_data();
    void invalidInputIsExit3();
    void missingEntriesAreExit4();
    void vaultThroughEnvironment();
    void vaultThroughStdin();
    void vaultThroughTerminalPrompt();
    void storedKeysNeverShowTheirSecrets();
    void jsonExportImportRoundTrip();
    void importSshConfig();
    void ansibleExportImport();
    void ansibleForeignInventory();

private:
    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
        QJsonValue json() const
        {
            const QJsonDocument document = QJsonDocument::fromJson(out);
            return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
        }
        QJsonObject errorJson() const { return QJsonDocument::fromJson(err).object(); }
    };

    Run cli(const QStringList &arguments, const QByteArray &input = {},
            const QList<std::pair<QString, QString>> &environment = {}, const QString &dataDir = {});
    Run ok(const QStringList &arguments, const QList<std::pair<QString, QString>> &environment = {},
           const QString &dataDir = {});
    QString generateKey(const QString &name, const QByteArray &passphrase);
    QString path(const QString &name) const { return m_dir->filePath(name); }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dataDir;
    QByteArray m_everything; // all output of the current test, to look for leaked secrets
};

namespace {

const QString Password = QStringLiteral("correct horse battery");
using Env = QList<std::pair<QString, QString>>;

Env master(const QString &password = Password)
{
    return {{QStringLiteral("RELEASEDESK_VAULT_PASSWORD"), password}};
}

QStringList names(const QJsonValue &list, const QString &member = QStringLiteral("name"))
{
    QStringList result;
    for (const QJsonValue &item : list.toArray())
        result.append(item.toObject().value(member).toString());
    return result;
}

} // namespace

void TestCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_dataDir = path(QStringLiteral("data"));
    m_everything.clear();
}

TestCli::Run TestCli::cli(const QStringList &arguments, const QByteArray &input, const Env &environment,
                          const QString &dataDir)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : env.keys())
        if (name.startsWith(QStringLiteral("RELEASEDESK_")))
            env.remove(name);
    // Messages are checked in English.
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C"));
    env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("C"));
    env.insert(QStringLiteral("HOME"), m_dir->path());
    for (const auto &[name, value] : environment)
        env.insert(name, value);
    process.setProcessEnvironment(env);
    QStringList all{QStringLiteral("--data-dir"), dataDir.isEmpty() ? m_dataDir : dataDir};
    all += arguments;
    process.start(QStringLiteral(RELEASEDESK_CLI), all);
    if (!process.waitForStarted())
        return {};
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    Run run{process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
    m_everything += run.out + run.err;
    return run;
}

TestCli::Run TestCli::ok(const QStringList &arguments, const Env &environment, const QString &dataDir)
{
    Run run = cli(arguments, {}, environment, dataDir);
    if (run.code != 0)
        qWarning("releasedesk-cli %s -> %d\n%s", qPrintable(arguments.join(u' ')), run.code,
                 run.err.constData());
    return run;
}

QString TestCli::generateKey(const QString &name, const QByteArray &passphrase)
{
    const QString file = path(name);
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"),
                 {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"),
                  QString::fromUtf8(passphrase), QStringLiteral("-C"), QStringLiteral("test@releasedesk"),
                  QStringLiteral("-f"), file});
    if (!keygen.waitForFinished(60000) || keygen.exitCode() != 0)
        return {};
    return file;
}

void TestCli::helpListsExitCodes()
{
    const Run help = cli({QStringLiteral("--help")});
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
    const Run rollback = cli({QStringLiteral("release"), QStringLiteral("rollback"), QStringLiteral("nowhere/prod"),
                              QStringLiteral("--to"), QStringLiteral("nowhere-v1-20260101000000")});
    QCOMPARE(rollback.code, 4);
    QVERIFY2(!rollback.err.contains("QCommandLineParser"), rollback.err.constData());
    QVERIFY2(rollback.err.contains("There is no project"), rollback.err.constData());

    const Run verbHelp = cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("--help")});
    QCOMPARE(verbHelp.code, 0);
    QVERIFY(verbHelp.out.contains("--host"));
}

void TestCli::usageErrors()
{
    QCOMPARE(cli({}).code, 2);
    const Run unknown = cli({QStringLiteral("frobnicate")});
    QCOMPARE(unknown.code, 2);
    QVERIFY(unknown.err.startsWith("releasedesk-cli: "));
    QVERIFY(unknown.err.contains("frobnicate"));
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("fly")}).code, 2);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("list"), QStringLiteral("--bogus")}).code, 2);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("show")}).code, 2);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("web")}).code,
             2); // no --host
    const Run json = cli({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("remove")});
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

void TestCli::keysWithoutVault()
{
    const QString keyFile = generateKey(QStringLiteral("id_file"), {});
    QVERIFY(!keyFile.isEmpty());

    Run added = ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("add"),
                    QStringLiteral("from-agent"), QStringLiteral("--user"), QStringLiteral("deploy"),
                    QStringLiteral("--agent")});
    QCOMPARE(added.code, 0);
    QCOMPARE(added.json()[QStringLiteral("kind")].toString(), QStringLiteral("agent"));

    added = ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("add"),
                QStringLiteral("from-file"), QStringLiteral("--user"), QStringLiteral("ops"),
                QStringLiteral("--key-file"), keyFile});
    QCOMPARE(added.code, 0);
    QFile publicFile(keyFile + QStringLiteral(".pub"));
    QVERIFY(publicFile.open(QIODevice::ReadOnly));
    const QString publicLine = QString::fromUtf8(publicFile.readAll()).trimmed();
    QCOMPARE(added.json()[QStringLiteral("publicKey")].toString(), publicLine);
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-lf"), publicFile.fileName()});
    QVERIFY(keygen.waitForFinished(60000));
    const QString fingerprint = QString::fromUtf8(keygen.readAllStandardOutput()).split(u' ').value(1);
    QVERIFY(fingerprint.startsWith(QStringLiteral("SHA256:")));
    QCOMPARE(added.json()[QStringLiteral("fingerprint")].toString(), fingerprint);
    QCOMPARE(added.json()[QStringLiteral("keyPath")].toString(), keyFile);

    Run list = ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("list")});
    QCOMPARE(names(list.json()), (QStringList{QStringLiteral("from-agent"), QStringLiteral("from-file")}));
    for (const QJsonValue &key : list.json().toArray()) {
        QVERIFY(!key.toObject().contains(QStringLiteral("sealedPrivateKey")));
        QVERIFY(!key.toObject().contains(QStringLiteral("sealedPassphrase")));
    }
    const Run table = ok({QStringLiteral("key"), QStringLiteral("list")});
    QVERIFY(table.out.startsWith("NAME"));
    QVERIFY(table.out.contains(fingerprint.toUtf8()));

    QCOMPARE(ok({QStringLiteral("key"), QStringLiteral("edit"), QStringLiteral("from-agent"),
                 QStringLiteral("--name"), QStringLiteral("agent2"), QStringLiteral("--user"),
                 QStringLiteral("root2"), QStringLiteral("--disable")})
                 .code,
             0);
    const Run shown = ok(
        {QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("show"), QStringLiteral("agent2")});
    QCOMPARE(shown.json()[QStringLiteral("username")].toString(), QStringLiteral("root2"));
    QCOMPARE(shown.json()[QStringLiteral("enabled")].toBool(), false);
    QCOMPARE(cli({QStringLiteral("key"), QStringLiteral("show"), QStringLiteral("from-agent")}).code, 4);

    // A name already taken is refused as a conflict.
    QCOMPARE(cli({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("agent2"),
                  QStringLiteral("--user"), QStringLiteral("x"), QStringLiteral("--agent")})
                 .code,
             6);
    QCOMPARE(ok({QStringLiteral("key"), QStringLiteral("remove"), QStringLiteral("agent2")}).code, 0);
    list = ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("list")});
    QCOMPARE(names(list.json()), QStringList{QStringLiteral("from-file")});
}

void TestCli::serversCrud()
{
    QCOMPARE(ok({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("deploy"),
                 QStringLiteral("--user"), QStringLiteral("deploy"), QStringLiteral("--agent")})
                 .code,
             0);
    Run added =
        ok({QStringLiteral("--json"),  QStringLiteral("server"),       QStringLiteral("add"),
            QStringLiteral("web-01"),  QStringLiteral("--host"),       QStringLiteral("web-01.example.com"),
            QStringLiteral("--port"),  QStringLiteral("2222"),         QStringLiteral("--key"),
            QStringLiteral("deploy"),  QStringLiteral("--department"), QStringLiteral("Shop"),
            QStringLiteral("--owner"), QStringLiteral("Ana"),          QStringLiteral("--tag"),
            QStringLiteral("web"),     QStringLiteral("--tag"),        QStringLiteral("eu"),
            QStringLiteral("--notes"), QStringLiteral("rack 4")});
    QCOMPARE(added.code, 0);
    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("db-01"),
                 QStringLiteral("--host"), QStringLiteral("10.0.0.5"), QStringLiteral("--tag"),
                 QStringLiteral("db")})
                 .code,
             0);

    const QJsonObject web = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("show"),
                                QStringLiteral("web-01")})
                                .json()
                                .toObject();
    QCOMPARE(web[QStringLiteral("host")].toString(), QStringLiteral("web-01.example.com"));
    QCOMPARE(web[QStringLiteral("port")].toInt(), 2222);
    QCOMPARE(web[QStringLiteral("key")].toString(), QStringLiteral("deploy"));
    QCOMPARE(web[QStringLiteral("department")].toString(), QStringLiteral("Shop"));
    QCOMPARE(web[QStringLiteral("owner")].toString(), QStringLiteral("Ana"));
    QCOMPARE(web[QStringLiteral("notes")].toString(), QStringLiteral("rack 4"));
    QCOMPARE(web[QStringLiteral("tags")].toArray(),
             (QJsonArray{QStringLiteral("web"), QStringLiteral("eu")}));

    Run list = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")});
    QCOMPARE(names(list.json()), (QStringList{QStringLiteral("db-01"), QStringLiteral("web-01")}));
    list = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list"),
               QStringLiteral("--tag"), QStringLiteral("db")});
    QCOMPARE(names(list.json()), QStringList{QStringLiteral("db-01")});

    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("edit"), QStringLiteral("db-01"),
                 QStringLiteral("--port"), QStringLiteral("2200"), QStringLiteral("--name"),
                 QStringLiteral("db-02"), QStringLiteral("--disable")})
                 .code,
             0);
    const QJsonObject db = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("show"),
                               QStringLiteral("db-02")})
                               .json()
                               .toObject();
    QCOMPARE(db[QStringLiteral("port")].toInt(), 2200);
    QCOMPARE(db[QStringLiteral("host")].toString(), QStringLiteral("10.0.0.5"));
    QCOMPARE(db[QStringLiteral("enabled")].toBool(), false);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("edit"), QStringLiteral("db-02"),
                  QStringLiteral("--name"), QStringLiteral("web-01")})
                 .code,
             6);

    const Run table = ok({QStringLiteral("server"), QStringLiteral("list")});
    const QList<QByteArray> lines = table.out.split('\n');
    QVERIFY(lines.size() >= 3);
    // Aligned columns: HOST starts where the hosts start.
    QCOMPARE(lines[0].indexOf("HOST"), lines[2].indexOf("web-01.example.com"));

    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("remove"), QStringLiteral("db-02")}).code, 0);
    list = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")});
    QCOMPARE(names(list.json()), QStringList{QStringLiteral("web-01")});
}

void TestCli::projectsCrud()
{
    Run added = ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("add"),
                    QStringLiteral("shop"), QStringLiteral("--git-url"),
                    QStringLiteral("https://git.example.com/shop.git"), QStringLiteral("--branch"),
                    QStringLiteral("release/2.1"), QStringLiteral("--keep"), QStringLiteral("7"),
                    QStringLiteral("--exclude"), QStringLiteral("node_modules"), QStringLiteral("--exclude"),
                    QStringLiteral("*.log")});
    QCOMPARE(added.code, 0);
    QJsonObject shop = ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("show"),
                           QStringLiteral("shop")})
                           .json()
                           .toObject();
    QCOMPARE(shop[QStringLiteral("gitUrl")].toString(), QStringLiteral("https://git.example.com/shop.git"));
    QCOMPARE(shop[QStringLiteral("defaultBranch")].toString(), QStringLiteral("release/2.1"));
    QCOMPARE(shop[QStringLiteral("keepReleases")].toInt(), 7);
    QCOMPARE(shop[QStringLiteral("packageExcludes")].toArray(),
             (QJsonArray{QStringLiteral("node_modules"), QStringLiteral("*.log")}));

    QCOMPARE(
        ok({QStringLiteral("project"), QStringLiteral("edit"), QStringLiteral("shop"),
            QStringLiteral("--keep"), QStringLiteral("3"), QStringLiteral("--name"), QStringLiteral("store")})
            .code,
        0);
    shop = ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("show"),
               QStringLiteral("store")})
               .json()
               .toObject();
    QCOMPARE(shop[QStringLiteral("keepReleases")].toInt(), 3);
    QCOMPARE(shop[QStringLiteral("defaultBranch")].toString(), QStringLiteral("release/2.1"));
    QCOMPARE(cli({QStringLiteral("project"), QStringLiteral("edit"), QStringLiteral("store"),
                  QStringLiteral("--keep"), QStringLiteral("1")})
                 .code,
             3);
    QCOMPARE(names(ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("list")}).json()),
             QStringList{QStringLiteral("store")});
    // http:// needs the explicit consent; a password in the URL is never echoed.
    const QStringList plainHttp{QStringLiteral("project"), QStringLiteral("edit"), QStringLiteral("store"),
                                QStringLiteral("--git-url"), QStringLiteral("http://ann:hunter22@git.example.com/s.git")};
    const Run refused = cli(plainHttp);
    QCOMPARE(refused.code, 3);
    QVERIFY2(refused.err.contains("without authenticating the server"), refused.err.constData());
    QVERIFY(!refused.err.contains("hunter22"));
    const Run insecure = cli(plainHttp + QStringList{QStringLiteral("--allow-unauthenticated")});
    QCOMPARE(insecure.code, 3); // still a password in it
    QVERIFY(!insecure.err.contains("hunter22"));
    QVERIFY(insecure.err.contains("password"));
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("edit"), QStringLiteral("store"), QStringLiteral("--git-url"),
                 QStringLiteral("git://git.example.com/s.git"), QStringLiteral("--allow-unauthenticated")})
                 .code,
             0);
    shop = ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("show"), QStringLiteral("store")})
               .json()
               .toObject();
    QVERIFY(shop[QStringLiteral("allowUnauthenticated")].toBool());
    const Run fetchRefused = cli({QStringLiteral("project"), QStringLiteral("edit"), QStringLiteral("store"),
                                  QStringLiteral("--require-authenticated")});
    QCOMPARE(fetchRefused.code, 3);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("remove"), QStringLiteral("store")}).code, 0);
    QCOMPARE(ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("list")})
                 .json()
                 .toArray()
                 .size(),
             0);
}

void TestCli::environmentsCrudAndAssignOrder()
{
    for (const char *name : {"a", "b", "c", "d"})
        QCOMPARE(
            ok({QStringLiteral("server"), QStringLiteral("add"), QString::fromLatin1(name),
                QStringLiteral("--host"), QStringLiteral("%1.example.com").arg(QString::fromLatin1(name))})
                .code,
            0);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"),
                 QStringLiteral("--git-url"), QStringLiteral("git@git.example.com:shop/app.git")})
                 .code,
             0);
    Run added = ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("add"),
                    QStringLiteral("shop/prod"), QStringLiteral("--root"), QStringLiteral("/srv/shop"),
                    QStringLiteral("--shared"), QStringLiteral("storage/logs"), QStringLiteral("--shared"),
                    QStringLiteral(".env"), QStringLiteral("--parallelism"), QStringLiteral("4"),
                    QStringLiteral("--strategy"), QStringLiteral("rolling"), QStringLiteral("--server"),
                    QStringLiteral("b"), QStringLiteral("--server"), QStringLiteral("a")});
    QCOMPARE(added.code, 0);
    QJsonObject prod = ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("show"),
                           QStringLiteral("shop/prod")})
                           .json()
                           .toObject();
    QCOMPARE(prod[QStringLiteral("deployRoot")].toString(), QStringLiteral("/srv/shop"));
    QCOMPARE(prod[QStringLiteral("sharedPaths")].toArray(),
             (QJsonArray{QStringLiteral("storage/logs"), QStringLiteral(".env")}));
    QCOMPARE(prod[QStringLiteral("parallelism")].toInt(), 4);
    QCOMPARE(prod[QStringLiteral("strategy")].toString(), QStringLiteral("rolling"));
    QCOMPARE(prod[QStringLiteral("servers")].toArray(),
             (QJsonArray{QStringLiteral("b"), QStringLiteral("a")}));

    auto servers = [&] {
        return ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("show"),
                   QStringLiteral("shop/prod")})
            .json()[QStringLiteral("servers")]
            .toArray();
    };
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("assign"), QStringLiteral("shop/prod"),
                 QStringLiteral("d")})
                 .code,
             0);
    QCOMPARE(servers(), (QJsonArray{QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("d")}));
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("assign"), QStringLiteral("shop/prod"),
                 QStringLiteral("c"), QStringLiteral("--position"), QStringLiteral("1")})
                 .code,
             0);
    QCOMPARE(servers(), (QJsonArray{QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("a"),
                                    QStringLiteral("d")}));
    // Assigning a server that is already there moves it.
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("assign"), QStringLiteral("shop/prod"),
                 QStringLiteral("d"), QStringLiteral("a"), QStringLiteral("--position"), QStringLiteral("2")})
                 .code,
             0);
    QCOMPARE(servers(), (QJsonArray{QStringLiteral("c"), QStringLiteral("d"), QStringLiteral("a"),
                                    QStringLiteral("b")}));
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("unassign"), QStringLiteral("shop/prod"),
                 QStringLiteral("d"), QStringLiteral("c")})
                 .code,
             0);
    QCOMPARE(servers(), (QJsonArray{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(cli({QStringLiteral("env"), QStringLiteral("unassign"), QStringLiteral("shop/prod"),
                  QStringLiteral("d")})
                 .code,
             4);
    QCOMPARE(cli({QStringLiteral("env"), QStringLiteral("assign"), QStringLiteral("shop/prod"),
                  QStringLiteral("zz")})
                 .code,
             4);

    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/test"),
                 QStringLiteral("--root"), QStringLiteral("/srv/shop-test")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("edit"), QStringLiteral("shop/test"),
                 QStringLiteral("--name"), QStringLiteral("staging"), QStringLiteral("--strategy"),
                 QStringLiteral("gray")})
                 .code,
             0);
    const Run list = ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("list"),
                         QStringLiteral("--project"), QStringLiteral("shop")});
    QCOMPARE(names(list.json(), QStringLiteral("path")),
             (QStringList{QStringLiteral("shop/prod"), QStringLiteral("shop/staging")}));
    QCOMPARE(list.json()[1][QStringLiteral("strategy")].toString(), QStringLiteral("gray"));
    QCOMPARE(cli({QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/prod"),
                  QStringLiteral("--root"), QStringLiteral("/srv/x")})
                 .code,
             6);
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("remove"), QStringLiteral("shop/staging")}).code, 0);
    QCOMPARE(names(ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("list")}).json(),
                   QStringLiteral("path")),
             QStringList{QStringLiteral("shop/prod")});
}

void TestCli::hooksCrud()
{
    const QString scriptFile = path(QStringLiteral("restart.sh"));
    QFile file(scriptFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("systemctl reload nginx\necho done\n");
    file.close();

    QCOMPARE(ok({QStringLiteral("hook"), QStringLiteral("add"), QStringLiteral("Reload nginx"),
                 QStringLiteral("--stage"), QStringLiteral("after-release"), QStringLiteral("--script-file"),
                 scriptFile})
                 .code,
             0);
    QCOMPARE(
        ok({QStringLiteral("hook"), QStringLiteral("add"), QStringLiteral("Build"), QStringLiteral("--stage"),
            QStringLiteral("after-download"), QStringLiteral("--script"), QStringLiteral("make")})
            .code,
        0);
    QJsonObject hook = ok({QStringLiteral("--json"), QStringLiteral("hook"), QStringLiteral("show"),
                           QStringLiteral("Reload nginx")})
                           .json()
                           .toObject();
    QCOMPARE(hook[QStringLiteral("stage")].toString(), QStringLiteral("after-release"));
    QCOMPARE(hook[QStringLiteral("script")].toString(),
             QStringLiteral("systemctl reload nginx\necho done\n"));
    QCOMPARE(
        cli({QStringLiteral("hook"), QStringLiteral("add"), QStringLiteral("X"), QStringLiteral("--stage"),
             QStringLiteral("sometime"), QStringLiteral("--script"), QStringLiteral("true")})
            .code,
        3);

    QCOMPARE(ok({QStringLiteral("hook"), QStringLiteral("edit"), QStringLiteral("Build"),
                 QStringLiteral("--script"), QStringLiteral("make -j4"), QStringLiteral("--title"),
                 QStringLiteral("Compile")})
                 .code,
             0);
    hook = ok({QStringLiteral("--json"), QStringLiteral("hook"), QStringLiteral("show"),
               QStringLiteral("Compile")})
               .json()
               .toObject();
    QCOMPARE(hook[QStringLiteral("script")].toString(), QStringLiteral("make -j4"));
    QCOMPARE(hook[QStringLiteral("stage")].toString(), QStringLiteral("after-download"));
    QCOMPARE(names(ok({QStringLiteral("--json"), QStringLiteral("hook"), QStringLiteral("list")}).json(),
                   QStringLiteral("title"))
                 .size(),
             2);
    QCOMPARE(ok({QStringLiteral("hook"), QStringLiteral("remove"), QStringLiteral("Compile")}).code, 0);
    QCOMPARE(names(ok({QStringLiteral("--json"), QStringLiteral("hook"), QStringLiteral("list")}).json(),
                   QStringLiteral("title")),
             QStringList{QStringLiteral("Reload nginx")});
}

void TestCli::removingUsedKeyOrServerIsRefused()
{
    QCOMPARE(ok({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("deploy"),
                 QStringLiteral("--user"), QStringLiteral("deploy"), QStringLiteral("--agent")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("web-01"),
                 QStringLiteral("--host"), QStringLiteral("10.1.1.1"), QStringLiteral("--key"),
                 QStringLiteral("deploy")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"),
                 QStringLiteral("--git-url"), QStringLiteral("https://git.example.com/shop.git")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/prod"),
                 QStringLiteral("--root"), QStringLiteral("/srv/shop"), QStringLiteral("--server"),
                 QStringLiteral("web-01")})
                 .code,
             0);

    const Run key = cli({QStringLiteral("key"), QStringLiteral("remove"), QStringLiteral("deploy")});
    QCOMPARE(key.code, 6);
    QVERIFY2(key.err.contains("server web-01"), key.err.constData());
    const Run server = cli({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("remove"),
                            QStringLiteral("web-01")});
    QCOMPARE(server.code, 6);
    QVERIFY2(server.errorJson()[QStringLiteral("error")].toString().contains(
                 QStringLiteral("environment shop/prod")),
             server.err.constData());
    QCOMPARE(ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")})
                 .json()
                 .toArray()
                 .size(),
             1);

    // Once unused, both go.
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("unassign"), QStringLiteral("shop/prod"),
                 QStringLiteral("web-01")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("remove"), QStringLiteral("web-01")}).code, 0);
    QCOMPARE(ok({QStringLiteral("key"), QStringLiteral("remove"), QStringLiteral("deploy")}).code, 0);
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

    const Run text = cli(arguments);
    QCOMPARE(text.code, 3);
    QVERIFY2(text.err.startsWith("releasedesk-cli: "), text.err.constData());
    QVERIFY2(QString::fromUtf8(text.err).contains(says), text.err.constData());

    const Run json = cli(QStringList{QStringLiteral("--json")} + arguments);
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
    const Run withMissingKey =
        cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("web"), QStringLiteral("--host"),
             QStringLiteral("web.example.com"), QStringLiteral("--key"), QStringLiteral("ghost")});
    QCOMPARE(withMissingKey.code, 4);
    QVERIFY(withMissingKey.err.contains("ghost"));
}

void TestCli::vaultThroughEnvironment()
{
    Run status = ok({QStringLiteral("--json"), QStringLiteral("vault"), QStringLiteral("status")});
    QCOMPARE(status.json()[QStringLiteral("initialized")].toBool(), false);
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("unlock")}, {}, master()).code, 5);
    // No password source and no terminal: locked, and the hint says how to give one.
    const Run noSource = cli({QStringLiteral("vault"), QStringLiteral("init")});
    QCOMPARE(noSource.code, 5);
    QVERIFY(noSource.err.contains("RELEASEDESK_VAULT_PASSWORD"));
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("init")}, {}, master(QStringLiteral("short"))).code,
             3);

    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("init")}, master()).code, 0);
    status = ok({QStringLiteral("--json"), QStringLiteral("vault"), QStringLiteral("status")});
    QCOMPARE(status.json()[QStringLiteral("initialized")].toBool(), true);
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("init")}, {}, master()).code, 6);
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("unlock")}, master()).code, 0);
    const Run wrong = cli({QStringLiteral("vault"), QStringLiteral("unlock")}, {},
                          master(QStringLiteral("wrong password!")));
    QCOMPARE(wrong.code, 5);
    QVERIFY(wrong.err.contains("wrong"));

    const QString next = QStringLiteral("another long secret");
    Env change = master();
    change.append({QStringLiteral("RELEASEDESK_NEW_VAULT_PASSWORD"), next});
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("passwd")}, change).code, 0);
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("unlock")}, {}, master()).code, 5);
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("unlock")}, master(next)).code, 0);
    // A wrong current password changes nothing.
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("passwd")}, {}, change).code, 5);
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("unlock")}, master(next)).code, 0);
}

void TestCli::vaultThroughStdin()
{
    const QStringList stdinFlag{QStringLiteral("--password-stdin")};
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("init")},
                 Password.toUtf8() + '\n')
                 .code,
             0);
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")},
                 Password.toUtf8() + '\n')
                 .code,
             0);
    QCOMPARE(
        cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")}, "not the password\n")
            .code,
        5);
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")}, {}).code, 2);
    // A line longer than any secret (a file piped by mistake) is refused as such; 4,096 bytes are read,
    // and a line's CR LF ending is not part of the password.
    const QStringList unlock = stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")};
    const Run tooLong = cli(unlock, QByteArray(5000, 'x') + '\n');
    QCOMPARE(tooLong.code, 2);
    QVERIFY2(tooLong.err.contains("longer than 4096 bytes"), tooLong.err.constData());
    QCOMPARE(cli(unlock, QByteArray(4096, 'x') + '\n').code, 5);
    QCOMPARE(cli(unlock, Password.toUtf8() + "\r\n").code, 0);

    const QByteArray next = "a brand new password";
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("passwd")},
                 Password.toUtf8() + '\n' + next + '\n')
                 .code,
             0);
    QCOMPARE(
        cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")}, next + '\n').code, 0);
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")},
                 Password.toUtf8() + '\n')
                 .code,
             5);
}

void TestCli::vaultThroughTerminalPrompt()
{
    // util-linux `script` gives the CLI a real terminal, so the echo-off prompt path runs.
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    if (script.isEmpty())
        QSKIP("script(1) is not installed");
    auto onTerminal = [&](const QString &verb, const QByteArray &typed) {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("RELEASEDESK_VAULT_PASSWORD"));
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
        process.setProcessEnvironment(env);
        const QString command = QStringLiteral("'%1' --data-dir '%2' vault %3")
                                    .arg(QStringLiteral(RELEASEDESK_CLI), m_dataDir, verb);
        process.start(script, {QStringLiteral("-qec"), command, QStringLiteral("/dev/null")});
        process.write(typed);
        process.closeWriteChannel();
        process.waitForFinished(120000);
        return std::pair{process.exitCode(), process.readAll()};
    };
    const QByteArray typed = Password.toUtf8() + '\n';
    auto [initCode, initOutput] = onTerminal(QStringLiteral("init"), typed + typed);
    QCOMPARE(initCode, 0);
    QVERIFY2(initOutput.contains("New master password: "), initOutput.constData());
    QVERIFY2(initOutput.contains("Repeat it: "), initOutput.constData());
    QCOMPARE(onTerminal(QStringLiteral("unlock"), typed).first, 0);
    QCOMPARE(onTerminal(QStringLiteral("unlock"), "wrong password here\n").first, 5);
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("unlock")}, master()).code, 0);
}

void TestCli::storedKeysNeverShowTheirSecrets()
{
    const QString plainKey = generateKey(QStringLiteral("id_plain"), {});
    const QByteArray passphrase = "open sesame 42";
    const QString lockedKey = generateKey(QStringLiteral("id_locked"), passphrase);
    QVERIFY(!plainKey.isEmpty() && !lockedKey.isEmpty());

    const QStringList addPlain{QStringLiteral("--json"),
                               QStringLiteral("key"),
                               QStringLiteral("add"),
                               QStringLiteral("plain"),
                               QStringLiteral("--user"),
                               QStringLiteral("deploy"),
                               QStringLiteral("--private-key-file"),
                               plainKey};
    // Storing a private key needs the vault.
    QCOMPARE(cli(addPlain, {}, master()).code, 5);
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("init")}, master()).code, 0);
    QCOMPARE(cli(addPlain, {}, master(QStringLiteral("wrong password!"))).code, 5);

    Run plain = ok(addPlain, master());
    QCOMPARE(plain.code, 0);
    QFile publicFile(plainKey + QStringLiteral(".pub"));
    QVERIFY(publicFile.open(QIODevice::ReadOnly));
    const QStringList publicParts = QString::fromUtf8(publicFile.readAll()).split(u' ');
    QCOMPARE(plain.json()[QStringLiteral("kind")].toString(), QStringLiteral("stored"));
    QVERIFY(plain.json()[QStringLiteral("publicKey")].toString().startsWith(publicParts[0] + u' ' +
                                                                            publicParts[1]));
    QVERIFY(plain.json()[QStringLiteral("fingerprint")].toString().startsWith(QStringLiteral("SHA256:")));
    QCOMPARE(plain.json()[QStringLiteral("hasPassphrase")].toBool(), false);

    // Master password from the environment, the passphrase as a line on stdin.
    const Run locked =
        cli({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("locked"),
             QStringLiteral("--user"), QStringLiteral("deploy"), QStringLiteral("--private-key-file"),
             lockedKey, QStringLiteral("--passphrase-stdin")},
            passphrase + '\n', master());
    QCOMPARE(locked.code, 0);
    QCOMPARE(locked.json()[QStringLiteral("hasPassphrase")].toBool(), true);

    // Both from stdin: the master password first, then the passphrase.
    const QString lockedAgain = generateKey(QStringLiteral("id_locked2"), passphrase);
    QCOMPARE(cli({QStringLiteral("--password-stdin"), QStringLiteral("key"), QStringLiteral("add"),
                  QStringLiteral("locked2"), QStringLiteral("--user"), QStringLiteral("deploy"),
                  QStringLiteral("--private-key-file"), lockedAgain, QStringLiteral("--passphrase-stdin")},
                 Password.toUtf8() + '\n' + passphrase + '\n')
                 .code,
             0);

    ok({QStringLiteral("key"), QStringLiteral("list")});
    ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("list")});
    ok({QStringLiteral("key"), QStringLiteral("show"), QStringLiteral("locked")});
    ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("show"), QStringLiteral("plain")});
    ok({QStringLiteral("export"), QStringLiteral("json")});
    QCOMPARE(
        ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("list")}).json().toArray().size(),
        3);

    QByteArray database;
    {
        QFile file(QDir(m_dataDir).filePath(QStringLiteral("inventory.sqlite")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        database = file.readAll();
        QFile wal(file.fileName() + QStringLiteral("-wal"));
        if (wal.open(QIODevice::ReadOnly))
            database += wal.readAll();
    }
    QVERIFY(!m_everything.contains(passphrase));
    QVERIFY(!database.contains(passphrase));
    for (const QString &keyFile : {plainKey, lockedKey, lockedAgain}) {
        QFile file(keyFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        int bodyLines = 0;
        for (const QByteArray &line : lines) {
            if (line.isEmpty() || line.startsWith("-----"))
                continue;
            ++bodyLines;
            QVERIFY2(!m_everything.contains(line), "private key text appeared in the output");
            QVERIFY2(!database.contains(line), "private key text is in the database in plain");
        }
        QVERIFY(bodyLines > 0);
    }
}

void TestCli::jsonExportImportRoundTrip()
{
    const QString keyFile = generateKey(QStringLiteral("id_export"), {});
    QVERIFY(!keyFile.isEmpty());
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("init")}, master()).code, 0);
    QCOMPARE(
        ok({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("stored"), QStringLiteral("--user"),
            QStringLiteral("deploy"), QStringLiteral("--private-key-file"), keyFile},
           master())
            .code,
        0);
    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("web-01"),
                 QStringLiteral("--host"), QStringLiteral("10.0.0.1"), QStringLiteral("--key"),
                 QStringLiteral("stored"), QStringLiteral("--tag"), QStringLiteral("web")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"),
                 QStringLiteral("--git-url"), QStringLiteral("https://git.example.com/shop.git")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/prod"),
                 QStringLiteral("--root"), QStringLiteral("/srv/shop"), QStringLiteral("--server"),
                 QStringLiteral("web-01")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("hook"), QStringLiteral("add"), QStringLiteral("Restart"),
                 QStringLiteral("--stage"), QStringLiteral("after-release"), QStringLiteral("--script"),
                 QStringLiteral("systemctl restart app")})
                 .code,
             0);

    const QString exported = path(QStringLiteral("inventory.json"));
    Env exportEnv = master();
    exportEnv.append({QStringLiteral("RELEASEDESK_EXPORT_PASSWORD"), QStringLiteral("export secret 1")});
    const Run exportRun = ok({QStringLiteral("--json"), QStringLiteral("export"), QStringLiteral("json"),
                              QStringLiteral("--with-secrets"), QStringLiteral("--output"), exported},
                             exportEnv);
    QCOMPARE(exportRun.code, 0);
    QCOMPARE(exportRun.json()[QStringLiteral("output")].toString(), exported);
    QCOMPARE(QFileInfo(exported).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
             QFileDevice::Permissions());

    const QString other = path(QStringLiteral("other"));
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("init")}, master(QStringLiteral("second master pw")),
                other)
                 .code,
             0);
    Env importEnv = master(QStringLiteral("second master pw"));
    importEnv.append(
        {QStringLiteral("RELEASEDESK_EXPORT_PASSWORD"), QStringLiteral("not the export password")});
    QCOMPARE(cli({QStringLiteral("import"), QStringLiteral("json"), exported}, {}, importEnv, other).code, 5);
    QCOMPARE(ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")}, {}, other)
                 .json()
                 .toArray()
                 .size(),
             0);

    importEnv.last().second = QStringLiteral("export secret 1");
    const Run imported =
        ok({QStringLiteral("--json"), QStringLiteral("import"), QStringLiteral("json"), exported}, importEnv,
           other);
    QCOMPARE(imported.code, 0);
    QVERIFY(imported.json()[QStringLiteral("added")].toInt() >= 5);

    for (const char *group : {"key", "server", "project", "env", "hook"}) {
        const QStringList arguments{QStringLiteral("--json"), QString::fromLatin1(group),
                                    QStringLiteral("list")};
        QCOMPARE(ok(arguments, {}, other).json(), ok(arguments).json());
    }
    const QJsonObject key = ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("show"),
                                QStringLiteral("stored")},
                               {}, other)
                                .json()
                                .toObject();
    QCOMPARE(key[QStringLiteral("kind")].toString(), QStringLiteral("stored"));

    // The same file again only updates.
    const Run again =
        ok({QStringLiteral("--json"), QStringLiteral("import"), QStringLiteral("json"), exported}, importEnv,
           other);
    QCOMPARE(again.json()[QStringLiteral("added")].toInt(), 0);

    // Without secrets, the export goes to stdout as the inventory document.
    const Run plain = ok({QStringLiteral("export"), QStringLiteral("json")});
    QCOMPARE(QJsonDocument::fromJson(plain.out).object()[QStringLiteral("format")].toString(),
             QStringLiteral("releasedesk-inventory"));
}

void TestCli::importSshConfig()
{
    const QString config = path(QStringLiteral("ssh_config"));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("Host web1\n  HostName 10.0.0.11\n  Port 2222\n  User deploy\n\n"
               "Host db1\n  HostName db1.example.com\n\nHost *\n  User ops\n");
    file.close();

    const Run imported =
        ok({QStringLiteral("--json"), QStringLiteral("import"), QStringLiteral("ssh-config"), config});
    QCOMPARE(imported.code, 0);
    QCOMPARE(imported.json()[QStringLiteral("added")].toInt() >= 2, true);
    const QJsonObject web = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("show"),
                                QStringLiteral("web1")})
                                .json()
                                .toObject();
    QCOMPARE(web[QStringLiteral("host")].toString(), QStringLiteral("10.0.0.11"));
    QCOMPARE(web[QStringLiteral("port")].toInt(), 2222);
    const QJsonObject db = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("show"),
                               QStringLiteral("db1")})
                               .json()
                               .toObject();
    QCOMPARE(db[QStringLiteral("host")].toString(), QStringLiteral("db1.example.com"));
    QCOMPARE(db[QStringLiteral("port")].toInt(), 22);

    QCOMPARE(
        cli({QStringLiteral("import"), QStringLiteral("ssh-config"), path(QStringLiteral("missing"))}).code,
        4);

    // The data directory is the owner's alone, whichever command makes it first.
    const QString fresh = path(QStringLiteral("fresh-data"));
    QCOMPARE(cli({QStringLiteral("hostkeys"), QStringLiteral("import"), config}, {}, {}, fresh).code, 0);
    QCOMPARE(QFile::permissions(fresh) & (QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                          QFileDevice::ExeOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());

    // A device that never ends: every importer stops at its ceiling and says so.
    const QList<QStringList> endless{
        {QStringLiteral("import"), QStringLiteral("ssh-config"), QStringLiteral("/dev/zero")},
        {QStringLiteral("import"), QStringLiteral("json"), QStringLiteral("/dev/zero")},
        {QStringLiteral("import"), QStringLiteral("ansible"), QStringLiteral("/dev/zero"), QStringLiteral("--format"),
         QStringLiteral("yaml"), QStringLiteral("--as-tags")},
        {QStringLiteral("hostkeys"), QStringLiteral("import"), QStringLiteral("/dev/zero")}};
    for (const QStringList &arguments : endless) {
        const Run refused = cli(arguments);
        QVERIFY2(refused.code == 3 || refused.code == 1, qPrintable(arguments.join(u' ') + u' ' + QString::fromUtf8(refused.err)));
        QVERIFY2(refused.err.contains("is larger than"), refused.err.constData());
    }
}

void TestCli::ansibleExportImport()
{
    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("web-01"),
                 QStringLiteral("--host"), QStringLiteral("10.0.0.1"), QStringLiteral("--tag"),
                 QStringLiteral("web")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("db-01"),
                 QStringLiteral("--host"), QStringLiteral("db.example.com"), QStringLiteral("--port"),
                 QStringLiteral("2200")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"),
                 QStringLiteral("--git-url"), QStringLiteral("https://git.example.com/shop.git")})
                 .code,
             0);
    QCOMPARE(ok({QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/prod"),
                 QStringLiteral("--root"), QStringLiteral("/srv/shop"), QStringLiteral("--server"),
                 QStringLiteral("web-01"), QStringLiteral("--server"), QStringLiteral("db-01"),
                 QStringLiteral("--strategy"), QStringLiteral("rolling")})
                 .code,
             0);
    QCOMPARE(cli({QStringLiteral("export"), QStringLiteral("ansible")}).code, 2);
    QCOMPARE(cli({QStringLiteral("export"), QStringLiteral("ansible"), QStringLiteral("--format"),
                  QStringLiteral("toml")})
                 .code,
             2);

    for (const char *format : {"ini", "yaml"}) {
        const QString file = path(QStringLiteral("inventory.") + QString::fromLatin1(format));
        QCOMPARE(ok({QStringLiteral("export"), QStringLiteral("ansible"), QStringLiteral("--format"),
                     QString::fromLatin1(format), QStringLiteral("--output"), file})
                     .code,
                 0);
        // To stdout, the same bytes.
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray bytes = written.readAll();
        QVERIFY(bytes.contains("web-01"));
        QCOMPARE(ok({QStringLiteral("export"), QStringLiteral("ansible"), QStringLiteral("--format"),
                     QString::fromLatin1(format)})
                     .out,
                 bytes);

        const QString other = path(QStringLiteral("other-") + QString::fromLatin1(format));
        const Run imported =
            ok({QStringLiteral("--json"), QStringLiteral("import"), QStringLiteral("ansible"), file,
                QStringLiteral("--format"), QString::fromLatin1(format), QStringLiteral("--as-tags")},
               {}, other);
        QCOMPARE(imported.code, 0);
        QVERIFY(imported.json()[QStringLiteral("added")].toInt() >= 2);
        const QStringList environments{QStringLiteral("--json"), QStringLiteral("env"),
                                       QStringLiteral("list")};
        QCOMPARE(ok(environments, {}, other).json(), ok(environments).json());
        // The importer gives keyless hosts an ssh-agent login, so the key is compared apart.
        const QStringList servers{QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")};
        const QJsonArray original = ok(servers).json().toArray();
        const QJsonArray copy = ok(servers, {}, other).json().toArray();
        QCOMPARE(copy.size(), original.size());
        for (qsizetype i = 0; i < original.size(); ++i) {
            QJsonObject a = original[i].toObject();
            QJsonObject b = copy[i].toObject();
            a.remove(QStringLiteral("key"));
            b.remove(QStringLiteral("key"));
            QCOMPARE(b, a);
        }
    }
}

void TestCli::ansibleForeignInventory()
{
    const QString file = path(QStringLiteral("hosts.ini"));
    QFile hosts(file);
    QVERIFY(hosts.open(QIODevice::WriteOnly));
    hosts.write("[webservers]\nalpha ansible_host=10.9.9.1 ansible_port=2201\nbeta ansible_host=10.9.9.2\n\n"
                "[dbservers]\ngamma ansible_host=10.9.9.3\n");
    hosts.close();
    const QStringList import{QStringLiteral("import"), QStringLiteral("ansible"), file,
                             QStringLiteral("--format"), QStringLiteral("ini")};

    QCOMPARE(cli(import).code, 2); // neither --project nor --as-tags
    QCOMPARE(cli(import + QStringList{QStringLiteral("--project"), QStringLiteral("shop")}).code, 4);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"),
                 QStringLiteral("--git-url"), QStringLiteral("https://git.example.com/shop.git")})
                 .code,
             0);
    QCOMPARE(cli(import + QStringList{QStringLiteral("--project"), QStringLiteral("shop"),
                                      QStringLiteral("--root"), QStringLiteral("srv")})
                 .code,
             3);

    QCOMPARE(ok(import + QStringList{QStringLiteral("--as-tags")}).code, 0);
    const QJsonObject alpha = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("show"),
                                  QStringLiteral("alpha")})
                                  .json()
                                  .toObject();
    QCOMPARE(alpha[QStringLiteral("host")].toString(), QStringLiteral("10.9.9.1"));
    QCOMPARE(alpha[QStringLiteral("port")].toInt(), 2201);
    QCOMPARE(alpha[QStringLiteral("tags")].toArray(), QJsonArray{QStringLiteral("webservers")});
    QCOMPARE(
        ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("list")}).json().toArray().size(),
        0);

    QCOMPARE(ok(import + QStringList{QStringLiteral("--project"), QStringLiteral("shop"),
                                     QStringLiteral("--root"), QStringLiteral("/srv/shop")})
                 .code,
             0);
    const QJsonObject web = ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("show"),
                                QStringLiteral("shop/webservers")})
                                .json()
                                .toObject();
    QCOMPARE(web[QStringLiteral("deployRoot")].toString(), QStringLiteral("/srv/shop"));
    QCOMPARE(web[QStringLiteral("servers")].toArray(),
             (QJsonArray{QStringLiteral("alpha"), QStringLiteral("beta")}));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
