#pragma once

#include <QList>
#include <QMainWindow>

#include <functional>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace rd {

class AppSettings;
class EnvironmentsPane;
class FleetView;
class HistoryPane;
class HookTemplatesPane;
class InventoryPane;
class InventoryStore;
class KeysPane;
class ProjectsPane;
class ReleaseForm;
class ServersPane;
class TaskWindow;
class Vault;
class Workspace;
struct ReleaseRequest;

// The inventory and the release workbench: a navigation list on the left, one pane per kind of
// entity, the release form, the task history and the fleet view on the right, plus the Vault menu.
// Tasks open in their own windows. The workspace outlives the window; the window only reads and
// writes through it.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum class Pane { Keys, Servers, Projects, Environments, HookTemplates, Release, History, Fleet };

    MainWindow(Workspace &workspace, AppSettings &settings, QWidget *parent = nullptr);

    void showPane(Pane pane);
    KeysPane *keysPane() const { return m_keys; }
    ServersPane *serversPane() const { return m_servers; }
    ProjectsPane *projectsPane() const { return m_projects; }
    EnvironmentsPane *environmentsPane() const { return m_environments; }
    HookTemplatesPane *hookTemplatesPane() const { return m_hooks; }
    ReleaseForm *releaseForm() const { return m_releaseForm; }
    HistoryPane *historyPane() const { return m_history; }
    FleetView *fleetView() const { return m_fleet; }
    // Re-reads the inventory everywhere (after another part of the app changed it).
    void reloadInventory();
    // A new task window running the request; null when the request is refused (the error was shown)
    // or not confirmed. Whatever starts it (form, history, task window), a production-like
    // environment is asked about first (ReleaseConfirmation).
    TaskWindow *startRelease(const ReleaseRequest &request, bool fetchFirst);
    // Answers the confirmation's question; the default shows a message box, tests install their own.
    using Confirmation = std::function<bool(const QString &title, const QString &text)>;
    void setReleaseConfirmation(Confirmation confirm) { m_confirmRelease = std::move(confirm); }
    TaskWindow *openTask(const QString &taskId);
    void showMessage(const QString &message, int timeoutMs = 0);
    QString statusText() const;

signals:
    void languageChangeRequested(const QString &language);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void addPane(InventoryPane *pane, const QIcon &icon, const QString &label);
    void addPage(QWidget *page, const QIcon &icon, const QString &label);
    void previewPlan(const ReleaseRequest &request);
    void rollBack(const QString &project, const QString &environment, const QString &version);
    void runTaskMode(const QString &taskId, bool retry);
    void paneChanged(InventoryPane *changed);
    void updateStatus();
    void unlockVault();
    void lockVault();
    void changeMasterPassword();
    void openSettings();
    void about();

    Workspace &m_workspace;
    InventoryStore &m_store;
    Vault &m_vault;
    Confirmation m_confirmRelease;
    AppSettings &m_settings;
    QListWidget *m_navigation;
    QStackedWidget *m_stack;
    QList<InventoryPane *> m_panes;
    KeysPane *m_keys;
    ServersPane *m_servers;
    ProjectsPane *m_projects;
    EnvironmentsPane *m_environments;
    HookTemplatesPane *m_hooks;
    ReleaseForm *m_releaseForm;
    HistoryPane *m_history;
    FleetView *m_fleet;
    QLabel *m_counts;
    QLabel *m_vaultState;
    QAction *m_unlockAction = nullptr;
    QAction *m_lockAction = nullptr;
    QAction *m_changePasswordAction = nullptr;
};

} // namespace rd
