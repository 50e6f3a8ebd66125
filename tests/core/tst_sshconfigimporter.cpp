#include "inventory/inventorystore.h"
#include "inventory/sshconfigimporter.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

class TestSshConfigImporter : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void importsRealisticConfig();
    void unclosedQuoteIsRefusedWithLine();
    void missingFileIsAnError();
    void hostileConfigsEndInErrors();
    void backtrackingPatternsFinish();
    void thousandsOfHostsImport();

private:
    void write(const QString &relativePath, const QByteArray &content);
    std::unique_ptr<InventoryStore> openStore();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_home;
};

namespace {

template <typename T>
T check(Result<T> result)
{
    if (!result)
        qFatal("unexpected failure: %s", qPrintable(result.error().text()));
    return std::move(*result);
}

Server serverNamed(const InventoryStore &store, const QString &name)
{
    const qint64 id = store.serverId(name);
    if (!id)
        qFatal("no server %s", qPrintable(name));
    return check(store.server(id));
}

bool anyContains(const QStringList &lines, const QString &text)
{
    for (const QString &line : lines) {
        if (line.contains(text))
            return true;
    }
    return false;
}

} // namespace

void TestSshConfigImporter::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_home = m_dir->filePath(QStringLiteral("home"));
    QDir().mkpath(m_home + QStringLiteral("/.ssh/config.d"));
    // ~ and relative Include paths resolve against the home directory, as ssh does.
    qputenv("HOME", m_home.toUtf8());
    qputenv("USER", "localops");
}

