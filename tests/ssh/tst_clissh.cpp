#include "testhosts.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd::test;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonArray rows() const { return QJsonDocument::fromJson(out).array(); }
};

} // namespace

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
    Run cli(const QStringList &arguments, const QByteArray &vaultPassword = {});
    QJsonObject row(const Run &run, const QString &server);

    QTemporaryDir m_dir;
    TestHostSet m_hosts;
};

Run TestCliSsh::cli(const QStringList &arguments, const QByteArray &vaultPassword)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    environment.insert(QStringLiteral("HOME"), m_dir.path());
    if (!vaultPassword.isEmpty())
        environment.insert(QStringLiteral("RELEASEDESK_VAULT_PASSWORD"), QString::fromUtf8(vaultPassword));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(RELEASEDESK_CLI),
                  QStringList{QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data"))} + arguments);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

QJsonObject TestCliSsh::row(const Run &run, const QString &server)
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
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("init")}, master).exitCode, 0);
    QCOMPARE(cli({QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("file-key"), QStringLiteral("--user"),
                  QStringLiteral("root"), QStringLiteral("--key-file"), m_hosts.clientKey()})
                 .exitCode,
             0);
    QCOMPARE(cli({QStringLiteral("project"), QStringLiteral("add"), QStringLiteral("shop"), QStringLiteral("--git-url"),
                  QStringLiteral("https://git.example.com/shop.git")})
                 .exitCode,
             0);
    QStringList serverNames;
    for (int i = 0; i < 3; ++i) {
        const TestHost &host = m_hosts.hosts[i];
        const QString name = QStringLiteral("web-%1").arg(i + 1);
        serverNames << QStringLiteral("--server") << name;
        QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), name, QStringLiteral("--host"), host.address,
                      QStringLiteral("--port"), QString::number(host.port), QStringLiteral("--key"),
                      QStringLiteral("file-key")})
                     .exitCode,
                 0);
    }
    QCOMPARE(cli(QStringList{QStringLiteral("env"), QStringLiteral("add"), QStringLiteral("shop/prod"),
                             QStringLiteral("--root"), m_hosts.hosts[0].deployRoot}
                 + serverNames)
                 .exitCode,
             0);
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("dead"), QStringLiteral("--host"),
                  QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QStringLiteral("1"), QStringLiteral("--key"),
                  QStringLiteral("file-key")})
                 .exitCode,
             0);
}

void TestCliSsh::scanThenAcceptThenKnown()
{
    const QStringList scan{QStringLiteral("--json"), QStringLiteral("hostkeys"), QStringLiteral("scan"),
                           QStringLiteral("--env"), QStringLiteral("shop/prod")};
    Run first = cli(scan);
    QCOMPARE(first.exitCode, 0);
    QCOMPARE(first.rows().size(), 3);
    QCOMPARE(row(first, QStringLiteral("web-1"))[QStringLiteral("state")].toString(), QStringLiteral("new"));
    QVERIFY(row(first, QStringLiteral("web-1"))[QStringLiteral("fingerprint")].toString().startsWith(QStringLiteral("SHA256:")));

    Run accepted = cli(scan + QStringList{QStringLiteral("--accept")});
    QCOMPARE(accepted.exitCode, 0);
    for (const QJsonValue &value : accepted.rows())
        QCOMPARE(value[QStringLiteral("state")].toString(), QStringLiteral("accepted"));

    Run known = cli(scan);
    for (const QJsonValue &value : known.rows())
        QCOMPARE(value[QStringLiteral("state")].toString(), QStringLiteral("known"));

    Run withDead = cli({QStringLiteral("--json"), QStringLiteral("hostkeys"), QStringLiteral("scan"), QStringLiteral("dead")});
    QCOMPARE(withDead.exitCode, 7);
    QCOMPARE(row(withDead, QStringLiteral("dead"))[QStringLiteral("state")].toString(), QStringLiteral("unreachable"));
}

