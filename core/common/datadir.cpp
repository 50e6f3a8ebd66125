#include "datadir.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <sys/stat.h>

namespace rd {

QString DataDir::resolve(const QString &commandLineOverride)
{
    if (!commandLineOverride.isEmpty())
        return QDir(commandLineOverride).absolutePath();
    const QString fromEnvironment = qEnvironmentVariable("RELEASEDESK_HOME");
    if (!fromEnvironment.isEmpty())
        return QDir(fromEnvironment).absolutePath();
    // Not AppDataLocation: the GUI and the CLI must find the same inventory whatever their application names.
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("releasedesk"));
}

Result<> DataDir::prepare(const QString &dataDir)
{
    if (QFileInfo(dataDir).isDir())
        return {};
    const QString parent = QFileInfo(dataDir).absolutePath();
    // mkdir with the mode itself: no moment in which the directory is open to others.
    if (!QDir().mkpath(parent) || ::mkdir(QFile::encodeName(dataDir).constData(), 0700) != 0)
        return fail(tr("Could not create the data directory %1.").arg(dataDir),
                    tr("Choose another one with --data-dir or RELEASEDESK_HOME."));
    return {};
}

QString DataDir::inventoryPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("inventory.sqlite"));
}

QString DataDir::knownHostsPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("known_hosts"));
}

} // namespace rd
