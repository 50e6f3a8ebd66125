#pragma once

#include <QList>
#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace rd {

class AppSettings;
class EnvironmentsPane;
class HookTemplatesPane;
class InventoryPane;
class InventoryStore;
class KeysPane;
class ProjectsPane;
class ServersPane;
class Vault;

// The inventory: a navigation list on the left and one pane per kind of entity on the right,
// plus the Vault menu. The store outlives the window; the window only reads and writes through it.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum class Pane { Keys, Servers, Projects, Environments, HookTemplates };

    MainWindow(InventoryStore &store, Vault &vault, AppSettings &settings, QWidget *parent = nullptr);

    void showPane(Pane pane);
    KeysPane *keysPane() const { return m_keys; }
    ServersPane *serversPane() const { return m_servers; }
    ProjectsPane *projectsPane() const { return m_projects; }
    EnvironmentsPane *environmentsPane() const { return m_environments; }
    HookTemplatesPane *hookTemplatesPane() const { return m_hooks; }
    QString statusText() const;

signals:
    void languageChangeRequested(const QString &language);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void addPane(InventoryPane *pane, const QIcon &icon, const QString &label);
    void paneChanged(InventoryPane *changed);
    void updateStatus();
    void unlockVault();
    void lockVault();
    void changeMasterPassword();
    void openSettings();
    void about();

    InventoryStore &m_store;
    Vault &m_vault;
    AppSettings &m_settings;
    QListWidget *m_navigation;
    QStackedWidget *m_stack;
    QList<InventoryPane *> m_panes;
    KeysPane *m_keys;
    ServersPane *m_servers;
    ProjectsPane *m_projects;
    EnvironmentsPane *m_environments;
    HookTemplatesPane *m_hooks;
    QLabel *m_counts;
    QLabel *m_vaultState;
    QAction *m_unlockAction = nullptr;
    QAction *m_lockAction = nullptr;
    QAction *m_changePasswordAction = nullptr;
};

} // namespace rd
