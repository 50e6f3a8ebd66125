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
// vault and stored keys, the master password from the environment, stdin or the terminal, and no
// secret in any output.
class TestCliVault : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void init() { QVERIFY(setUpCli()); }
    void vaultThroughEnvironment();
    void vaultThroughStdin();
    void vaultThroughTerminalPrompt();
    void storedKeysNeverShowTheirSecrets();
};

void TestCliVault::vaultThroughEnvironment()
{
    CliRun status = ok({QStringLiteral("--json"), QStringLiteral("vault"), QStringLiteral("status")});
    QCOMPARE(status.json()[QStringLiteral("initialized")].toBool(), false);
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("unlock")}, {}, master()).code, 5);
    // No password source and no terminal: locked, and the hint says how to give one.
    const CliRun noSource = cli({QStringLiteral("vault"), QStringLiteral("init")});
    QCOMPARE(noSource.code, 5);
    QVERIFY(noSource.err.contains("RELEASEDESK_VAULT_PASSWORD"));
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("init")}, {}, master(QStringLiteral("short"))).code,
             3);

    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("init")}, master()).code, 0);
    status = ok({QStringLiteral("--json"), QStringLiteral("vault"), QStringLiteral("status")});
    QCOMPARE(status.json()[QStringLiteral("initialized")].toBool(), true);
    QCOMPARE(cli({QStringLiteral("vault"), QStringLiteral("init")}, {}, master()).code, 6);
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("unlock")}, master()).code, 0);
    const CliRun wrong = cli({QStringLiteral("vault"), QStringLiteral("unlock")}, {},
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

void TestCliVault::vaultThroughStdin()
{
    const QStringList stdinFlag{QStringLiteral("--password-stdin")};
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("init")},
                 vaultPassword().toUtf8() + '\n')
                 .code,
             0);
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")},
                 vaultPassword().toUtf8() + '\n')
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
    const CliRun tooLong = cli(unlock, QByteArray(5000, 'x') + '\n');
    QCOMPARE(tooLong.code, 2);
    QVERIFY2(tooLong.err.contains("longer than 4096 bytes"), tooLong.err.constData());
    QCOMPARE(cli(unlock, QByteArray(4096, 'x') + '\n').code, 5);
    QCOMPARE(cli(unlock, vaultPassword().toUtf8() + "\r\n").code, 0);

    const QByteArray next = "a brand new password";
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("passwd")},
                 vaultPassword().toUtf8() + '\n' + next + '\n')
                 .code,
             0);
    QCOMPARE(
        cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")}, next + '\n').code, 0);
    QCOMPARE(cli(stdinFlag + QStringList{QStringLiteral("vault"), QStringLiteral("unlock")},
                 vaultPassword().toUtf8() + '\n')
                 .code,
             5);
}

void TestCliVault::vaultThroughTerminalPrompt()
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
    const QByteArray typed = vaultPassword().toUtf8() + '\n';
    auto [initCode, initOutput] = onTerminal(QStringLiteral("init"), typed + typed);
    QCOMPARE(initCode, 0);
    QVERIFY2(initOutput.contains("New master password: "), initOutput.constData());
    QVERIFY2(initOutput.contains("Repeat it: "), initOutput.constData());
    QCOMPARE(onTerminal(QStringLiteral("unlock"), typed).first, 0);
    QCOMPARE(onTerminal(QStringLiteral("unlock"), "wrong password here\n").first, 5);
    QCOMPARE(ok({QStringLiteral("vault"), QStringLiteral("unlock")}, master()).code, 0);
}

void TestCliVault::storedKeysNeverShowTheirSecrets()
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

    CliRun plain = ok(addPlain, master());
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
    const CliRun locked =
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
                 vaultPassword().toUtf8() + '\n' + passphrase + '\n')
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
    QVERIFY(!m_cli->everything().contains(passphrase));
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
            QVERIFY2(!m_cli->everything().contains(line), "private key text appeared in the output");
            QVERIFY2(!database.contains(line), "private key text is in the database in plain");
        }
        QVERIFY(bodyLines > 0);
    }
}

QTEST_GUILESS_MAIN(TestCliVault)
#include "tst_clivault.moc"
