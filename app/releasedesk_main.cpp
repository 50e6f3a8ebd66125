#include "common/interruptwatch.h"
#include "git/gitlibrary.h"
#include "ssh/sessioncache.h"
#include "ssh/sshlibrary.h"
#include "mainwindow/startup.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    const rd::SshLibrary ssh;
    // The next task to the same servers (a rollback, a patch, a fleet refresh) reuses their connections.
    rd::SessionCache::instance().setIdleLimit(std::chrono::minutes(2));
    const rd::GitLibrary git;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ReleaseDesk"));
    QApplication::setApplicationVersion(QStringLiteral(RELEASEDESK_VERSION));
    QApplication::setOrganizationName(QStringLiteral("ReleaseDesk"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Ships code from git to Linux servers over SSH."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"),
        QCoreApplication::translate("main", "Keep the inventory in DIR (else RELEASEDESK_HOME, else the "
                                            "platform's application data directory)."),
        QCoreApplication::translate("main", "DIR"));
    const QCommandLineOption language(QStringLiteral("lang"),
                                      QCoreApplication::translate("main", "Interface language: en or zh_CN."),
                                      QCoreApplication::translate("main", "LANG"));
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QCoreApplication::translate("main", "Start with a sample project and three sshd servers on this machine "
                                            "(in a demo inventory of its own; the servers stop when the app quits)."));
    parser.addOptions({dataDir, language, demo});
    parser.process(app);

    rd::Startup startup(parser.value(dataDir), parser.value(language), parser.isSet(demo));
    // Ctrl+C or SIGTERM quit cleanly: the demo's servers stop; a running task is left interrupted, to resume.
    const rd::InterruptWatch interrupts;
    QObject::connect(&interrupts, &rd::InterruptWatch::interrupted, &app, &QApplication::quit);
    if (!startup.start())
        return 1;
    return app.exec();
}
