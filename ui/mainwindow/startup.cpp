#include "startup.h"

#include "mainwindow/appsettings.h"
#include "common/datadir.h"
#include "demo/demosetup.h"
#include "mainwindow/mainwindow.h"
#include "releaseform/releaseform.h"
#include "vault/vault.h"
#include "dialogs/vaultpassworddialog.h"
#include "workspace/workspace.h"

#include <QApplication>
#include <QDir>
#include <QMessageBox>

namespace rd {

Startup::Startup(const QString &dataDirOverride, const QString &languageOverride, bool demo)
    : m_dataDirOverride(dataDirOverride), m_languageOverride(languageOverride), m_demoRequested(demo)
{
}

// The window goes first: it refers to the workspace. The demo's servers stop last.
Startup::~Startup()
{
    m_window.reset();
    m_demo.reset();
    m_workspace.reset();
}

bool Startup::start()
{
    m_dataDir = DataDir::resolve(m_dataDirOverride);
    // The demo keeps its own inventory, so it never mixes with real servers.
    if (m_demoRequested && m_dataDirOverride.isEmpty())
        m_dataDir = QDir(m_dataDir).filePath(QStringLiteral("demo"));
    m_settings = std::make_unique<AppSettings>(m_dataDir);
    m_translations.install(TranslationLoader::choose(m_languageOverride, m_settings->language()));

    if (!m_languageOverride.isEmpty() && !TranslationLoader::available().contains(m_languageOverride)) {
        QMessageBox::warning(nullptr, tr("ReleaseDesk"),
                             tr("The language \"%1\" is not available. Use --lang en or --lang zh_CN.")
                                 .arg(m_languageOverride));
    }

    auto workspace = Workspace::open(m_dataDir);
    if (!workspace) {
        QMessageBox::critical(nullptr, tr("ReleaseDesk"), workspace.error().text());
        return false;
    }
    m_workspace = std::move(*workspace);

    // Cancel leaves the vault locked: everything but stored keys still works.
    if (m_workspace->vault().isInitialized()) {
        VaultPasswordDialog dialog(VaultPasswordDialog::Mode::Unlock, m_workspace->vault());
        dialog.exec();
    }
    createWindow();
    if (m_demoRequested)
        startDemo();
    return true;
}

void Startup::startDemo()
{
    m_demo = std::make_unique<DemoSetup>(*m_workspace, DemoSetup::findTestHostsScript());
    connect(m_demo.get(), &DemoSetup::progress, this, [this](const QString &message) {
        if (m_window)
            m_window->showMessage(message);
    });
    connect(m_demo.get(), &DemoSetup::finished, this, [this](bool ok, const QString &error) {
        if (!m_window)
            return;
        if (!ok) {
            m_window->showMessage(QString());
            QMessageBox::warning(m_window.get(), tr("Demo"), tr("The demo could not be set up: %1").arg(error));
            return;
        }
        m_window->reloadInventory();
        m_window->showPane(MainWindow::Pane::Release);
        m_window->releaseForm()->selectEnvironment(DemoSetup::projectName(), QStringLiteral("staging"));
        m_window->showMessage(tr("Demo ready: three sshd servers run on this machine. Press Start release; try a "
                                 "gray release to demo/prod and a rollback from the history next."));
    });
    m_demo->start();
}

void Startup::createWindow()
{
    m_window = std::make_unique<MainWindow>(*m_workspace, *m_settings);
    connect(m_window.get(), &MainWindow::languageChangeRequested, this, &Startup::changeLanguage,
            Qt::QueuedConnection);
    m_window->show();
}

void Startup::changeLanguage(const QString &setting)
{
    m_translations.install(TranslationLoader::choose(m_languageOverride, setting));
    // Rebuilding the window is the simplest way to show every text in the new language.
    createWindow();
}

} // namespace rd
