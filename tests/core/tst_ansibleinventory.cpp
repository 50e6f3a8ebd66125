#include "inventory/ansibleinventory.h"
#include "inventory/inventorystore.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

using Format = AnsibleInventory::Format;
using GroupsAs = AnsibleInventory::GroupsAs;

class TestAnsibleInventory : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void importsRealisticIni();
    void importsRealisticYaml();
    void roundTrip_data();
    void roundTrip();
    void groupsAsTags();
    void malformedInputNamesLine_data();
    void malformedInputNamesLine();
    void plainGroupsNeedTheProject();
    void hostileInventoriesEndInErrors_data();
    void hostileInventoriesEndInErrors();

private:
    std::unique_ptr<InventoryStore> openStore(const QString &name);
    void fill(InventoryStore &store);
    void addShop(InventoryStore &store);
    void checkRealisticImport(InventoryStore &store, const ImportReport &report);

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

QStringList environmentServers(const InventoryStore &store, const QString &project, const QString &name)
{
    const qint64 id = store.environmentId(project, name);
    if (!id)
        qFatal("no environment %s/%s", qPrintable(project), qPrintable(name));
    QStringList names;
    for (qint64 serverId : check(store.environment(id)).serverIds)
        names.append(check(store.server(serverId)).name);
    return names;
}

// The fields an Ansible inventory carries, references resolved to names.
QStringList describe(const InventoryStore &store)
{
    QStringList lines;
    QHash<qint64, QString> keyNames, serverNames, projectNames;
    for (const SshKey &k : check(store.keys())) {
        keyNames.insert(k.id, k.name);
        lines << QStringLiteral("key %1|%2|%3|%4").arg(k.name, k.username, keyKindName(k.kind), k.keyPath);
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
    return lines;
}

} // namespace

void TestAnsibleInventory::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_home = m_dir->filePath(QStringLiteral("home"));
    QDir().mkpath(m_home);
    qputenv("HOME", m_home.toUtf8());
    qputenv("USER", "localops");
}

std::unique_ptr<InventoryStore> TestAnsibleInventory::openStore(const QString &name)
{
    return check(InventoryStore::open(m_dir->filePath(name + QStringLiteral(".sqlite"))));
}

void TestAnsibleInventory::addShop(InventoryStore &store)
{
    Project shop;
    shop.name = QStringLiteral("shop");
    shop.gitUrl = QStringLiteral("https://git.example.net/team/shop.git");
    check(store.addProject(shop));
}

void TestAnsibleInventory::fill(InventoryStore &store)
{
    SshKey fileKey;
    fileKey.name = QStringLiteral("deploy-file");
    fileKey.username = QStringLiteral("deploy");
    fileKey.kind = KeyKind::File;
    fileKey.keyPath = QStringLiteral("/home/ops/.ssh/id_ed25519");
    const qint64 fileKeyId = check(store.addKey(fileKey));
    SshKey agentKey;
    agentKey.name = QStringLiteral("agent-ops");
    agentKey.username = QStringLiteral("ops");
    agentKey.kind = KeyKind::Agent;
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
    web1.username = QStringLiteral("www"); // differs from the key's user
    web1.department = QStringLiteral("Plattform & Betrieb");
    web1.owner = QStringLiteral("Zoë 'Z' Åström");
    web1.tags = {QStringLiteral("web"), QStringLiteral("eu-west")};
    web1.notes = QStringLiteral("Rack 4 — 机柜 \"B\"\nsecond line\twith tab \\ backslash");
    const qint64 web1Id = check(store.addServer(web1));
    const qint64 web2Id = check(store.addServer(server(QStringLiteral("web-02"), fileKeyId)));
    Server db = server(QStringLiteral("db-01"), agentKeyId);
    db.host = QStringLiteral("2001:db8::10");
    db.enabled = false;
    db.notes = QStringLiteral("plain words");
    const qint64 dbId = check(store.addServer(db));

    Project shop;
    shop.name = QStringLiteral("shop");
    shop.gitUrl = QStringLiteral("git@git.example.net:team/shop.git");
    shop.defaultBranch = QStringLiteral("release/2.x");
    shop.keepReleases = 7;
    shop.packageExcludes = {QStringLiteral("node_modules"), QStringLiteral("*.{log,tmp}")};
    const qint64 shopId = check(store.addProject(shop));

    Environment prod;
    prod.projectId = shopId;
    prod.name = QStringLiteral("prod");
    prod.deployRoot = QStringLiteral("/srv/shop");
    prod.serverIds = {web2Id, dbId, web1Id};
    prod.sharedPaths = {QStringLiteral("storage/logs"), QStringLiteral(".env")};
    prod.parallelism = 3;
    prod.strategy = QStringLiteral("rolling");
    check(store.addEnvironment(prod));
    Environment test;
    test.projectId = shopId;
    test.name = QStringLiteral("test");
    test.deployRoot = QStringLiteral("/srv/shop-test");
    check(store.addEnvironment(test));
}