void TestCliSsh::checkReportsEachServer()
{
    Run ok = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("--env"),
                  QStringLiteral("shop/prod")});
    QVERIFY2(ok.exitCode == 0, ok.err.constData());
    for (const QJsonValue &value : ok.rows()) {
        QVERIFY(value[QStringLiteral("ok")].toBool());
        QVERIFY(value[QStringLiteral("auth")].toString().startsWith(QStringLiteral("key file")));
    }
    Run mixed = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-1"),
                     QStringLiteral("dead")});
    QCOMPARE(mixed.exitCode, 7);
    QVERIFY(row(mixed, QStringLiteral("web-1"))[QStringLiteral("ok")].toBool());
    QVERIFY(!row(mixed, QStringLiteral("dead"))[QStringLiteral("ok")].toBool());
    QVERIFY(row(mixed, QStringLiteral("dead"))[QStringLiteral("error")].toString().contains(QStringLiteral("Connection refused")));
    QVERIFY(mixed.err.contains("1 of 2 servers failed"));

    // A server met for the first time is refused without a terminal or --accept-new-host-keys.
    const TestHost &fresh = m_hosts.hosts[3];
    QCOMPARE(cli({QStringLiteral("server"), QStringLiteral("add"), QStringLiteral("fresh"), QStringLiteral("--host"),
                  fresh.address, QStringLiteral("--port"), QString::number(fresh.port), QStringLiteral("--key"),
                  QStringLiteral("file-key")})
                 .exitCode,
             0);
    Run refused = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("fresh")});
    QCOMPARE(refused.exitCode, 7);
    QVERIFY(row(refused, QStringLiteral("fresh"))[QStringLiteral("error")].toString().contains(QStringLiteral("not known")));
    Run accepted = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("fresh"),
                        QStringLiteral("--accept-new-host-keys")});
    QCOMPARE(accepted.exitCode, 0);
    QCOMPARE(cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("fresh")}).exitCode, 0);
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
                 .exitCode,
             0);
    Run locked = cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-2")});
    QCOMPARE(locked.exitCode, 5);
    Run wrong = cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-2")}, "wrong password!");
    QCOMPARE(wrong.exitCode, 5);
    Run ok = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-2")}, master);
    QVERIFY2(ok.exitCode == 0, ok.err.constData());
    QCOMPARE(row(ok, QStringLiteral("web-2"))[QStringLiteral("auth")].toString(), QStringLiteral("stored key"));
    QVERIFY(!ok.out.contains("PRIVATE KEY"));
}

void TestCliSsh::changedKeyIsRefusedUntilForgotten()
{
    // Another host's key stored under web-3's address: what a reinstalled (or spoofed) server looks like.
    const QString knownHosts = m_dir.filePath(QStringLiteral("data/known_hosts"));
    QVERIFY(cli({QStringLiteral("hostkeys"), QStringLiteral("scan"), QStringLiteral("web-3"), QStringLiteral("--accept")}).exitCode == 0);
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

    Run scan = cli({QStringLiteral("--json"), QStringLiteral("hostkeys"), QStringLiteral("scan"), QStringLiteral("web-3"),
                    QStringLiteral("--accept")});
    QCOMPARE(scan.exitCode, 6);
    QCOMPARE(row(scan, QStringLiteral("web-3"))[QStringLiteral("state")].toString(), QStringLiteral("CHANGED"));
    Run check = cli({QStringLiteral("--json"), QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-3"),
                     QStringLiteral("--accept-new-host-keys")});
    QCOMPARE(check.exitCode, 7);
    const QString error = row(check, QStringLiteral("web-3"))[QStringLiteral("error")].toString();
    QVERIFY2(error.contains(QStringLiteral("CHANGED")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("hostkeys forget web-3")), qPrintable(error));

    QCOMPARE(cli({QStringLiteral("hostkeys"), QStringLiteral("forget"), QStringLiteral("web-3")}).exitCode, 0);
    QCOMPARE(cli({QStringLiteral("ssh"), QStringLiteral("check"), QStringLiteral("web-3"),
                  QStringLiteral("--accept-new-host-keys")})
                 .exitCode,
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
    Run missing = cli({QStringLiteral("hostkeys"), QStringLiteral("import"), m_dir.filePath(QStringLiteral("nope"))});
    QCOMPARE(missing.exitCode, 4);
}

QTEST_GUILESS_MAIN(TestCliSsh)
#include "tst_clissh.moc"
