#include "dialogs/connectioncheckdialog.h"
#include "dialogs/guihostkeyprompt.h"
#include "dialogs/hostkeydialog.h"
#include "dialogs/hostkeyscandialog.h"
#include "inventory/inventorystore.h"
#include "workspace/workspace.h"
#include "hostkeys/knownhosts.h"
#include "testhosts.h"

#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <functional>
#include <optional>
#include <thread>

using namespace rd;
using namespace rd::test;

// The host key prompt answered from worker threads, and the scan and connection check dialogs
// against a private set of real sshd hosts.
class TestHostKeyDialogs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void promptFromWorkerThreadReturnsTheButtonsAnswer_data();
    void promptFromWorkerThreadReturnsTheButtonsAnswer();
    void escapeRejectsAndRejectIsTheDefault();
    void keyOfAnotherTypeNamesTheKnownKey();
    void cancelReleasesAWaitingWorker();
    void scanListsNewKeysTrustsThemAndFindsThemKnown();
    void scanShowsAChangedKeyAndForgetsIt();
    void connectionCheckFillsRowsWithOkAndErrors();

private:
    // Asks a prompt from a worker thread, as an SSH worker does; always joins it.
    struct Asker
    {
        explicit Asker(GuiHostKeyPrompt &prompt) : m_prompt(prompt) {}
        ~Asker()
        {
            m_prompt.cancel();
            if (m_worker.joinable())
                m_worker.join();
        }
        void ask(const HostKeyInfo &info)
        {
            m_worker = std::thread([this, ask = m_prompt.prompt(), info] {
                decision = ask(info);
                answered = true;
            });
        }
        GuiHostKeyPrompt &m_prompt;
        std::thread m_worker;
        std::atomic_bool answered = false;
        HostKeyDecision decision = HostKeyDecision::Reject;
    };

    static HostKeyInfo sampleKey();
    // A modal dialog runs its own event loop, so it is answered from a timer that fires inside it.
    template <typename Dialog> void whenModalShows(std::function<void(Dialog *)> act);
    void whenHostKeyDialogShows(std::function<void(HostKeyDialog *)> act) { whenModalShows(std::move(act)); }
    static QString openSshFingerprint(const QString &hostDir, const QString &keyType);
    static QString cell(QTableWidget *table, int row, int column) { return table->item(row, column)->text(); }

    QTemporaryDir m_dir;
    QString m_hostsDir;
    TestHostSet m_hosts;
};

void TestHostKeyDialogs::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_hostsDir = m_dir.filePath(QStringLiteral("hosts"));
    m_hosts = startPrivateHosts(m_hostsDir, 3);
    QCOMPARE(m_hosts.hosts.size(), 3);
}

void TestHostKeyDialogs::cleanupTestCase()
{
    stopPrivateHosts(m_hostsDir);
}

HostKeyInfo TestHostKeyDialogs::sampleKey()
{
    HostKeyInfo info;
    info.host = QStringLiteral("10.1.2.3");
    info.port = 2222;
    info.type = QStringLiteral("ssh-ed25519");
    info.blob = QByteArray("a key blob");
    info.fingerprint = HostKeyInfo::fingerprintOf(info.blob);
    return info;
}

template <typename Dialog> void TestHostKeyDialogs::whenModalShows(std::function<void(Dialog *)> act)
{
    auto *timer = new QTimer(this);
    timer->setInterval(10);
    connect(timer, &QTimer::timeout, this, [timer, act = std::move(act)] {
        auto *dialog = qobject_cast<Dialog *>(QApplication::activeModalWidget());
        if (!dialog || !dialog->isVisible())
            return;
        timer->stop();
        timer->deleteLater();
        act(dialog);
    });
    timer->start();
}

QString TestHostKeyDialogs::openSshFingerprint(const QString &hostDir, const QString &keyType)
{
    QString family = QStringLiteral("ed25519");
    if (keyType.startsWith(u"ecdsa"))
        family = QStringLiteral("ecdsa");
    else if (keyType.contains(u"rsa"))
        family = QStringLiteral("rsa");
    QProcess keygen;
    keygen.start(QStringLiteral("ssh-keygen"),
                 {QStringLiteral("-lf"), hostDir + QStringLiteral("/ssh_host_%1_key.pub").arg(family)});
    if (!keygen.waitForFinished() || keygen.exitCode() != 0)
        return {};
    // "256 SHA256:... comment (ED25519)"
    return QString::fromUtf8(keygen.readAllStandardOutput()).section(u' ', 1, 1);
}

