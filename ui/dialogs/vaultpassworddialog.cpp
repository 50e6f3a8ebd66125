#include "vaultpassworddialog.h"
#include "vault/vault.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <memory>
#include <optional>

namespace rd {

VaultPasswordDialog::VaultPasswordDialog(Mode mode, Vault &vault, QWidget *parent)
    : QDialog(parent), m_mode(mode), m_vault(vault)
{
    setObjectName(QStringLiteral("vaultPasswordDialog"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 20, 20, 16);
    layout->setSpacing(12);
    auto *intro = new QLabel;
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    switch (mode) {
    case Mode::Unlock:
        setWindowTitle(tr("Unlock the vault"));
        intro->setText(tr("Stored private keys and passphrases are encrypted with your master password. "
                          "Enter it to use them, or cancel to continue with the vault locked."));
        m_password = passwordEdit(QStringLiteral("passwordEdit"));
        form->addRow(tr("Master password"), m_password);
        break;
    case Mode::Create:
        setWindowTitle(tr("Choose a master password"));
        intro->setText(tr("Stored private keys are encrypted with a master password that only you know. "
                          "Choose it now; it cannot be recovered if it is lost."));
        m_password = passwordEdit(QStringLiteral("passwordEdit"));
        m_repeat = passwordEdit(QStringLiteral("repeatEdit"));
        form->addRow(tr("Master password"), m_password);
        form->addRow(tr("Repeat"), m_repeat);
        break;
    case Mode::Change:
        setWindowTitle(tr("Change the master password"));
        intro->setText(tr("Every stored secret is re-encrypted under the new password in one step."));
        m_current = passwordEdit(QStringLiteral("currentPasswordEdit"));
        m_password = passwordEdit(QStringLiteral("passwordEdit"));
        m_repeat = passwordEdit(QStringLiteral("repeatEdit"));
        form->addRow(tr("Current password"), m_current);
        form->addRow(tr("New password"), m_password);
        form->addRow(tr("Repeat"), m_repeat);
        break;
    }
    layout->addLayout(form);

    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("errorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_error->hide();
    layout->addWidget(m_error);
    m_busy = new QLabel(mode == Mode::Unlock ? tr("Unlocking… deriving the key takes about a second.")
                                             : tr("Sealing… deriving the keys takes a few seconds."));
    m_busy->setObjectName(QStringLiteral("busyLabel"));
    m_busy->hide();
    layout->addWidget(m_busy);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setText(mode == Mode::Unlock ? tr("Unlock") : tr("Save"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &VaultPasswordDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &VaultPasswordDialog::reject);
    layout->addWidget(m_buttons);
    setMinimumWidth(440);
}

QLineEdit *VaultPasswordDialog::passwordEdit(const QString &objectName)
{
    auto *edit = new QLineEdit;
    edit->setObjectName(objectName);
    edit->setEchoMode(QLineEdit::Password);
    return edit;
}

void VaultPasswordDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->show();
}

void VaultPasswordDialog::clearPasswords()
{
    for (QLineEdit *edit : {m_current, m_password, m_repeat}) {
        if (edit)
            edit->clear();
    }
}

void VaultPasswordDialog::accept()
{
    if (m_repeat && m_password->text() != m_repeat->text()) {
        showError(tr("The two new passwords differ. Type the same password in both fields."));
        m_repeat->clear();
        m_repeat->setFocus();
        return;
    }
    startDerivation();
}

void VaultPasswordDialog::setBusy(bool busy)
{
    m_busy->setVisible(busy);
    m_buttons->setEnabled(!busy);
    for (QLineEdit *edit : {m_current, m_password, m_repeat}) {
        if (edit)
            edit->setEnabled(!busy);
    }
}

void VaultPasswordDialog::startDerivation()
{
    // The stored record is read here, on the store's thread; the worker only computes.
    std::optional<VaultRecord> record;
    if (m_mode != Mode::Create) {
        auto stored = m_vault.storedRecord();
        if (!stored) {
            showError(stored.error().text());
            return;
        }
        record = *stored;
    }
    auto current = std::make_shared<SecretBytes>(m_current ? SecretBytes::fromText(m_current->text()) : SecretBytes());
    auto password = std::make_shared<SecretBytes>(SecretBytes::fromText(m_password->text()));
    clearPasswords();
    m_error->hide();
    setBusy(true);
    auto work = std::make_shared<Result<Vault::KeyWork>>();
    disconnect(&m_deriving, nullptr, this, nullptr);
    connect(&m_deriving, &QFutureWatcher<void>::finished, this, [this, work] {
        setBusy(false);
        // Closed meanwhile (Escape): what was derived is dropped, the vault stays as it was.
        if (!isVisible())
            return;
        Result<> applied = work->has_value() ? m_vault.apply(std::move(**work)) : std::unexpected(work->error());
        if (!applied) {
            showError(applied.error().text());
            (m_current ? m_current : m_password)->setFocus();
            return;
        }
        QDialog::accept();
    });
    m_deriving.setFuture(QtConcurrent::run([work, mode = m_mode, record, current, password] {
        switch (mode) {
        case Mode::Unlock:
            *work = Vault::deriveUnlock(*record, password->view());
            break;
        case Mode::Create:
            *work = Vault::deriveFirst(password->view());
            break;
        case Mode::Change:
            *work = Vault::deriveChange(*record, current->view(), password->view());
            break;
        }
    }));
}

} // namespace rd
