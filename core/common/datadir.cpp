#include "datadir.h"

#include <QDir>
#include <QStandardPaths>

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

QString DataDir::inventoryPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("inventory.sqlite"));
}

} // namespace rd