void TestHostKeyDialogs::promptFromWorkerThreadReturnsTheButtonsAnswer_data()
{
    QTest::addColumn<QString>("button");
    QTest::addColumn<HostKeyDecision>("expected");
    QTest::newRow("trust and remember") << QStringLiteral("rememberButton") << HostKeyDecision::Remember;
    QTest::newRow("trust once") << QStringLiteral("acceptOnceButton") << HostKeyDecision::AcceptOnce;
    QTest::newRow("reject") << QStringLiteral("rejectButton") << HostKeyDecision::Reject;
}

void TestHostKeyDialogs::promptFromWorkerThreadReturnsTheButtonsAnswer()
{
    QFETCH(QString, button);
    QFETCH(HostKeyDecision, expected);
    QWidget window;
    window.show();
    GuiHostKeyPrompt prompt(&window);
    const HostKeyInfo info = sampleKey();
    prompt.setServerName(info.host, info.port, QStringLiteral("web-07"));

    QStringList shown;
    bool answeredBeforeClick = true;
    Asker asker(prompt);
    whenHostKeyDialogShows([&](HostKeyDialog *dialog) {
        answeredBeforeClick = asker.answered;
        for (const char *name : {"serverLabel", "addressLabel", "keyTypeLabel", "fingerprintLabel", "verifyCommandLabel"})
            shown.append(dialog->findChild<QLabel *>(QString::fromLatin1(name))->text());
        QTest::mouseClick(dialog->findChild<QPushButton *>(button), Qt::LeftButton);
    });
    asker.ask(info);
    QTRY_VERIFY(asker.answered);
    QVERIFY(!answeredBeforeClick);
    QCOMPARE(shown.size(), 5);
    QCOMPARE(shown[0], QStringLiteral("web-07"));
    QVERIFY(shown[1].contains(u"10.1.2.3") && shown[1].contains(u"2222"));
    QCOMPARE(shown[2], info.type);
    QCOMPARE(shown[3], info.fingerprint);
    QCOMPARE(shown[4], QStringLiteral("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"));
    QVERIFY(asker.decision == expected);
}

void TestHostKeyDialogs::keyOfAnotherTypeNamesTheKnownKey()
{
    HostKeyInfo first = sampleKey();
    HostKeyDialog unknown(first, QStringLiteral("web-01"));
    QCOMPARE(unknown.windowTitle(), QStringLiteral("Unknown host key"));
    QVERIFY(unknown.findChild<QLabel *>(QStringLiteral("introLabel"))->text().contains(QStringLiteral("not connected")));

    // The server is not new: the dialog says so and names the key it knows.
    HostKeyInfo other = sampleKey();
    other.otherKnownKey = QStringLiteral("ssh-ed25519 SHA256:knownknownknown");
    HostKeyDialog dialog(other, QStringLiteral("web-01"));
    QCOMPARE(dialog.windowTitle(), QStringLiteral("Host key of another type"));
    const QString intro = dialog.findChild<QLabel *>(QStringLiteral("introLabel"))->text();
    QVERIFY2(intro.contains(other.otherKnownKey) && !intro.contains(QStringLiteral("not connected")), qPrintable(intro));
}

void TestHostKeyDialogs::escapeRejectsAndRejectIsTheDefault()
{
    GuiHostKeyPrompt prompt(nullptr);
    bool rejectIsDefault = false;
    bool rememberIsDefault = true;
    Asker asker(prompt);
    whenHostKeyDialogShows([&](HostKeyDialog *dialog) {
        rejectIsDefault = dialog->findChild<QPushButton *>(QStringLiteral("rejectButton"))->isDefault();
        rememberIsDefault = dialog->findChild<QPushButton *>(QStringLiteral("rememberButton"))->isDefault();
        QTest::keyClick(dialog, Qt::Key_Escape);
    });
    asker.ask(sampleKey());
    QTRY_VERIFY(asker.answered);
    QVERIFY(rejectIsDefault);
    QVERIFY(!rememberIsDefault);
    QVERIFY(asker.decision == HostKeyDecision::Reject);
}

