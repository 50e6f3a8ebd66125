// Benchmark of the inventory at fleet size (issue "Foundation", Measures): with 5,000 servers,
// 200 projects and 600 environments, the CLI's `--json server list` and the GUI's start to the
// shown main window, each in real child processes, with their peak memory. The CLI is put next to
// the same query run by the sqlite3 command line tool in the same run.
//
// bench_inventory [--cli-runs N] [--gui-runs N] [--keep]
//   --keep leaves the generated data directory in place and prints its path, for profiling.
// bench_inventory --gui-child DATADIR   (internal: one measured GUI start, run by the parent)

#include "common/datadir.h"
#include "git/gitlibrary.h"
#include "inventory/inventorystore.h"
#include "inventory/keymaterial.h"
#include "inventorypanes/environmentspane.h"
#include "mainwindow/mainwindow.h"
#include "inventorypanes/serverspane.h"
#include "ssh/sshlibrary.h"
#include "mainwindow/startup.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QWindow>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace rd;

namespace {

constexpr int ServerCount = 5000;
constexpr int ProjectCount = 200;
constexpr int EnvironmentsPerProject = 3;
constexpr double GoalSeconds = 0.5;
// The parent's CLOCK_MONOTONIC just before it spawned the GUI child, in nanoseconds.
constexpr const char *SpawnTimeVariable = "RELEASEDESK_BENCH_SPAWN_NS";

qint64 monotonicNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

double maximum(const std::vector<double> &values)
{
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

QByteArray local8(const QString &text)
{
    return text.toLocal8Bit();
}

// ------------------------------------------------------------------ child processes

struct ChildRun
{
    bool ok = false;
    int status = 0;
    double wall = 0;      // seconds from just before spawn to reaped
    long peakRssKb = 0;   // this child's own ru_maxrss, from wait4
    qint64 spawnNs = 0;   // CLOCK_MONOTONIC just before spawn
};

// Runs argv with stdout and stderr to files and extra environment variables, waits for it with
// wait4 so the peak RSS is this child's alone (RUSAGE_CHILDREN would be the maximum over all).
ChildRun runChild(const QStringList &arguments, const QString &stdoutPath, const QString &stderrPath,
                  const QList<QPair<QByteArray, QByteArray>> &extraEnvironment = {}, bool passSpawnTime = false)
{
    ChildRun result;
    std::vector<QByteArray> argBytes;
    for (const QString &argument : arguments)
        argBytes.push_back(local8(argument));
    std::vector<char *> argv;
    for (QByteArray &bytes : argBytes)
        argv.push_back(bytes.data());
    argv.push_back(nullptr);

    std::vector<QByteArray> envBytes;
    for (char **entry = environ; *entry; ++entry) {
        const QByteArray line(*entry);
        const QByteArray name = line.left(line.indexOf('='));
        bool replaced = name == SpawnTimeVariable;
        for (const auto &[key, value] : extraEnvironment)
            replaced = replaced || name == key;
        if (!replaced)
            envBytes.push_back(line);
    }
    for (const auto &[key, value] : extraEnvironment)
        envBytes.push_back(key + '=' + value);
    const size_t spawnSlot = envBytes.size();
    if (passSpawnTime)
        envBytes.push_back(QByteArray(SpawnTimeVariable) + "=0000000000000000000000");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const QByteArray out = local8(stdoutPath);
    const QByteArray err = local8(stderrPath);
    posix_spawn_file_actions_addopen(&actions, 1, out.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);

    result.spawnNs = monotonicNs();
    if (passSpawnTime)
        envBytes[spawnSlot] = QByteArray(SpawnTimeVariable) + '=' + QByteArray::number(result.spawnNs);
    std::vector<char *> envp;
    for (QByteArray &bytes : envBytes)
        envp.push_back(bytes.data());
    envp.push_back(nullptr);

    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        std::fprintf(stderr, "could not start %s: %s\n", argv[0], std::strerror(spawned));
        return result;
    }
    int status = 0;
    rusage usage{};
    pid_t waited = 0;
    do {
        waited = wait4(pid, &status, 0, &usage);
    } while (waited < 0 && errno == EINTR);
    result.wall = double(monotonicNs() - result.spawnNs) / 1e9;
    result.status = status;
    result.peakRssKb = usage.ru_maxrss;
    result.ok = waited == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!result.ok)
        std::fprintf(stderr, "%s failed (wait status %d); its errors are in %s\n", argv[0], status, err.constData());
    return result;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// ------------------------------------------------------------------ the inventory

struct Inventory
{
    int keys = 0;
    int servers = 0;
    int projects = 0;
    int environments = 0;
    int memberships = 0;
    int hooks = 0;
};

std::optional<Error> generateKeyFile(const QString &path)
{
    const ChildRun run = runChild({QStringLiteral("ssh-keygen"), QStringLiteral("-q"), QStringLiteral("-t"),
                                   QStringLiteral("ed25519"), QStringLiteral("-N"), QString(), QStringLiteral("-C"),
                                   QStringLiteral("deploy@releasedesk"), QStringLiteral("-f"), path},
                                  path + QStringLiteral(".out"), path + QStringLiteral(".err"));
    if (!run.ok)
        return Error{QStringLiteral("ssh-keygen could not make %1.").arg(path), {}, {}};
    return std::nullopt;
}

// Fills the store in one transaction, with what a fleet of this size looks like: a few identities,
// servers named by role, site and number with tags, departments, owners and notes; three
// environments per project on the project's own servers.
Result<Inventory> generate(InventoryStore &store, const QString &keyDir)
{
    Inventory made;
    QList<SshKey> keys;
    for (int i = 0; i < 5; ++i) {
        const QString path = keyDir + QStringLiteral("/id_ed25519_%1").arg(i);
        if (auto error = generateKeyFile(path))
            return std::unexpected(*error);
        const std::optional<KeyMaterial> material = KeyMaterial::identifyKeyFile(path);
        if (!material)
            return fail(QStringLiteral("The key file %1 could not be read back.").arg(path));
        SshKey key;
        key.name = i < 2 ? QStringLiteral("agent-%1").arg(i) : QStringLiteral("deploy-%1").arg(i);
        key.username = i % 2 ? QStringLiteral("deploy") : QStringLiteral("release");
        key.kind = i < 2 ? KeyKind::Agent : KeyKind::File;
        key.keyPath = i < 2 ? QString() : path;
        key.publicKey = material->publicKey;
        key.fingerprint = material->fingerprint;
        keys.append(key);
    }

    const QStringList roles{QStringLiteral("web"), QStringLiteral("api"),    QStringLiteral("worker"),
                            QStringLiteral("db"),  QStringLiteral("cache"),  QStringLiteral("queue"),
                            QStringLiteral("edge"), QStringLiteral("batch")};
    const QStringList sites{QStringLiteral("fra1"), QStringLiteral("ams3"), QStringLiteral("lon2"),
                            QStringLiteral("nyc1"), QStringLiteral("sfo2"), QStringLiteral("sgp1")};
    const QStringList departments{QStringLiteral("Payments"), QStringLiteral("Search"),  QStringLiteral("Checkout"),
                                  QStringLiteral("Identity"), QStringLiteral("Platform"), QStringLiteral("Data"),
                                  QStringLiteral("Growth"),   QStringLiteral("Support tools")};
    const QStringList owners{QStringLiteral("Ana Silva"),   QStringLiteral("Wei Zhang"),  QStringLiteral("Jonas Berg"),
                             QStringLiteral("Priya Nair"),  QStringLiteral("Tom Okafor"), QStringLiteral("Mei Lin"),
                             QStringLiteral("Lukas Novak"), QStringLiteral("Sara Cohen"), QStringLiteral("Ivan Petrov")};
    const QStringList systems{QStringLiteral("debian12"), QStringLiteral("ubuntu22"), QStringLiteral("rocky9")};

    auto done = store.transaction([&]() -> Result<> {
        QList<qint64> keyIds;
        for (const SshKey &key : keys) {
            auto id = store.addKey(key);
            if (!id)
                return std::unexpected(id.error());
            keyIds.append(*id);
        }
        made.keys = int(keyIds.size());

        QList<qint64> serverIds;
        for (int i = 0; i < ServerCount; ++i) {
            const QString &role = roles[i % roles.size()];
            const QString &site = sites[(i / 7) % sites.size()];
            Server server;
            server.name = QStringLiteral("%1-%2-%3").arg(role, site).arg(i + 1, 4, 10, QLatin1Char('0'));
            server.host = i % 3 == 0 ? QStringLiteral("10.%1.%2.%3").arg(i / 62500).arg((i / 250) % 250).arg(i % 250 + 1)
                                     : server.name + QStringLiteral(".%1.example.internal").arg(site);
            server.port = i % 10 == 0 ? 2222 : 22;
            server.keyId = keyIds[i % keyIds.size()];
            server.username = i % 4 == 0 ? QStringLiteral("ops") : QString();
            server.department = departments[(i / 25) % departments.size()];
            server.owner = owners[(i / 13) % owners.size()];
            server.tags = {role, site, systems[i % systems.size()]};
            if (i % 5 == 0)
                server.tags.append(QStringLiteral("canary"));
            if (i % 11 == 0)
                server.tags.append(QStringLiteral("pci"));
            if (i % 3 == 1)
                server.notes = QStringLiteral("Rack %1, row %2. Maintenance window Sunday 02:00-04:00 UTC.\n"
                                              "Escalate to the %3 on-call before restarting.")
                                   .arg(i % 40 + 1)
                                   .arg(i % 12 + 1)
                                   .arg(server.department);
            server.enabled = i % 97 != 0;
            auto id = store.addServer(server);
            if (!id)
                return std::unexpected(id.error());
            serverIds.append(*id);
        }
        made.servers = int(serverIds.size());

        const QStringList words{QStringLiteral("shop"),    QStringLiteral("billing"), QStringLiteral("search"),
                                QStringLiteral("auth"),    QStringLiteral("media"),   QStringLiteral("reports"),
                                QStringLiteral("mail"),    QStringLiteral("catalog"), QStringLiteral("gateway"),
                                QStringLiteral("analytics")};
        const QStringList kinds{QStringLiteral("api"), QStringLiteral("web"), QStringLiteral("worker"),
                                QStringLiteral("admin")};
        const QStringList strategies{QStringLiteral("full"), QStringLiteral("rolling"), QStringLiteral("gray"),
                                     QStringLiteral("patch")};
        const int perProject = ServerCount / ProjectCount;
        for (int p = 0; p < ProjectCount; ++p) {
            Project project;
            project.name = QStringLiteral("%1-%2-%3").arg(words[p % words.size()], kinds[(p / 10) % kinds.size()]).arg(p + 1);
            project.gitUrl = QStringLiteral("git@git.example.com:%1/%2.git").arg(words[p % words.size()], project.name);
            project.defaultBranch = p % 4 == 0 ? QStringLiteral("master") : QStringLiteral("main");
            project.keepReleases = 3 + p % 6;
            project.packageExcludes = {QStringLiteral("node_modules"), QStringLiteral("*.log"), QStringLiteral("tests")};
            auto projectId = store.addProject(project);
            if (!projectId)
                return std::unexpected(projectId.error());
            ++made.projects;

            // dev 2, staging 3, prod the remaining servers of the project's slice, in release order.
            const QList<qint64> slice = serverIds.mid(p * perProject, perProject);
            const QStringList names{QStringLiteral("dev"), QStringLiteral("staging"), QStringLiteral("prod")};
            const QList<QList<qint64>> members{slice.mid(0, 2), slice.mid(2, 3), slice.mid(5)};
            static_assert(EnvironmentsPerProject == 3);
            for (int e = 0; e < EnvironmentsPerProject; ++e) {
                Environment environment;
                environment.projectId = *projectId;
                environment.name = names[e];
                environment.deployRoot = QStringLiteral("/srv/%1/%2").arg(project.name, names[e]);
                environment.serverIds = members[e];
                environment.sharedPaths = {QStringLiteral("storage/logs"), QStringLiteral("public/uploads"),
                                           QStringLiteral(".env")};
                environment.parallelism = e == 2 ? 5 : 10;
                environment.strategy = e == 2 ? strategies[p % strategies.size()] : QStringLiteral("full");
                auto environmentId = store.addEnvironment(environment);
                if (!environmentId)
                    return std::unexpected(environmentId.error());
                ++made.environments;
                made.memberships += int(environment.serverIds.size());
            }
        }

        const QList<HookTemplate> hooks{
            {0, QStringLiteral("Install dependencies"), HookStage::AfterDownload,
             QStringLiteral("composer install --no-dev --prefer-dist\nnpm ci && npm run build\n")},
            {0, QStringLiteral("Migrate the database"), HookStage::BeforeRelease,
             QStringLiteral("php artisan migrate --force\n")},
            {0, QStringLiteral("Reload php-fpm"), HookStage::AfterRelease,
             QStringLiteral("sudo systemctl reload php8.2-fpm\n")},
            {0, QStringLiteral("Restart the workers"), HookStage::AfterRelease,
             QStringLiteral("sudo systemctl restart \"$RD_PROJECT\"-worker@*\n")},
            {0, QStringLiteral("Announce in chat"), HookStage::BeforeDownload,
             QStringLiteral("curl -fsS -X POST \"$CHAT_HOOK\" -d \"deploying $RD_VERSION to $RD_ENV\"\n")},
        };
        for (const HookTemplate &hook : hooks) {
            auto id = store.addHookTemplate(hook);
            if (!id)
                return std::unexpected(id.error());
            ++made.hooks;
        }
        return {};
    });
    if (!done)
        return std::unexpected(done.error());
    return made;
}

// ------------------------------------------------------------------ GUI child

// Counts paint events of the watched widgets, so the child knows when what the user sees was drawn.
class PaintWatcher : public QObject
{
public:
    void watch(const QList<QWidget *> &widgets)
    {
        m_pending.clear();
        for (QWidget *widget : widgets) {
            widget->installEventFilter(this);
            m_pending.append(widget);
        }
    }
    bool allPainted() const { return m_pending.isEmpty(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            m_pending.removeAll(watched);
        return false;
    }

private:
    QList<QObject *> m_pending;
};

// The viewports of the item views the pane shows: the lists are what takes time to draw.
QList<QWidget *> visibleViews(QWidget *pane)
{
    QList<QWidget *> viewports;
    for (QAbstractItemView *view : pane->findChildren<QAbstractItemView *>()) {
        if (view->isVisibleTo(pane))
            viewports.append(view->viewport());
    }
    if (viewports.isEmpty())
        viewports.append(pane);
    return viewports;
}

// Processes events until the watched widgets were painted and the paint returned; false on timeout.
bool waitPainted(PaintWatcher &watcher)
{
    QElapsedTimer limit;
    limit.start();
    while (!watcher.allPainted()) {
        if (limit.elapsed() > 60000)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 100);
    }
    return true;
}

long peakRssKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

// One GUI start the way app/releasedesk_main.cpp does it, timed from the parent's spawn to the
// first paint of the main window's lists; then the switches to the Environments and Servers panes.
int guiChild(int argc, char **argv, const QString &dataDir)
{
    const qint64 mainNs = monotonicNs();
    const qint64 spawnNs = qgetenv(SpawnTimeVariable).toLongLong();
    if (spawnNs <= 0) {
        std::fprintf(stderr, "%s is not set; the parent passes it\n", SpawnTimeVariable);
        return 2;
    }
    const SshLibrary ssh;
    const GitLibrary git;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ReleaseDesk"));
    QApplication::setApplicationVersion(QStringLiteral(RELEASEDESK_VERSION));
    QApplication::setOrganizationName(QStringLiteral("ReleaseDesk"));
    const qint64 appNs = monotonicNs();

    // A message box or password dialog from Startup would wait for a click that never comes.
    QTimer::singleShot(60000, [] {
        std::fprintf(stderr, "the GUI child gave up after 60 s (a dialog waiting for input?)\n");
        std::_Exit(3);
    });
    Startup startup(dataDir, QString());
    if (!startup.start())
        return 1;
    const qint64 startedNs = monotonicNs();
    MainWindow *window = startup.window();
    PaintWatcher watcher;
    QStackedWidget *stack = window->findChild<QStackedWidget *>();
    QWidget *firstPane = stack ? stack->currentWidget() : window;
    watcher.watch(visibleViews(firstPane) << window);
    if (!waitPainted(watcher) || !window->windowHandle() || !window->windowHandle()->isExposed()) {
        std::fprintf(stderr, "the main window was not painted within 60 s\n");
        return 1;
    }
    const qint64 shownNs = monotonicNs();
    const long rssAtShown = peakRssKb();

    auto switchTo = [&](MainWindow::Pane pane, QWidget *widget) -> double {
        QElapsedTimer timer;
        timer.start();
        window->showPane(pane);
        watcher.watch(visibleViews(widget));
        if (!waitPainted(watcher))
            return -1;
        return double(timer.nsecsElapsed()) / 1e9;
    };
    const double toEnvironments =
        switchTo(MainWindow::Pane::Environments, window->environmentsPane());
    const double toServers = switchTo(MainWindow::Pane::Servers, window->serversPane());
    if (toEnvironments < 0 || toServers < 0) {
        std::fprintf(stderr, "a pane was not painted within 60 s\n");
        return 1;
    }

    std::printf("first-pane=%s\n", firstPane->metaObject()->className());
    std::printf("status=%s\n", window->statusText().toUtf8().constData());
    std::printf("exec_to_main=%.4f\n", double(mainNs - spawnNs) / 1e9);
    std::printf("app=%.4f\n", double(appNs - mainNs) / 1e9);
    std::printf("startup=%.4f\n", double(startedNs - appNs) / 1e9);
    std::printf("first_paint=%.4f\n", double(shownNs - startedNs) / 1e9);
    std::printf("shown=%.4f\n", double(shownNs - spawnNs) / 1e9);
    std::printf("rss_kb=%ld\n", rssAtShown);
    std::printf("to_environments=%.4f\n", toEnvironments);
    std::printf("to_servers=%.4f\n", toServers);
    std::fflush(stdout);
    return 0;
}

// ------------------------------------------------------------------ the parent's measures

struct Figures
{
    double medianWall = 0;
    double maxWall = 0;
    long peakRssKb = 0;
    bool ok = false;
};

Figures summarize(const std::vector<double> &walls, long peakRssKb, bool ok)
{
    return {median(walls), maximum(walls), peakRssKb, ok && !walls.empty()};
}

QString mb(long kb)
{
    return QString::number(double(kb) / 1024.0, 'f', 1) + QStringLiteral(" MB");
}

// A JSON array of objects with a "name" each; the count of those, or -1 when it does not parse.
int countNamedRows(const QByteArray &json, const QString &nameKey)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isArray())
        return -1;
    int count = 0;
    for (const QJsonValue &row : document.array()) {
        if (!row.toObject().value(nameKey).toString().isEmpty())
            ++count;
    }
    return count;
}

