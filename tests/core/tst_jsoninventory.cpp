#include "inventory/inventorystore.h"
#include "inventory/jsoninventory.h"
#include "vault/vault.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

class TestJsonInventory : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void roundTripGivesSameBytesAndEntities();
    void importMergesByName();
    void invalidEntryRejectsWholeImport();
    void unknownReferenceRejectsWholeImport();
    void malformedJsonNamesOffset();
    void wrongFormatOrVersionIsRefused();
    void plainExportHoldsNoPrivateKey();
    void encryptedSecretsTravelUnderPassword();
    void wrongExportPasswordWritesNothing();

private:
    std::unique_ptr<InventoryStore> openStore(const QString &name);
    void fill(InventoryStore &store);
    QByteArray exportOf(const InventoryStore &store);
    QByteArray generatePrivateKey();

    std::unique_ptr<QTemporaryDir> m_dir;
};

namespace {

template <typename T>
T check(Result<T> result)
{
    if (!result)
        qFatal("unexpected failure: %s", qPrintable(result.error().text()));
    return std::move(*result);
}

void check(Result<> result)
{
    if (!result)
        qFatal("unexpected failure: %s", qPrintable(result.error().text()));
}

// Every field of every entity, with references resolved to names, so two stores compare by content.
QStringList describe(const InventoryStore &store)
{
    QStringList lines;
    QHash<qint64, QString> keyNames, serverNames, projectNames;
    for (const SshKey &k : check(store.keys())) {
        keyNames.insert(k.id, k.name);
        lines << QStringLiteral("key %1|%2|%3|%4|%5|%6|%7")
                     .arg(k.name, k.username, keyKindName(k.kind), k.publicKey, k.fingerprint, k.keyPath)
                     .arg(k.enabled);
    }
    for (const Server &s : check(store.servers())) {
        serverNames.insert(s.id, s.name);
        lines << QStringLiteral("server %1|%2|%3|%4|%5|%6|%7|%8|%9")
                     .arg(s.name, s.host, QString::number(s.port), keyNames.value(s.keyId), s.username, s.department,
                          s.owner, s.tags.join(u','), s.notes)
                     + QString::number(s.enabled);
    }
    for (const Project &p : check(store.projects())) {
        projectNames.insert(p.id, p.name);
        lines << QStringLiteral("project %1|%2|%3|%4|%5")
                     .arg(p.name, p.gitUrl, p.defaultBranch, QString::number(p.keepReleases),
                          p.packageExcludes.join(u';'));
    }
    for (const Environment &e : check(store.environments())) {
        QStringList members;
        for (qint64 id : e.serverIds)
            members << serverNames.value(id);
        lines << QStringLiteral("environment %1|%2|%3|%4|%5|%6|%7")
                     .arg(projectNames.value(e.projectId), e.name, e.deployRoot, members.join(u','),
                          e.sharedPaths.join(u';'), QString::number(e.parallelism), e.strategy);
    }
    for (const HookTemplate &h : check(store.hookTemplates()))
        lines << QStringLiteral("hook %1|%2|%3").arg(h.title, hookStageName(h.stage), h.script);
    return lines;
}

} // namespace

void TestJsonInventory::init() { m_dir = std::make_unique<QTemporaryDir>(); }

std::unique_ptr<InventoryStore> TestJsonInventory::openStore(const QString &name)
{
    return check(InventoryStore::open(m_dir->filePath(name + QStringLiteral(".sqlite"))));
}

QByteArray TestJsonInventory::exportOf(const InventoryStore &store)
{
    return check(JsonInventory::exportJson(store, nullptr, {}));
}

QByteArray TestJsonInventory::generatePrivateKey()
{
    const QString path = m_dir->filePath(QStringLiteral("id_test"));
    QFile::remove(path);
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                QStringLiteral("-N"), QString(), QStringLiteral("-f"), path});
    if (!keygen.waitForFinished() || keygen.exitCode() != 0)
        qFatal("ssh-keygen failed: %s", keygen.readAllStandardError().constData());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the generated key");
    return file.readAll();
}

