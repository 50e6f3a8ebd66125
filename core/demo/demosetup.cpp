#include "demosetup.h"

#include "git/gitmirror.h"
#include "inventory/inventorystore.h"
#include "inventory/keymaterial.h"
#include "hostkeys/knownhosts.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QThread>

namespace rd {

namespace {

constexpr int ProcessTimeoutMs = 120000;

struct Commit
{
    QString message;
    QList<std::pair<QString, QByteArray>> files;
    QString tag; // annotated when not empty
};

// The sample shop: a few commits with tags, so the release form has branches, tags and changes to show.
QList<Commit> sampleHistory()
{
    return {
        {QStringLiteral("A first shop page"),
         {{QStringLiteral("index.html"), "<h1>Demo shop</h1>\n<p>Version 1.0</p>\n"},
          {QStringLiteral("bin/serve"), "#!/bin/sh\n# Started by the after-release hook.\necho \"serving $PWD\"\n"},
          {QStringLiteral("config/app.ini"), "[shop]\ncurrency = EUR\n"}},
         QStringLiteral("v1.0")},
        {QStringLiteral("Product pages"),
         {{QStringLiteral("products/tea.html"), "<h2>Green tea</h2>\n<p>4.20</p>\n"},
          {QStringLiteral("products/coffee.html"), "<h2>Coffee</h2>\n<p>3.80</p>\n"}},
         {}},
        {QStringLiteral("Round prices to cents in the basket"),
         {{QStringLiteral("basket.js"), "export const total = items => Math.round(items.reduce((s, i) => s + i.price, 0) * 100) / 100;\n"}},
         QStringLiteral("v1.1")},
        {QStringLiteral("Front page shows version 1.2"),
         {{QStringLiteral("index.html"), "<h1>Demo shop</h1>\n<p>Version 1.2</p>\n"}},
         {}},
    };
}

Result<QByteArray> run(const QString &program, const QStringList &arguments, const QString &directory = {})
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    if (!directory.isEmpty())
        process.setWorkingDirectory(directory);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("Demo Developer"));
    environment.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("dev@demo.invalid"));
    environment.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("Demo Developer"));
    environment.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("dev@demo.invalid"));
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    if (!process.waitForFinished(ProcessTimeoutMs) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        const QByteArray output = process.readAll().trimmed();
        return fail(DemoSetup::tr("%1 %2 failed: %3")
                        .arg(program, arguments.value(0),
                             output.isEmpty() ? process.errorString() : QString::fromUtf8(output.right(2000))));
    }
    return process.readAll();
}

Result<> makeRepository(const QString &path)
{
    if (QDir(path).exists(QStringLiteral(".git")))
        return {};
    if (!QDir().mkpath(path))
        return fail(DemoSetup::tr("Could not create %1.").arg(path));
    if (auto init = run(QStringLiteral("git"), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"),
                                                QStringLiteral("main"), path});
        !init)
        return std::unexpected(init.error());
    for (const Commit &commit : sampleHistory()) {
        for (const auto &[name, content] : commit.files) {
            const QString file = QDir(path).filePath(name);
            QDir().mkpath(QFileInfo(file).absolutePath());
            QFile out(file);
            if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(content) != content.size())
                return fail(DemoSetup::tr("Could not write %1: %2").arg(file, out.errorString()));
            out.close();
            if (name.startsWith(QStringLiteral("bin/")))
                out.setPermissions(out.permissions() | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther);
        }
        for (const QStringList &arguments :
             {QStringList{QStringLiteral("add"), QStringLiteral("-A")},
              QStringList{QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), commit.message}})
            if (auto done = run(QStringLiteral("git"), arguments, path); !done)
                return std::unexpected(done.error());
        if (!commit.tag.isEmpty())
            if (auto tagged = run(QStringLiteral("git"),
                                  {QStringLiteral("tag"), QStringLiteral("-a"), commit.tag, QStringLiteral("-m"),
                                   DemoSetup::tr("Release %1").arg(commit.tag)},
                                  path);
                !tagged)
                return std::unexpected(tagged.error());
    }
    // A branch under way, so the branch picker has more than one.
    if (auto branched = run(QStringLiteral("git"), {QStringLiteral("branch"), QStringLiteral("feature/checkout"),
                                                    QStringLiteral("v1.1")},
                            path);
        !branched)
        return std::unexpected(branched.error());
    return {};
}

} // namespace