void TestAnsibleInventory::checkRealisticImport(InventoryStore &store, const ImportReport &report)
{
    QCOMPARE(report.skipped, 1);
    QVERIFY2(report.warnings.join(u'\n').contains(QStringLiteral("bad_host!")), qPrintable(report.warnings.join(u'\n')));

    const Server web2 = serverNamed(store, QStringLiteral("web02.example.com"));
    QCOMPARE(web2.host, QStringLiteral("web02.example.com"));
    QCOMPARE(web2.port, 2222); // [web:vars]
    const SshKey deploy = check(store.key(web2.keyId));
    QCOMPARE(deploy.kind, KeyKind::Agent);
    QCOMPARE(deploy.username, QStringLiteral("deploy")); // host var beats the parent group's ops
    QCOMPARE(web2.username, QString());

    const Server app = serverNamed(store, QStringLiteral("app-a"));
    QCOMPARE(app.host, QStringLiteral("192.0.2.10"));
    const SshKey appKey = check(store.key(app.keyId));
    QCOMPARE(appKey.kind, KeyKind::File);
    QCOMPARE(appKey.name, QStringLiteral("app_key"));
    QCOMPARE(appKey.keyPath, m_home + QStringLiteral("/.ssh/app_key"));
    QCOMPARE(appKey.username, QStringLiteral("ops"));

    const Server dbB = serverNamed(store, QStringLiteral("db-b.example.com"));
    QCOMPARE(dbB.host, QStringLiteral("10.0.0.2"));
    QCOMPARE(dbB.port, 22);
    QCOMPARE(check(store.key(dbB.keyId)).username, QStringLiteral("ops"));

    const Server bastion = serverNamed(store, QStringLiteral("bastion.example.com"));
    QCOMPARE(bastion.port, 2201);
    QCOMPARE(check(store.key(bastion.keyId)).username, QStringLiteral("localops"));

    const QString shop = QStringLiteral("shop");
    QCOMPARE(environmentServers(store, shop, QStringLiteral("web")),
             (QStringList{QStringLiteral("web01.example.com"), QStringLiteral("web02.example.com"),
                          QStringLiteral("web03.example.com"), QStringLiteral("app-a")}));
    QCOMPARE(environmentServers(store, shop, QStringLiteral("production")),
             (QStringList{QStringLiteral("web01.example.com"), QStringLiteral("web02.example.com"),
                          QStringLiteral("web03.example.com"), QStringLiteral("app-a"),
                          QStringLiteral("db-a.example.com"), QStringLiteral("db-b.example.com")}));
    QCOMPARE(check(store.environment(store.environmentId(shop, QStringLiteral("production")))).deployRoot,
             QStringLiteral("/srv/prod"));
    QCOMPARE(check(store.environment(store.environmentId(shop, QStringLiteral("db")))).deployRoot,
             QStringLiteral("/srv/shop"));
    QCOMPARE(store.environmentId(shop, QStringLiteral("ungrouped")), 0);
    QCOMPARE(store.environmentId(shop, QStringLiteral("all")), 0);
}

void TestAnsibleInventory::importsRealisticIni()
{
    auto store = openStore(QStringLiteral("ini"));
    addShop(*store);
    const QByteArray ini = R"(# production inventory
bastion.example.com:2201
bad_host!

[web]
web[01:03].example.com ansible_user=deploy
app-a ansible_host=192.0.2.10 ansible_ssh_private_key_file=~/.ssh/app_key

[db]
db-a.example.com ansible_host=10.0.0.1
db-b.example.com   ansible_host="10.0.0.2"   # trailing comment

[web:vars]
ansible_port=2222

[production:children]
web
db

[production:vars]
ansible_user=ops
releasedesk_deploy_root=/srv/prod
)";
    const ImportReport report = check(AnsibleInventory::import(*store, ini, Format::Ini, GroupsAs::Environments,
                                                               QStringLiteral("shop"), QStringLiteral("/srv/shop")));
    checkRealisticImport(*store, report);
}

