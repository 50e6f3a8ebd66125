#include "appsettings.h"
#include "environmentspane.h"
#include "inventory/inventorystore.h"
#include "inventory/validator.h"
#include "mainwindow.h"
#include "serverspane.h"
#include "vault/vault.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QtTest>

using namespace rd;

// Types into the real editors of the main window and checks the inline messages, the Save
// button, and what reaches the store.
class TestEditors : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void badHostAndPortAreShownUnderTheirFields();
    void badDeployRootIsShownAndFixedEnvironmentSaves();
    void storeRefusalsStayVisibleInThePane();

private:
    template <typename T> T *child(QWidget *pane, const QString &name)
    {
        T *widget = pane->findChild<T *>(name);
        if (!widget)
            qWarning("no child %s", qPrintable(name));
        return widget;
    }
    static void retype(QLineEdit *edit, const QString &text)
    {
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Delete);
        QTest::keyClicks(edit, text);
    }
    bool shows(QWidget *pane, const QString &field, const QString &text);
    bool showsNothing(QWidget *pane, const QString &field);

    QTemporaryDir m_dir;
    std::unique_ptr<InventoryStore> m_store;
    std::unique_ptr<Vault> m_vault;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

void TestEditors::init()
{
    QVERIFY(m_dir.isValid());
    const QString dataDir = m_dir.filePath(QString::number(QRandomGenerator::global()->generate()));
    auto store = InventoryStore::open(dataDir + QStringLiteral("/inventory.sqlite"));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().text()));
    m_store = std::move(*store);
    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = QStringLiteral("https://git.example.com/team/shop.git");
    QVERIFY(m_store->addProject(project));
    m_vault = std::make_unique<Vault>(*m_store);
    m_settings = std::make_unique<AppSettings>(dataDir);
    m_window = std::make_unique<MainWindow>(*m_store, *m_vault, *m_settings);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestEditors::cleanup()
{
    m_window.reset();
    m_vault.reset();
    m_settings.reset();
    m_store.reset();
}

bool TestEditors::shows(QWidget *pane, const QString &field, const QString &text)
{
    auto *label = pane->findChild<QLabel *>(field + QStringLiteral("ErrorLabel"));
    if (!label || !label->isVisibleTo(pane) || !label->text().contains(text)) {
        qWarning("%s shows \"%s\", expected \"%s\"", qPrintable(field),
                 label ? qPrintable(label->text()) : "(no label)", qPrintable(text));
        return false;
    }
    return true;
}

bool TestEditors::showsNothing(QWidget *pane, const QString &field)
{
    auto *label = pane->findChild<QLabel *>(field + QStringLiteral("ErrorLabel"));
    return label && !label->isVisibleTo(pane);
}

