#include "mainwindow/appsettings.h"
#include "inventorypanes/environmentspane.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "mainwindow/mainwindow.h"
#include "inventorypanes/serveridsmime.h"
#include "vault/vault.h"

#include <QDropEvent>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace rd;

// Drives the environments pane of the real main window with real drag and drop events over a real
// inventory in a temporary directory, and checks what the store holds afterwards.
class TestEnvironmentDrag : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void dropIntoEmptyEnvironment();
    void multiSelectDropAtPosition();
    void reorderWithinEnvironment();
    void removeByDragDeleteKeyAndButton();
    void dropOntoEnvironmentInList();
    void mimeCarriesIdsInListOrder();
    void newEnvironmentTakesServersAndAddSavesIt();

private:
    void setServers(qint64 environmentId, const QList<qint64> &ids);
    QList<qint64> serversOf(qint64 environmentId) const;
    QTableView *view(const char *name) const;
    void select(QTableView *view, const QList<int> &rows);
    // Sends enter, move and drop to the view's viewport at `pos`; true when the drop was accepted.
    bool drop(QTableView *target, QMimeData *data, QPoint pos);
    QPoint aboveRow(QTableView *view, int row) const;
    QPoint belowRows(QTableView *view) const;

    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
    InventoryStore *m_store = nullptr;
    Vault *m_vault = nullptr;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    EnvironmentsPane *m_pane = nullptr;
    QList<qint64> m_server; // web-01 .. web-05
    qint64 m_prod = 0;
    qint64 m_test = 0;
};

void TestEnvironmentDrag::init()
{
    QVERIFY(m_dir.isValid());
    const QString dataDir = m_dir.filePath(QString::number(QRandomGenerator::global()->generate()));
    auto workspace = Workspace::open(dataDir);
    QVERIFY2(workspace, qPrintable(workspace ? QString() : workspace.error().text()));
    m_workspace = std::move(*workspace);
    m_store = &m_workspace->store();
    m_vault = &m_workspace->vault();
    m_server.clear();
    for (int i = 1; i <= 5; ++i) {
        Server server;
        server.name = QStringLiteral("web-0%1").arg(i);
        server.host = QStringLiteral("10.0.0.%1").arg(i);
        auto id = m_store->addServer(server);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().text()));
        m_server.append(*id);
    }
    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = QStringLiteral("https://git.example.com/team/shop.git");
    auto projectId = m_store->addProject(project);
    QVERIFY(projectId);
    Environment environment;
    environment.projectId = *projectId;
    environment.name = QStringLiteral("prod");
    environment.deployRoot = QStringLiteral("/srv/shop");
    auto prod = m_store->addEnvironment(environment);
    QVERIFY(prod);
    m_prod = *prod;
    environment.name = QStringLiteral("test");
    auto test = m_store->addEnvironment(environment);
    QVERIFY(test);
    m_test = *test;

    m_settings = std::make_unique<AppSettings>(dataDir);
    m_window = std::make_unique<MainWindow>(*m_workspace, *m_settings);
    m_window->resize(1280, 800);
    m_window->showPane(MainWindow::Pane::Environments);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_pane = m_window->environmentsPane();
    QVERIFY(m_pane);
    QVERIFY(m_pane->isVisible());
}

void TestEnvironmentDrag::cleanup()
{
    m_window.reset();
    m_settings.reset();
    m_workspace.reset();
}

void TestEnvironmentDrag::setServers(qint64 environmentId, const QList<qint64> &ids)
{
    QVERIFY(m_store->setEnvironmentServers(environmentId, ids));
    m_pane->reload();
    m_pane->selectItem(m_prod);
}

QList<qint64> TestEnvironmentDrag::serversOf(qint64 environmentId) const
{
    auto environment = m_store->environment(environmentId);
    return environment ? environment->serverIds : QList<qint64>{-1};
}

