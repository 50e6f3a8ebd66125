#include "startup.h"

#include "appsettings.h"
#include "common/datadir.h"
#include "inventory/inventorystore.h"
#include "mainwindow.h"
#include "vault/vault.h"
#include "vaultpassworddialog.h"

#include <QApplication>
#include <QDir>
#include <QMessageBox>

namespace rd {

Startup::Startup(const QString &dataDirOverride, const QString &languageOverride)
    : m_dataDirOverride(dataDirOverride), m_languageOverride(languageOverride)
{
}

// The window goes first: it refers to the vault and the store.
Startup::~Startup()
{
    m_window.reset();
    m_vault.reset();
    m_store.reset();
}

bool Startup::start()
{
    m_dataDir = DataDir::resolve(m_dataDirOverride);
    m_settings = std::make_unique<AppSettings>(m_dataDir);
    m_translations.install(TranslationLoader::choose(m_languageOverride, m_settings->language()));

    if (!m_languageOverride.isEmpty() && !TranslationLoader::available().contains(m_languageOverride)) {
        QMessageBox::warning(nullptr, tr("ReleaseDesk"),
                             tr("The language \"%1\" is not available. Use --lang en or --lang zh_CN.")
                                 .arg(m_languageOverride));
    }

    if (!QDir().mkpath(m_dataDir)) {
        QMessageBox::critical(nullptr, tr("ReleaseDesk"),
                              tr("The data directory %1 could not be created. Choose another one with "
                                 "--data-dir or RELEASEDESK_HOME.")
                                  .arg(m_dataDir));
        return false;
    }
    auto store = InventoryStore::open(DataDir::inventoryPath(m_dataDir));
    if (!store) {
        QMessageBox::critical(nullptr, tr("ReleaseDesk"), store.error().text());
        return false;
    }
    m_store = std::move(*store);
    m_vault = std::make_unique<Vault>(*m_store);

    // Cancel leaves the vault locked: everything but stored keys still works.
    if (m_vault->isInitialized()) {
        VaultPasswordDialog dialog(VaultPasswordDialog::Mode::Unlock, *m_vault);
        dialog.exec();
    }
    createWindow();
    return true;
}

void Startup::createWindow()
{
    m_window = std::make_unique<MainWindow>(*m_store, *m_vault, *m_settings);
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
