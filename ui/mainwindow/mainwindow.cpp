#include "mainwindow.h"
#include "mainwindow/appsettings.h"
#include "inventorypanes/environmentspane.h"
#include "fleet/fleetview.h"
#include "history/historypane.h"
#include "inventorypanes/hooktemplatespane.h"
#include "inventory/inventorystore.h"
#include "inventorypanes/keyspane.h"
#include "mainwindow/navigationicons.h"
#include "releaseform/planpreviewdialog.h"
#include "inventorypanes/projectspane.h"
#include "releaseform/releaseform.h"
#include "inventorypanes/serverspane.h"
#include "mainwindow/settingsdialog.h"
#include "release/releaseconfirmation.h"
#include "release/taskscheduler.h"
#include "pipeline/taskwindow.h"
#include "vault/vault.h"
#include "dialogs/vaultpassworddialog.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>

namespace rd {

MainWindow::MainWindow(Workspace &workspace, AppSettings &settings, QWidget *parent)
    : QMainWindow(parent), m_workspace(workspace), m_store(workspace.store()), m_vault(workspace.vault()),
      m_settings(settings), m_navigation(new QListWidget), m_stack(new QStackedWidget),
      m_keys(new KeysPane(m_store, m_vault)), m_servers(new ServersPane(workspace)), m_projects(new ProjectsPane(m_store)),
      m_environments(new EnvironmentsPane(m_store)), m_hooks(new HookTemplatesPane(m_store)),
      m_releaseForm(new ReleaseForm(workspace)), m_history(new HistoryPane(workspace.dataDir())),
      m_fleet(new FleetView(workspace)), m_counts(new QLabel), m_vaultState(new QLabel)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("ReleaseDesk — %1").arg(workspace.dataDir()));
    setWindowIcon(QIcon(QStringLiteral(":/icons/releasedesk.svg")));

    m_navigation->setObjectName(QStringLiteral("navigationList"));
    m_navigation->setIconSize(QSize(24, 24));
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setFixedWidth(210);
    m_navigation->setSpacing(2);
    m_navigation->setStyleSheet(QStringLiteral(
        "QListWidget { background: palette(window); padding: 12px 8px; border-right: 1px solid palette(midlight); }"
        "QListWidget::item { padding: 7px 8px; border-radius: 6px; }"
        "QListWidget::item:selected { background: palette(highlight); color: palette(highlighted-text); }"));

    using Glyph = NavigationIcons::Glyph;
    addPane(m_keys, NavigationIcons::icon(Glyph::Key), tr("Keys"));
    addPane(m_servers, NavigationIcons::icon(Glyph::Server), tr("Servers"));
    addPane(m_projects, NavigationIcons::icon(Glyph::Project), tr("Projects"));
    addPane(m_environments, NavigationIcons::icon(Glyph::Environment), tr("Environments"));
    addPane(m_hooks, NavigationIcons::icon(Glyph::Hook), tr("Hook templates"));
    addPage(m_releaseForm, NavigationIcons::icon(Glyph::Release), tr("Release"));
    addPage(m_history, NavigationIcons::icon(Glyph::History), tr("History"));
    addPage(m_fleet, NavigationIcons::icon(Glyph::Fleet), tr("Fleet"));
    connect(m_releaseForm, &ReleaseForm::startRequested, this, &MainWindow::startRelease);
    connect(m_releaseForm, &ReleaseForm::planRequested, this, &MainWindow::previewPlan);
    connect(m_history, &HistoryPane::openTaskRequested, this, &MainWindow::openTask);
    connect(m_history, &HistoryPane::rollbackRequested, this, &MainWindow::rollBack);
    connect(m_history, &HistoryPane::retryRequested, this, [this](const QString &id) { runTaskMode(id, true); });
    connect(m_history, &HistoryPane::resumeRequested, this, [this](const QString &id) { runTaskMode(id, false); });
    auto *scheduler = new TaskScheduler(workspace.tasksDirectory(), this);
    connect(scheduler, &TaskScheduler::due, this, [this](const QString &taskId) {
        if (TaskWindow *window = openTask(taskId))
            window->startScheduled();
    });
    connect(scheduler, &TaskScheduler::missed, this, [this](const QString &taskId, const QDateTime &when) {
        showMessage(tr("Task %1 was due at %2 and was missed; it will not run late.")
                        .arg(taskId, QLocale().toString(when.toLocalTime(), QLocale::ShortFormat)),
                    15000);
    });
    scheduler->start();
    connect(m_navigation, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    connect(m_keys, &KeysPane::vaultStateChanged, this, &MainWindow::updateStatus);
    connect(m_servers, &ServersPane::vaultStateChanged, this, &MainWindow::updateStatus);
    // A project's environments are deleted with it, so the question names them.
    m_projects->setDeletionConsequences([this](qint64 projectId) {
        QStringList names;
        if (auto environments = m_store.environments()) {
            for (const Environment &environment : *environments) {
                if (environment.projectId == projectId)
                    names.append(tr("environment %1").arg(environment.name));
            }
        }
        return names;
    });

    auto *central = new QWidget;
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_navigation);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    m_counts->setObjectName(QStringLiteral("countsLabel"));
    m_vaultState->setObjectName(QStringLiteral("vaultStateLabel"));
    statusBar()->addWidget(m_counts, 1);
    statusBar()->addPermanentWidget(m_vaultState);
    createMenus();

    for (InventoryPane *pane : m_panes)
        pane->reload();
    m_navigation->setCurrentRow(int(Pane::Servers));
    updateStatus();

    if (!restoreGeometry(m_settings.windowGeometry()))
        resize(1280, 800);
}

