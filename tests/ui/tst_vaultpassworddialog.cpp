#include "inventory/inventorystore.h"
#include "vault/vault.h"
#include "vaultpassworddialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace rd;

// The unlock dialog derives the key (Argon2id, about a second) on a worker: the window answers
// meanwhile, and the outcome is the vault's.
class TestVaultPasswordDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void unlockRunsBesideTheWindow();
    void wrongPasswordKeepsTheDialogOpen();

private:
    bool unlockWith(VaultPasswordDialog &dialog, const QString &password);

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

QTEST_MAIN(TestVaultPasswordDialog)
#include "tst_vaultpassworddialog.moc"