// One demo server as the script lists it.
struct DemoSetup::Hosts
{
    struct Host
    {
        QString address;
        int port = 0;
        QString deployRoot;
        QString user;
    };
    QList<Host> hosts;
    QString clientKey;
    QString knownHosts;
    std::optional<Error> error;
};

DemoSetup::DemoSetup(Workspace &workspace, QString testHostsScript, QObject *parent)
    : QObject(parent), m_workspace(workspace), m_dataDir(workspace.dataDir()), m_script(std::move(testHostsScript))
{
}

DemoSetup::~DemoSetup()
{
    if (m_worker)
        m_worker->wait();
    stop();
}

QString DemoSetup::findTestHostsScript()
{
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("releasedesk-testhosts"));
    if (QFileInfo::exists(beside))
        return beside;
    return QStringLiteral(RELEASEDESK_SOURCE_TESTHOSTS);
}

QString DemoSetup::repositoryPath() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("demo/repository"));
}

QString DemoSetup::serversDirectory() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("demo/servers"));
}

void DemoSetup::start()
{
    auto hosts = std::make_shared<Hosts>();
    const QString repository = repositoryPath();
    const QString serversDir = serversDirectory();
    const QString rootsDir = QDir(m_dataDir).filePath(QStringLiteral("demo/roots"));
    const QString script = m_script;
    const QString mirror = m_workspace.mirrorPath(projectName());
    emit progress(tr("Preparing the demo: a sample repository and %n sshd server(s) on this machine…", nullptr,
                     ServerCount));
    m_worker.reset(QThread::create([=] {
        if (auto made = makeRepository(repository); !made) {
            hosts->error = made.error();
            return;
        }
        if (!QFileInfo::exists(script)) {
            hosts->error = Error{tr("The test-server script %1 is missing.").arg(script),
                                 tr("Run the demo from the build directory, where the build puts it."), {}};
            return;
        }
        auto started = run(QStringLiteral("bash"), {script, QStringLiteral("start"), QStringLiteral("--dir"), serversDir,
                                                    QStringLiteral("--count"), QString::number(ServerCount),
                                                    QStringLiteral("--root"), rootsDir});
        if (!started) {
            hosts->error = Error{started.error().message,
                                 tr("The demo servers need root and OpenSSH's sshd (run the README's install line)."),
                                 {}};
            return;
        }
        QFile tsv(QDir(serversDir).filePath(QStringLiteral("hosts.tsv")));
        if (!tsv.open(QIODevice::ReadOnly | QIODevice::Text)) {
            hosts->error = Error{tr("The demo servers did not list themselves in %1.").arg(tsv.fileName()), {}, {}};
            return;
        }
        while (!tsv.atEnd()) {
            const QStringList f = QString::fromUtf8(tsv.readLine()).trimmed().split(u'\t');
            if (f.size() >= 7 && !f[0].startsWith(u'#'))
                hosts->hosts.append({f[2], f[3].toInt(), f[5], f[6]});
        }
        hosts->clientKey = QDir(serversDir).filePath(QStringLiteral("client/id_ed25519"));
        hosts->knownHosts = QDir(serversDir).filePath(QStringLiteral("known_hosts"));
        auto fetched = GitMirror(mirror).fetch(repository);
        if (!fetched)
            hosts->error = fetched.error();
    }));
    connect(m_worker.get(), &QThread::finished, this, [this, hosts] {
        m_worker.reset();
        m_serversStarted = !hosts->hosts.isEmpty();
        if (hosts->error) {
            emit finished(false, hosts->error->text());
            return;
        }
        if (hosts->hosts.size() < ServerCount) {
            emit finished(false, tr("Only %1 of %2 demo servers started.")
                                     .arg(QString::number(hosts->hosts.size()), QString::number(ServerCount)));
            return;
        }
        auto filled = fillInventory(*hosts);
        emit finished(bool(filled), filled ? QString() : filled.error().text());
    });
    m_worker->start();
}