struct CliResult
{
    Figures cli;
    Figures sqlite;
    qint64 jsonBytes = 0;
    int jsonServers = -1;
    qint64 sqliteBytes = 0;
    int sqliteServers = -1;
};

CliResult measureCli(const QString &dataDir, const QString &workDir, int runs)
{
    CliResult result;
    const QString cli = QStringLiteral(RELEASEDESK_CLI);
    const QString out = workDir + QStringLiteral("/cli.json");
    const QString err = workDir + QStringLiteral("/cli.err");
    std::vector<double> walls;
    long peak = 0;
    bool ok = true;
    std::printf("\n== CLI: releasedesk-cli --data-dir DIR --json server list (%d runs, the first one warms up)\n",
                runs);
    for (int i = 0; i < runs; ++i) {
        const ChildRun run = runChild({cli, QStringLiteral("--data-dir"), dataDir, QStringLiteral("--json"),
                                       QStringLiteral("server"), QStringLiteral("list")},
                                      out, err);
        ok = ok && run.ok;
        const qint64 bytes = QFileInfo(out).size();
        std::printf("  run %d: %.3f s, peak RSS %s, %lld bytes%s\n", i + 1, run.wall, qPrintable(mb(run.peakRssKb)),
                    static_cast<long long>(bytes), i == 0 ? " (warm-up)" : "");
        if (i == 0)
            continue;
        walls.push_back(run.wall);
        peak = std::max(peak, run.peakRssKb);
        if (result.jsonBytes && bytes != result.jsonBytes)
            ok = false;
        result.jsonBytes = bytes;
    }
    result.jsonServers = countNamedRows(readAll(out), QStringLiteral("name"));
    result.cli = summarize(walls, peak, ok && result.jsonServers == ServerCount);

    // The same rows from the same file: servers with their key's name and the environments using them.
    const QString query = QStringLiteral(
        "SELECT s.name, s.host, s.port, k.name AS key, s.username, s.department, s.owner, s.tags, s.notes, "
        "s.enabled, (SELECT group_concat(p.name || '/' || e.name, ', ') FROM environment_servers es "
        "JOIN environments e ON e.id = es.environment_id JOIN projects p ON p.id = e.project_id "
        "WHERE es.server_id = s.id) AS used_by "
        "FROM servers s LEFT JOIN keys k ON k.id = s.key_id ORDER BY s.name");
    const QString sqliteOut = workDir + QStringLiteral("/sqlite.json");
    const QString sqliteErr = workDir + QStringLiteral("/sqlite.err");
    walls.clear();
    peak = 0;
    ok = true;
    std::printf("\n== baseline: sqlite3 -json inventory.sqlite '<the same servers with key and environments>'\n");
    for (int i = 0; i < runs; ++i) {
        const ChildRun run = runChild({QStringLiteral("sqlite3"), QStringLiteral("-json"),
                                       DataDir::inventoryPath(dataDir), query},
                                      sqliteOut, sqliteErr);
        ok = ok && run.ok;
        std::printf("  run %d: %.3f s, peak RSS %s%s\n", i + 1, run.wall, qPrintable(mb(run.peakRssKb)),
                    i == 0 ? " (warm-up)" : "");
        if (i == 0)
            continue;
        walls.push_back(run.wall);
        peak = std::max(peak, run.peakRssKb);
    }
    result.sqliteBytes = QFileInfo(sqliteOut).size();
    result.sqliteServers = countNamedRows(readAll(sqliteOut), QStringLiteral("name"));
    result.sqlite = summarize(walls, peak, ok && result.sqliteServers == ServerCount);
    return result;
}

