#include "common/datadir.h"
#include "fleet/fleettablemodel.h"
#include "fleet/fleetview.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "release/releaseengine.h"
#include "release/taskjournal.h"
#include "release/versionid.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "testhosts.h"
#include "tinypackage.h"
#include "inventory/storedkeybuilder.h"
#include "vault/vault.h"

#include <QAction>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace rd;
using namespace rd::test;

namespace {

QString serverName(int i) { return QStringLiteral("web-%1").arg(i + 1, 2, 10, QLatin1Char('0')); }

} // namespace

// The fleet view against three private sshd hosts, with releases made by the real engine.
class TestFleetView : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void showsEachServersReleaseAsItAnswers();
    void serverMovedByHandIsDrift();
    void lockedVaultServerIsNotReadableWithTheReason();
    void killedHostIsUnreachableWhileTheOthersAreRead();

private:
    ReleasePlan plan(int number) const;
    bool release(const ReleasePlan &plan);
    bool makeInventory();
    // Reads what the view shows now, after refresh() or setEnvironment().
    bool waitForReading(FleetView &view);
    QString onServer(int host, const QString &relative) const
    {
        return m_hosts.hosts[host].backingDir + QStringLiteral("/fleet/") + relative;
    }
    static QString cell(FleetView &view, int row, int column)
    {
        return view.model()->index(row, column).data().toString();
    }

    SshLibrary m_library;
    QTemporaryDir m_dir;
    QString m_hostsDir;
    TestHostSet m_hosts;
    QString m_dataDir;
    QString m_root;
    QString m_package;
    QString m_sha256;
    ReleasePlan m_first;
    ReleasePlan m_second;
    std::unique_ptr<Workspace> m_workspace;
    InventoryStore *m_store = nullptr;
    Vault *m_vault = nullptr;
};

void TestFleetView::initTestCase()
{
    QVERIFY(m_library.ok());
    QVERIFY(m_dir.isValid());
    m_hostsDir = m_dir.filePath(QStringLiteral("hosts"));
    m_hosts = startPrivateHosts(m_hostsDir, 3, {QStringLiteral("--root"), m_dir.filePath(QStringLiteral("root"))});
    QCOMPARE(m_hosts.hosts.size(), 3);
    m_root = m_hosts.hosts[0].deployRoot + QStringLiteral("/fleet");

    const auto package = makeTinyPackage(m_dir.path());
    QVERIFY(package);
    m_package = package->path;
    m_sha256 = package->sha256;

    m_dataDir = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkpath(m_dataDir));
    KnownHosts knownHosts(QDir(m_dataDir).filePath(QStringLiteral("known_hosts")));
    QVERIFY(knownHosts.import(m_hosts.knownHosts()));
    m_first = plan(1);
    m_second = plan(2);
    QVERIFY(release(m_first));
    QVERIFY(release(m_second));
    QVERIFY(makeInventory());

    // The environment's release, as the history knows it: the second one succeeded last.
    ReleasePlan journalled = m_second;
    journalled.taskId.clear();
    auto journal = TaskJournal::create(TaskJournal::tasksDirectory(m_dataDir), journalled);
    QVERIFY(journal);
    QVERIFY(journal->recordStatus(TaskStatus::Running));
    QVERIFY(journal->recordStatus(TaskStatus::Succeeded));
}

void TestFleetView::cleanupTestCase()
{
    m_workspace.reset();
    stopPrivateHosts(m_hostsDir);
}

ReleasePlan TestFleetView::plan(int number) const
{
    ReleasePlan plan;
    plan.taskId = QStringLiteral("fleetview-%1").arg(number);
    plan.project = QStringLiteral("shop");
    plan.environment = QStringLiteral("prod");
    plan.deployRoot = m_root;
    const QDateTime when(QDate(2026, 11, 23), QTime(10, 0).addSecs(number * 60), Qt::UTC);
    plan.version = VersionId::make(QStringLiteral("shop"), number, when).toString();
    plan.commit = QStringLiteral("%1").arg(number, 40, 10, QLatin1Char('c'));
    plan.ref = QStringLiteral("v%1").arg(number);
    plan.operatorName = QStringLiteral("ops%1").arg(number);
    plan.packagePath = m_package;
    plan.packageSha256 = m_sha256;
    plan.servers = {serverName(0), serverName(1), serverName(2)};
    return plan;
}