void TestHostKeyDialogs::cancelReleasesAWaitingWorker()
{
    GuiHostKeyPrompt prompt(nullptr);
    QPointer<HostKeyDialog> seen;
    Asker asker(prompt);
    whenHostKeyDialogShows([&](HostKeyDialog *dialog) {
        seen = dialog;
        prompt.cancel();
    });
    asker.ask(sampleKey());
    QTRY_VERIFY(asker.answered);
    QVERIFY(asker.decision == HostKeyDecision::Reject);
    QTRY_VERIFY(!seen);
    // Later questions are not shown at all.
    QVERIFY(prompt.prompt()(sampleKey()) == HostKeyDecision::Reject);
}

void TestHostKeyDialogs::scanListsNewKeysTrustsThemAndFindsThemKnown()
{
    const QString knownHostsPath = m_dir.filePath(QStringLiteral("scan_known_hosts"));
    QList<HostKeyScanTarget> targets;
    for (const TestHost &host : m_hosts.hosts)
        targets.append({host.name, host.address, host.port});
    targets.append({QStringLiteral("closed-port"), QStringLiteral("127.0.0.1"), 1});

    KnownHosts knownHosts(knownHostsPath);
    HostKeyScanDialog dialog(knownHosts, targets);
    dialog.show();
    QSignalSpy finished(&dialog, &HostKeyScanDialog::scanFinished);
    dialog.startScan();
    QVERIFY(finished.wait(30000));
    auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("scanTable"));
    QVERIFY(table);
    QCOMPARE(table->rowCount(), 4);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(cell(table, row, HostKeyScanDialog::ServerColumn), m_hosts.hosts[row].name);
        QCOMPARE(cell(table, row, HostKeyScanDialog::StateColumn), QStringLiteral("new"));
        const QString type = cell(table, row, HostKeyScanDialog::TypeColumn);
        const QString expected = openSshFingerprint(m_hosts.dir + u'/' + m_hosts.hosts[row].name, type);
        QVERIFY(!expected.isEmpty());
        QCOMPARE(cell(table, row, HostKeyScanDialog::FingerprintColumn), expected);
        QVERIFY(table->item(row, HostKeyScanDialog::ServerColumn)->flags() & Qt::ItemIsUserCheckable);
    }
    QVERIFY(cell(table, 3, HostKeyScanDialog::StateColumn).startsWith(u"unreachable: "));
    QVERIFY(cell(table, 3, HostKeyScanDialog::StateColumn).size() > QStringLiteral("unreachable: ").size());
    QVERIFY(!(table->item(3, HostKeyScanDialog::ServerColumn)->flags() & Qt::ItemIsUserCheckable));

    // Nothing checked: nothing to trust.
    auto *trust = dialog.findChild<QPushButton *>(QStringLiteral("trustCheckedButton"));
    QVERIFY(!trust->isEnabled());
    table->item(0, HostKeyScanDialog::ServerColumn)->setCheckState(Qt::Checked);
    table->item(2, HostKeyScanDialog::ServerColumn)->setCheckState(Qt::Checked);
    QVERIFY(trust->isEnabled());
    QTest::mouseClick(trust, Qt::LeftButton);
    QCOMPARE(cell(table, 0, HostKeyScanDialog::StateColumn), QStringLiteral("known"));
    QCOMPARE(cell(table, 1, HostKeyScanDialog::StateColumn), QStringLiteral("new"));
    QCOMPARE(cell(table, 2, HostKeyScanDialog::StateColumn), QStringLiteral("known"));

    // What was written is an OpenSSH known_hosts file that OpenSSH itself finds the hosts in.
    for (int row : {0, 2}) {
        const TestHost &host = m_hosts.hosts[row];
        QProcess keygen;
        keygen.start(QStringLiteral("ssh-keygen"),
                     {QStringLiteral("-F"), QStringLiteral("[%1]:%2").arg(host.address).arg(host.port),
                      QStringLiteral("-f"), knownHostsPath});
        QVERIFY(keygen.waitForFinished());
        QCOMPARE(keygen.exitCode(), 0);
    }
    KnownHosts reread(knownHostsPath);
    QVERIFY(reread.knownTypes(m_hosts.hosts[1].address, m_hosts.hosts[1].port).isEmpty());

    // A second scan finds them known.
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("scanAgainButton")), Qt::LeftButton);
    QVERIFY(finished.wait(30000));
    QCOMPARE(cell(table, 0, HostKeyScanDialog::StateColumn), QStringLiteral("known"));
    QCOMPARE(cell(table, 1, HostKeyScanDialog::StateColumn), QStringLiteral("new"));
    QCOMPARE(cell(table, 2, HostKeyScanDialog::StateColumn), QStringLiteral("known"));
    QVERIFY(!(table->item(0, HostKeyScanDialog::ServerColumn)->flags() & Qt::ItemIsUserCheckable));
}