struct Step
{
    QString what;
    double seconds = 0;
};

// Where `server list` spends its time, step by step in this process with the store calls the
// command makes (servers(), keys(), usersOfServers(), one JSON object per server, the indented document).
std::vector<Step> cliSteps(const QString &dataDir)
{
    std::vector<Step> steps;
    QElapsedTimer timer;
    auto lap = [&](const QString &what) {
        steps.push_back({what, double(timer.nsecsElapsed()) / 1e9});
        timer.restart();
    };
    timer.start();
    auto opened = InventoryStore::open(DataDir::inventoryPath(dataDir));
    if (!opened)
        return steps;
    InventoryStore &store = **opened;
    lap(QStringLiteral("open the store"));
    auto servers = store.servers();
    if (!servers)
        return steps;
    lap(QStringLiteral("servers(): one query"));
    QHash<qint64, QString> keyNames;
    if (auto keys = store.keys()) {
        for (const SshKey &key : *keys)
            keyNames.insert(key.id, key.name);
    }
    lap(QStringLiteral("keys(): one query, %1 names").arg(keyNames.size()));
    const QHash<qint64, QStringList> users = store.usersOfServers();
    lap(QStringLiteral("usersOfServers(): one query, %1 servers in environments").arg(users.size()));
    QJsonArray rows;
    for (const Server &server : *servers) {
        rows.append(QJsonObject{{QStringLiteral("name"), server.name},
                                {QStringLiteral("host"), server.host},
                                {QStringLiteral("port"), server.port},
                                {QStringLiteral("key"), keyNames.value(server.keyId)},
                                {QStringLiteral("username"), server.username},
                                {QStringLiteral("department"), server.department},
                                {QStringLiteral("owner"), server.owner},
                                {QStringLiteral("tags"), QJsonArray::fromStringList(server.tags)},
                                {QStringLiteral("notes"), server.notes},
                                {QStringLiteral("enabled"), server.enabled},
                                {QStringLiteral("usedBy"), QJsonArray::fromStringList(users.value(server.id))}});
    }
    lap(QStringLiteral("JSON objects"));
    const QString text = QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Indented));
    lap(QStringLiteral("indented JSON text (%1 characters)").arg(text.size()));
    return steps;
}

