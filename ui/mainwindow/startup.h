#pragma once

#include "mainwindow/translationloader.h"

#include <QObject>
#include <QString>

#include <memory>

namespace rd {

class AppSettings;
class DemoSetup;
class MainWindow;
class Workspace;

// What the GUI does between main() and the event loop: choose the data directory and language,
// open the inventory, ask for the master password, show the window. Errors go to a message box.
// With the demo, a sample project and three local servers are made (and stopped at the end).
class Startup : public QObject
{
    Q_OBJECT

public:
    Startup(const QString &dataDirOverride, const QString &languageOverride, bool demo = false);
    ~Startup() override;

    // False when the app cannot run (the error was shown).
    bool start();
    MainWindow *window() const { return m_window.get(); }
    DemoSetup *demo() const { return m_demo.get(); }

private:
    void createWindow();
    void changeLanguage(const QString &setting);
    void startDemo();

    QString m_dataDirOverride;
    QString m_languageOverride;
    QString m_dataDir;
    bool m_demoRequested = false;
    TranslationLoader m_translations;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<Workspace> m_workspace;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<DemoSetup> m_demo;
};

} // namespace rd