bool TestFleetView::release(const ReleasePlan &plan)
{
    KnownHosts knownHosts(QDir(m_dataDir).filePath(QStringLiteral("known_hosts")));
    ReleaseEngine engine(plan, knownHosts, HostKeyPrompt(), 10, m_dir.filePath(QStringLiteral("logs/") + plan.taskId));
    for (int i = 0; i < 3; ++i) {
        SshTarget target = keyFileTarget(m_hosts, m_hosts.hosts[i]);
        target.name = serverName(i);
        engine.addServer(std::move(target));
    }
    QSignalSpy finished(&engine, &ReleaseEngine::finished);
    engine.start();
    return finished.wait(120000) && finished.first().first().toBool();
}

// prod: web-01..03 with a key file. vaulted: one more name for the first host, whose key is stored
// in the vault.
bool TestFleetView::makeInventory()
{
    auto workspace = Workspace::open(m_dataDir);
    if (!workspace)
        return false;
    m_workspace = std::move(*workspace);
    m_store = &m_workspace->store();
    m_vault = &m_workspace->vault();
    if (!m_vault->initialize("correct horse battery"))
        return false;

    SshKey file;
    file.name = QStringLiteral("deploy");
    file.username = m_hosts.hosts[0].user;
    file.kind = KeyKind::File;
    file.keyPath = m_hosts.clientKey();
    auto fileKey = m_store->addKey(file);
    auto stored = StoredKeyBuilder::build(*m_vault, QStringLiteral("vaulted"), m_hosts.hosts[0].user,
                                          readAll(m_hosts.clientKey()), {});
    if (!fileKey || !stored)
        return false;
    auto storedKey = m_store->addKey(*stored);
    if (!storedKey)
        return false;
    m_vault->lock();

    QList<qint64> prod;
    for (int i = 0; i < 3; ++i) {
        Server server;
        server.name = serverName(i);
        server.host = m_hosts.hosts[i].address;
        server.port = m_hosts.hosts[i].port;
        server.username = m_hosts.hosts[i].user;
        server.keyId = *fileKey;
        auto id = m_store->addServer(server);
        if (!id)
            return false;
        prod.append(*id);
    }
    Server vaulted;
    vaulted.name = QStringLiteral("vault-01");
    vaulted.host = m_hosts.hosts[0].address;
    vaulted.port = m_hosts.hosts[0].port;
    vaulted.username = m_hosts.hosts[0].user;
    vaulted.keyId = *storedKey;
    auto vaultedId = m_store->addServer(vaulted);
    if (!vaultedId)
        return false;

    Project shop;
    shop.name = QStringLiteral("shop");
    shop.gitUrl = QStringLiteral("https://git.example.net/team/shop.git");
    auto projectId = m_store->addProject(shop);
    if (!projectId)
        return false;
    for (const auto &[name, servers] : {std::pair{QStringLiteral("prod"), prod},
                                        std::pair{QStringLiteral("vaulted"), QList<qint64>{*vaultedId}}}) {
        Environment environment;
        environment.projectId = *projectId;
        environment.name = name;
        environment.deployRoot = m_root;
        environment.serverIds = servers;
        if (!m_store->addEnvironment(environment))
            return false;
    }
    return true;
}

bool TestFleetView::waitForReading(FleetView &view)
{
    if (!view.isReading())
        return false;
    QSignalSpy finished(&view, &FleetView::readFinished);
    return finished.wait(60000) && !view.isReading();
}

