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
// inventory verbs (keys, servers, projects, environments and hooks).
class TestCliInventory : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void init() { QVERIFY(setUpCli()); }
    void keysWithoutVault();
    void serversCrud();
    void projectsCrud();
    void environmentsCrudAndAssignOrder();
    void hooksCrud();
    void removingUsedKeyOrServerIsRefused();
};

void TestCliInventory::keysWithoutVault()
{
    const QString keyFile = generateKey(QStringLiteral("id_file"), {});
    QVERIFY(!keyFile.isEmpty());

    CliRun added = ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("add"),
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

    CliRun list = ok({QStringLiteral("--json"), QStringLiteral("key"), QStringLiteral("list")});
    QCOMPARE(names(list.json()), (QStringList{QStringLiteral("from-agent"), QStringLiteral("from-file")}));
    for (const QJsonValue &key : list.json().toArray()) {
        QVERIFY(!key.toObject().contains(QStringLiteral("sealedPrivateKey")));
        QVERIFY(!key.toObject().contains(QStringLiteral("sealedPassphrase")));
    }
    const CliRun table = ok({QStringLiteral("key"), QStringLiteral("list")});
    QVERIFY(table.out.startsWith("NAME"));
    QVERIFY(table.out.contains(fingerprint.toUtf8()));

    QCOMPARE(ok({QStringLiteral("key"), QStringLiteral("edit"), QStringLiteral("from-agent"),
                 QStringLiteral("--name"), QStringLiteral("agent2"), QStringLiteral("--user"),
                 QStringLiteral("root2"), QStringLiteral("--disable")})
                 .code,
             0);
    const CliRun shown = ok(
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

void TestCliInventory::serversCrud()
{
    QCOMPARE(ok({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("deploy"),
                 QStringLiteral("--user"), QStringLiteral("deploy"), QStringLiteral("--agent")})
                 .code,
             0);
    CliRun added =
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

    CliRun list = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")});
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

    const CliRun table = ok({QStringLiteral("server"), QStringLiteral("list")});
    const QList<QByteArray> lines = table.out.split('\n');
    QVERIFY(lines.size() >= 3);
    // Aligned columns: HOST starts where the hosts start.
    QCOMPARE(lines[0].indexOf("HOST"), lines[2].indexOf("web-01.example.com"));

    QCOMPARE(ok({QStringLiteral("server"), QStringLiteral("remove"), QStringLiteral("db-02")}).code, 0);
    list = ok({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("list")});
    QCOMPARE(names(list.json()), QStringList{QStringLiteral("web-01")});
}

void TestCliInventory::projectsCrud()
{
    CliRun added = ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("add"),
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
    const CliRun refused = cli(plainHttp);
    QCOMPARE(refused.code, 3);
    QVERIFY2(refused.err.contains("without authenticating the server"), refused.err.constData());
    QVERIFY(!refused.err.contains("hunter22"));
    const CliRun insecure = cli(plainHttp + QStringList{QStringLiteral("--allow-unauthenticated")});
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
    const CliRun fetchRefused = cli({QStringLiteral("project"), QStringLiteral("edit"), QStringLiteral("store"),
                                  QStringLiteral("--require-authenticated")});
    QCOMPARE(fetchRefused.code, 3);
    QCOMPARE(ok({QStringLiteral("project"), QStringLiteral("remove"), QStringLiteral("store")}).code, 0);
    QCOMPARE(ok({QStringLiteral("--json"), QStringLiteral("project"), QStringLiteral("list")})
                 .json()
                 .toArray()
                 .size(),
             0);
}

void TestCliInventory::environmentsCrudAndAssignOrder()
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
    CliRun added = ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("add"),
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
    const CliRun list = ok({QStringLiteral("--json"), QStringLiteral("env"), QStringLiteral("list"),
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

void TestCliInventory::hooksCrud()
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

void TestCliInventory::removingUsedKeyOrServerIsRefused()
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

    const CliRun key = cli({QStringLiteral("key"), QStringLiteral("remove"), QStringLiteral("deploy")});
    QCOMPARE(key.code, 6);
    QVERIFY2(key.err.contains("server web-01"), key.err.constData());
    const CliRun server = cli({QStringLiteral("--json"), QStringLiteral("server"), QStringLiteral("remove"),
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

QTEST_GUILESS_MAIN(TestCliInventory)
#include "tst_cliinventory.moc"