void TestJsonInventory::fill(InventoryStore &store)
{
    SshKey fileKey;
    fileKey.name = QStringLiteral("deploy-file");
    fileKey.username = QStringLiteral("deploy");
    fileKey.kind = KeyKind::File;
    fileKey.keyPath = QStringLiteral("/home/ops/.ssh/id_ed25519");
    fileKey.publicKey = QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE ops@desk");
    fileKey.fingerprint = QStringLiteral("SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
    const qint64 fileKeyId = check(store.addKey(fileKey));
    SshKey agentKey;
    agentKey.name = QStringLiteral("agent-ops");
    agentKey.username = QStringLiteral("ops");
    agentKey.kind = KeyKind::Agent;
    agentKey.enabled = false;
    const qint64 agentKeyId = check(store.addKey(agentKey));

    auto server = [&](const QString &name, qint64 keyId) {
        Server s;
        s.name = name;
        s.host = name + QStringLiteral(".example.net");
        s.keyId = keyId;
        return s;
    };
    Server web1 = server(QStringLiteral("web-01"), fileKeyId);
    web1.port = 2222;
    web1.username = QStringLiteral("www");
    web1.department = QStringLiteral("Plattform & Betrieb");
    web1.owner = QStringLiteral("Zoë Åström");
    web1.tags = {QStringLiteral("web"), QStringLiteral("eu-west")};
    web1.notes = QStringLiteral("Rack 4 — 机柜 \"B\"\nsecond line ✓");
    const qint64 web1Id = check(store.addServer(web1));
    const qint64 web2Id = check(store.addServer(server(QStringLiteral("web-02"), fileKeyId)));
    Server db = server(QStringLiteral("db-01"), agentKeyId);
    db.host = QStringLiteral("2001:db8::10");
    db.enabled = false;
    const qint64 dbId = check(store.addServer(db));
    check(store.addServer(server(QStringLiteral("spare"), 0)));

    Project shop;
    shop.name = QStringLiteral("shop");
    shop.gitUrl = QStringLiteral("git@git.example.net:team/shop.git");
    shop.defaultBranch = QStringLiteral("release/2.x");
    shop.keepReleases = 7;
    shop.packageExcludes = {QStringLiteral("node_modules"), QStringLiteral("*.log"), QStringLiteral(".git*")};
    const qint64 shopId = check(store.addProject(shop));
    Project api;
    api.name = QStringLiteral("api");
    api.gitUrl = QStringLiteral("https://git.example.net/team/api.git");
    const qint64 apiId = check(store.addProject(api));

    Environment prod;
    prod.projectId = shopId;
    prod.name = QStringLiteral("prod");
    prod.deployRoot = QStringLiteral("/srv/shop");
    prod.serverIds = {web2Id, dbId, web1Id}; // not alphabetical on purpose
    prod.sharedPaths = {QStringLiteral("storage/logs"), QStringLiteral(".env")};
    prod.parallelism = 3;
    prod.strategy = QStringLiteral("rolling");
    check(store.addEnvironment(prod));
    Environment test;
    test.projectId = shopId;
    test.name = QStringLiteral("test");
    test.deployRoot = QStringLiteral("/srv/shop-test");
    test.serverIds = {web1Id};
    check(store.addEnvironment(test));
    Environment apiProd;
    apiProd.projectId = apiId;
    apiProd.name = QStringLiteral("prod");
    apiProd.deployRoot = QStringLiteral("/opt/api");
    apiProd.strategy = QStringLiteral("gray");
    check(store.addEnvironment(apiProd));

    const QList<std::pair<HookStage, QString>> hooks{
        {HookStage::BeforeDownload, QStringLiteral("Check disk")},
        {HookStage::AfterDownload, QStringLiteral("Build assets")},
        {HookStage::BeforeRelease, QStringLiteral("Migrate database")},
        {HookStage::AfterRelease, QStringLiteral("Reload php-fpm")}};
    for (const auto &[stage, title] : hooks) {
        HookTemplate hook;
        hook.title = title;
        hook.stage = stage;
        hook.script = QStringLiteral("set -e\necho \"%1\" # ünïcode\n").arg(title);
        check(store.addHookTemplate(hook));
    }
}

void TestJsonInventory::roundTripGivesSameBytesAndEntities()
{
    auto source = openStore(QStringLiteral("source"));
    fill(*source);
    const QByteArray first = exportOf(*source);

    auto target = openStore(QStringLiteral("target"));
    const ImportReport report = check(JsonInventory::importJson(*target, nullptr, first, {}));
    QCOMPARE(report.added, 2 + 4 + 2 + 3 + 4);
    QCOMPARE(report.updated, 0);
    QCOMPARE(report.skipped, 0);
    QVERIFY(report.warnings.isEmpty());

    const QByteArray second = exportOf(*target);
    QCOMPARE(second, first);
    QCOMPARE(describe(*target), describe(*source));

    // References are names, never ids, and the environment keeps its server order.
    const QJsonObject root = QJsonDocument::fromJson(first).object();
    QCOMPARE(root.value(QStringLiteral("format")).toString(), QStringLiteral("releasedesk-inventory"));
    QCOMPARE(root.value(QStringLiteral("version")).toInt(), 1);
    QVERIFY(!first.contains("\"id\""));
    QJsonObject prod;
    for (const QJsonValue &value : root.value(QStringLiteral("environments")).toArray()) {
        if (value[QStringLiteral("project")].toString() == u"shop" && value[QStringLiteral("name")].toString() == u"prod")
            prod = value.toObject();
    }
    QCOMPARE(prod.value(QStringLiteral("servers")).toArray(),
             (QJsonArray{QStringLiteral("web-02"), QStringLiteral("db-01"), QStringLiteral("web-01")}));
    QVERIFY(first.contains("Rack 4 \xe2\x80\x94 \xe6\x9c\xba\xe6\x9f\x9c"));
}

void TestJsonInventory::importMergesByName()
{
    auto source = openStore(QStringLiteral("source"));
    fill(*source);
    QJsonObject root = QJsonDocument::fromJson(exportOf(*source)).object();

    auto target = openStore(QStringLiteral("target"));
    Server local;
    local.name = QStringLiteral("web-01");
    local.host = QStringLiteral("old-host.example.net");
    check(target->addServer(local));
    Server other;
    other.name = QStringLiteral("local-only");
    other.host = QStringLiteral("192.0.2.7");
    check(target->addServer(other));

    const ImportReport report = check(JsonInventory::importJson(*target, nullptr, QJsonDocument(root).toJson(), {}));
    QCOMPARE(report.updated, 1);
    QCOMPARE(report.added, 2 + 3 + 2 + 3 + 4);
    const Server merged = check(target->server(target->serverId(QStringLiteral("web-01"))));
    QCOMPARE(merged.host, QStringLiteral("web-01.example.net"));
    QCOMPARE(merged.port, 2222);
    QVERIFY(target->serverId(QStringLiteral("local-only")) > 0);

    // A second import of the same file changes nothing and updates every entry.
    const QStringList before = describe(*target);
    const ImportReport again = check(JsonInventory::importJson(*target, nullptr, QJsonDocument(root).toJson(), {}));
    QCOMPARE(again.added, 0);
    QCOMPARE(again.updated, 2 + 4 + 2 + 3 + 4);
    QCOMPARE(describe(*target), before);
}

void TestJsonInventory::invalidEntryRejectsWholeImport()
{
    auto source = openStore(QStringLiteral("source"));
    fill(*source);
    QJsonObject root = QJsonDocument::fromJson(exportOf(*source)).object();
    QJsonArray servers = root.value(QStringLiteral("servers")).toArray();
    QJsonObject bad = servers.at(2).toObject(); // sorted: db-01, spare, web-01, web-02
    QCOMPARE(bad.value(QStringLiteral("name")).toString(), QStringLiteral("web-01"));
    bad.insert(QStringLiteral("port"), 70000);
    servers.replace(2, bad);
    root.insert(QStringLiteral("servers"), servers);

    auto target = openStore(QStringLiteral("target"));
    Server existing;
    existing.name = QStringLiteral("web-02");
    existing.host = QStringLiteral("198.51.100.2");
    check(target->addServer(existing));
    const QStringList before = describe(*target);

    auto result = JsonInventory::importJson(*target, nullptr, QJsonDocument(root).toJson(), {});
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("servers[2] (web-01)")),
             qPrintable(result.error().message));
    QVERIFY2(result.error().message.contains(QStringLiteral("70000")), qPrintable(result.error().message));
    QCOMPARE(result.error().field, QStringLiteral("servers[2].port"));
    QCOMPARE(describe(*target), before);

    // A wrong type is refused the same way, before anything is written.
    bad.insert(QStringLiteral("port"), QStringLiteral("22"));
    servers.replace(2, bad);
    root.insert(QStringLiteral("servers"), servers);
    result = JsonInventory::importJson(*target, nullptr, QJsonDocument(root).toJson(), {});
    QVERIFY(!result);
    QCOMPARE(result.error().field, QStringLiteral("servers[2].port"));
    QCOMPARE(describe(*target), before);
}

