#include "mainwindow/appsettings.h"
#include "inventorypanes/entitytablemodel.h"
#include "inventorypanes/environmentspane.h"
#include "history/historypane.h"
#include "inventorypanes/inventorypane.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "inventory/validator.h"
#include "mainwindow/mainwindow.h"
#include "inventorypanes/keyspane.h"
#include "inventorypanes/projectspane.h"
#include "release/releaseplanner.h"
#include "releaseform/releaseform.h"
#include "inventorypanes/serverspane.h"
#include "pipeline/taskwindow.h"
#include "inventory/storedkeybuilder.h"
#include "vault/vault.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTableView>
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
    void typedRootSurvivesServerDropAndOtherPanesSaving();
    void switchingRowsAsksBeforeDiscardingEdits();
    void deletingAsksAndNamesTheProjectsEnvironments();
    void parallelismSpinBoxMatchesTheValidator();
    void passphraseWithoutPrivateKeyIsRefusedInline();
    void pastedKeyIsCheckedBesideTheWindow();
    void productionIsAskedAboutFromHistoryAndForm();
    void unauthenticatedUrlAsksForConsent();

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

    qint64 addEnvironment(const QString &name, const QList<qint64> &serverIds);
    qint64 addServer(const QString &name);
    // Selects the table row of `id` the way a click does (through the selection model).
    static void clickRow(InventoryPane *pane, qint64 id);

    QStringList m_questions;
    bool m_answer = true;
    QTemporaryDir m_dir;
    std::unique_ptr<Workspace> m_workspace;
    InventoryStore *m_store = nullptr;
    Vault *m_vault = nullptr;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

void TestEditors::init()
{
    QVERIFY(m_dir.isValid());
    const QString dataDir = m_dir.filePath(QString::number(QRandomGenerator::global()->generate()));
    auto workspace = Workspace::open(dataDir);
    QVERIFY2(workspace, qPrintable(workspace ? QString() : workspace.error().text()));
    m_workspace = std::move(*workspace);
    m_store = &m_workspace->store();
    m_vault = &m_workspace->vault();
    Project project;
    project.name = QStringLiteral("shop");
    project.gitUrl = QStringLiteral("https://git.example.com/team/shop.git");
    QVERIFY(m_store->addProject(project));
    m_settings = std::make_unique<AppSettings>(dataDir);
    m_window = std::make_unique<MainWindow>(*m_workspace, *m_settings);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_questions.clear();
    m_answer = true;
    for (InventoryPane *pane : m_window->findChildren<InventoryPane *>()) {
        pane->setConfirmation([this](const QString &question) {
            m_questions.append(question);
            return m_answer;
        });
    }
}

qint64 TestEditors::addServer(const QString &name)
{
    Server server;
    server.name = name;
    server.host = QStringLiteral("10.0.0.%1").arg(m_store->servers()->size() + 1);
    auto id = m_store->addServer(server);
    if (!id)
        qWarning("%s", qPrintable(id.error().text()));
    return id ? *id : 0;
}

qint64 TestEditors::addEnvironment(const QString &name, const QList<qint64> &serverIds)
{
    Environment environment;
    environment.projectId = m_store->projectId(QStringLiteral("shop"));
    environment.name = name;
    environment.deployRoot = QStringLiteral("/srv/shop");
    environment.serverIds = serverIds;
    auto id = m_store->addEnvironment(environment);
    if (!id)
        qWarning("%s", qPrintable(id.error().text()));
    return id ? *id : 0;
}

