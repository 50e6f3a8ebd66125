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

// End to end, the built releasedesk-cli run as a process over a data directory of its own: import
// and export of JSON, ssh_config and Ansible inventories.
class TestCliImport : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void init() { QVERIFY(setUpCli()); }
    void jsonExportImportRoundTrip();
    void importSshConfig();
    void ansibleExportImport();
    void ansibleForeignInventory();
};

void TestCliImport::jsonExportImportRoundTrip()
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
    const CliRun exportRun = ok({QStringLiteral("--json"), QStringLiteral("export"), QStringLiteral("json"),
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
    const CliRun imported =
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
    const CliRun again =
        ok({QStringLiteral("--json"), QStringLiteral("import"), QStringLiteral("json"), exported}, importEnv,
           other);
    QCOMPARE(again.json()[QStringLiteral("added")].toInt(), 0);

    // Without secrets, the export goes to stdout as the inventory document.
    const CliRun plain = ok({QStringLiteral("export"), QStringLiteral("json")});
    QCOMPARE(QJsonDocument::fromJson(plain.out).object()[QStringLiteral("format")].toString(),
             QStringLiteral("releasedesk-inventory"));
}

void TestCliImport::importSshConfig()
{
    const QString config = path(QStringLiteral("ssh_config"));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("Host web1\n  HostName 10.0.0.11\n  Port 2222\n  User deploy\n\n"
               "Host db1\n  HostName db1.example.com\n\nHost *\n  User ops\n");
    file.close();

    const CliRun imported =
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
        const CliRun refused = cli(arguments);
        QVERIFY2(refused.code == 3 || refused.code == 1, qPrintable(arguments.join(u' ') + u' ' + QString::fromUtf8(refused.err)));
        QVERIFY2(refused.err.contains("is larger than"), refused.err.constData());
    }
}

void TestCliImport::ansibleExportImport()
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
        const CliRun imported =
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

void TestCliImport::ansibleForeignInventory()
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

QTEST_GUILESS_MAIN(TestCliImport)
#include "tst_cliimport.moc"