Result<> DemoSetup::fillInventory(const Hosts &hosts)
{
    InventoryStore &store = m_workspace.store();
    // Ports may differ from an earlier demo run: the old entries would read as changed keys.
    KnownHosts &knownHosts = m_workspace.knownHosts();
    for (const Hosts::Host &host : hosts.hosts)
        if (auto forgotten = knownHosts.forget(host.address, host.port); !forgotten)
            return std::unexpected(forgotten.error());
    if (auto imported = knownHosts.import(hosts.knownHosts); !imported)
        return std::unexpected(imported.error());

    auto keys = store.keys();
    if (!keys)
        return std::unexpected(keys.error());
    const QString keyName = QStringLiteral("demo-key");
    qint64 keyId = 0;
    for (const SshKey &key : std::as_const(*keys))
        if (key.name == keyName)
            keyId = key.id;
    if (keyId == 0) {
        SshKey key;
        key.name = keyName;
        key.username = hosts.hosts.first().user;
        key.kind = KeyKind::File;
        key.keyPath = hosts.clientKey;
        if (const auto material = KeyMaterial::identifyKeyFile(key.keyPath)) {
            key.publicKey = material->publicKey;
            key.fingerprint = material->fingerprint;
        }
        auto added = store.addKey(key);
        if (!added)
            return std::unexpected(added.error());
        keyId = *added;
    }

    auto servers = store.servers();
    if (!servers)
        return std::unexpected(servers.error());
    QList<qint64> serverIds;
    for (int i = 0; i < hosts.hosts.size(); ++i) {
        const QString name = QStringLiteral("demo-web-%1").arg(i + 1);
        const auto existing = std::find_if(servers->cbegin(), servers->cend(), [&](const Server &s) { return s.name == name; });
        Server server = existing == servers->cend() ? Server{} : *existing;
        server.name = name;
        server.host = hosts.hosts[i].address;
        server.port = hosts.hosts[i].port;
        server.keyId = keyId;
        server.username = hosts.hosts[i].user;
        server.department = tr("Demo");
        server.tags = {QStringLiteral("demo")};
        if (server.id == 0) {
            auto added = store.addServer(server);
            if (!added)
                return std::unexpected(added.error());
            server.id = *added;
        } else if (auto updated = store.updateServer(server); !updated) {
            return std::unexpected(updated.error());
        }
        serverIds.append(server.id);
    }

    auto projects = store.projects();
    if (!projects)
        return std::unexpected(projects.error());
    const auto existingProject = std::find_if(projects->cbegin(), projects->cend(),
                                              [](const Project &p) { return p.name == projectName(); });
    if (existingProject != projects->cend())
        return {}; // the environments and templates of an earlier run stay as the operator left them
    Project project;
    project.name = projectName();
    project.gitUrl = repositoryPath();
    project.keepReleases = 5;
    auto projectId = store.addProject(project);
    if (!projectId)
        return std::unexpected(projectId.error());
    const QString root = hosts.hosts.first().deployRoot;
    for (const auto &[name, strategy] : {std::pair{QStringLiteral("staging"), QStringLiteral("full")},
                                         std::pair{QStringLiteral("prod"), QStringLiteral("gray")}}) {
        Environment environment;
        environment.projectId = *projectId;
        environment.name = name;
        environment.deployRoot = root + u'/' + name;
        environment.serverIds = serverIds;
        environment.sharedPaths = {QStringLiteral("uploads")};
        environment.strategy = strategy;
        if (auto added = store.addEnvironment(environment); !added)
            return std::unexpected(added.error());
    }
    const QList<HookTemplate> templates{
        {0, tr("Check the release"), HookStage::BeforeRelease,
         QStringLiteral("test -f index.html\necho \"checked $RD_VERSION on $RD_SERVER\"\n")},
        {0, tr("Restart the shop"), HookStage::AfterRelease,
         QStringLiteral("./bin/serve\necho \"restarted $RD_PROJECT $RD_VERSION on $RD_SERVER\"\n")},
    };
    for (const HookTemplate &hook : templates)
        if (auto added = store.addHookTemplate(hook); !added)
            return std::unexpected(added.error());
    return {};
}

void DemoSetup::stop()
{
    if (!m_serversStarted)
        return;
    m_serversStarted = false;
    run(QStringLiteral("bash"), {m_script, QStringLiteral("stop"), QStringLiteral("--dir"), serversDirectory()});
}

} // namespace rd