void TestJsonInventory::unknownReferenceRejectsWholeImport()
{
    auto source = openStore(QStringLiteral("source"));
    fill(*source);
    QJsonObject root = QJsonDocument::fromJson(exportOf(*source)).object();
    QJsonArray environments = root.value(QStringLiteral("environments")).toArray();
    QJsonObject environment = environments.last().toObject();
    environment.insert(QStringLiteral("servers"), QJsonArray{QStringLiteral("web-01"), QStringLiteral("ghost")});
    environments.replace(environments.size() - 1, environment);
    root.insert(QStringLiteral("environments"), environments);

    auto target = openStore(QStringLiteral("target"));
    auto result = JsonInventory::importJson(*target, nullptr, QJsonDocument(root).toJson(), {});
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("\"ghost\"")), qPrintable(result.error().message));
    QCOMPARE(result.error().field, QStringLiteral("environments[%1].servers").arg(environments.size() - 1));
    QVERIFY(describe(*target).isEmpty());
}

void TestJsonInventory::malformedJsonNamesOffset()
{
    auto target = openStore(QStringLiteral("target"));
    const QByteArray broken = "{\n  \"format\": \"releasedesk-inventory\",\n  \"version\": 1,\n  \"keys\": [ oops ]\n}";
    auto result = JsonInventory::importJson(*target, nullptr, broken, {});
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("offset")), qPrintable(result.error().message));
    QVERIFY(!result.error().hint.isEmpty());
    QVERIFY(describe(*target).isEmpty());
}