void TestAnsibleInventory::importsRealisticYaml()
{
    auto store = openStore(QStringLiteral("yaml"));
    addShop(*store);
    const QByteArray yaml = R"(# production inventory
all:
  hosts:
    bastion.example.com:
      ansible_port: 2201
    bad_host!:
  children:
    production:
      vars:
        ansible_user: ops
        releasedesk_deploy_root: /srv/prod
      children:
        web:
          hosts:
            web[01:03].example.com:
              ansible_user: deploy
            app-a:
              ansible_host: 192.0.2.10
              ansible_ssh_private_key_file: ~/.ssh/app_key
          vars:
            ansible_port: 2222
        db:
          hosts:
            db-a.example.com:
              ansible_host: 10.0.0.1
            db-b.example.com:
              ansible_host: "10.0.0.2"
)";
    const ImportReport report = check(AnsibleInventory::import(*store, yaml, Format::Yaml, GroupsAs::Environments,
                                                               QStringLiteral("shop"), QStringLiteral("/srv/shop")));
    checkRealisticImport(*store, report);
}

void TestAnsibleInventory::roundTrip_data()
{
    QTest::addColumn<Format>("format");
    QTest::newRow("ini") << Format::Ini;
    QTest::newRow("yaml") << Format::Yaml;
}

void TestAnsibleInventory::roundTrip()
{
    QFETCH(Format, format);
    auto source = openStore(QStringLiteral("source"));
    fill(*source);
    const QByteArray first = check(AnsibleInventory::exportInventory(*source, format));
    QVERIFY(first.contains("shop_prod"));
    QVERIFY(first.contains("ansible_ssh_private_key_file"));

    auto target = openStore(QStringLiteral("target"));
    const ImportReport report =
        check(AnsibleInventory::import(*target, first, format, GroupsAs::Environments, QString(), QString()));
    QCOMPARE(report.skipped, 0);
    QCOMPARE(report.added, 2 + 3 + 1 + 2); // keys, servers, project, environments
    const QByteArray second = check(AnsibleInventory::exportInventory(*target, format));
    QCOMPARE(QString::fromUtf8(second), QString::fromUtf8(first));
    QCOMPARE(describe(*target), describe(*source));
    QCOMPARE(environmentServers(*target, QStringLiteral("shop"), QStringLiteral("prod")),
             (QStringList{QStringLiteral("web-02"), QStringLiteral("db-01"), QStringLiteral("web-01")}));

    // Importing it again over itself changes nothing.
    const ImportReport again =
        check(AnsibleInventory::import(*target, first, format, GroupsAs::Environments, QString(), QString()));
    QCOMPARE(again.added, 0);
    QCOMPARE(describe(*target), describe(*source));
}

void TestAnsibleInventory::groupsAsTags()
{
    auto store = openStore(QStringLiteral("tags"));
    const QByteArray ini = R"([web]
web-[1:2] ansible_user=deploy

[db]
db-1 releasedesk_tags=primary

[europe:children]
web
db
)";
    const ImportReport report =
        check(AnsibleInventory::import(*store, ini, Format::Ini, GroupsAs::Tags, QString(), QString()));
    QCOMPARE(report.added, 3 + 2); // servers and the agent keys of deploy and localops
    QCOMPARE(serverNamed(*store, QStringLiteral("web-1")).tags,
             (QStringList{QStringLiteral("web"), QStringLiteral("europe")}));
    QCOMPARE(serverNamed(*store, QStringLiteral("db-1")).tags,
             (QStringList{QStringLiteral("primary"), QStringLiteral("db"), QStringLiteral("europe")}));
    QVERIFY(check(store->environments()).isEmpty());
    QVERIFY(check(store->projects()).isEmpty());
}

void TestAnsibleInventory::malformedInputNamesLine_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("line");
    QTest::newRow("ini unclosed section") << Format::Ini << QByteArray("web-1\n\n[web\nweb-2\n") << 3;
    QTest::newRow("ini bad range") << Format::Ini << QByteArray("[web]\nweb-1\nweb[09:03]\n") << 3;
    QTest::newRow("ini zero step") << Format::Ini << QByteArray("[web]\nh[a:z:0]\n") << 2;
    QTest::newRow("ini ranges that multiply") << Format::Ini << QByteArray("[web]\nweb-1\nweb[0:99999][0:99999]\n") << 3;
    QTest::newRow("ini var without value") << Format::Ini << QByteArray("[web]\nweb-1 ansible_port\n") << 2;
    QTest::newRow("ini unknown section kind") << Format::Ini << QByteArray("[web]\nweb-1\n[web:hosts]\n") << 3;
    QTest::newRow("ini bad port") << Format::Ini << QByteArray("[web]\nweb-1\nweb-2 ansible_port=http\n") << 3;
    QTest::newRow("yaml bad indentation")
        << Format::Yaml << QByteArray("all:\n  hosts:\n    web-1:\n   web-2:\n") << 4;
    QTest::newRow("yaml unknown key") << Format::Yaml
                                      << QByteArray("all:\n  hosts:\n    web-1:\n  servers:\n    web-2:\n")
                                      << 4;
    QTest::newRow("yaml unclosed flow mapping")
        << Format::Yaml << QByteArray("all:\n  hosts:\n    web-1: {ansible_port: 22\n    web-2:\n") << 4;
}

