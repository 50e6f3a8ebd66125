#pragma once

#include "inventory/server.h"
#include "inventorypanes/inventorypane.h"

class QAction;
class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace rd {

class ServerTableModel;
class Vault;
class Workspace;

class ServersPane : public InventoryPane
{
    Q_OBJECT

public:
    ServersPane(Workspace &workspace, QWidget *parent = nullptr);

    void reload() override;
    int itemCount() const override;

    QAction *checkConnectionAction() const { return m_checkAction; }
    QAction *scanHostKeysAction() const { return m_scanAction; }
    // Both act on the selected servers (or the one in the editor) and open a non-modal dialog.
    void checkConnection();
    void scanHostKeys();

signals:
    // The servers' stored keys made this pane unlock the vault.
    void vaultStateChanged();

protected:
    QList<Error> validateForm() const override;
    void loadForm(qint64 id) override;
    Result<qint64> saveForm(qint64 id) override;
    Result<> removeItem(qint64 id) override;

private:
    Server formServer(std::optional<Error> *portError) const;
    QList<Server> chosenServers();
    void updateActions();

    Workspace &m_workspace;
    Vault &m_vault;
    ServerTableModel *m_servers;
    QAction *m_checkAction;
    QAction *m_scanAction;
    QLineEdit *m_name;
    QLineEdit *m_host;
    QLineEdit *m_port;
    QComboBox *m_key;
    QLineEdit *m_username;
    QLineEdit *m_department;
    QLineEdit *m_owner;
    QLineEdit *m_tags;
    QPlainTextEdit *m_notes;
    QCheckBox *m_enabled;
};

} // namespace rd