void TestJsonInventory::wrongFormatOrVersionIsRefused()
{
    auto target = openStore(QStringLiteral("target"));
    auto result = JsonInventory::importJson(
        *target, nullptr, R"({"format": "releasedesk-inventory", "version": 2, "servers": []})", {});
    QVERIFY(!result);
    QCOMPARE(result.error().field, QStringLiteral("version"));
    QVERIFY2(result.error().message.contains(u'2'), qPrintable(result.error().message));

    result = JsonInventory::importJson(*target, nullptr, R"({"format": "something-else", "version": 1})", {});
    QVERIFY(!result);
    QCOMPARE(result.error().field, QStringLiteral("format"));

    result = JsonInventory::importJson(*target, nullptr, R"([1, 2, 3])", {});
    QVERIFY(!result);
    QVERIFY(describe(*target).isEmpty());
}

void TestJsonInventory::plainExportHoldsNoPrivateKey()
{
    auto source = openStore(QStringLiteral("source"));
    Vault vault(*source);
    QVERIFY(vault.initialize("master password one"));
    const QByteArray privateKey = generatePrivateKey();
    SshKey stored;
    stored.name = QStringLiteral("stored-key");
    stored.username = QStringLiteral("deploy");
    stored.kind = KeyKind::Stored;
    stored.sealedPrivateKey = check(vault.seal(privateKey, "sealed_private_key"));
    check(source->addKey(stored));

    QStringList warnings;
    // Unlocked vault but no password, and a password but no vault: public part only, with a warning.
    for (auto [v, password] : {std::pair<const Vault *, QByteArray>{&vault, {}},
                               std::pair<const Vault *, QByteArray>{nullptr, "export password"}}) {
        warnings.clear();
        const QByteArray plain = check(JsonInventory::exportJson(*source, v, password, &warnings));
        QVERIFY(!plain.contains("PRIVATE KEY"));
        QVERIFY(!plain.contains(privateKey.mid(40, 30)));
        QVERIFY(!plain.contains("\"secrets\""));
        QCOMPARE(warnings.size(), 1);
        QVERIFY(warnings.first().contains(QStringLiteral("stored-key")));
    }

    // Imported elsewhere, a stored key without its private key is skipped, and says so.
    auto target = openStore(QStringLiteral("target"));
    const QByteArray plain = check(JsonInventory::exportJson(*source, nullptr, {}));
    const ImportReport report = check(JsonInventory::importJson(*target, nullptr, plain, {}));
    QCOMPARE(report.skipped, 1);
    QCOMPARE(report.added, 0);
    QVERIFY(report.warnings.first().contains(QStringLiteral("stored-key")));
    QCOMPARE(target->keyId(QStringLiteral("stored-key")), 0);
}