QTableView *TestEnvironmentDrag::view(const char *name) const
{
    return m_pane->findChild<QTableView *>(QString::fromLatin1(name));
}

void TestEnvironmentDrag::select(QTableView *view, const QList<int> &rows)
{
    view->clearSelection();
    for (int row : rows)
        view->selectionModel()->select(view->model()->index(row, 0),
                                       QItemSelectionModel::Select | QItemSelectionModel::Rows);
}

bool TestEnvironmentDrag::drop(QTableView *target, QMimeData *data, QPoint pos)
{
    const Qt::DropActions actions = Qt::CopyAction | Qt::MoveAction;
    QWidget *viewport = target->viewport();
    QDragEnterEvent enter(pos, actions, data, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(viewport, &enter);
    if (!enter.isAccepted())
        return false;
    QDragMoveEvent move(pos, actions, data, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(viewport, &move);
    if (!move.isAccepted())
        return false;
    QDropEvent dropEvent(QPointF(pos), actions, data, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(viewport, &dropEvent);
    return dropEvent.isAccepted();
}

QPoint TestEnvironmentDrag::aboveRow(QTableView *view, int row) const
{
    const QRect rect = view->visualRect(view->model()->index(row, 1));
    return QPoint(rect.center().x(), rect.top() + 1);
}

QPoint TestEnvironmentDrag::belowRows(QTableView *view) const
{
    const int rows = view->model()->rowCount();
    const int bottom = rows ? view->visualRect(view->model()->index(rows - 1, 0)).bottom() : 0;
    const QPoint pos(view->viewport()->width() / 2, (bottom + view->viewport()->height()) / 2);
    return pos;
}

void TestEnvironmentDrag::dropIntoEmptyEnvironment()
{
    m_pane->selectItem(m_prod);
    QTableView *pool = view("serverPoolView");
    QTableView *members = view("environmentServersView");
    QVERIFY(pool && members);
    QCOMPARE(pool->model()->rowCount(), 5);
    QCOMPARE(members->model()->rowCount(), 0);

    // Through the filter: the selected proxy row must map to the right server.
    m_pane->findChild<QLineEdit *>(QStringLiteral("serverPoolFilterEdit"))->setText(QStringLiteral("web-03"));
    QCOMPARE(pool->model()->rowCount(), 1);
    select(pool, {0});
    std::unique_ptr<QMimeData> data(pool->model()->mimeData(pool->selectionModel()->selectedIndexes()));
    QVERIFY(data->hasFormat(QStringLiteral("application/x-releasedesk-server-ids")));
    QVERIFY(drop(members, data.get(), belowRows(members)));

    QCOMPARE(serversOf(m_prod), QList<qint64>{m_server[2]});
    QCOMPARE(members->model()->rowCount(), 1);
    QCOMPARE(members->model()->index(0, 1).data().toString(), QStringLiteral("web-03"));
    QCOMPARE(serversOf(m_test), QList<qint64>{});
}

void TestEnvironmentDrag::multiSelectDropAtPosition()
{
    setServers(m_prod, {m_server[0], m_server[1]});
    QTableView *pool = view("serverPoolView");
    QTableView *members = view("environmentServersView");
    QCOMPARE(members->model()->rowCount(), 2);

    select(pool, {4, 3}); // web-05 and web-04, selected out of order
    std::unique_ptr<QMimeData> data(pool->model()->mimeData(pool->selectionModel()->selectedIndexes()));
    QVERIFY(drop(members, data.get(), aboveRow(members, 1)));

    const QList<qint64> expected{m_server[0], m_server[3], m_server[4], m_server[1]};
    QCOMPARE(serversOf(m_prod), expected);
    QCOMPARE(members->model()->rowCount(), 4);
    QCOMPARE(members->model()->index(1, 1).data().toString(), QStringLiteral("web-04"));
    QCOMPARE(members->model()->index(3, 1).data().toString(), QStringLiteral("web-02"));

    // Dropping servers that are already in the environment moves them instead of adding twice.
    select(pool, {1});
    data.reset(pool->model()->mimeData(pool->selectionModel()->selectedIndexes()));
    QVERIFY(drop(members, data.get(), aboveRow(members, 0)));
    const QList<qint64> moved{m_server[1], m_server[0], m_server[3], m_server[4]};
    QCOMPARE(serversOf(m_prod), moved);
}

void TestEnvironmentDrag::reorderWithinEnvironment()
{
    setServers(m_prod, {m_server[0], m_server[1], m_server[2], m_server[3]});
    QTableView *members = view("environmentServersView");

    select(members, {0, 3}); // web-01 and web-04 before web-03
    std::unique_ptr<QMimeData> data(members->model()->mimeData(members->selectionModel()->selectedIndexes()));
    QVERIFY(drop(members, data.get(), aboveRow(members, 2)));
    const QList<qint64> expected{m_server[1], m_server[0], m_server[3], m_server[2]};
    QCOMPARE(serversOf(m_prod), expected);

    // The first one to the end.
    select(members, {0});
    data.reset(members->model()->mimeData(members->selectionModel()->selectedIndexes()));
    QVERIFY(drop(members, data.get(), belowRows(members)));
    const QList<qint64> last{m_server[0], m_server[3], m_server[2], m_server[1]};
    QCOMPARE(serversOf(m_prod), last);
    QCOMPARE(members->model()->index(3, 1).data().toString(), QStringLiteral("web-02"));
    QCOMPARE(members->model()->index(3, 0).data().toInt(), 4);
}

void TestEnvironmentDrag::removeByDragDeleteKeyAndButton()
{
    setServers(m_prod, {m_server[0], m_server[1], m_server[2], m_server[3]});
    QTableView *pool = view("serverPoolView");
    QTableView *members = view("environmentServersView");

    select(members, {1});
    std::unique_ptr<QMimeData> data(members->model()->mimeData(members->selectionModel()->selectedIndexes()));
    QVERIFY(drop(pool, data.get(), pool->viewport()->rect().center()));
    const QList<qint64> afterDrag{m_server[0], m_server[2], m_server[3]};
    QCOMPARE(serversOf(m_prod), afterDrag);
    QCOMPARE(pool->model()->rowCount(), 5); // "All servers" keeps every server

    select(members, {0});
    QTest::keyClick(members, Qt::Key_Delete);
    const QList<qint64> afterKey{m_server[2], m_server[3]};
    QCOMPARE(serversOf(m_prod), afterKey);

    auto *remove = m_pane->findChild<QPushButton *>(QStringLiteral("removeServersButton"));
    QVERIFY(remove);
    select(members, {0, 1});
    QVERIFY(remove->isEnabled());
    QTest::mouseClick(remove, Qt::LeftButton);
    QCOMPARE(serversOf(m_prod), QList<qint64>{});
    QCOMPARE(members->model()->rowCount(), 0);
}

void TestEnvironmentDrag::dropOntoEnvironmentInList()
{
    setServers(m_test, {m_server[4]});
    m_pane->selectItem(m_prod);
    QTableView *pool = view("serverPoolView");
    QTableView *environments = view("environmentListView");
    QVERIFY(environments);

    int testRow = -1;
    for (int row = 0; row < environments->model()->rowCount(); ++row) {
        if (environments->model()->index(row, 1).data().toString() == u"test")
            testRow = row;
    }
    QVERIFY(testRow >= 0);

    select(pool, {0, 1, 4}); // web-05 is there already and stays where it is
    std::unique_ptr<QMimeData> data(pool->model()->mimeData(pool->selectionModel()->selectedIndexes()));
    const QPoint onTest = environments->visualRect(environments->model()->index(testRow, 1)).center();
    QVERIFY(drop(environments, data.get(), onTest));

    const QList<qint64> expected{m_server[4], m_server[0], m_server[1]};
    QCOMPARE(serversOf(m_test), expected);
    QCOMPARE(serversOf(m_prod), QList<qint64>{});
    QCOMPARE(environments->model()->index(testRow, 2).data().toInt(), 3);
    if (const QString dir = qEnvironmentVariable("RELEASEDESK_SCREENSHOTS"); !dir.isEmpty())
        m_window->grab().save(dir + QStringLiteral("/environments.png"));

    // Something that is not a list of servers is refused.
    QMimeData text;
    text.setText(QStringLiteral("web-01"));
    QVERIFY(!drop(environments, &text, onTest));
    QCOMPARE(serversOf(m_test), expected);
}

void TestEnvironmentDrag::mimeCarriesIdsInListOrder()
{
    std::unique_ptr<QMimeData> data(ServerIdsMime::create({m_server[2], m_server[0]}));
    QCOMPARE(ServerIdsMime::read(data.get()), (QList<qint64>{m_server[2], m_server[0]}));
    QMimeData broken;
    broken.setData(ServerIdsMime::mimeType(), QByteArrayLiteral("7,x,-3,7"));
    QCOMPARE(ServerIdsMime::read(&broken), QList<qint64>{7});
}

void TestEnvironmentDrag::newEnvironmentTakesServersAndAddSavesIt()
{
    // As a new user does it: Add, type, drag servers in, click Add again. Nothing asks to discard,
    // and the environment is saved with its servers in the order given.
    QStringList questions;
    m_pane->setConfirmation([&questions](const QString &question) {
        questions.append(question);
        return false;
    });
    auto *add = m_pane->findChild<QPushButton *>(QStringLiteral("addButton"));
    QVERIFY(add);
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(m_pane->currentId(), 0);
    auto *name = m_pane->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
    auto *root = m_pane->findChild<QLineEdit *>(QStringLiteral("deployRootEdit"));
    QVERIFY(name && root);
    QTest::keyClicks(name, QStringLiteral("staging"));
    QTest::keyClicks(root, QStringLiteral("/srv/shop-staging"));

    QTableView *pool = view("serverPoolView");
    QTableView *members = view("environmentServersView");
    QVERIFY(pool && members);
    select(pool, {2});
    std::unique_ptr<QMimeData> first(pool->model()->mimeData(pool->selectionModel()->selectedIndexes()));
    QVERIFY(drop(members, first.get(), belowRows(members)));
    select(pool, {0});
    QTest::mouseClick(m_pane->findChild<QPushButton *>(QStringLiteral("addServersButton")), Qt::LeftButton);
    QCOMPARE(members->model()->rowCount(), 2);
    QCOMPARE(m_store->environments()->size(), 2); // not saved yet

    QTest::mouseClick(add, Qt::LeftButton);
    QVERIFY2(questions.isEmpty(), qPrintable(questions.join(u'\n')));
    QCOMPARE(m_pane->storeErrorText(), QString());
    const qint64 staging = m_pane->currentId();
    QVERIFY(staging != 0);
    QCOMPARE(serversOf(staging), (QList<qint64>{m_server[2], m_server[0]}));
    QCOMPARE(m_store->environment(staging)->deployRoot, QStringLiteral("/srv/shop-staging"));

    // The list shows its server count where it can be seen.
    QTableView *environments = view("environmentListView");
    int row = -1;
    for (int r = 0; r < environments->model()->rowCount(); ++r) {
        if (environments->model()->index(r, 1).data().toString() == u"staging")
            row = r;
    }
    QVERIFY(row >= 0);
    QCOMPARE(environments->model()->index(row, 2).data().toInt(), 2);
    const QRect count = environments->visualRect(environments->model()->index(row, 2));
    QVERIFY2(environments->viewport()->rect().contains(count), "the Servers column is outside the visible list");
}

QTEST_MAIN(TestEnvironmentDrag)
#include "tst_environmentdrag.moc"