void TestEditors::badHostAndPortAreShownUnderTheirFields()
{
    m_window->showPane(MainWindow::Pane::Servers);
    ServersPane *pane = m_window->serversPane();
    QTest::mouseClick(child<QPushButton>(pane, QStringLiteral("addButton")), Qt::LeftButton);
    auto *save = child<QPushButton>(pane, QStringLiteral("saveButton"));
    auto *host = child<QLineEdit>(pane, QStringLiteral("hostEdit"));
    auto *port = child<QLineEdit>(pane, QStringLiteral("portEdit"));
    QVERIFY(save && host && port);

    QTest::keyClicks(child<QLineEdit>(pane, QStringLiteral("nameEdit")), QStringLiteral("web-01"));
    QTest::keyClicks(host, QStringLiteral("web_01..example"));
    QVERIFY(shows(pane, QStringLiteral("host"), Validator::host(QStringLiteral("web_01..example"))->message));
    QVERIFY(showsNothing(pane, QStringLiteral("name")));
    QVERIFY(!save->isEnabled());

    retype(host, QStringLiteral("10.0.0.7"));
    QVERIFY(showsNothing(pane, QStringLiteral("host")));
    QVERIFY(save->isEnabled());

    retype(port, QStringLiteral("70000"));
    QVERIFY(shows(pane, QStringLiteral("port"), Validator::port(70000)->message));
    QVERIFY(!save->isEnabled());
    retype(port, QStringLiteral("ssh"));
    QVERIFY(shows(pane, QStringLiteral("port"), Validator::port(QStringLiteral("ssh"), nullptr)->message));
    QVERIFY(!save->isEnabled());
    QVERIFY(m_store->servers()->isEmpty());

    retype(port, QStringLiteral("2222"));
    QVERIFY(showsNothing(pane, QStringLiteral("port")));
    QVERIFY(save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(pane->storeErrorText(), QString());

    auto servers = m_store->servers();
    QVERIFY(servers);
    QCOMPARE(servers->size(), 1);
    QCOMPARE(servers->first().name, QStringLiteral("web-01"));
    QCOMPARE(servers->first().host, QStringLiteral("10.0.0.7"));
    QCOMPARE(servers->first().port, 2222);
    QCOMPARE(pane->currentId(), servers->first().id);
    QVERIFY(m_window->statusText().contains(QStringLiteral("1 server")));

    // Editing the saved server updates it rather than adding another.
    retype(host, QStringLiteral("db.example.com"));
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(m_store->servers()->size(), 1);
    QCOMPARE(m_store->server(servers->first().id)->host, QStringLiteral("db.example.com"));
}

void TestEditors::badDeployRootIsShownAndFixedEnvironmentSaves()
{
    m_window->showPane(MainWindow::Pane::Environments);
    EnvironmentsPane *pane = m_window->environmentsPane();
    QTest::mouseClick(child<QPushButton>(pane, QStringLiteral("addButton")), Qt::LeftButton);
    auto *save = child<QPushButton>(pane, QStringLiteral("saveButton"));
    auto *root = child<QLineEdit>(pane, QStringLiteral("deployRootEdit"));
    QVERIFY(save && root);
    QCOMPARE(child<QComboBox>(pane, QStringLiteral("projectComboBox"))->currentText(), QStringLiteral("shop"));

    QTest::keyClicks(child<QLineEdit>(pane, QStringLiteral("nameEdit")), QStringLiteral("prod"));
    QTest::keyClicks(root, QStringLiteral("srv/shop"));
    QVERIFY(shows(pane, QStringLiteral("deployRoot"), Validator::deployRoot(QStringLiteral("srv/shop"))->message));
    QVERIFY(!save->isEnabled());
    retype(root, QStringLiteral("/srv/../etc"));
    QVERIFY(shows(pane, QStringLiteral("deployRoot"),
                  Validator::deployRoot(QStringLiteral("/srv/../etc"))->message));
    QVERIFY(!save->isEnabled());

    retype(root, QStringLiteral("/srv/shop"));
    QVERIFY(showsNothing(pane, QStringLiteral("deployRoot")));
    QVERIFY(save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(pane->storeErrorText(), QString());

    auto environments = m_store->environments();
    QVERIFY(environments);
    QCOMPARE(environments->size(), 1);
    QCOMPARE(environments->first().name, QStringLiteral("prod"));
    QCOMPARE(environments->first().deployRoot, QStringLiteral("/srv/shop"));
}

void TestEditors::storeRefusalsStayVisibleInThePane()
{
    Server server;
    server.name = QStringLiteral("web-01");
    server.host = QStringLiteral("10.0.0.1");
    auto serverId = m_store->addServer(server);
    QVERIFY(serverId);
    Environment environment;
    environment.projectId = m_store->projectId(QStringLiteral("shop"));
    environment.name = QStringLiteral("prod");
    environment.deployRoot = QStringLiteral("/srv/shop");
    environment.serverIds = {*serverId};
    QVERIFY(m_store->addEnvironment(environment));

    ServersPane *pane = m_window->serversPane();
    pane->reload();
    m_window->showPane(MainWindow::Pane::Servers);

    // A second server with the same name: the store refuses, the pane says so under the field.
    QTest::mouseClick(child<QPushButton>(pane, QStringLiteral("addButton")), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>(pane, QStringLiteral("nameEdit")), QStringLiteral("web-01"));
    QTest::keyClicks(child<QLineEdit>(pane, QStringLiteral("hostEdit")), QStringLiteral("10.0.0.2"));
    QTest::mouseClick(child<QPushButton>(pane, QStringLiteral("saveButton")), Qt::LeftButton);
    QVERIFY2(pane->storeErrorText().contains(QStringLiteral("already exists")), qPrintable(pane->storeErrorText()));
    QVERIFY(shows(pane, QStringLiteral("name"), QStringLiteral("already exists")));
    QCOMPARE(m_store->servers()->size(), 1);

    // Deleting a server that an environment still uses: refused, and the reason stays on screen.
    pane->selectItem(*serverId);
    QTest::mouseClick(child<QPushButton>(pane, QStringLiteral("deleteButton")), Qt::LeftButton);
    QVERIFY2(pane->storeErrorText().contains(QStringLiteral("shop/prod")), qPrintable(pane->storeErrorText()));
    QCOMPARE(m_store->servers()->size(), 1);
}

QTEST_MAIN(TestEditors)
#include "tst_editors.moc"