void MainWindow::addPane(InventoryPane *pane, const QIcon &icon, const QString &label)
{
    m_panes.append(pane);
    m_stack->addWidget(pane);
    m_navigation->addItem(new QListWidgetItem(icon, label));
    connect(pane, &InventoryPane::inventoryChanged, this, [this, pane] { paneChanged(pane); });
}

void MainWindow::addPage(QWidget *page, const QIcon &icon, const QString &label)
{
    m_stack->addWidget(page);
    m_navigation->addItem(new QListWidgetItem(icon, label));
}

void MainWindow::reloadInventory()
{
    for (InventoryPane *pane : m_panes)
        pane->reload();
    m_releaseForm->reload();
    updateStatus();
}

void MainWindow::showMessage(const QString &message, int timeoutMs)
{
    statusBar()->showMessage(message, timeoutMs);
}

TaskWindow *MainWindow::startRelease(const ReleaseRequest &request, bool fetchFirst)
{
    if (const auto question = ReleaseConfirmation::questionFor(
            request, request.servers.isEmpty() ? -1 : request.servers.size())) {
        const bool confirmed = m_confirmRelease
                                   ? m_confirmRelease(question->title, question->text)
                                   : QMessageBox::question(this, question->title, question->text,
                                                           QMessageBox::Yes | QMessageBox::Cancel,
                                                           QMessageBox::Cancel) == QMessageBox::Yes;
        if (!confirmed)
            return nullptr;
    }
    auto *window = new TaskWindow(m_workspace, this);
    window->setWindowFlag(Qt::Window);
    connect(window, &TaskWindow::rollbackRequested, this, &MainWindow::rollBack);
    auto started = window->startTask(request, fetchFirst);
    // A stored key needs the vault: ask for the master password once, then try again.
    if (!started && m_vault.isInitialized() && !m_vault.isUnlocked()) {
        VaultPasswordDialog dialog(VaultPasswordDialog::Mode::Unlock, m_vault, this);
        if (dialog.exec() == QDialog::Accepted && m_vault.isUnlocked())
            started = window->startTask(request, fetchFirst);
        updateStatus();
    }
    if (!started) {
        delete window;
        QMessageBox::warning(this, tr("The release cannot start"), started.error().text());
        return nullptr;
    }
    window->show();
    return window;
}

TaskWindow *MainWindow::openTask(const QString &taskId)
{
    // A task already on screen is brought forward rather than opened twice.
    for (TaskWindow *open : findChildren<TaskWindow *>())
        if (open->taskId() == taskId) {
            open->raise();
            open->activateWindow();
            return open;
        }
    auto *window = new TaskWindow(m_workspace, this);
    window->setWindowFlag(Qt::Window);
    connect(window, &TaskWindow::rollbackRequested, this, &MainWindow::rollBack);
    if (auto opened = window->openTask(taskId); !opened) {
        delete window;
        QMessageBox::warning(this, tr("The task cannot be opened"), opened.error().text());
        return nullptr;
    }
    window->show();
    return window;
}

void MainWindow::runTaskMode(const QString &taskId, bool retry)
{
    TaskWindow *window = openTask(taskId);
    if (!window)
        return;
    if (QAction *action = window->action(retry ? QStringLiteral("retryAction") : QStringLiteral("resumeAction"));
        action && action->isEnabled())
        action->trigger();
}

void MainWindow::rollBack(const QString &project, const QString &environment, const QString &version)
{
    ReleaseRequest request;
    request.project = project;
    request.environment = environment;
    request.kind = ReleaseKind::Rollback;
    request.rollbackTo = version;
    request.operatorName = ReleasePlanner::localOperator();
    request.description = tr("Roll back to %1").arg(version);
    startRelease(request, false);
}