struct GuiResult
{
    QString platform;
    bool measured = false;
    QString skipped;
    Figures shown;
    long rssAtShownKb = 0;
    double toEnvironments = 0;
    double toServers = 0;
    std::vector<std::pair<QString, double>> phases; // medians of the child's own phase times
    QString firstPane;
    QString status;
};

GuiResult measureGui(const QString &self, const QString &dataDir, const QString &workDir, int runs,
                     const QString &platform, const QList<QPair<QByteArray, QByteArray>> &environment)
{
    GuiResult result;
    result.platform = platform;
    result.measured = true;
    const QString out = workDir + QStringLiteral("/gui-%1.out").arg(platform);
    const QString err = workDir + QStringLiteral("/gui-%1.err").arg(platform);
    std::printf("\n== GUI start to the shown, painted main window on %s (%d runs, one warm-up first)\n",
                qPrintable(platform), runs);
    const QStringList phaseNames{QStringLiteral("exec_to_main"), QStringLiteral("app"), QStringLiteral("startup"),
                                 QStringLiteral("first_paint")};
    std::vector<std::vector<double>> phases(phaseNames.size());
    std::vector<double> shown;
    std::vector<double> toEnvironments;
    std::vector<double> toServers;
    long peakWait4 = 0;
    long peakAtShown = 0;
    bool ok = true;
    for (int i = 0; i <= runs; ++i) {
        const ChildRun run = runChild({self, QStringLiteral("--gui-child"), dataDir}, out, err, environment, true);
        QHash<QString, QString> values;
        for (const QByteArray &line : readAll(out).split('\n')) {
            const qsizetype equals = line.indexOf('=');
            if (equals > 0)
                values.insert(QString::fromUtf8(line.left(equals)), QString::fromUtf8(line.mid(equals + 1)));
        }
        if (!run.ok || !values.contains(QStringLiteral("shown"))) {
            ok = false;
            std::printf("  run %d failed: %s\n", i, readAll(err).trimmed().constData());
            continue;
        }
        const double start = values.value(QStringLiteral("shown")).toDouble();
        const long rss = values.value(QStringLiteral("rss_kb")).toLong();
        std::printf("  run %d: shown after %.3f s (exec->main %.3f, QApplication %.3f, Startup::start %.3f, "
                    "first paint %.3f), peak RSS %s then, %s at exit; Environments pane %.3f s, Servers pane %.3f s%s\n",
                    i, start, values.value(QStringLiteral("exec_to_main")).toDouble(),
                    values.value(QStringLiteral("app")).toDouble(), values.value(QStringLiteral("startup")).toDouble(),
                    values.value(QStringLiteral("first_paint")).toDouble(), qPrintable(mb(rss)),
                    qPrintable(mb(run.peakRssKb)), values.value(QStringLiteral("to_environments")).toDouble(),
                    values.value(QStringLiteral("to_servers")).toDouble(), i == 0 ? " (warm-up)" : "");
        result.firstPane = values.value(QStringLiteral("first-pane"));
        result.status = values.value(QStringLiteral("status"));
        if (i == 0)
            continue;
        shown.push_back(start);
        toEnvironments.push_back(values.value(QStringLiteral("to_environments")).toDouble());
        toServers.push_back(values.value(QStringLiteral("to_servers")).toDouble());
        for (qsizetype p = 0; p < phaseNames.size(); ++p)
            phases[p].push_back(values.value(phaseNames[p]).toDouble());
        peakWait4 = std::max(peakWait4, run.peakRssKb);
        peakAtShown = std::max(peakAtShown, rss);
    }
    result.shown = summarize(shown, peakWait4, ok);
    result.rssAtShownKb = peakAtShown;
    result.toEnvironments = median(toEnvironments);
    result.toServers = median(toServers);
    for (qsizetype p = 0; p < phaseNames.size(); ++p)
        result.phases.emplace_back(phaseNames[p], median(phases[p]));
    return result;
}

