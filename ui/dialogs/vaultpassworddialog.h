#pragma once

#include <QDialog>
#include <QFutureWatcher>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace rd {

class Vault;

// Asks for the master password and applies it to the vault before closing: a wrong password keeps
// the dialog open with the vault's message, so the caller only sees success or Cancel.
class VaultPasswordDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Mode { Unlock, Create, Change };
    VaultPasswordDialog(Mode mode, Vault &vault, QWidget *parent = nullptr);

    void accept() override;

private:
    // Deriving a key takes about a second (two when the password changes): on a worker, the
    // window stays live; the vault is written here when it is done.
    void startDerivation();
    void setBusy(bool busy);
    QLineEdit *passwordEdit(const QString &objectName);
    void showError(const QString &text);
    void clearPasswords();

    Mode m_mode;
    Vault &m_vault;
    QLineEdit *m_current = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_repeat = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_busy = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QFutureWatcher<void> m_deriving;
};

} // namespace rd