void MainWindow::previewPlan(const ReleaseRequest &request)
{
    auto plan = ReleasePlanner(m_store, m_workspace.dataDir()).draft(request);
    if (!plan) {
        QMessageBox::warning(this, tr("No plan"), plan.error().text());
        return;
    }
    auto *dialog = new PlanPreviewDialog(*plan, m_workspace, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *settings = file->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    settings->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QStringList names{tr("Keys"),         tr("Servers"), tr("Projects"), tr("Environments"),
                            tr("Hook templates"), tr("Release"), tr("History"), tr("Fleet")};
    for (int i = 0; i < names.size(); ++i) {
        QAction *action = view->addAction(names[i], this, [this, i] { showPane(Pane(i)); });
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }

    QMenu *vault = menuBar()->addMenu(tr("V&ault"));
    m_unlockAction = vault->addAction(tr("&Unlock…"), this, &MainWindow::unlockVault);
    m_unlockAction->setObjectName(QStringLiteral("unlockVaultAction"));
    m_lockAction = vault->addAction(tr("&Lock"), this, &MainWindow::lockVault);
    m_lockAction->setObjectName(QStringLiteral("lockVaultAction"));
    vault->addSeparator();
    m_changePasswordAction = vault->addAction(tr("&Change master password…"), this, &MainWindow::changeMasterPassword);
    m_changePasswordAction->setObjectName(QStringLiteral("changeMasterPasswordAction"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ReleaseDesk"), this, &MainWindow::about);
}

void MainWindow::showPane(Pane pane)
{
    m_navigation->setCurrentRow(int(pane));
}

void MainWindow::paneChanged(InventoryPane *changed)
{
    // The changed pane has reloaded itself; the others may show what it changed (key names,
    // server lists), so they re-read the store too. Their unsaved form edits survive the reload.
    for (InventoryPane *pane : m_panes) {
        if (pane != changed)
            pane->reload();
    }
    m_releaseForm->reload();
    updateStatus();
}

QString MainWindow::statusText() const
{
    return m_counts->text();
}

void MainWindow::updateStatus()
{
    const QStringList parts{
        tr("%n key(s)", nullptr, m_keys->itemCount()),
        tr("%n server(s)", nullptr, m_servers->itemCount()),
        tr("%n project(s)", nullptr, m_projects->itemCount()),
        tr("%n environment(s)", nullptr, m_environments->itemCount()),
        tr("%n hook template(s)", nullptr, m_hooks->itemCount()),
    };
    m_counts->setText(parts.join(QStringLiteral("  ·  ")));

    const bool initialized = m_vault.isInitialized();
    const bool unlocked = m_vault.isUnlocked();
    m_vaultState->setText(!initialized ? tr("Vault: no master password yet")
                          : unlocked   ? tr("Vault: unlocked")
                                       : tr("Vault: locked"));
    m_unlockAction->setText(initialized ? tr("&Unlock…") : tr("&Set master password…"));
    m_unlockAction->setEnabled(!unlocked);
    m_lockAction->setEnabled(unlocked);
    m_changePasswordAction->setEnabled(initialized);
}

void MainWindow::unlockVault()
{
    const auto mode =
        m_vault.isInitialized() ? VaultPasswordDialog::Mode::Unlock : VaultPasswordDialog::Mode::Create;
    VaultPasswordDialog dialog(mode, m_vault, this);
    dialog.exec();
    updateStatus();
}

void MainWindow::lockVault()
{
    m_vault.lock();
    updateStatus();
}

void MainWindow::changeMasterPassword()
{
    VaultPasswordDialog dialog(VaultPasswordDialog::Mode::Change, m_vault, this);
    if (dialog.exec() == QDialog::Accepted)
        statusBar()->showMessage(tr("The master password was changed."), 5000);
    updateStatus();
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(m_settings.language(), m_workspace.dataDir(), this);
    if (dialog.exec() != QDialog::Accepted || dialog.language() == m_settings.language())
        return;
    m_settings.setLanguage(dialog.language());
    emit languageChangeRequested(dialog.language());
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About ReleaseDesk"),
                       tr("<h3>ReleaseDesk %1</h3><p>Ships code from git to fleets of Linux servers over SSH, "
                          "and can always roll back.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    int running = 0;
    for (TaskWindow *window : findChildren<TaskWindow *>())
        running += window->runner()->isBusy() ? 1 : 0;
    if (running > 0 &&
        QMessageBox::question(this, tr("Quit ReleaseDesk?"),
                              tr("%n task(s) still running. Quit anyway? They stop where they are, keep their "
                                 "locks, and can be resumed from the history.",
                                 nullptr, running),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel) != QMessageBox::Yes) {
        event->ignore();
        return;
    }
    m_settings.setWindowGeometry(saveGeometry());
    QMainWindow::closeEvent(event);
}

} // namespace rd
