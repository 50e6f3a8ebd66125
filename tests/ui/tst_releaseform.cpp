// The release form on its own: validation that names the field at fault, the canary lane filled by
// dragging, and hooks saved as templates (a name is required), against a real repository's mirror.

#include "git/gitlibrary.h"
#include "git/gitmirror.h"
#include "gitfixture.h"
#include "inventorypanes/hookeditor.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "releaseform/releaseform.h"
#include "releaseform/serverlanelist.h"

#include <QComboBox>
#include <QDropEvent>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QCheckBox>
#include <QTest>
#include <QTreeWidget>

using namespace rd;
using namespace rd::test;

class TestReleaseForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void requestNamesTheChosenCommitAndServers();
    void uncheckedServersAndMissingCommitAreRefused();
    void draggingIntoTheCanaryLaneMovesTheServer();
    void saveAsTemplateNeedsAName();

private:
    void drop(ServerLaneList *from, ServerLaneList *to, int row);

    GitLibrary m_git;
    QTemporaryDir m_dir;
    std::unique_ptr<GitFixture> m_repo;
    std::unique_ptr<Workspace> m_workspace;
    InventoryStore *m_store = nullptr;
    std::unique_ptr<ReleaseForm> m_form;
    QString m_first;
    QString m_second;
};

void TestReleaseForm::initTestCase()
{
    m_repo = std::make_unique<GitFixture>(m_dir.filePath(QStringLiteral("repo")));
    QVERIFY(m_repo->init());
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "one\n"));
    m_first = m_repo->commit(QStringLiteral("one"));
    QVERIFY(m_repo->tag(QStringLiteral("v1"), QStringLiteral("first")));
    QVERIFY(m_repo->write(QStringLiteral("index.html"), "two\n"));
    m_second = m_repo->commit(QStringLiteral("two"));
    const QString data = m_dir.filePath(QStringLiteral("data"));
    QVERIFY(GitMirror(GitMirror::pathFor(data, QStringLiteral("shop"))).fetch(m_repo->path()));

    auto workspace = Workspace::open(data);
    QVERIFY(workspace);
    m_workspace = std::move(*workspace);
    m_store = &m_workspace->store();
    SshKey key;
    key.name = QStringLiteral("agent");
    key.username = QStringLiteral("deploy");
    key.kind = KeyKind::Agent;
    auto keyId = m_store->addKey(key);
    QVERIFY(keyId);
    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = m_repo->path();
    auto projectId = m_store->addProject(project);
    QVERIFY(projectId);
    Environment environment;
    environment.projectId = *projectId;
    environment.name = QStringLiteral("staging");
    environment.deployRoot = QStringLiteral("/srv/shop");
    for (int i = 1; i <= 3; ++i) {
        Server server;
        server.name = QStringLiteral("web-%1").arg(i);
        server.host = QStringLiteral("10.0.0.%1").arg(i);
        server.keyId = *keyId;
        auto id = m_store->addServer(server);
        QVERIFY(id);
        environment.serverIds.append(*id);
    }
    QVERIFY(m_store->addEnvironment(environment));
}

void TestReleaseForm::init()
{
    m_form = std::make_unique<ReleaseForm>(*m_workspace);
    m_form->resize(1280, 800);
    m_form->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_form.get()));
    QTRY_VERIFY(m_form->refsLoaded());
}

void TestReleaseForm::cleanup()
{
    m_form.reset();
}

