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
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString DataDir::inventoryPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("inventory.sqlite"));
}

} // namespace rd
