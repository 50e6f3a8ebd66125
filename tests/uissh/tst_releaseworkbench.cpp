// The release workbench end to end: the main window's release form filled from a real repository,
// real releases to three sshd test servers started from it (full, gray with a canary dragged into the
// canary lane and promoted, a rollback), the live graph and the log docks, and the history reopening
// a past task. Outcomes are checked on the servers' disks.

#include "mainwindow/appsettings.h"
#include "fleet/fleettablemodel.h"
#include "fleet/fleetview.h"
#include "git/gitlibrary.h"
#include "git/gitmirror.h"
#include "gitfixture.h"
#include "history/historypane.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "logs/logdock.h"
#include "logs/logfilemodel.h"
#include "logs/logview.h"
#include "mainwindow/mainwindow.h"
#include "releaseform/planpreviewdialog.h"
#include "pipeline/pipelinenodeitem.h"
#include "pipeline/pipelinescene.h"
#include "release/releasetask.h"
#include "release/taskhistory.h"
#include "release/taskjournal.h"
#include "releaseform/releaseform.h"
#include "releaseform/serverlanelist.h"
#include "hostkeys/knownhosts.h"
#include "ssh/sshlibrary.h"
#include "pipeline/taskwindow.h"
#include "testhosts.h"
#include "mainwindow/translationloader.h"
#include "vault/vault.h"

#include <QAction>
#include <QComboBox>
#include <QDropEvent>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace rd;
using namespace rd::test;

namespace {

constexpr int Servers = 3;
constexpr int ReleaseTimeoutMs = 90000;
// Hosts the other fixture tests leave alone, under a deploy root of this test's own.
constexpr int FirstHost = 7;

} // namespace

class TestReleaseWorkbench : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void formShowsTheMirrorsRefs();
    void fullReleaseThroughTheWindow();
    void grayReleaseWithCanaryDraggedIntoTheLane();
    void rollbackFromTheHistory();
    void historyReopensAPastTask();

private:
    QString onServer(int i, const QString &relative) const;
    QString current(int i) const;
    TaskWindow *newestTaskWindow() const;
    TaskWindow *startFromForm();
    // With RELEASEDESK_SCREENSHOTS set (tests/screenshots/take), saves the widget for review.
    void snap(QWidget *widget, const QString &name) const;

    GitLibrary m_git;
    SshLibrary m_ssh;
    TranslationLoader m_translations;
    QTemporaryDir m_dir;
    QString m_dataDir;
    TestHostSet m_hosts;
    std::unique_ptr<GitFixture> m_repo;
    std::unique_ptr<Workspace> m_workspace;
    InventoryStore *m_store = nullptr;
    Vault *m_vault = nullptr;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    QStringList m_versions; // released, in order
    QString m_firstCommit;
};

QString TestReleaseWorkbench::onServer(int i, const QString &relative) const
{
    return m_hosts.hosts[FirstHost + i].backingDir + QStringLiteral("/gui/") + relative;
}

QString TestReleaseWorkbench::current(int i) const
{
    return QFileInfo(onServer(i, QStringLiteral("current"))).symLinkTarget().section(u'/', -1);
}