void TestHostKeyDialogs::scanShowsAChangedKeyAndForgetsIt()
{
    // A set of its own: its host key is replaced.
    const QString dir = m_dir.filePath(QStringLiteral("changing"));
    TestHostSet set = startPrivateHosts(dir, 1);
    QCOMPARE(set.hosts.size(), 1);
    const TestHost host = set.hosts[0];
    const QString knownHostsPath = m_dir.filePath(QStringLiteral("changed_known_hosts"));
    KnownHosts knownHosts(knownHostsPath);
    QVERIFY(knownHosts.import(set.knownHosts()));
    QVERIFY(!knownHosts.knownTypes(host.address, host.port).isEmpty());
    runTestHosts({QStringLiteral("break-hostkey"), QStringLiteral("--dir"), dir, QStringLiteral("--host"),
                  QStringLiteral("1")});

    HostKeyScanDialog dialog(knownHosts, {{host.name, host.address, host.port}});
    dialog.show();
    QSignalSpy finished(&dialog, &HostKeyScanDialog::scanFinished);
    dialog.startScan();
    const bool scanned = finished.wait(30000);
    stopPrivateHosts(dir);
    QVERIFY(scanned);
    auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("scanTable"));
    QCOMPARE(cell(table, 0, HostKeyScanDialog::StateColumn), QStringLiteral("CHANGED"));
    QVERIFY(!(table->item(0, HostKeyScanDialog::ServerColumn)->flags() & Qt::ItemIsUserCheckable));
    const QString offered = cell(table, 0, HostKeyScanDialog::FingerprintColumn);
    QCOMPARE(offered, openSshFingerprint(dir + u'/' + host.name, cell(table, 0, HostKeyScanDialog::TypeColumn)));
    table->setCurrentCell(0, 0);
    const QString details = dialog.findChild<QPlainTextEdit *>(QStringLiteral("detailsEdit"))->toPlainText();
    QVERIFY2(details.contains(offered), qPrintable(details));
    QVERIFY2(details.contains(u"Stored:") && details.count(u"SHA256:") == 2, qPrintable(details));
    QVERIFY(details.contains(u"Forget stored key"));

    auto *forget = qobject_cast<QPushButton *>(table->cellWidget(0, HostKeyScanDialog::ActionColumn));
    QVERIFY(forget);
    // Cancel in the confirmation keeps the key.
    bool cancelled = false;
    whenModalShows<QMessageBox>([&cancelled](QMessageBox *box) {
        cancelled = box->objectName() == u"forgetConfirmBox";
        box->button(QMessageBox::Cancel)->click();
    });
    forget->click();
    QTRY_VERIFY(cancelled);
    QTRY_VERIFY(!QApplication::activeModalWidget());
    QCOMPARE(cell(table, 0, HostKeyScanDialog::StateColumn), QStringLiteral("CHANGED"));
    QVERIFY(!knownHosts.knownTypes(host.address, host.port).isEmpty());

    forget = qobject_cast<QPushButton *>(table->cellWidget(0, HostKeyScanDialog::ActionColumn));
    bool confirmed = false;
    whenModalShows<QMessageBox>([&confirmed](QMessageBox *box) {
        confirmed = box->objectName() == u"forgetConfirmBox";
        box->button(QMessageBox::Yes)->click();
    });
    forget->click();
    QTRY_COMPARE(cell(table, 0, HostKeyScanDialog::StateColumn), QStringLiteral("new"));
    QVERIFY(confirmed);
    QVERIFY(knownHosts.knownTypes(host.address, host.port).isEmpty());
    QVERIFY(!table->cellWidget(0, HostKeyScanDialog::ActionColumn));
    // The offered key can now be trusted like a first contact.
    QVERIFY(table->item(0, HostKeyScanDialog::ServerColumn)->flags() & Qt::ItemIsUserCheckable);
    table->item(0, HostKeyScanDialog::ServerColumn)->setCheckState(Qt::Checked);
    QCOMPARE(dialog.trustChecked(), 1);
    QVERIFY(knownHosts.knownTypes(host.address, host.port).contains(cell(table, 0, HostKeyScanDialog::TypeColumn)));
}

