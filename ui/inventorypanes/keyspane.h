#pragma once

#include "inventory/sshkey.h"
#include "inventorypanes/inventorypane.h"
#include "inventory/storedkeybuilder.h"

#include <QFutureWatcher>

#include <optional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace rd {

class KeyTableModel;
class Vault;

class KeysPane : public InventoryPane
{
    Q_OBJECT

public:
    KeysPane(InventoryStore &store, Vault &vault, QWidget *parent = nullptr);

    void reload() override;
    int itemCount() const override;

signals:
    void vaultStateChanged();

protected:
    QList<Error> validateForm() const override;
    void loadForm(qint64 id) override;
    // A pasted key is read and its passphrase checked (ssh-keygen for an OpenSSH key) on a worker.
    bool startPreparingSave(std::function<void()> done) override;
    Result<qint64> saveForm(qint64 id) override;
    Result<> removeItem(qint64 id) override;

private:
    SshKey formKey() const;
    KeyKind currentKind() const;
    void updateKindRows();
    void loadPrivateKeyFile();
    void browseKeyFile();
    // Unlocks the vault (or gives it a first master password) when a stored key needs it.
    Result<> ensureVaultUnlocked();

    Vault &m_vault;
    KeyTableModel *m_keys;
    SshKey m_loaded;
    QFormLayout *m_form = nullptr;
    QLineEdit *m_name;
    QComboBox *m_kind;
    QLineEdit *m_username;
    QPlainTextEdit *m_privateKey;
    QLineEdit *m_passphrase;
    QLineEdit *m_keyPath;
    QPlainTextEdit *m_publicKey;
    QLineEdit *m_fingerprint;
    QCheckBox *m_enabled;
    QWidget *m_privateKeyRow = nullptr;
    QWidget *m_passphraseRow = nullptr;
    QWidget *m_keyPathRow = nullptr;
    QLabel *m_checking = nullptr;
    QFutureWatcher<void> m_checkWatcher;
    // What the last preparation found, for saveForm() to seal.
    std::optional<Result<StoredKeyBuilder::CheckedKey>> m_checked;
};

} // namespace rd