void TestReleaseWorkbench::snap(QWidget *widget, const QString &name) const
{
    const QString dir = qEnvironmentVariable("RELEASEDESK_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    QTest::qWait(300); // let the latest log lines and animations land
    QVERIFY(widget->grab().save(QDir(dir).filePath(name + QStringLiteral(".png"))));
}

void TestReleaseWorkbench::initTestCase()
{
    if (const QString language = qEnvironmentVariable("RELEASEDESK_LANG"); !language.isEmpty())
        QVERIFY(m_translations.install(language));
    m_hosts = fixtureHosts();
    QVERIFY(m_hosts.hosts.size() >= FirstHost + Servers);
    for (int i = 0; i < Servers; ++i)
        QDir(onServer(i, QString())).removeRecursively();
    m_dataDir = m_dir.filePath(QStringLiteral("data"));

    m_repo = std::make_unique<GitFixture>(m_dir.filePath(QStringLiteral("repo")));
    QVERIFY(m_repo->init());
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>v1</h1>\n"));
    m_firstCommit = m_repo->commit(QStringLiteral("first page"));
    QVERIFY(!m_firstCommit.isEmpty());
    QVERIFY(m_repo->tag(QStringLiteral("v1.0"), QStringLiteral("first")));
    QVERIFY(m_repo->write(QStringLiteral("about.html"), "about\n"));
    QVERIFY(!m_repo->commit(QStringLiteral("about page")).isEmpty());
    QVERIFY(m_repo->branch(QStringLiteral("feature/cart")));

    auto workspace = Workspace::open(m_dataDir);
    QVERIFY2(workspace, qPrintable(workspace ? QString() : workspace.error().text()));
    m_workspace = std::move(*workspace);
    m_store = &m_workspace->store();
    m_vault = &m_workspace->vault();
    m_settings = std::make_unique<AppSettings>(m_dataDir);
    KnownHosts knownHosts(m_dataDir + QStringLiteral("/known_hosts"));
    QVERIFY(knownHosts.import(m_hosts.knownHosts()));

    SshKey key;
    key.name = QStringLiteral("file-key");
    key.username = m_hosts.hosts[FirstHost].user;
    key.kind = KeyKind::File;
    key.keyPath = m_hosts.clientKey();
    auto keyId = m_store->addKey(key);
    QVERIFY2(keyId, qPrintable(keyId ? QString() : keyId.error().text()));
    Environment environment;
    for (int i = 0; i < Servers; ++i) {
        Server server;
        server.name = QStringLiteral("gui-web-%1").arg(i + 1);
        server.host = m_hosts.hosts[FirstHost + i].address;
        server.port = m_hosts.hosts[FirstHost + i].port;
        server.keyId = *keyId;
        auto id = m_store->addServer(server);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().text()));
        environment.serverIds.append(*id);
    }
    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = m_repo->path();
    project.keepReleases = 5;
    auto projectId = m_store->addProject(project);
    QVERIFY(projectId);
    environment.projectId = *projectId;
    environment.name = QStringLiteral("staging");
    environment.deployRoot = m_hosts.hosts[FirstHost].deployRoot + QStringLiteral("/gui");
    QVERIFY(m_store->addEnvironment(environment));

    m_window = std::make_unique<MainWindow>(*m_workspace, *m_settings);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->showPane(MainWindow::Pane::Release);
}

void TestReleaseWorkbench::cleanupTestCase()
{
    m_window.reset();
    for (int i = 0; i < Servers; ++i)
        QDir(onServer(i, QString())).removeRecursively();
}

