#include "clirunner.h"
#include "testhosts.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd::test;

class TestCliSsh : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void scanThenAcceptThenKnown();
    void checkReportsEachServer();
    void storedKeyNeedsTheVault();
    void changedKeyIsRefusedUntilForgotten();
    void importsKnownHosts();

private:
    CliRun cli(const QStringList &arguments, const QByteArray &vaultPassword = {});
    QJsonObject row(const CliRun &run, const QString &server);

    QTemporaryDir m_dir;
    CliRunner m_cli{m_dir.path(), m_dir.filePath(QStringLiteral("data"))};
    TestHostSet m_hosts;
};

CliRun TestCliSsh::cli(const QStringList &arguments, const QByteArray &vaultPassword)
{
    if (vaultPassword.isEmpty())
        return m_cli.run(arguments);
    return m_cli.run(arguments, {}, {{QStringLiteral("RELEASEDESK_VAULT_PASSWORD"), QString::fromUtf8(vaultPassword)}});
}

QJsonObject TestCliSsh::row(const CliRun &run, const QString &server)
{
    for (const QJsonValue &value : run.rows()) {
        if (value[QStringLiteral("server")].toString() == server)
            return value.toObject();
    }
    return {};
}

void TestCliSsh::initTestCase()
{
    m_hosts = fixtureHosts();
    QVERIFY(m_hosts.hosts.size() >= 4);
    const QByteArray master = "correct horse battery";
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("init")}, master).code, 0);
    QCOMPARE(cli({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("file-key"), QStringLiteral("--user"),
                  QStringLiteral("root"), QStringLiteral("--key-file"), m_hosts.clientKey()})
                 .code,
             0);
    QCOMPARE(cli({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"), QStringLiteral("--git-url"),
                  QStringLiteral("https://git.example.com/shop.git")})
                 .code,
             0);
    QStringList serverNames;
    for (int i = 0; i < 3; ++i) {
        const TestHost &host = m_hosts.hosts[i];
        const QString name = QStringLiteral("web-%1").arg(i + 1);
        serverNames << QStringLiteral("--server") << name;
        QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), name, QStringLiteral("--host"), host.address,
                      QStringLiteral("--port"), QString::number(host.port), QStringLiteral("--key"),
                      QStringLiteral("file-key")})
                     .code,
                 0);
    }
    QCOMPARE(cli(QStringList{QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/prod"),
                             QStringLiteral("--root"), m_hosts.hosts[0].deployRoot}
                 + serverNames)
                 .code,
             0);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("dead"), QStringLiteral("--host"),
                  QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QStringLiteral("1"), QStringLiteral("--key"),
                  QStringLiteral("file-key")})
                 .code,
             0);
}

void TestCliSsh::scanThenAcceptThenKnown()
{
    const QStringList scan{QStringLiteral("--json"), QStringLiteral("hostkeys"), QStringLiteral("scan"),
                           QStringLiteral("--env"), QStringLiteral("shop/prod")};
    CliRun first = cli(scan);
    QCOMPARE(first.code, 0);
    QCOMPARE(first.rows().size(), 3);
    QCOMPARE(row(first, QStringLiteral("web-1"))[QStringLiteral("state")].toString(), QStringLiteral("new"));
    QVERIFY(row(first, QStringLiteral("web-1"))[QStringLiteral("fingerprint")].toString().startsWith(QStringLiteral("SHA256:")));

    CliRun accepted = cli(scan + QStringList{QStringLiteral("--accept")});
    QCOMPARE(accepted.code, 0);
    for (const QJsonValue &value : accepted.rows())
        QCOMPARE(value[QStringLiteral("state")].toString(), QStringLiteral("accepted"));

    CliRun known = cli(scan);
    for (const QJsonValue &value : known.rows())
        QCOMPARE(value[QStringLiteral("state")].toString(), QStringLiteral("known"));

    CliRun withDead = cli({QStringLiteral("--json"), QStringLiteral("hostkeys"), QStringLiteral("scan"), QStringLiteral("dead")});
    QCOMPARE(withDead.code, 7);
    QCOMPARE(row(withDead, QStringLiteral("dead"))[QStringLiteral("state")].toString(), QStringLiteral("unreachable"));
}

void TestCliSsh::checkReportsEachServer()
{
    CliRun ok = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("--env"),
                  QStringLiteral("shop/prod")});
    QVERIFY2(ok.code == 0, ok.err.constData());
    for (const QJsonValue &value : ok.rows()) {
        QVERIFY(value[QStringLiteral("ok")].toBool());
        QVERIFY(value[QStringLiteral("auth")].toString().startsWith(QStringLiteral("key file")));
    }
    CliRun mixed = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-1"),
                     QStringLiteral("dead")});
    QCOMPARE(mixed.code, 7);
    QVERIFY(row(mixed, QStringLiteral("web-1"))[QStringLiteral("ok")].toBool());
    QVERIFY(!row(mixed, QStringLiteral("dead"))[QStringLiteral("ok")].toBool());
    QVERIFY(row(mixed, QStringLiteral("dead"))[QStringLiteral("error")].toString().contains(QStringLiteral("Connection refused")));
    QVERIFY(mixed.err.contains("1 of 2 servers failed"));

    // A server met for the first time is refused without a terminal or --accept-new-host-keys.
    const TestHost &fresh = m_hosts.hosts[3];
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("fresh"), QStringLiteral("--host"),
                  fresh.address, QStringLiteral("--port"), QString::number(fresh.port), QStringLiteral("--key"),
                  QStringLiteral("file-key")})
                 .code,
             0);
    CliRun refused = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("fresh")});
    QCOMPARE(refused.code, 7);
    QVERIFY(row(refused, QStringLiteral("fresh"))[QStringLiteral("error")].toString().contains(QStringLiteral("not known")));
    CliRun accepted = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("fresh"),
                        QStringLiteral("--accept-new-host-keys")});
    QCOMPARE(accepted.code, 0);
    QCOMPARE(cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("fresh")}).code, 0);
}