// A private X server for the xcb runs, started once so its own start is not counted; -noreset so
// that every child meets the same initialised server rather than one that reset after the last.
struct XServer
{
    pid_t pid = 0;
    QByteArray display;

    ~XServer()
    {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    }

    bool start(const QString &program)
    {
        int fds[2];
        if (pipe(fds) != 0)
            return false;
        const QByteArray path = local8(program);
        const QByteArray fd = QByteArray::number(fds[1]);
        std::vector<QByteArray> args{path, "-displayfd", fd, "-screen", "0", "1920x1080x24", "-nolisten", "tcp",
                                     "-noreset"};
        std::vector<char *> argv;
        for (QByteArray &arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        if (spawned != 0) {
            pid = 0;
            close(fds[0]);
            return false;
        }
        // Xvfb writes the display number once it accepts connections, then the newline in a second
        // write: closing the pipe before that newline arrived makes Xvfb fail.
        QByteArray number;
        while (!number.contains('\n')) {
            char buffer[32];
            const ssize_t got = read(fds[0], buffer, sizeof buffer);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break;
            number.append(buffer, got);
        }
        close(fds[0]);
        if (!number.contains('\n'))
            return false;
        display = ':' + number.trimmed();
        return true;
    }
};

QString verdict(bool ok, double seconds)
{
    if (!ok)
        return QStringLiteral("FAILED");
    return seconds < GoalSeconds ? QStringLiteral("met") : QStringLiteral("NOT met");
}

} // namespace