void TestReleaseWorkbench::formShowsTheMirrorsRefs()
{
    ReleaseForm *form = m_window->releaseForm();
    QVERIFY(form->selectEnvironment(QStringLiteral("shop"), QStringLiteral("staging")));
    // No mirror yet: the form says so, and Fetch now makes it from the project's URL.
    auto *fetch = form->findChild<QPushButton *>(QStringLiteral("fetchNow"));
    QVERIFY(fetch);
    QTRY_VERIFY(form->refsLoaded());
    QTest::mouseClick(fetch, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(GitMirror(GitMirror::pathFor(m_dataDir, QStringLiteral("shop"))).exists(), 20000);
    auto *branch = form->findChild<QComboBox *>(QStringLiteral("branch"));
    auto *tag = form->findChild<QComboBox *>(QStringLiteral("tag"));
    auto *commits = form->findChild<QTreeWidget *>(QStringLiteral("commits"));
    QTRY_COMPARE_WITH_TIMEOUT(commits->topLevelItemCount(), 2, 20000);
    QCOMPARE(branch->currentText(), QStringLiteral("main"));
    QVERIFY(branch->findText(QStringLiteral("feature/cart")) >= 0);
    QCOMPARE(tag->count(), 1);
    QVERIFY(tag->itemText(0).startsWith(QStringLiteral("v1.0")));
    QCOMPARE(tag->itemData(0).toString(), m_firstCommit);
    QCOMPARE(commits->topLevelItem(0)->text(1), QStringLiteral("about page"));
    QCOMPARE(commits->topLevelItem(1)->data(0, Qt::UserRole).toString(), m_firstCommit);
    QCOMPARE(commits->topLevelItem(1)->text(0), m_firstCommit.left(commits->topLevelItem(1)->text(0).size()));

    // Choosing the older commit makes the request name exactly that commit, on its branch.
    commits->setCurrentItem(commits->topLevelItem(1));
    auto request = form->request();
    QVERIFY2(request, qPrintable(request ? QString() : request.error().text()));
    QCOMPARE(request->ref, m_firstCommit);
    QCOMPARE(request->refName, QStringLiteral("main"));
    QCOMPARE(request->servers.size(), Servers);
}

TaskWindow *TestReleaseWorkbench::newestTaskWindow() const
{
    const QList<TaskWindow *> windows = m_window->findChildren<TaskWindow *>();
    TaskWindow *newest = nullptr;
    for (TaskWindow *window : windows)
        if (!newest || window->taskId() > newest->taskId())
            newest = window;
    return newest;
}

TaskWindow *TestReleaseWorkbench::startFromForm()
{
    const int before = int(m_window->findChildren<TaskWindow *>().size());
    QTest::mouseClick(m_window->releaseForm()->findChild<QPushButton *>(QStringLiteral("startButton")), Qt::LeftButton);
    if (m_window->findChildren<TaskWindow *>().size() != before + 1)
        return nullptr;
    // The window just made has no task id until its package is ready.
    TaskWindow *made = nullptr;
    for (TaskWindow *window : m_window->findChildren<TaskWindow *>())
        if (window->taskId().isEmpty())
            made = window;
    if (!made || !QTest::qWaitFor([made] { return !made->taskId().isEmpty(); }, 30000))
        return nullptr;
    return made;
}

void TestReleaseWorkbench::fullReleaseThroughTheWindow()
{
    ReleaseForm *form = m_window->releaseForm();
    auto *commits = form->findChild<QTreeWidget *>(QStringLiteral("commits"));
    commits->setCurrentItem(commits->topLevelItem(1));
    form->setKind(ReleaseKind::Full);
    snap(m_window.get(), QStringLiteral("release-form"));

    // The plan preview reads every server and changes nothing: no releases dir appears.
    QTest::mouseClick(form->findChild<QPushButton *>(QStringLiteral("planButton")), Qt::LeftButton);
    auto *preview = m_window->findChild<PlanPreviewDialog *>();
    QVERIFY(preview);
    QTRY_VERIFY_WITH_TIMEOUT(preview->isDone(), 30000);
    QCOMPARE(preview->results().size(), Servers);
    QCOMPARE(preview->blockedServers(), 0);
    QVERIFY(preview->results().first().steps.join(u'\n').contains(QStringLiteral("current -> releases/")));
    snap(preview, QStringLiteral("plan-preview"));
    preview->close();
    for (int i = 0; i < Servers; ++i)
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("releases"))));

    TaskWindow *task = startFromForm();
    QVERIFY(task);
    QTRY_COMPARE_WITH_TIMEOUT(task->statusText(), task->tr("Succeeded"), ReleaseTimeoutMs);

    auto record = TaskJournal::read(TaskJournal::tasksDirectory(m_dataDir), task->taskId());
    QVERIFY(record);
    QCOMPARE(record->status, TaskStatus::Succeeded);
    QCOMPARE(record->plan.commit, m_firstCommit);
    const QString version = record->plan.version;
    m_versions.append(version);
    for (int i = 0; i < Servers; ++i) {
        QCOMPARE(current(i), version);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>v1</h1>\n"));
        QVERIFY(!QFileInfo::exists(onServer(i, QStringLiteral("current/about.html"))));
    }

    // The graph followed the engine: every server's upload and release nodes are green.
    PipelineScene *scene = task->scene();
    QCOMPARE(scene->laneCount(), Servers);
    for (int i = 0; i < Servers; ++i) {
        const QString server = QStringLiteral("gui-web-%1").arg(i + 1);
        QCOMPARE(scene->nodeState(server, NodeStage::Upload), NodeState::Succeeded);
        QCOMPARE(scene->nodeState(server, NodeStage::Release), NodeState::Succeeded);
        QCOMPARE(scene->nodeColor(server, NodeStage::Release), PipelineNodeItem::fillColor(NodeState::Succeeded));
        QCOMPARE(scene->nodeColor(server, NodeStage::Upload), PipelineNodeItem::fillColor(NodeState::Succeeded));
        QVERIFY(PipelineNodeItem::fillColor(NodeState::Succeeded) != PipelineNodeItem::fillColor(NodeState::Pending));
    }
    QCOMPARE(scene->localStageState(int(LocalStage::Package)), NodeState::Succeeded);

    // A server's log opens in a dock and holds that server's output, read from its file.
    LogDock *dock = task->openLog(QStringLiteral("gui-web-2"));
    QVERIFY(dock);
    QTRY_VERIFY(dock->view()->model()->rowCount() > 0);
    QVERIFY(dock->view()->logFile().endsWith(QStringLiteral("gui-web-2.log")));
    task->close();
}

