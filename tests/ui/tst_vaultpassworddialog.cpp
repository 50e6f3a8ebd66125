#include "inventory/inventorystore.h"
#include "inventory/storedkeybuilder.h"
#include "vault/vault.h"
#include "dialogs/vaultpassworddialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

// The password dialog derives keys (Argon2id, about a second each) on a worker, whether it unlocks,
// chooses a first password or changes it: the window answers meanwhile, and the outcome is the vault's.
class TestVaultPasswordDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void unlockRunsBesideTheWindow();
    void wrongPasswordKeepsTheDialogOpen();
    void createAndChangeRunBesideTheWindow();

private:
    bool unlockWith(VaultPasswordDialog &dialog, const QString &password);
    // Fills the fields that the dialog has (current, new, repeat) and clicks Save.
    static bool submit(VaultPasswordDialog &dialog, const QString &current, const QString &password);
    // Clicked, it is busy on a worker: fields off, `vault` not yet changed as `unchanged` says.
    static void checkBusy(VaultPasswordDialog &dialog);

    QTemporaryDir m_dir;
    std::unique_ptr<InventoryStore> m_store;
    std::unique_ptr<Vault> m_vault;
};

void TestVaultPasswordDialog::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto store = InventoryStore::open(m_dir.filePath(QStringLiteral("inventory.sqlite")));
    QVERIFY(store);
    m_store = std::move(*store);
    m_vault = std::make_unique<Vault>(*m_store);
    QVERIFY(m_vault->initialize("the master password"));
    m_vault->lock();
}

bool TestVaultPasswordDialog::unlockWith(VaultPasswordDialog &dialog, const QString &password)
{
    auto *edit = dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    if (!edit || !buttons)
        return false;
    edit->setText(password);
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    return true;
}

void TestVaultPasswordDialog::unlockRunsBesideTheWindow()
{
    VaultPasswordDialog dialog(VaultPasswordDialog::Mode::Unlock, *m_vault);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(unlockWith(dialog, QStringLiteral("the master password")));
    // Back from the click before the key is there: busy, inputs off, still locked.
    auto *busy = dialog.findChild<QLabel *>(QStringLiteral("busyLabel"));
    QVERIFY(busy && busy->isVisible());
    QVERIFY(!dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->isEnabled());
    QVERIFY(!m_vault->isUnlocked());
    if (const QString dir = qEnvironmentVariable("RELEASEDESK_SCREENSHOTS"); !dir.isEmpty())
        dialog.grab().save(dir + QStringLiteral("/vault-unlocking.png"));
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 60000);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(m_vault->isUnlocked());
    m_vault->lock();
}

void TestVaultPasswordDialog::wrongPasswordKeepsTheDialogOpen()
{
    VaultPasswordDialog dialog(VaultPasswordDialog::Mode::Unlock, *m_vault);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(unlockWith(dialog, QStringLiteral("not the password")));
    auto *error = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 60000);
    QVERIFY2(error->text().contains(QStringLiteral("wrong")), qPrintable(error->text()));
    QVERIFY(dialog.isVisible());
    QVERIFY(dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->isEnabled());
    QVERIFY(dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->text().isEmpty());
    QVERIFY(!m_vault->isUnlocked());
}

bool TestVaultPasswordDialog::submit(VaultPasswordDialog &dialog, const QString &current, const QString &password)
{
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    if (!buttons)
        return false;
    if (auto *edit = dialog.findChild<QLineEdit *>(QStringLiteral("currentPasswordEdit")))
        edit->setText(current);
    for (const QString &name : {QStringLiteral("passwordEdit"), QStringLiteral("repeatEdit")}) {
        auto *edit = dialog.findChild<QLineEdit *>(name);
        if (!edit)
            return false;
        edit->setText(password);
    }
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    return true;
}

void TestVaultPasswordDialog::checkBusy(VaultPasswordDialog &dialog)
{
    auto *busy = dialog.findChild<QLabel *>(QStringLiteral("busyLabel"));
    QVERIFY(busy && busy->isVisible());
    QVERIFY(!dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->isEnabled());
    // The typed passwords left the fields when the work began.
    QVERIFY(dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->text().isEmpty());
}

void TestVaultPasswordDialog::createAndChangeRunBesideTheWindow()
{
    QTemporaryDir dir;
    auto opened = InventoryStore::open(dir.filePath(QStringLiteral("inventory.sqlite")));
    QVERIFY(opened);
    InventoryStore &store = **opened;
    Vault vault(store);

    VaultPasswordDialog create(VaultPasswordDialog::Mode::Create, vault);
    create.show();
    QVERIFY(QTest::qWaitForWindowExposed(&create));
    QVERIFY(submit(create, {}, QStringLiteral("first master password")));
    checkBusy(create);
    QVERIFY(!vault.isInitialized());
    QTRY_VERIFY_WITH_TIMEOUT(!create.isVisible(), 60000);
    QCOMPARE(create.result(), int(QDialog::Accepted));
    QVERIFY(vault.isInitialized());
    QVERIFY(vault.isUnlocked());
    SshKey key;
    key.name = QStringLiteral("stored");
    key.username = QStringLiteral("deploy");
    key.kind = KeyKind::Stored;
    auto sealed = vault.seal("the private key text", StoredKeyBuilder::privateKeyPurpose());
    QVERIFY(sealed);
    key.sealedPrivateKey = *sealed;
    auto keyId = store.addKey(key);
    QVERIFY2(keyId, qPrintable(keyId ? QString() : keyId.error().text()));

    // A wrong current password: the dialog stays, and nothing changed.
    VaultPasswordDialog change(VaultPasswordDialog::Mode::Change, vault);
    change.show();
    QVERIFY(QTest::qWaitForWindowExposed(&change));
    QVERIFY(submit(change, QStringLiteral("not the current one"), QStringLiteral("second master password")));
    checkBusy(change);
    auto *error = change.findChild<QLabel *>(QStringLiteral("errorLabel"));
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 60000);
    QVERIFY2(error->text().contains(QStringLiteral("wrong")), qPrintable(error->text()));
    QVERIFY(change.isVisible());

    QVERIFY(submit(change, QStringLiteral("first master password"), QStringLiteral("second master password")));
    checkBusy(change);
    QTRY_VERIFY_WITH_TIMEOUT(!change.isVisible(), 60000);
    QCOMPARE(change.result(), int(QDialog::Accepted));

    // The stored key was sealed anew: it opens under the new password only.
    Vault reopened(store);
    QVERIFY(!reopened.unlock("first master password"));
    QVERIFY(reopened.unlock("second master password"));
    auto stored = store.key(*keyId);
    QVERIFY(stored);
    QVERIFY(stored->sealedPrivateKey != *sealed);
    auto plain = reopened.open(stored->sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
    QVERIFY(plain);
    QVERIFY(plain->equals("the private key text"));
}

QTEST_MAIN(TestVaultPasswordDialog)
#include "tst_vaultpassworddialog.moc"