void TestEditors::clickRow(InventoryPane *pane, qint64 id)
{
    auto *table = pane->findChild<QTableView *>(QStringLiteral("environmentListView"));
    if (!table)
        table = pane->findChild<QTableView *>(QStringLiteral("itemTableView"));
    auto *proxy = qobject_cast<QSortFilterProxyModel *>(table->model());
    auto *model = qobject_cast<EntityTableModel *>(proxy->sourceModel());
    const QModelIndex index = proxy->mapFromSource(model->index(model->rowOf(id), 0));
    QVERIFY(index.isValid());
    table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void TestEditors::cleanup()
{
    m_window.reset();
    m_settings.reset();
    m_workspace.reset();
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

void TestEditors::typedRootSurvivesServerDropAndOtherPanesSaving()
{
    const qint64 web1 = addServer(QStringLiteral("web-01"));
    const qint64 prod = addEnvironment(QStringLiteral("prod"), {});
    QVERIFY(web1 && prod);
    EnvironmentsPane *pane = m_window->environmentsPane();
    pane->reload();
    m_window->showPane(MainWindow::Pane::Environments);
    pane->selectItem(prod);
    auto *root = child<QLineEdit>(pane, QStringLiteral("deployRootEdit"));
    auto *members = child<QTableView>(pane, QStringLiteral("environmentServersView"));
    QVERIFY(root && members);
    retype(root, QStringLiteral("/srv/shop-next"));
    QVERIFY(pane->hasUnsavedEdits());

    pane->insertServers({web1}, -1);
    QCOMPARE(m_store->environment(prod)->serverIds, QList<qint64>{web1});
    QCOMPARE(members->model()->rowCount(), 1);
    QCOMPARE(root->text(), QStringLiteral("/srv/shop-next"));
    QCOMPARE(pane->currentId(), prod);
    QVERIFY(pane->hasUnsavedEdits());
    // The typed root is not saved by the drop.
    QCOMPARE(m_store->environment(prod)->deployRoot, QStringLiteral("/srv/shop"));

    // Another pane saving reloads this one; the typed root stays too.
    ServersPane *servers = m_window->serversPane();
    m_window->showPane(MainWindow::Pane::Servers);
    QTest::mouseClick(child<QPushButton>(servers, QStringLiteral("addButton")), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>(servers, QStringLiteral("nameEdit")), QStringLiteral("web-02"));
    QTest::keyClicks(child<QLineEdit>(servers, QStringLiteral("hostEdit")), QStringLiteral("10.0.0.9"));
    QTest::mouseClick(child<QPushButton>(servers, QStringLiteral("saveButton")), Qt::LeftButton);
    QCOMPARE(m_store->servers()->size(), 2);
    QCOMPARE(root->text(), QStringLiteral("/srv/shop-next"));
    QCOMPARE(members->model()->rowCount(), 1);

    // Saving stores the root and ends the edit; a later reload shows the store again.
    QTest::mouseClick(child<QPushButton>(pane, QStringLiteral("saveButton")), Qt::LeftButton);
    QCOMPARE(m_store->environment(prod)->deployRoot, QStringLiteral("/srv/shop-next"));
    QVERIFY(!pane->hasUnsavedEdits());
    QVERIFY(m_questions.isEmpty());
}

void TestEditors::switchingRowsAsksBeforeDiscardingEdits()
{
    const qint64 prod = addEnvironment(QStringLiteral("prod"), {});
    const qint64 staging = addEnvironment(QStringLiteral("staging"), {});
    EnvironmentsPane *pane = m_window->environmentsPane();
    pane->reload();
    m_window->showPane(MainWindow::Pane::Environments);
    pane->selectItem(prod);
    auto *name = child<QLineEdit>(pane, QStringLiteral("nameEdit"));
    retype(name, QStringLiteral("production"));

    m_answer = false;
    clickRow(pane, staging);
    QCOMPARE(m_questions.size(), 1);
    QVERIFY2(m_questions.first().contains(QStringLiteral("shop/prod")), qPrintable(m_questions.first()));
    QCOMPARE(pane->currentId(), prod);
    QCOMPARE(name->text(), QStringLiteral("production"));
    auto *table = child<QTableView>(pane, QStringLiteral("environmentListView"));
    const QModelIndexList selected = table->selectionModel()->selectedRows(1);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data().toString(), QStringLiteral("prod"));

    m_answer = true;
    clickRow(pane, staging);
    QCOMPARE(m_questions.size(), 2);
    QCOMPARE(pane->currentId(), staging);
    QCOMPARE(name->text(), QStringLiteral("staging"));
    QCOMPARE(m_store->environment(prod)->name, QStringLiteral("prod"));

    // Without edits, no question.
    clickRow(pane, prod);
    QCOMPARE(m_questions.size(), 2);
    QCOMPARE(pane->currentId(), prod);
}

void TestEditors::deletingAsksAndNamesTheProjectsEnvironments()
{
    QVERIFY(addEnvironment(QStringLiteral("prod"), {}));
    QVERIFY(addEnvironment(QStringLiteral("staging"), {}));
    const qint64 shop = m_store->projectId(QStringLiteral("shop"));
    ProjectsPane *pane = m_window->projectsPane();
    pane->reload();
    m_window->showPane(MainWindow::Pane::Projects);
    pane->selectItem(shop);
    auto *remove = child<QPushButton>(pane, QStringLiteral("deleteButton"));

    m_answer = false;
    QTest::mouseClick(remove, Qt::LeftButton);
    QCOMPARE(m_questions.size(), 1);
    const QString question = m_questions.first();
    QVERIFY2(question.contains(QStringLiteral("shop")) && question.contains(QStringLiteral("prod"))
                 && question.contains(QStringLiteral("staging")),
             qPrintable(question));
    QCOMPARE(m_store->projects()->size(), 1);
    QCOMPARE(m_store->environments()->size(), 2);

    m_answer = true;
    QTest::mouseClick(remove, Qt::LeftButton);
    QCOMPARE(m_questions.size(), 2);
    QVERIFY(m_store->projects()->isEmpty());
    QVERIFY(m_store->environments()->isEmpty());
}

void TestEditors::parallelismSpinBoxMatchesTheValidator()
{
    auto *spin = child<QSpinBox>(m_window->environmentsPane(), QStringLiteral("parallelismSpinBox"));
    QVERIFY(spin);
    const auto refused = [](int parallelism) {
        Environment environment;
        environment.parallelism = parallelism;
        const QList<Error> errors = Validator::check(environment);
        return std::any_of(errors.begin(), errors.end(),
                           [](const Error &error) { return error.field == QStringLiteral("parallelism"); });
    };
    QVERIFY(!refused(spin->minimum()));
    QVERIFY(!refused(spin->maximum()));
    QVERIFY(refused(spin->minimum() - 1));
    QVERIFY(refused(spin->maximum() + 1));
}

void TestEditors::unauthenticatedUrlAsksForConsent()
{
    m_window->showPane(MainWindow::Pane::Projects);
    ProjectsPane *pane = m_window->projectsPane();
    QTest::mouseClick(child<QPushButton>(pane, QStringLiteral("addButton")), Qt::LeftButton);
    auto *save = child<QPushButton>(pane, QStringLiteral("saveButton"));
    auto *url = child<QLineEdit>(pane, QStringLiteral("gitUrlEdit"));
    auto *consent = child<QCheckBox>(pane, QStringLiteral("allowUnauthenticatedCheckBox"));
    QVERIFY(save && url && consent);
    QTest::keyClicks(child<QLineEdit>(pane, QStringLiteral("nameEdit")), QStringLiteral("blog"));
    QTest::keyClicks(url, QStringLiteral("https://git.example.com/blog.git"));
    QVERIFY(!consent->isVisibleTo(pane)); // an authenticated URL asks nothing
    QVERIFY(save->isEnabled());

    retype(url, QStringLiteral("http://git.example.com/blog.git"));
    QVERIFY(consent->isVisibleTo(pane));
    QVERIFY(shows(pane, QStringLiteral("gitUrl"), QStringLiteral("without authenticating the server")));
    QVERIFY(!save->isEnabled());
    if (const QString dir = qEnvironmentVariable("RELEASEDESK_SCREENSHOTS"); !dir.isEmpty())
        m_window->grab().save(dir + QStringLiteral("/project-unauthenticated.png"));

    consent->click();
    QVERIFY(showsNothing(pane, QStringLiteral("gitUrl")));
    QVERIFY(save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(pane->storeErrorText(), QString());
    const auto saved = m_store->project(m_store->projectId(QStringLiteral("blog")));
    QVERIFY(saved);
    QCOMPARE(saved->gitUrl, QStringLiteral("http://git.example.com/blog.git"));
    QVERIFY(saved->allowUnauthenticated);
}

void TestEditors::passphraseWithoutPrivateKeyIsRefusedInline()
{
    SshKey key;
    key.name = QStringLiteral("deploy");
    key.username = QStringLiteral("deploy");
    key.kind = KeyKind::Stored;
    key.sealedPrivateKey = QByteArrayLiteral("sealed");
    auto id = m_store->addKey(key);
    QVERIFY2(id, qPrintable(id ? QString() : id.error().text()));
    KeysPane *pane = m_window->keysPane();
    pane->reload();
    m_window->showPane(MainWindow::Pane::Keys);
    pane->selectItem(*id);
    auto *save = child<QPushButton>(pane, QStringLiteral("saveButton"));
    QVERIFY(save->isEnabled());

    QTest::keyClicks(child<QLineEdit>(pane, QStringLiteral("passphraseEdit")), QStringLiteral("secret"));
    QVERIFY(shows(pane, QStringLiteral("passphrase"), QStringLiteral("Paste the private key again")));
    QVERIFY(!save->isEnabled());
    retype(child<QLineEdit>(pane, QStringLiteral("passphraseEdit")), QString());
    QVERIFY(showsNothing(pane, QStringLiteral("passphrase")));
    QVERIFY(save->isEnabled());
}

void TestEditors::pastedKeyIsCheckedBesideTheWindow()
{
    // An OpenSSH key with a passphrase: checking it runs ssh-keygen, off the window's thread.
    const QString keyPath = m_dir.filePath(QStringLiteral("pasted_ed25519"));
    QFile::remove(keyPath);
    QFile::remove(keyPath + QStringLiteral(".pub"));
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                                                QStringLiteral("-N"), QStringLiteral("right phrase"),
                                                QStringLiteral("-C"), QString(), QStringLiteral("-f"), keyPath});
    QVERIFY(keygen.waitForFinished(30000) && keygen.exitCode() == 0);
    QFile privateFile(keyPath);
    QVERIFY(privateFile.open(QIODevice::ReadOnly));
    const QByteArray privateText = privateFile.readAll();
    QFile publicFile(keyPath + QStringLiteral(".pub"));
    QVERIFY(publicFile.open(QIODevice::ReadOnly));
    const QString publicLine = QString::fromLatin1(publicFile.readAll()).simplified();
    QVERIFY(m_vault->initialize("editor master password"));

    KeysPane *pane = m_window->keysPane();
    m_window->showPane(MainWindow::Pane::Keys);
    pane->selectItem(0);
    retype(child<QLineEdit>(pane, QStringLiteral("nameEdit")), QStringLiteral("pasted"));
    retype(child<QLineEdit>(pane, QStringLiteral("usernameEdit")), QStringLiteral("deploy"));
    child<QPlainTextEdit>(pane, QStringLiteral("privateKeyEdit"))->setPlainText(QString::fromLatin1(privateText));
    retype(child<QLineEdit>(pane, QStringLiteral("passphraseEdit")), QStringLiteral("wrong phrase"));
    auto *save = child<QPushButton>(pane, QStringLiteral("saveButton"));
    auto *checking = child<QLabel>(pane, QStringLiteral("checkingLabel"));

    QTest::mouseClick(save, Qt::LeftButton);
    // Back from the click while ssh-keygen works: the pane waits, the store has nothing yet.
    QVERIFY(!pane->isEnabled());
    QVERIFY(checking->isVisibleTo(pane));
    if (const QString dir = qEnvironmentVariable("RELEASEDESK_SCREENSHOTS"); !dir.isEmpty())
        m_window->grab().save(dir + QStringLiteral("/key-checking.png"));
    QTRY_VERIFY_WITH_TIMEOUT(pane->isEnabled(), 60000);
    QVERIFY(!checking->isVisibleTo(pane));
    QVERIFY(shows(pane, QStringLiteral("passphrase"), QStringLiteral("wrong")));
    QCOMPARE(m_store->keyId(QStringLiteral("pasted")), 0);

    retype(child<QLineEdit>(pane, QStringLiteral("passphraseEdit")), QStringLiteral("right phrase"));
    QTest::mouseClick(save, Qt::LeftButton);
    QVERIFY(!pane->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(pane->isEnabled(), 60000);
    QCOMPARE(pane->storeErrorText(), QString());
    const qint64 id = m_store->keyId(QStringLiteral("pasted"));
    QVERIFY(id);
    auto stored = m_store->key(id);
    QVERIFY(stored);
    QCOMPARE(stored->publicKey, publicLine);
    auto opened = m_vault->open(stored->sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
    QVERIFY(opened);
    QVERIFY(opened->equals(privateText));
    auto passphrase = m_vault->open(stored->sealedPassphrase, StoredKeyBuilder::passphrasePurpose());
    QVERIFY(passphrase);
    QVERIFY(passphrase->equals("right phrase"));
    // What was typed left the form with the save.
    QVERIFY(child<QLineEdit>(pane, QStringLiteral("passphraseEdit"))->text().isEmpty());
    QVERIFY(child<QPlainTextEdit>(pane, QStringLiteral("privateKeyEdit"))->toPlainText().isEmpty());
}

void TestEditors::productionIsAskedAboutFromHistoryAndForm()
{
    // The history (as the task window) and the release form only ask the main window to start; it
    // asks the operator by the one rule, and a "no" starts nothing.
    QStringList asked;
    m_window->setReleaseConfirmation([&asked](const QString &title, const QString &text) {
        asked.append(title + u'\n' + text);
        return false;
    });
    const int windowsBefore = int(m_window->findChildren<TaskWindow *>().size());
    emit m_window->historyPane()->rollbackRequested(QStringLiteral("shop"), QStringLiteral("prod"),
                                                   QStringLiteral("shop-v1-20261201120000"));
    QCOMPARE(asked.size(), 1);
    QVERIFY2(asked.first().startsWith(QStringLiteral("Roll back shop/prod?")), qPrintable(asked.first()));
    QVERIFY2(asked.first().contains(QStringLiteral("shop-v1-20261201120000")), qPrintable(asked.first()));
    QCOMPARE(int(m_window->findChildren<TaskWindow *>().size()), windowsBefore);

    ReleaseRequest release;
    release.project = QStringLiteral("shop");
    release.environment = QStringLiteral("live-eu");
    release.ref = QStringLiteral("main");
    release.servers = {QStringLiteral("web-1"), QStringLiteral("web-2")};
    emit m_window->releaseForm()->startRequested(release, false);
    QCOMPARE(asked.size(), 2);
    QCOMPARE(int(m_window->findChildren<TaskWindow *>().size()), windowsBefore);
    QVERIFY2(asked.last().contains(QStringLiteral("the 2 server")), qPrintable(asked.last()));
}

QTEST_MAIN(TestEditors)
#include "tst_editors.moc"
