#pragma once

#include <QString>

namespace rd {

// Where ReleaseDesk keeps its inventory, mirrors, packages and logs: --data-dir, else
// RELEASEDESK_HOME, else the platform's application data directory.
class DataDir
{
public:
    static QString resolve(const QString &commandLineOverride = {});
    static QString inventoryPath(const QString &dataDir);
};

} // namespace rd