void TestReleaseWorkbench::grayReleaseWithCanaryDraggedIntoTheLane()
{
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "<h1>v2</h1>\n"));
    const QString second = m_repo->commit(QStringLiteral("second page"));
    ReleaseForm *form = m_window->releaseForm();
    QTest::mouseClick(form->findChild<QPushButton *>(QStringLiteral("fetchNow")), Qt::LeftButton);
    auto *commits = form->findChild<QTreeWidget *>(QStringLiteral("commits"));
    QTRY_COMPARE_WITH_TIMEOUT(commits->topLevelItemCount(), 3, 20000);
    QCOMPARE(commits->topLevelItem(0)->data(0, Qt::UserRole).toString(), second);
    commits->setCurrentItem(commits->topLevelItem(0));

    form->setKind(ReleaseKind::Gray);
    auto *servers = form->findChild<ServerLaneList *>(QStringLiteral("serverLane"));
    auto *lane = form->findChild<ServerLaneList *>(QStringLiteral("canaryLane"));
    // Drag gui-web-2 into the canary lane: it leaves the server list.
    servers->setCurrentRow(1);
    std::unique_ptr<QMimeData> data(servers->model()->mimeData(servers->selectionModel()->selectedIndexes()));
    const QPoint at = lane->viewport()->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction | Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(lane->viewport(), &enter);
    QDragMoveEvent move(at, Qt::CopyAction | Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(lane->viewport(), &move);
    QDropEvent drop(QPointF(at), Qt::CopyAction | Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(lane->viewport(), &drop);
    QCOMPARE(form->canaries(), QStringList{QStringLiteral("gui-web-2")});
    QCOMPARE(servers->names(), (QStringList{QStringLiteral("gui-web-1"), QStringLiteral("gui-web-3")}));

    TaskWindow *task = startFromForm();
    QVERIFY(task);
    QTRY_COMPARE_WITH_TIMEOUT(task->statusText(), task->tr("Waiting for promotion"), ReleaseTimeoutMs);
    auto record = TaskJournal::read(TaskJournal::tasksDirectory(m_dataDir), task->taskId());
    QVERIFY(record);
    const QString version = record->plan.version;
    QCOMPARE(current(1), version);
    QCOMPARE(current(0), m_versions.last());
    QCOMPARE(current(2), m_versions.last());
    QCOMPARE(task->scene()->nodeState(QStringLiteral("gui-web-2"), NodeStage::Release), NodeState::Succeeded);
    QCOMPARE(task->scene()->nodeState(QStringLiteral("gui-web-1"), NodeStage::Release), NodeState::Pending);
    QVERIFY(task->scene()->isCanary(QStringLiteral("gui-web-2")));
    task->openLog(QStringLiteral("gui-web-2"));
    snap(task, QStringLiteral("gray-awaiting-promotion"));

    QAction *promote = task->action(QStringLiteral("promoteAction"));
    QVERIFY(promote && promote->isEnabled());
    promote->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(task->statusText(), task->tr("Succeeded"), ReleaseTimeoutMs);
    m_versions.append(version);
    for (int i = 0; i < Servers; ++i) {
        QCOMPARE(current(i), version);
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>v2</h1>\n"));
    }
    task->close();
}

void TestReleaseWorkbench::rollbackFromTheHistory()
{
    QCOMPARE(m_versions.size(), 2);
    m_window->showPane(MainWindow::Pane::History);
    HistoryPane *history = m_window->historyPane();
    history->refresh();
    // The history's "roll back to this release" for the first task starts a rollback task.
    QSignalSpy started(history, &HistoryPane::rollbackRequested);
    const QList<TaskRecord> tasks =
        TaskHistory::list(TaskJournal::tasksDirectory(m_dataDir), {QStringLiteral("shop"), QStringLiteral("staging"), {}, 0});
    QCOMPARE(tasks.size(), 2);
    QVERIFY(history->selectTask(tasks.last().plan.taskId));
    QAction *rollback = history->rollbackAction();
    QVERIFY(rollback && rollback->isEnabled());
    rollback->trigger();
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.first().at(2).toString(), m_versions.first());
    QTRY_VERIFY_WITH_TIMEOUT(newestTaskWindow() && newestTaskWindow()->runner()->plan().kind == ReleaseKind::Rollback, 10000);
    TaskWindow *task = newestTaskWindow();
    QTRY_COMPARE_WITH_TIMEOUT(task->statusText(), task->tr("Succeeded"), ReleaseTimeoutMs);
    for (int i = 0; i < Servers; ++i) {
        QCOMPARE(current(i), m_versions.first());
        QCOMPARE(readAll(onServer(i, QStringLiteral("current/index.html"))), QByteArray("<h1>v1</h1>\n"));
    }
    task->close();
    history->refresh();
    snap(m_window.get(), QStringLiteral("history"));

    // The fleet view reads every server: all on the release rolled back to, none drifting.
    m_window->showPane(MainWindow::Pane::Fleet);
    FleetView *fleet = m_window->fleetView();
    fleet->reloadInventory();
    QSignalSpy read(fleet, &FleetView::readFinished);
    QVERIFY(fleet->setEnvironment(QStringLiteral("shop"), QStringLiteral("staging")));
    QVERIFY(read.wait(30000));
    FleetTableModel *rows = fleet->model();
    QCOMPARE(rows->rowCount(), Servers);
    for (int row = 0; row < Servers; ++row) {
        QCOMPARE(rows->index(row, FleetTableModel::Version).data().toString(), m_versions.first());
        QVERIFY(rows->index(row, FleetTableModel::Drift).data().toString().isEmpty());
    }
    snap(m_window.get(), QStringLiteral("fleet"));
}