int main(int argc, char **argv)
{
    if (argc == 3 && qstrcmp(argv[1], "--gui-child") == 0) {
        int childArgc = 1;
        return guiChild(childArgc, argv, QString::fromLocal8Bit(argv[2]));
    }

    // Lines in order with the children's errors when both go to one pipe.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QCoreApplication app(argc, argv);
    int cliRuns = 7;
    int guiRuns = 5;
    bool keep = false;
    const QStringList arguments = QCoreApplication::arguments();
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        if (arguments[i] == u"--cli-runs" && i + 1 < arguments.size())
            cliRuns = std::max(2, arguments[++i].toInt());
        else if (arguments[i] == u"--gui-runs" && i + 1 < arguments.size())
            guiRuns = std::max(1, arguments[++i].toInt());
        else if (arguments[i] == u"--keep")
            keep = true;
        else {
            std::fprintf(stderr, "usage: bench_inventory [--cli-runs N] [--gui-runs N] [--keep]\n");
            return 2;
        }
    }

    QTemporaryDir work;
    if (!work.isValid()) {
        std::fprintf(stderr, "no temporary directory: %s\n", qPrintable(work.errorString()));
        return 1;
    }
    work.setAutoRemove(!keep);
    const QString dataDir = work.filePath(QStringLiteral("data"));
    const QString keyDir = work.filePath(QStringLiteral("keys"));
    QDir().mkpath(dataDir);
    QDir().mkpath(keyDir);

    // The machine may be shared: its load says how much the figures of this run can be trusted.
    std::printf("== load average before: %s\n", readAll(QStringLiteral("/proc/loadavg")).trimmed().constData());
    std::printf("== inventory: %d servers, %d projects, %d environments, generated with InventoryStore\n",
                ServerCount, ProjectCount, ProjectCount * EnvironmentsPerProject);
    Inventory made;
    {
        QElapsedTimer timer;
        timer.start();
        auto store = InventoryStore::open(DataDir::inventoryPath(dataDir));
        if (!store) {
            std::fprintf(stderr, "%s\n", qPrintable(store.error().text()));
            return 1;
        }
        auto generated = generate(**store, keyDir);
        if (!generated) {
            std::fprintf(stderr, "generating failed: %s\n", qPrintable(generated.error().text()));
            return 1;
        }
        made = *generated;
        std::printf("  %d keys, %d servers, %d projects, %d environments (%d server places), %d hook templates "
                    "in %.2f s (one transaction)\n",
                    made.keys, made.servers, made.projects, made.environments, made.memberships, made.hooks,
                    double(timer.nsecsElapsed()) / 1e9);
    }
    // Closing the store checkpointed the WAL into the file.
    std::printf("  database file %s\n", qPrintable(mb(long(QFileInfo(DataDir::inventoryPath(dataDir)).size() / 1024))));
    if (keep)
        std::printf("  data directory kept: %s\n", qPrintable(dataDir));

    const CliResult cli = measureCli(dataDir, work.path(), cliRuns);
    const std::vector<Step> steps = cliSteps(dataDir);

    const QString self = QCoreApplication::applicationFilePath();
    std::vector<GuiResult> guis;
    guis.push_back(measureGui(self, dataDir, work.path(), guiRuns, QStringLiteral("offscreen"),
                              {{"QT_QPA_PLATFORM", "offscreen"}}));
    XServer x;
    const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
    if (xvfb.isEmpty()) {
        GuiResult skipped;
        skipped.platform = QStringLiteral("xcb (Xvfb)");
        skipped.skipped = QStringLiteral("Xvfb is not installed");
        guis.push_back(skipped);
    } else if (!x.start(xvfb)) {
        GuiResult skipped;
        skipped.platform = QStringLiteral("xcb (Xvfb)");
        skipped.skipped = QStringLiteral("Xvfb did not start");
        guis.push_back(skipped);
    } else {
        guis.push_back(measureGui(self, dataDir, work.path(), guiRuns, QStringLiteral("xcb"),
                                  {{"QT_QPA_PLATFORM", "xcb"}, {"DISPLAY", x.display}}));
    }

    const double ratio = cli.sqlite.medianWall > 0 ? cli.cli.medianWall / cli.sqlite.medianWall : 0;
    std::printf("\n==== summary (medians of the measured runs; the warm-up run is not counted)\n");
    std::printf("load average after: %s\n", readAll(QStringLiteral("/proc/loadavg")).trimmed().constData());
    std::printf("inventory: %d servers, %d projects, %d environments, %d keys, %d hook templates\n", made.servers,
                made.projects, made.environments, made.keys, made.hooks);
    std::printf("cli --json server list: median %.3f s (max %.3f s), peak RSS %s; %lld bytes of JSON, %s\n",
                cli.cli.medianWall, cli.cli.maxWall, qPrintable(mb(cli.cli.peakRssKb)),
                static_cast<long long>(cli.jsonBytes),
                cli.jsonServers == ServerCount ? "parsed, 5000 servers"
                                               : qPrintable(QStringLiteral("NOT the 5000 servers (%1)").arg(cli.jsonServers)));
    std::printf("sqlite3 -json baseline: median %.3f s (max %.3f s), peak RSS %s, %lld bytes, %d rows; "
                "cli/sqlite3 ratio %.1f\n",
                cli.sqlite.medianWall, cli.sqlite.maxWall, qPrintable(mb(cli.sqlite.peakRssKb)),
                static_cast<long long>(cli.sqliteBytes), cli.sqliteServers, ratio);
    std::printf("  where the CLI's time goes (the same store calls in this process, seconds):\n");
    for (const Step &step : steps)
        std::printf("    %6.3f  %s\n", step.seconds, qPrintable(step.what));
    bool allMet = cli.cli.ok && cli.cli.medianWall < GoalSeconds;
    for (const GuiResult &gui : guis) {
        if (!gui.measured) {
            std::printf("gui start on %s: not measured, %s\n", qPrintable(gui.platform), qPrintable(gui.skipped));
            continue;
        }
        QStringList phases;
        for (const auto &[name, seconds] : gui.phases)
            phases.append(QStringLiteral("%1 %2").arg(name).arg(seconds, 0, 'f', 3));
        std::printf("gui start to shown window (%s): median %.3f s (max %.3f s), peak RSS %s when shown, %s at "
                    "exit; phases: %s\n",
                    qPrintable(gui.platform), gui.shown.medianWall, gui.shown.maxWall,
                    qPrintable(mb(gui.rssAtShownKb)), qPrintable(mb(gui.shown.peakRssKb)),
                    qPrintable(phases.join(QStringLiteral(", "))));
        std::printf("  first pane %s; switch to Environments %.3f s, back to Servers %.3f s; status: %s\n",
                    qPrintable(gui.firstPane), gui.toEnvironments, gui.toServers, qPrintable(gui.status));
        allMet = allMet && gui.shown.ok && gui.shown.medianWall < GoalSeconds;
    }
    std::printf("goal < %.1f s: cli %s", GoalSeconds, qPrintable(verdict(cli.cli.ok, cli.cli.medianWall)));
    for (const GuiResult &gui : guis) {
        if (gui.measured)
            std::printf(", gui %s %s", qPrintable(gui.platform), qPrintable(verdict(gui.shown.ok, gui.shown.medianWall)));
    }
    std::printf(" -> %s\n", allMet ? "met" : "NOT met");
    const bool complete = cli.cli.ok && cli.sqlite.ok
                          && std::all_of(guis.begin(), guis.end(), [](const GuiResult &g) { return !g.measured || g.shown.ok; });
    return complete ? 0 : 1;
}
