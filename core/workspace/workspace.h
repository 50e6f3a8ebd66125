#pragma once

#include "common/error.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>

namespace rd {

class InventoryStore;
class KnownHosts;
class Vault;
struct Server;

// One data directory and what lives in it: the inventory and its vault, ReleaseDesk's known host
// keys, and where mirrors, packages and tasks are kept. Each face opens one and calls the services
// on it (TaskRunner, ConnectionCheck, MirrorFetch). It lives on the thread that owns the inventory
// (the GUI thread in the app); only the known hosts may be used from other threads.
class Workspace
{
    Q_DECLARE_TR_FUNCTIONS(Workspace)

public:
    // Creates the directory (0700) when it is missing and opens its inventory.
    static Result<std::unique_ptr<Workspace>> open(const QString &dataDir);
    ~Workspace();
    Workspace(const Workspace &) = delete;
    Workspace &operator=(const Workspace &) = delete;

    QString dataDir() const { return m_dataDir; }
    InventoryStore &store() const { return *m_store; }
    Vault &vault() const { return *m_vault; }
    KnownHosts &knownHosts() const { return *m_knownHosts; }

    QString tasksDirectory() const;
    QString mirrorPath(const QString &projectName) const;
    QString packagesDirectory() const;
    // Whether signing in to one of these servers takes a key kept in the vault, so it must be unlocked.
    bool needsVault(const QList<Server> &servers) const;

private:
    Workspace(QString dataDir, std::unique_ptr<InventoryStore> store);

    QString m_dataDir;
    std::unique_ptr<InventoryStore> m_store;
    std::unique_ptr<Vault> m_vault; // refers to the store
    std::unique_ptr<KnownHosts> m_knownHosts;
};

} // namespace rd