void TestFleetView::showsEachServersReleaseAsItAnswers()
{
    FleetView view(*m_workspace);
    QVERIFY(!view.isReading()); // nothing is read before it is asked for or shown
    // Each answer fills its row while the reading is still under way, not all at the end.
    int updatesWhileReading = 0;
    connect(view.model(), &QAbstractItemModel::dataChanged, this, [&] {
        updatesWhileReading += view.isReading() ? 1 : 0;
    });
    QVERIFY(view.setEnvironment(QStringLiteral("shop"), QStringLiteral("prod")));
    QCOMPARE(view.model()->rowCount(), 3);
    QCOMPARE(cell(view, 0, FleetTableModel::Version), FleetTableModel::tr("reading…"));
    auto *busy = view.findChild<QWidget *>(QStringLiteral("readingProgressBar"));
    QVERIFY(busy && !busy->isHidden());
    QVERIFY(!view.refreshAction()->isEnabled());
    QVERIFY(waitForReading(view));
    QVERIFY(updatesWhileReading >= 3);
    QVERIFY(busy->isHidden());
    QVERIFY(view.refreshAction()->isEnabled());
    QVERIFY(view.lastReadAt().isValid());
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("lastReadLabel"))->text().contains(view.lastReadAt().toString(QStringLiteral("HH:mm:ss"))));

    for (int i = 0; i < 3; ++i) {
        const FleetRow &row = view.model()->rowAt(i);
        QCOMPARE(row.server.server, serverName(i));
        QVERIFY2(row.server.reachable, qPrintable(row.server.error));
        QCOMPARE(cell(view, i, FleetTableModel::Server), serverName(i));
        QCOMPARE(cell(view, i, FleetTableModel::Host), m_hosts.hosts[i].address);
        QCOMPARE(cell(view, i, FleetTableModel::Version), m_second.version);
        QCOMPARE(cell(view, i, FleetTableModel::Commit), m_second.commit.left(8));
        QCOMPARE(cell(view, i, FleetTableModel::Operator), m_second.operatorName);
        QVERIFY(!cell(view, i, FleetTableModel::Released).isEmpty());
        QVERIFY(cell(view, i, FleetTableModel::Drift).isEmpty());
        QVERIFY(cell(view, i, FleetTableModel::Lock).isEmpty());
        QVERIFY(cell(view, i, FleetTableModel::Error).isEmpty());
        QCOMPARE(row.expected, m_second.version); // from the task history
        QVERIFY(!view.model()->index(i, FleetTableModel::Version).data(Qt::BackgroundRole).isValid());
    }
    // One environment: its name is not repeated on every row.
    auto *table = view.findChild<QTableView *>(QStringLiteral("fleetTableView"));
    QVERIFY(table->isColumnHidden(FleetTableModel::Environment));

    // Another release's lock shows with its holder.
    QVERIFY(QDir().mkpath(onServer(2, QStringLiteral(".releasedesk/lock"))));
    QFile owner(onServer(2, QStringLiteral(".releasedesk/lock/owner")));
    QVERIFY(owner.open(QIODevice::WriteOnly));
    owner.write("task 77 by ana@desk-7\n");
    owner.close();
    view.refreshAction()->trigger();
    QVERIFY(waitForReading(view));
    QVERIFY(cell(view, 2, FleetTableModel::Lock).startsWith(QStringLiteral("task 77 by ana@desk-7")));
    QCOMPARE(view.model()->index(2, FleetTableModel::Lock).data(Qt::ForegroundRole).value<QColor>(),
             FleetTableModel::lockColor());
    QVERIFY(cell(view, 1, FleetTableModel::Lock).isEmpty());
    QVERIFY(QDir(onServer(2, QStringLiteral(".releasedesk/lock"))).removeRecursively());
}

void TestFleetView::serverMovedByHandIsDrift()
{
    // Someone switched web-02 back to the first release by hand, as the engine would have.
    const QString current = onServer(1, QStringLiteral("current"));
    QVERIFY(QFile::remove(current));
    QCOMPARE(::symlink(qPrintable(QStringLiteral("releases/") + m_first.version), qPrintable(current)), 0);

    FleetView view(*m_workspace);
    QVERIFY(view.setEnvironment(QStringLiteral("shop"), QStringLiteral("prod")));
    QVERIFY(waitForReading(view));
    QCOMPARE(view.model()->rowCount(), 3);
    for (int i = 0; i < 3; ++i) {
        const bool drifts = i == 1;
        QCOMPARE(cell(view, i, FleetTableModel::Version), drifts ? m_first.version : m_second.version);
        QCOMPARE(cell(view, i, FleetTableModel::Commit), (drifts ? m_first : m_second).commit.left(8));
        QCOMPARE(cell(view, i, FleetTableModel::Drift), drifts ? FleetTableModel::tr("DRIFT") : QString());
        const QVariant background = view.model()->index(i, FleetTableModel::Server).data(Qt::BackgroundRole);
        QCOMPARE(background.isValid(), drifts);
        if (drifts) {
            QCOMPARE(background.value<QColor>(), FleetTableModel::driftBackground());
            // The tooltip says what it should run.
            const QString tip = view.model()->index(i, FleetTableModel::Version).data(Qt::ToolTipRole).toString();
            QVERIFY2(tip.contains(m_second.version) && tip.contains(m_first.version), qPrintable(tip));
        }
    }
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("summaryLabel"))->text().contains(FleetView::tr("%n drifting", nullptr, 1)));

    QVERIFY(QFile::remove(current));
    QCOMPARE(::symlink(qPrintable(QStringLiteral("releases/") + m_second.version), qPrintable(current)), 0);
    view.refresh();
    QVERIFY(waitForReading(view));
    QVERIFY(cell(view, 1, FleetTableModel::Drift).isEmpty());
}