void TestReleaseWorkbench::historyReopensAPastTask()
{
    const QList<TaskRecord> tasks =
        TaskHistory::list(TaskJournal::tasksDirectory(m_dataDir), {QStringLiteral("shop"), QStringLiteral("staging"), {}, 0});
    QCOMPARE(tasks.size(), 3);
    const QString gray = tasks[1].plan.taskId;
    HistoryPane *history = m_window->historyPane();
    history->refresh();
    QVERIFY(history->selectTask(gray));
    QAction *open = history->openAction();
    QVERIFY(open && open->isEnabled());
    open->trigger();
    TaskWindow *task = nullptr;
    for (TaskWindow *window : m_window->findChildren<TaskWindow *>())
        if (window->taskId() == gray)
            task = window;
    QVERIFY(task);
    QCOMPARE(task->statusText(), taskStatusText(TaskStatus::Succeeded));
    QCOMPARE(task->scene()->laneCount(), Servers);
    QVERIFY(task->scene()->isCanary(QStringLiteral("gui-web-2")));
    for (int i = 0; i < Servers; ++i)
        QCOMPARE(task->scene()->nodeState(QStringLiteral("gui-web-%1").arg(i + 1), NodeStage::Release),
                 NodeState::Succeeded);
    // Its task log replays from disk: the promotion is in it.
    LogDock *log = task->openLog(QString());
    QVERIFY(log);
    QTRY_VERIFY(log->view()->model()->rowCount() > 0);
    const QString promotion = ReleaseTask::tr("promoted: the other servers follow");
    bool promoted = false;
    for (int row = 0; row < log->view()->model()->rowCount(); ++row)
        promoted = promoted || log->view()->model()->index(row).data().toString().contains(promotion);
    QVERIFY(promoted);
    task->close();
}

QTEST_MAIN(TestReleaseWorkbench)
#include "tst_releaseworkbench.moc"