void TestReleaseForm::drop(ServerLaneList *from, ServerLaneList *to, int row)
{
    from->setCurrentRow(row);
    std::unique_ptr<QMimeData> data(from->model()->mimeData(from->selectionModel()->selectedIndexes()));
    const QPoint at = to->viewport()->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(to->viewport(), &enter);
    QDragMoveEvent move(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(to->viewport(), &move);
    QDropEvent dropped(QPointF(at), Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(to->viewport(), &dropped);
}

void TestReleaseForm::requestNamesTheChosenCommitAndServers()
{
    auto *commits = m_form->findChild<QTreeWidget *>(QStringLiteral("commits"));
    QCOMPARE(commits->topLevelItemCount(), 2);
    auto request = m_form->request();
    QVERIFY2(request, qPrintable(request ? QString() : request.error().text()));
    QCOMPARE(request->project, QStringLiteral("shop"));
    QCOMPARE(request->environment, QStringLiteral("staging"));
    QCOMPARE(request->ref, m_second);
    QCOMPARE(request->refName, QStringLiteral("main"));
    QCOMPARE(request->servers, (QStringList{QStringLiteral("web-1"), QStringLiteral("web-2"), QStringLiteral("web-3")}));

    // A tag names its commit.
    m_form->findChild<QRadioButton *>(QStringLiteral("useTag"))->setChecked(true);
    request = m_form->request();
    QVERIFY(request);
    QCOMPARE(request->ref, m_first);
    QCOMPARE(request->refName, QStringLiteral("v1"));
}

void TestReleaseForm::uncheckedServersAndMissingCommitAreRefused()
{
    auto *servers = m_form->findChild<ServerLaneList *>(QStringLiteral("serverLane"));
    for (int i = 0; i < servers->count(); ++i)
        servers->item(i)->setCheckState(Qt::Unchecked);
    auto request = m_form->request();
    QVERIFY(!request);
    QCOMPARE(request.error().field, QStringLiteral("serverLane"));
    servers->item(1)->setCheckState(Qt::Checked);
    request = m_form->request();
    QVERIFY(request);
    QCOMPARE(request->servers, QStringList{QStringLiteral("web-2")});

    m_form->findChild<QTreeWidget *>(QStringLiteral("commits"))->setCurrentItem(nullptr);
    request = m_form->request();
    QVERIFY(!request);
    QCOMPARE(request.error().field, QStringLiteral("commits"));
    // Start shows the problem above the form instead of starting anything.
    QSignalSpy started(m_form.get(), &ReleaseForm::startRequested);
    QTest::mouseClick(m_form->findChild<QPushButton *>(QStringLiteral("startButton")), Qt::LeftButton);
    QCOMPARE(started.size(), 0);
    auto *banner = m_form->findChild<QLabel *>(QStringLiteral("formBanner"));
    QVERIFY(banner->isVisible());
    QVERIFY(banner->text().contains(QStringLiteral("commit")));
}

void TestReleaseForm::draggingIntoTheCanaryLaneMovesTheServer()
{
    m_form->setKind(ReleaseKind::Gray);
    auto *servers = m_form->findChild<ServerLaneList *>(QStringLiteral("serverLane"));
    auto *lane = m_form->findChild<ServerLaneList *>(QStringLiteral("canaryLane"));
    drop(servers, lane, 2);
    QCOMPARE(lane->names(), QStringList{QStringLiteral("web-3")});
    QCOMPARE(servers->names(), (QStringList{QStringLiteral("web-1"), QStringLiteral("web-2")}));
    // Dropped twice, it is still there once.
    drop(servers, lane, 0);
    QCOMPARE(lane->names(), (QStringList{QStringLiteral("web-3"), QStringLiteral("web-1")}));
    auto request = m_form->request();
    QVERIFY(request);
    QCOMPARE(request->canaries, (QStringList{QStringLiteral("web-3"), QStringLiteral("web-1")}));
    QCOMPARE(request->servers.size(), 3);

    // And back: the server leaves the lane.
    drop(lane, servers, 0);
    QCOMPARE(lane->names(), QStringList{QStringLiteral("web-1")});
    QVERIFY(servers->names().contains(QStringLiteral("web-3")));
    // A full release takes every server, the lane's too, and no canaries.
    m_form->setKind(ReleaseKind::Full);
    request = m_form->request();
    QVERIFY(request);
    QVERIFY(request->canaries.isEmpty());
    QCOMPARE(request->servers.size(), 3);
    QVERIFY(!request->forceWhole);

    // A fresh complete unpack is asked for with a tick; a patch is always a delta.
    auto *whole = m_form->findChild<QCheckBox *>(QStringLiteral("wholePackage"));
    QVERIFY(whole && whole->isEnabled());
    whole->setChecked(true);
    request = m_form->request();
    QVERIFY(request && request->forceWhole);
    m_form->setKind(ReleaseKind::Patch);
    QVERIFY(!whole->isEnabled());
    request = m_form->request();
    QVERIFY(request && !request->forceWhole);
    whole->setChecked(false);
    m_form->setKind(ReleaseKind::Full);
}

void TestReleaseForm::saveAsTemplateNeedsAName()
{
    auto *editor = m_form->findChild<HookEditor *>(hookStageName(HookStage::BeforeRelease) + QStringLiteral("Hook"));
    QVERIFY(editor);
    editor->setScript(QStringLiteral("php artisan migrate --force\n"));
    QVERIFY(!editor->saveAsTemplate(QStringLiteral("   ")));
    auto *error = editor->findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(!error->isHidden());
    QVERIFY(error->text().contains(QStringLiteral("name")));
    auto hooks = m_store->hookTemplates();
    QVERIFY(hooks && hooks->isEmpty());

    QVERIFY(editor->saveAsTemplate(QStringLiteral("Migrate")));
    hooks = m_store->hookTemplates();
    QVERIFY(hooks);
    QCOMPARE(hooks->size(), 1);
    QCOMPARE(hooks->first().title, QStringLiteral("Migrate"));
    QCOMPARE(hooks->first().stage, HookStage::BeforeRelease);
    QCOMPARE(hooks->first().script, QStringLiteral("php artisan migrate --force\n"));
    // The template is offered for that stage, and choosing it fills the editor.
    editor->setScript(QString());
    auto *templates = editor->findChild<QComboBox *>(QStringLiteral("templateCombo"));
    const int index = templates->findText(QStringLiteral("Migrate"));
    QVERIFY(index > 0);
    templates->setCurrentIndex(index);
    emit templates->activated(index);
    QCOMPARE(editor->script(), QStringLiteral("php artisan migrate --force\n"));
    auto request = m_form->request();
    QVERIFY(request);
    QCOMPARE(request->beforeReleaseHook, QStringLiteral("php artisan migrate --force\n"));
}

QTEST_MAIN(TestReleaseForm)
#include "tst_releaseform.moc"