void TestFleetView::lockedVaultServerIsNotReadableWithTheReason()
{
    QVERIFY(!m_vault->isUnlocked());
    FleetView view(*m_workspace);
    QVERIFY(view.setEnvironment(QStringLiteral("shop"), QStringLiteral("vaulted")));
    QVERIFY(waitForReading(view));
    QCOMPARE(view.model()->rowCount(), 1);
    const FleetRow &locked = view.model()->rowAt(0);
    QCOMPARE(locked.server.server, QStringLiteral("vault-01"));
    QVERIFY(!locked.server.reachable);
    QVERIFY2(cell(view, 0, FleetTableModel::Error).contains(QStringLiteral("vault")), qPrintable(cell(view, 0, FleetTableModel::Error)));
    QCOMPARE(view.model()->index(0, FleetTableModel::Server).data(Qt::BackgroundRole).value<QColor>(),
             FleetTableModel::unreachableBackground());
    QVERIFY(!view.findChild<QLabel *>(QStringLiteral("vaultBannerLabel"))->isHidden());

    // Unlocked, the same server is read with its stored key.
    QVERIFY(m_vault->unlock("correct horse battery"));
    view.refresh();
    QVERIFY(waitForReading(view));
    QVERIFY2(view.model()->rowAt(0).server.reachable, qPrintable(view.model()->rowAt(0).server.error));
    QCOMPARE(cell(view, 0, FleetTableModel::Version), m_second.version);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("vaultBannerLabel"))->isHidden());
    m_vault->lock();
}

void TestFleetView::killedHostIsUnreachableWhileTheOthersAreRead()
{
    int exitCode = -1;
    runTestHosts({QStringLiteral("kill"), QStringLiteral("--dir"), m_hostsDir, QStringLiteral("--host"), QStringLiteral("3")},
                 &exitCode);
    QCOMPARE(exitCode, 0);

    // Every environment of the project at once: the vault's server is not readable either.
    FleetView view(*m_workspace);
    QVERIFY(view.setEnvironment(QStringLiteral("shop")));
    QVERIFY(waitForReading(view));
    QCOMPARE(view.model()->rowCount(), 4);
    auto *table = view.findChild<QTableView *>(QStringLiteral("fleetTableView"));
    QVERIFY(!table->isColumnHidden(FleetTableModel::Environment));
    const int killed = view.model()->rowOf(QStringLiteral("prod"), serverName(2));
    QCOMPARE(killed, 2);
    const FleetRow &row = view.model()->rowAt(killed);
    QVERIFY(!row.server.reachable);
    const QString error = cell(view, killed, FleetTableModel::Error);
    QVERIFY2(error.contains(m_hosts.hosts[2].address) || error.contains(QString::number(m_hosts.hosts[2].port)),
             qPrintable(error));
    QCOMPARE(view.model()->index(killed, FleetTableModel::Version).data(Qt::BackgroundRole).value<QColor>(),
             FleetTableModel::unreachableBackground());
    QVERIFY(view.model()->index(killed, FleetTableModel::Version).data(Qt::ToolTipRole).toString().contains(error));
    QVERIFY(cell(view, killed, FleetTableModel::Drift).isEmpty());
    // The whole error under the table for the selected server: cells cut it short.
    table->selectRow(killed);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("serverDetailsLabel"))->text().contains(error));
    for (int i : {0, 1}) {
        QVERIFY2(view.model()->rowAt(i).server.reachable, qPrintable(view.model()->rowAt(i).server.error));
        QCOMPARE(cell(view, i, FleetTableModel::Version), m_second.version);
        QCOMPARE(cell(view, i, FleetTableModel::Environment), QStringLiteral("shop / prod"));
    }
    QCOMPARE(cell(view, 3, FleetTableModel::Environment), QStringLiteral("shop / vaulted"));
    QVERIFY(!view.model()->rowAt(3).server.reachable);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("summaryLabel"))->text().contains(FleetView::tr("%n not readable", nullptr, 2)));
}

QTEST_MAIN(TestFleetView)
#include "tst_fleetview.moc"