void TestCliSsh::storedKeyNeedsTheVault()
{
    const QByteArray master = "correct horse battery";
    QProcess add;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("RELEASEDESK_VAULT_PASSWORD"), QString::fromUtf8(master));
    add.setProcessEnvironment(environment);
    add.start(QStringLiteral(RELEASEDESK_CLI),
              {QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("--password-stdin"),
               QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("vault-key"), QStringLiteral("--user"),
               QStringLiteral("root"), QStringLiteral("--private-key-file"), m_hosts.passphraseKey(),
               QStringLiteral("--passphrase-stdin")});
    add.write(m_hosts.passphrase() + '\n');
    add.closeWriteChannel();
    QVERIFY(add.waitForFinished());
    QVERIFY2(add.exitCode() == 0, add.readAllStandardError().constData());
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("edit"), QStringLiteral("web-2"), QStringLiteral("--key"),
                  QStringLiteral("vault-key")})
                 .code,
             0);
    CliRun locked = cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-2")});
    QCOMPARE(locked.code, 5);
    CliRun wrong = cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-2")}, "wrong password!");
    QCOMPARE(wrong.code, 5);
    CliRun ok = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-2")}, master);
    QVERIFY2(ok.code == 0, ok.err.constData());
    QCOMPARE(row(ok, QStringLiteral("web-2"))[QStringLiteral("auth")].toString(), QStringLiteral("stored key"));
    QVERIFY(!ok.out.contains("PRIVATE KEY"));
}

void TestCliSsh::changedKeyIsRefusedUntilForgotten()
{
    // Another host's key stored under web-3's address: what a reinstalled (or spoofed) server looks like.
    const QString knownHosts = m_dir.filePath(QStringLiteral("data/known_hosts"));
    QVERIFY(cli({QStringLiteral("hostkeys"), QStringLiteral("scan"), QStringLiteral("web-3"), QStringLiteral("--accept")}).code == 0);
    const QByteArray otherKey = readAll(m_hosts.dir + QStringLiteral("/host01/ssh_host_ed25519_key.pub")).split(' ').value(1);
    const TestHost &third = m_hosts.hosts[2];
    const QByteArray pattern = QStringLiteral("[%1]:%2").arg(third.address).arg(third.port).toUtf8();
    QByteArray edited;
    for (const QByteArray &line : readAll(knownHosts).split('\n')) {
        if (line.startsWith(pattern + ' '))
            edited += pattern + " ssh-ed25519 " + otherKey + '\n';
        else if (!line.isEmpty())
            edited += line + '\n';
    }
    QFile file(knownHosts);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(edited);
    file.close();

    CliRun scan = cli({QStringLiteral("--json"), QStringLiteral("hostkeys"), QStringLiteral("scan"), QStringLiteral("web-3"),
                    QStringLiteral("--accept")});
    QCOMPARE(scan.code, 6);
    QCOMPARE(row(scan, QStringLiteral("web-3"))[QStringLiteral("state")].toString(), QStringLiteral("CHANGED"));
    CliRun check = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-3"),
                     QStringLiteral("--accept-new-host-keys")});
    QCOMPARE(check.code, 7);
    const QString error = row(check, QStringLiteral("web-3"))[QStringLiteral("error")].toString();
    QVERIFY2(error.contains(QStringLiteral("CHANGED")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("hostkeys forget web-3")), qPrintable(error));

    QCOMPARE(cli({QStringLiteral("hostkeys"), QStringLiteral("forget"), QStringLiteral("web-3")}).code, 0);
    QCOMPARE(cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-3"),
                  QStringLiteral("--accept-new-host-keys")})
                 .code,
             0);
}

void TestCliSsh::importsKnownHosts()
{
    QTemporaryDir other;
    QProcess process;
    process.start(QStringLiteral(RELEASEDESK_CLI), {QStringLiteral("--data-dir"), other.path(), QStringLiteral("--json"),
                                                     QStringLiteral("hostkeys"), QStringLiteral("import"),
                                                     m_hosts.knownHosts()});
    QVERIFY(process.waitForFinished());
    QCOMPARE(process.exitCode(), 0);
    const QJsonObject report = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    QVERIFY(report[QStringLiteral("imported")].toInt() >= m_hosts.hosts.size());
    CliRun missing = cli({QStringLiteral("hostkeys"), QStringLiteral("import"), m_dir.filePath(QStringLiteral("nope"))});
    QCOMPARE(missing.code, 4);
}

QTEST_GUILESS_MAIN(TestCliSsh)
#include "tst_clissh.moc"