void TestJsonInventory::encryptedSecretsTravelUnderPassword()
{
    auto source = openStore(QStringLiteral("source"));
    fill(*source);
    Vault sourceVault(*source);
    QVERIFY(sourceVault.initialize("master password one"));
    const QByteArray privateKey = generatePrivateKey();
    SshKey stored;
    stored.name = QStringLiteral("stored-key");
    stored.username = QStringLiteral("deploy");
    stored.kind = KeyKind::Stored;
    stored.sealedPrivateKey = check(sourceVault.seal(privateKey, "sealed_private_key"));
    stored.sealedPassphrase = check(sourceVault.seal("pass phrase ✓", "sealed_passphrase"));
    const qint64 storedId = check(source->addKey(stored));
    Server server = check(source->server(source->serverId(QStringLiteral("spare"))));
    server.keyId = storedId;
    check(source->updateServer(server));

    QStringList warnings;
    const QByteArray exported =
        check(JsonInventory::exportJson(*source, &sourceVault, "export password", &warnings));
    QVERIFY(warnings.isEmpty());
    QVERIFY(exported.contains("\"secrets\""));
    QVERIFY(!exported.contains("PRIVATE KEY"));
    QVERIFY(!exported.contains(privateKey.mid(40, 30)));
    QVERIFY(!exported.contains("pass phrase"));

    auto target = openStore(QStringLiteral("target"));
    Vault targetVault(*target);
    QVERIFY(targetVault.initialize("another master password"));
    // The password is needed, and so is an unlocked vault.
    auto refused = JsonInventory::importJson(*target, &targetVault, exported, {});
    QVERIFY(!refused);
    QCOMPARE(refused.error().field, QStringLiteral("secrets"));
    refused = JsonInventory::importJson(*target, nullptr, exported, "export password");
    QVERIFY(!refused);
    QVERIFY(describe(*target).isEmpty());

    const ImportReport report = check(JsonInventory::importJson(*target, &targetVault, exported, "export password"));
    QCOMPARE(report.skipped, 0);
    const SshKey imported = check(target->key(target->keyId(QStringLiteral("stored-key"))));
    QCOMPARE(imported.kind, KeyKind::Stored);
    // Resealed under the target's vault: its own key opens it, to the same bytes.
    QVERIFY(imported.sealedPrivateKey != stored.sealedPrivateKey);
    QCOMPARE(check(targetVault.open(imported.sealedPrivateKey, "sealed_private_key")).view().toByteArray(),
             privateKey);
    QCOMPARE(check(targetVault.open(imported.sealedPassphrase, "sealed_passphrase")).view().toByteArray(),
             QByteArray("pass phrase ✓"));
    QCOMPARE(check(target->server(target->serverId(QStringLiteral("spare")))).keyId, imported.id);
    QCOMPARE(describe(*target), describe(*source));
}

void TestJsonInventory::wrongExportPasswordWritesNothing()
{
    auto source = openStore(QStringLiteral("source"));
    fill(*source);
    Vault sourceVault(*source);
    QVERIFY(sourceVault.initialize("master password one"));
    SshKey stored;
    stored.name = QStringLiteral("stored-key");
    stored.username = QStringLiteral("deploy");
    stored.sealedPrivateKey = check(sourceVault.seal(generatePrivateKey(), "sealed_private_key"));
    check(source->addKey(stored));
    const QByteArray exported = check(JsonInventory::exportJson(*source, &sourceVault, "export password"));

    auto target = openStore(QStringLiteral("target"));
    Vault targetVault(*target);
    QVERIFY(targetVault.initialize("another master password"));
    auto result = JsonInventory::importJson(*target, &targetVault, exported, "not the export password");
    QVERIFY(!result);
    QCOMPARE(result.error().field, QStringLiteral("secrets"));
    QVERIFY2(result.error().hint.contains(QStringLiteral("password")), qPrintable(result.error().text()));
    QVERIFY(describe(*target).isEmpty());
}

QTEST_GUILESS_MAIN(TestJsonInventory)
#include "tst_jsoninventory.moc"
