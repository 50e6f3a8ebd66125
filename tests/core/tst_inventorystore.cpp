#include "inventory/inventorystore.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <future>

using namespace rd;

class TestInventoryStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void createsFilePrivateAndWal();
    void keysCrud();
    void serversCrudAndValidation();
    void projectsAndEnvironments();
    void environmentServersKeepOrder();
    void removingUsedKeyOrServerIsRefusedWithUsers();
    void hookTemplates();
    void migratesFromSchemaVersion1();
    void refusesNewerSchema();
    void writesFromAnotherThreadAreRefused();
    void failedTransactionWritesNothing();

private:
    std::unique_ptr<InventoryStore> openStore();
    qint64 addServer(InventoryStore &store, const QString &name, qint64 keyId = 0);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestInventoryStore::init() { m_dir = std::make_unique<QTemporaryDir>(); }

std::unique_ptr<InventoryStore> TestInventoryStore::openStore()
{
    auto store = InventoryStore::open(m_dir->filePath(QStringLiteral("inventory.sqlite")));
    if (!store)
        qFatal("open failed: %s", qPrintable(store.error().text()));
    return std::move(*store);
}

qint64 TestInventoryStore::addServer(InventoryStore &store, const QString &name, qint64 keyId)
{
    Server server;
    server.name = name;
    server.host = name + QStringLiteral(".example.com");
    server.keyId = keyId;
    auto id = store.addServer(server);
    if (!id)
        qFatal("addServer failed: %s", qPrintable(id.error().text()));
    return *id;
}

