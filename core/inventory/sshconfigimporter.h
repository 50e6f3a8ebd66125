#pragma once

#include "common/error.h"
#include "importreport.h"

#include <QCoreApplication>
#include <QString>

namespace rd {

class InventoryStore;

// Reads an OpenSSH client config (~/.ssh/config) the way ssh does and turns every concrete Host
// alias into a server: HostName, Port, User and the first IdentityFile, first value winning, with
// settings from pattern blocks (Host *, Host *.example.com) applied to the aliases they match.
// Patterns and Match blocks do not become servers; the report says so.
class SshConfigImporter
{
    Q_DECLARE_TR_FUNCTIONS(SshConfigImporter)

public:
    // Existing servers of the same name are updated (host, port, user, key); everything is written
    // in one transaction, or nothing.
    static Result<ImportReport> import(InventoryStore &store, const QString &configPath);

    // How a login found in someone else's configuration becomes a key of the inventory, shared with
    // the Ansible importer. An existing key with the same file and user (or agent and user) is reused;
    // a new one is named after the file ("agent-<user>" for the agent), made valid and unique, and
    // counted in `report`. Call inside the import's transaction.
    static Result<qint64> fileKey(InventoryStore &store, const QString &absolutePath, const QString &username,
                                  ImportReport &report);
    static Result<qint64> agentKey(InventoryStore &store, const QString &username, ImportReport &report);

    // The login ssh would use when the configuration names none.
    static QString localUserName();
};

} // namespace rd