void TestHostKeyDialogs::connectionCheckFillsRowsWithOkAndErrors()
{
    const QString dataDir = m_dir.filePath(QStringLiteral("check"));
    auto opened = Workspace::open(dataDir);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().text()));
    std::unique_ptr<Workspace> workspace = std::move(*opened);
    InventoryStore *store = &workspace->store();
    SshKey key;
    key.name = QStringLiteral("deploy");
    key.username = m_hosts.hosts[0].user;
    key.kind = KeyKind::File;
    key.keyPath = m_hosts.clientKey();
    auto keyId = store->addKey(key);
    QVERIFY2(keyId, qPrintable(keyId ? QString() : keyId.error().text()));

    QList<Server> servers;
    auto addServer = [&](const QString &name, const QString &host, int port, const QString &user) {
        Server server;
        server.name = name;
        server.host = host;
        server.port = port;
        server.keyId = *keyId;
        server.username = user;
        auto id = store->addServer(server);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().text()));
        server.id = *id;
        servers.append(server);
    };
    for (const TestHost &host : m_hosts.hosts)
        addServer(host.name, host.address, host.port, host.user);
    addServer(QStringLiteral("closed-port"), QStringLiteral("127.0.0.1"), 1, m_hosts.hosts[0].user);

    // The first two hosts are known; the third is met for the first time and trusted once.
    const QString knownHostsPath = dataDir + QStringLiteral("/known_hosts");
    KnownHosts knownHosts(knownHostsPath);
    QVERIFY(knownHosts.import(m_hosts.knownHosts()));
    QVERIFY(knownHosts.forget(m_hosts.hosts[2].address, m_hosts.hosts[2].port));

    ConnectionCheckDialog dialog(*workspace, servers);
    dialog.show();
    QSignalSpy finished(&dialog, &ConnectionCheckDialog::checkFinished);
    dialog.start();
    auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("checkTable"));
    QCOMPARE(table->rowCount(), 4);
    QVERIFY(dialog.isRunning());
    QCOMPARE(cell(table, 0, ConnectionCheckDialog::StateColumn), QStringLiteral("connecting"));

    QString asked;
    whenHostKeyDialogShows([&asked](HostKeyDialog *question) {
        asked = question->findChild<QLabel *>(QStringLiteral("serverLabel"))->text();
        QTest::mouseClick(question->findChild<QPushButton *>(QStringLiteral("acceptOnceButton")), Qt::LeftButton);
    });
    QVERIFY(finished.wait(60000));
    QCOMPARE(asked, m_hosts.hosts[2].name);
    QVERIFY(!dialog.isRunning());
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(cell(table, row, ConnectionCheckDialog::StateColumn), QStringLiteral("ok"));
        QVERIFY(cell(table, row, ConnectionCheckDialog::AuthColumn).startsWith(u"key file "));
        QVERIFY(cell(table, row, ConnectionCheckDialog::SecondsColumn).toDouble() > 0);
        QVERIFY(cell(table, row, ConnectionCheckDialog::ErrorColumn).isEmpty());
    }
    QCOMPARE(cell(table, 3, ConnectionCheckDialog::StateColumn), QStringLiteral("failed"));
    const QString error = table->item(3, ConnectionCheckDialog::ErrorColumn)->toolTip();
    QVERIFY2(error.contains(u"127.0.0.1") && error.contains(u'1'), qPrintable(error));
    table->setCurrentCell(3, 0);
    QCOMPARE(dialog.findChild<QPlainTextEdit *>(QStringLiteral("detailsEdit"))->toPlainText(), error);
    // Trusted once: not written down.
    QVERIFY(knownHosts.knownTypes(m_hosts.hosts[2].address, m_hosts.hosts[2].port).isEmpty());
    QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("summaryLabel"))->text(), QStringLiteral("3 ok, 1 failed."));
}

QTEST_MAIN(TestHostKeyDialogs)
#include "tst_hostkeydialogs.moc"