void TestAnsibleInventory::malformedInputNamesLine()
{
    QFETCH(Format, format);
    QFETCH(QByteArray, data);
    QFETCH(int, line);
    auto store = openStore(QStringLiteral("bad"));
    auto result = AnsibleInventory::import(*store, data, format, GroupsAs::Tags, QString(), QString());
    QVERIFY(!result);
    QVERIFY2(result.error().message.startsWith(QStringLiteral("Line %1:").arg(line)),
             qPrintable(result.error().message));
    QVERIFY(!result.error().hint.isEmpty());
    QVERIFY(check(store->servers()).isEmpty());
    QVERIFY(check(store->keys()).isEmpty());
}

void TestAnsibleInventory::plainGroupsNeedTheProject()
{
    auto store = openStore(QStringLiteral("noproject"));
    auto result = AnsibleInventory::import(*store, "[web]\nweb-1\n", Format::Ini, GroupsAs::Environments,
                                           QStringLiteral("absent"), QStringLiteral("/srv/app"));
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("\"absent\"")), qPrintable(result.error().message));
    QVERIFY(check(store->servers()).isEmpty());
}

void TestAnsibleInventory::hostileInventoriesEndInErrors_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected");

    // Ten groups, each naming the one before ten times through an alias: 10^10 groups to walk.
    QByteArray laughs = "all:\n  children:\n    g0: &a0\n      hosts: {h1: , h2: }\n";
    for (int level = 1; level <= 10; ++level) {
        laughs += "    g" + QByteArray::number(level) + ": &a" + QByteArray::number(level) + "\n      children: {";
        for (int i = 0; i < 10; ++i)
            laughs += "c" + QByteArray::number(level) + '_' + QByteArray::number(i) + ": *a" +
                      QByteArray::number(level - 1) + (i < 9 ? ", " : "}\n");
    }
    QTest::newRow("yaml aliases fanning out") << Format::Yaml << laughs << QStringLiteral("more than 1000000 entries");

    QTest::newRow("ini too many hosts") << Format::Ini << QByteArray("[web]\nh[0:49999]\ng[0:1]\n")
                                        << QStringLiteral("more than 50000 hosts");

    QByteArray chain;
    for (int i = 0; i < 40; ++i)
        chain += "[g" + QByteArray::number(i) + ":children]\ng" + QByteArray::number(i + 1) + '\n';
    chain += "[g40]\nh1\n";
    QTest::newRow("ini children nested deeply") << Format::Ini << chain << QStringLiteral("nested too deeply");

    QByteArray wide = "[big]\nh[0:999]\n";
    for (int i = 0; i < 1001; ++i)
        wide += "[g" + QByteArray::number(i) + ":children]\nbig\n";
    QTest::newRow("ini memberships multiply") << Format::Ini << wide << QStringLiteral("more than 1000000 hosts");

    QByteArray groups;
    for (int i = 0; i <= 10000; ++i)
        groups += "[g" + QByteArray::number(i) + "]\n";
    QTest::newRow("ini too many groups") << Format::Ini << groups << QStringLiteral("more than 10000 groups");

    QTest::newRow("yaml nested flow") << Format::Yaml << QByteArray(100000, '[') << QStringLiteral("YAML");
}

void TestAnsibleInventory::hostileInventoriesEndInErrors()
{
    QFETCH(Format, format);
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    auto store = openStore(QStringLiteral("hostile"));
    auto result = AnsibleInventory::import(*store, data, format, GroupsAs::Tags, QString(), QString());
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(expected), qPrintable(result.error().message));
    QVERIFY(result.error().message.startsWith(QStringLiteral("Line ")));
    QVERIFY(!result.error().hint.isEmpty());
    QVERIFY(check(store->servers()).isEmpty());
}

QTEST_GUILESS_MAIN(TestAnsibleInventory)
#include "tst_ansibleinventory.moc"
