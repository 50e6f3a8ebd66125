#pragma once

#include "error.h"

#include <QCoreApplication>
#include <QString>

namespace rd {

// Where ReleaseDesk keeps its inventory, mirrors, packages and logs: --data-dir, else
// RELEASEDESK_HOME, else the platform's application data directory.
class DataDir
{
    Q_DECLARE_TR_FUNCTIONS(DataDir)

public:
    static QString resolve(const QString &commandLineOverride = {});
    // Creates the directory if it is missing, readable by its owner only (0700): it holds the
    // inventory, the known hosts and the packages. Every entry point calls it before anything else
    // writes there. An existing directory is left as it is.
    static Result<> prepare(const QString &dataDir);
    static QString inventoryPath(const QString &dataDir);
    // ReleaseDesk's own known_hosts (OpenSSH format), not the user's ~/.ssh/known_hosts.
    static QString knownHostsPath(const QString &dataDir);
};

} // namespace rd