void TestInventoryStore::createsFilePrivateAndWal()
{
    auto store = openStore();
    const QFileInfo info(store->path());
    QVERIFY(info.exists());
    QCOMPARE(info.permissions() & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther
                                   | QFileDevice::WriteOther | QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadUser | QFileDevice::WriteUser);
    QCOMPARE(store->schemaVersion(), InventoryStore::SchemaVersion);
    // A database copied in with looser permissions is made private again when opened.
    store.reset();
    QFile::setPermissions(info.filePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    store = openStore();
    QCOMPARE(QFileInfo(store->path()).permissions() & QFileDevice::ReadOther, QFileDevice::Permissions());
    QProcess sqlite;
    sqlite.start(QStringLiteral("sqlite3"), {store->path(), QStringLiteral("PRAGMA journal_mode;")});
    QVERIFY(sqlite.waitForFinished());
    QCOMPARE(sqlite.readAllStandardOutput().trimmed(), QByteArray("wal"));
}

void TestInventoryStore::keysCrud()
{
    auto store = openStore();
    SshKey key;
    key.name = QStringLiteral("deploy");
    key.username = QStringLiteral("deploy");
    key.kind = KeyKind::Agent;
    auto id = store->addKey(key);
    QVERIFY2(id, id ? "" : qPrintable(id.error().text()));

    auto duplicate = store->addKey(key);
    QVERIFY(!duplicate);
    QCOMPARE(duplicate.error().field, QStringLiteral("name"));

    auto loaded = store->key(*id);
    QVERIFY(loaded);
    QCOMPARE(loaded->kind, KeyKind::Agent);
    loaded->kind = KeyKind::File;
    loaded->keyPath = QStringLiteral("/home/ops/.ssh/id_ed25519");
    loaded->enabled = false;
    QVERIFY(store->updateKey(*loaded));

    store.reset();
    store = openStore();
    auto reread = store->key(*id);
    QCOMPARE(reread->kind, KeyKind::File);
    QCOMPARE(reread->keyPath, QStringLiteral("/home/ops/.ssh/id_ed25519"));
    QCOMPARE(reread->enabled, false);
    QVERIFY(store->removeKey(*id));
    QVERIFY(!store->key(*id));
    QVERIFY(!store->removeKey(*id));
}

void TestInventoryStore::serversCrudAndValidation()
{
    auto store = openStore();
    Server server;
    server.name = QStringLiteral("web-01");
    server.host = QStringLiteral("[2001:db8::10]");
    server.port = 2222;
    server.department = QStringLiteral("电商");
    server.owner = QStringLiteral("Li Wei");
    server.tags = {QStringLiteral("web"), QStringLiteral("eu-1")};
    server.notes = QStringLiteral("rack 4\nbehind lb-2");
    auto id = store->addServer(server);
    QVERIFY(id);
    auto loaded = store->server(*id);
    QVERIFY(loaded);
    QCOMPARE(loaded->host, QStringLiteral("2001:db8::10"));
    QCOMPARE(loaded->port, 2222);
    QCOMPARE(loaded->department, server.department);
    QCOMPARE(loaded->tags, server.tags);
    QCOMPARE(loaded->notes, server.notes);

    loaded->port = 70000;
    loaded->host = QStringLiteral("$(reboot)");
    auto rejected = store->updateServer(*loaded);
    QVERIFY(!rejected);
    QVERIFY(rejected.error().message.contains(QStringLiteral("host")));
    QVERIFY(rejected.error().message.contains(QStringLiteral("port")));
    QCOMPARE(store->server(*id)->host, QStringLiteral("2001:db8::10")); // nothing half-saved

    Server orphan = server;
    orphan.name = QStringLiteral("web-02");
    orphan.keyId = 4242;
    auto missingKey = store->addServer(orphan);
    QVERIFY(!missingKey);
    QCOMPARE(missingKey.error().field, QStringLiteral("key"));
    QCOMPARE(store->servers()->size(), 1);
}

void TestInventoryStore::projectsAndEnvironments()
{
    auto store = openStore();
    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = QStringLiteral("git@git.example.com:shop/api.git");
    project.packageExcludes = {QStringLiteral("node_modules"), QStringLiteral("*.log")};
    auto projectId = store->addProject(project);
    QVERIFY(projectId);

    Environment environment;
    environment.projectId = *projectId;
    environment.name = QStringLiteral("prod");
    environment.deployRoot = QStringLiteral("/srv/shop");
    environment.sharedPaths = {QStringLiteral("storage/logs"), QStringLiteral(".env")};
    environment.strategy = QStringLiteral("rolling");
    auto environmentId = store->addEnvironment(environment);
    QVERIFY(environmentId);
    QCOMPARE(store->environmentId(QStringLiteral("shop"), QStringLiteral("prod")), *environmentId);

    auto again = store->addEnvironment(environment);
    QVERIFY(!again);
    QVERIFY(again.error().message.contains(QStringLiteral("shop")));

    auto loaded = store->environment(*environmentId);
    QCOMPARE(loaded->sharedPaths, environment.sharedPaths);
    QCOMPARE(loaded->strategy, QStringLiteral("rolling"));
    QCOMPARE(store->project(*projectId)->packageExcludes, project.packageExcludes);

    QVERIFY(store->removeProject(*projectId));
    QVERIFY(!store->environment(*environmentId)); // environments go with their project
}

void TestInventoryStore::environmentServersKeepOrder()
{
    auto store = openStore();
    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = QStringLiteral("https://git.example.com/shop.git");
    Environment environment;
    environment.projectId = *store->addProject(project);
    environment.name = QStringLiteral("test");
    environment.deployRoot = QStringLiteral("/srv/shop");
    const qint64 a = addServer(*store, QStringLiteral("a"));
    const qint64 b = addServer(*store, QStringLiteral("b"));
    const qint64 c = addServer(*store, QStringLiteral("c"));
    environment.serverIds = {c, a};
    const qint64 id = *store->addEnvironment(environment);
    QCOMPARE(store->environment(id)->serverIds, (QList<qint64>{c, a}));
    QVERIFY(store->setEnvironmentServers(id, {b, c, a}));
    QCOMPARE(store->environment(id)->serverIds, (QList<qint64>{b, c, a}));
    QCOMPARE(store->environments()->first().serverIds, (QList<qint64>{b, c, a}));

    auto unknown = store->setEnvironmentServers(id, {b, 999});
    QVERIFY(!unknown);
    QCOMPARE(store->environment(id)->serverIds, (QList<qint64>{b, c, a}));
    QVERIFY(!store->setEnvironmentServers(id, {b, b}));
}

void TestInventoryStore::removingUsedKeyOrServerIsRefusedWithUsers()
{
    auto store = openStore();
    SshKey key;
    key.name = QStringLiteral("ops");
    key.username = QStringLiteral("ops");
    key.kind = KeyKind::Agent;
    const qint64 keyId = *store->addKey(key);
    const qint64 web1 = addServer(*store, QStringLiteral("web-01"), keyId);
    addServer(*store, QStringLiteral("web-02"), keyId);

    auto refused = store->removeKey(keyId);
    QVERIFY(!refused);
    QVERIFY(refused.error().message.contains(QStringLiteral("server web-01")));
    QVERIFY(refused.error().message.contains(QStringLiteral("server web-02")));
    QVERIFY(store->key(keyId));

    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = QStringLiteral("https://git.example.com/shop.git");
    Environment environment;
    environment.projectId = *store->addProject(project);
    environment.name = QStringLiteral("prod");
    environment.deployRoot = QStringLiteral("/srv/shop");
    environment.serverIds = {web1};
    QVERIFY(store->addEnvironment(environment));
    auto serverRefused = store->removeServer(web1);
    QVERIFY(!serverRefused);
    QVERIFY(serverRefused.error().message.contains(QStringLiteral("environment shop/prod")));
    QVERIFY(store->server(web1));
}

void TestInventoryStore::hookTemplates()
{
    auto store = openStore();
    HookTemplate hook;
    hook.title = QStringLiteral("Restart php-fpm");
    hook.stage = HookStage::AfterRelease;
    hook.script = QStringLiteral("sudo systemctl reload php-fpm\n");
    const qint64 id = *store->addHookTemplate(hook);
    auto loaded = store->hookTemplate(id);
    QCOMPARE(loaded->stage, HookStage::AfterRelease);
    QCOMPARE(loaded->script, hook.script);
    loaded->stage = HookStage::BeforeDownload;
    QVERIFY(store->updateHookTemplate(*loaded));
    QCOMPARE(store->hookTemplates()->first().stage, HookStage::BeforeDownload);
    QVERIFY(!store->addHookTemplate(hook)); // title taken
    QVERIFY(store->removeHookTemplate(id));
    QVERIFY(store->hookTemplates()->isEmpty());
}

void TestInventoryStore::migratesFromSchemaVersion1()
{
    const QString path = m_dir->filePath(QStringLiteral("inventory.sqlite"));
    QFile fixture(QStringLiteral(RELEASEDESK_TEST_DATA "/inventory-schema-v1.sql"));
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    QByteArray sql = fixture.readAll();
    sql += "INSERT INTO keys (name, username, kind) VALUES ('ops', 'ops', 'agent');"
           "INSERT INTO servers (name, host, key_id, tags) VALUES ('web-01', '10.0.0.1', 1, 'web,eu');"
           "INSERT INTO projects (name, git_url) VALUES ('shop', 'https://git.example.com/shop.git');"
           "INSERT INTO environments (project_id, name, deploy_root) VALUES (1, 'prod', '/srv/shop');"
           "INSERT INTO environment_servers VALUES (1, 1, 0);";
    QProcess sqlite;
    sqlite.start(QStringLiteral("sqlite3"), {path});
    QVERIFY(sqlite.waitForStarted());
    sqlite.write(sql);
    sqlite.closeWriteChannel();
    QVERIFY(sqlite.waitForFinished());
    QCOMPARE(sqlite.exitCode(), 0);

    auto store = openStore();
    QCOMPARE(store->schemaVersion(), InventoryStore::SchemaVersion);
    QVERIFY(!store->projects()->first().allowUnauthenticated); // the column added by version 3
    const Server server = store->servers()->first();
    QCOMPARE(server.host, QStringLiteral("10.0.0.1"));
    QCOMPARE(server.tags, (QStringList{QStringLiteral("web"), QStringLiteral("eu")}));
    const Environment environment = store->environments()->first();
    QCOMPARE(environment.strategy, QStringLiteral("full")); // the column added by version 2
    QCOMPARE(environment.serverIds, QList<qint64>{server.id});
    HookTemplate hook;
    hook.title = QStringLiteral("Warm cache");
    hook.script = QStringLiteral("curl -fsS localhost/warm");
    QVERIFY(store->addHookTemplate(hook)); // the table added by version 2
}

void TestInventoryStore::refusesNewerSchema()
{
    {
        auto store = openStore();
    }
    const QString path = m_dir->filePath(QStringLiteral("inventory.sqlite"));
    QProcess::execute(QStringLiteral("sqlite3"), {path, QStringLiteral("PRAGMA user_version=99;")});
    auto store = InventoryStore::open(path);
    QVERIFY(!store);
    QVERIFY(store.error().message.contains(QStringLiteral("newer")));
    QVERIFY(!store.error().hint.isEmpty());
}

void TestInventoryStore::writesFromAnotherThreadAreRefused()
{
    auto store = openStore();
    Server server;
    server.name = QStringLiteral("web-01");
    server.host = QStringLiteral("10.0.0.1");
    auto result = std::async(std::launch::async, [&] { return store->addServer(server); }).get();
    QVERIFY(!result);
    QVERIFY(result.error().message.contains(QStringLiteral("worker thread")));
    QVERIFY(store->servers()->isEmpty());
}

void TestInventoryStore::failedTransactionWritesNothing()
{
    auto store = openStore();
    auto outcome = store->transaction([&]() -> Result<> {
        addServer(*store, QStringLiteral("first"));
        return fail(QStringLiteral("stop here"));
    });
    QVERIFY(!outcome);
    QVERIFY(store->servers()->isEmpty());
}

QTEST_GUILESS_MAIN(TestInventoryStore)
#include "tst_inventorystore.moc"