void TestSshConfigImporter::write(const QString &relativePath, const QByteArray &content)
{
    QFile file(m_home + u'/' + relativePath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

std::unique_ptr<InventoryStore> TestSshConfigImporter::openStore()
{
    return check(InventoryStore::open(m_dir->filePath(QStringLiteral("inventory.sqlite"))));
}

void TestSshConfigImporter::importsRealisticConfig()
{
    write(QStringLiteral(".ssh/config"), R"(# Personal config
Include config.d/*.conf

Host web1 web1-alias
    HostName web1.example.com
    Port 2222
    User deploy
    IdentityFile ~/.ssh/id_deploy
    IdentityFile ~/.ssh/id_other

Host db
    hostname = 10.0.0.5
    PORT=2200
    user=dbadmin
    IdentityFile "keys/db key"

Host *.internal bastion-?
    User jump

Match host db exec "true"
    User matched
    Port 9999

Host café
    HostName cafe.example.com

Host plain
    # nothing of its own: Host * below gives it a user

Host *
    User ops
    Port 22
    ServerAliveInterval 30
)");
    write(QStringLiteral(".ssh/config.d/10-included.conf"), R"(Host included
    HostName 192.0.2.50
    IdentityFile %d/.ssh/id_included
)");
    write(QStringLiteral(".ssh/config.d/ignored.txt"), "Host not-included\n");

    auto store = openStore();
    Server existing;
    existing.name = QStringLiteral("db");
    existing.host = QStringLiteral("old-db.example.com");
    existing.department = QStringLiteral("DBA");
    check(store->addServer(existing));

    const ImportReport report = check(SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config")));
    QCOMPARE(report.updated, 1);
    QCOMPARE(report.added, 4 + 4); // servers web1, web1-alias, included, plain; four keys
    QCOMPARE(report.skipped, 1);
    QVERIFY(anyContains(report.warnings, QStringLiteral("\"café\"")));
    QVERIFY(anyContains(report.warnings, QStringLiteral("\"*.internal\"")));
    QVERIFY(anyContains(report.warnings, QStringLiteral("\"bastion-?\"")));
    QVERIFY(anyContains(report.warnings, QStringLiteral("Match")));
    QVERIFY(anyContains(report.warnings, QStringLiteral("identity files")));
    QCOMPARE(store->serverId(QStringLiteral("not-included")), 0);

    const Server web1 = serverNamed(*store, QStringLiteral("web1"));
    QCOMPARE(web1.host, QStringLiteral("web1.example.com"));
    QCOMPARE(web1.port, 2222);
    QCOMPARE(web1.username, QStringLiteral("deploy"));
    const SshKey deployKey = check(store->key(web1.keyId));
    QCOMPARE(deployKey.name, QStringLiteral("id_deploy"));
    QCOMPARE(deployKey.kind, KeyKind::File);
    QCOMPARE(deployKey.keyPath, m_home + QStringLiteral("/.ssh/id_deploy"));
    QCOMPARE(deployKey.username, QStringLiteral("deploy"));
    // The second alias of the same line shares the settings, and the key is reused.
    const Server alias = serverNamed(*store, QStringLiteral("web1-alias"));
    QCOMPARE(alias.host, QStringLiteral("web1.example.com"));
    QCOMPARE(alias.keyId, web1.keyId);

    // "=" syntax, any keyword case, a quoted path relative to home; the Match block did not apply,
    // and the fields ssh config does not know are kept.
    const Server db = serverNamed(*store, QStringLiteral("db"));
    QCOMPARE(db.host, QStringLiteral("10.0.0.5"));
    QCOMPARE(db.port, 2200);
    QCOMPARE(db.username, QStringLiteral("dbadmin"));
    QCOMPARE(db.department, QStringLiteral("DBA"));
    const SshKey dbKey = check(store->key(db.keyId));
    QCOMPARE(dbKey.name, QStringLiteral("db-key"));
    QCOMPARE(dbKey.keyPath, m_home + QStringLiteral("/keys/db key"));

    const Server included = serverNamed(*store, QStringLiteral("included"));
    QCOMPARE(included.host, QStringLiteral("192.0.2.50"));
    QCOMPARE(included.port, 22);
    QCOMPARE(included.username, QStringLiteral("ops"));
    const SshKey includedKey = check(store->key(included.keyId));
    QCOMPARE(includedKey.keyPath, m_home + QStringLiteral("/.ssh/id_included"));
    QCOMPARE(includedKey.username, QStringLiteral("ops"));

    const Server plain = serverNamed(*store, QStringLiteral("plain"));
    QCOMPARE(plain.host, QStringLiteral("plain"));
    const SshKey agent = check(store->key(plain.keyId));
    QCOMPARE(agent.kind, KeyKind::Agent);
    QCOMPARE(agent.name, QStringLiteral("agent-ops"));
    QCOMPARE(agent.username, QStringLiteral("ops"));

    // Importing again reuses every key and updates every server.
    const ImportReport again = check(SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config")));
    QCOMPARE(again.added, 0);
    QCOMPARE(again.updated, 5);
    QCOMPARE(check(store->keys()).size(), 4);
}

void TestSshConfigImporter::unclosedQuoteIsRefusedWithLine()
{
    write(QStringLiteral(".ssh/config"), "Host good\n    HostName good.example.com\n\nHost broken\n"
                                         "    IdentityFile \"~/.ssh/id_rsa\n");
    auto store = openStore();
    auto result = SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config"));
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("config:5")), qPrintable(result.error().message));
    QVERIFY(check(store->servers()).isEmpty());
    QVERIFY(check(store->keys()).isEmpty());
}

void TestSshConfigImporter::missingFileIsAnError()
{
    auto store = openStore();
    auto result = SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/absent"));
    QVERIFY(!result);
    QVERIFY(result.error().message.contains(QStringLiteral("absent")));
    QVERIFY(!result.error().hint.isEmpty());
}

void TestSshConfigImporter::hostileConfigsEndInErrors()
{
    auto store = openStore();
    // One Host line of 200,000 characters: once a stack overflow in the matcher.
    write(QStringLiteral(".ssh/config"), "Host ok\nHost " + QByteArray(200000, '*') + "\n  User x\n");
    auto longLine = SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config"));
    QVERIFY(!longLine);
    QVERIFY2(longLine.error().message.contains(QStringLiteral("config:2")), qPrintable(longLine.error().message));
    QVERIFY(longLine.error().message.contains(QStringLiteral("200005")));

    auto device = SshConfigImporter::import(*store, QStringLiteral("/dev/zero"));
    QVERIFY(!device);
    QVERIFY2(device.error().message.contains(QStringLiteral("larger than")), qPrintable(device.error().message));

    write(QStringLiteral(".ssh/config"), "Include ~/.ssh/config\nHost a\n");
    auto loop = SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config"));
    QVERIFY(loop); // a file never includes itself; ssh ignores that line as well
    QCOMPARE(loop->added, 2); // server a and its agent key
    QVERIFY(check(store->servers()).size() == 1);
}

void TestSshConfigImporter::backtrackingPatternsFinish()
{
    // Exponential for a backtracking matcher: 30 stars against a 5,000-character name that never matches.
    const QByteArray name = QByteArray(5000, 'a');
    QByteArray pattern;
    for (int i = 0; i < 30; ++i)
        pattern += "*a";
    write(QStringLiteral(".ssh/config"), "Host " + pattern + "b\n  User wrong\nHost " + pattern +
                                             "\n  User right\nHost " + name + "\n  HostName 10.0.0.1\n");
    auto store = openStore();
    auto result = SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config"));
    QVERIFY(result);
    // The name itself is too long for an inventory name, so it is skipped with the reason.
    QCOMPARE(result->skipped, 1);
    QVERIFY(check(store->servers()).isEmpty());

    write(QStringLiteral(".ssh/config"), "Host " + pattern + "b\n  User wrong\nHost " + pattern +
                                             "\n  User right\nHost " + QByteArray(60, 'a') + "\n");
    store = openStore();
    QVERIFY(SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config")));
    QCOMPARE(serverNamed(*store, QString(60, u'a')).username, QStringLiteral("right"));
}

void TestSshConfigImporter::thousandsOfHostsImport()
{
    QByteArray config = "Host *\n  User deploy\nHost web-7?\n  Port 2222\n";
    for (int i = 0; i < 3000; ++i)
        config += "Host web-" + QByteArray::number(i) + "\n  HostName 10.1." + QByteArray::number(i / 250) + '.' +
                  QByteArray::number(i % 250 + 1) + '\n';
    write(QStringLiteral(".ssh/config"), config);
    auto store = openStore();
    auto result = SshConfigImporter::import(*store, m_home + QStringLiteral("/.ssh/config"));
    QVERIFY2(result, result ? "" : qPrintable(result.error().text()));
    QCOMPARE(check(store->servers()).size(), 3000);
    const Server web75 = serverNamed(*store, QStringLiteral("web-75"));
    QCOMPARE(web75.host, QStringLiteral("10.1.0.76"));
    QCOMPARE(web75.port, 2222);
    QCOMPARE(web75.username, QStringLiteral("deploy"));
    QCOMPARE(serverNamed(*store, QStringLiteral("web-2999")).port, 22);
}

QTEST_GUILESS_MAIN(TestSshConfigImporter)
#include "tst_sshconfigimporter.moc"
