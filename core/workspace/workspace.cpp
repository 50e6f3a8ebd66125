#include "workspace.h"

#include "common/datadir.h"
#include "git/gitmirror.h"
#include "git/packagestore.h"
#include "hostkeys/knownhosts.h"
#include "inventory/inventorystore.h"
#include "release/taskjournal.h"
#include "vault/vault.h"

namespace rd {

Result<std::unique_ptr<Workspace>> Workspace::open(const QString &dataDir)
{
    if (auto prepared = DataDir::prepare(dataDir); !prepared)
        return std::unexpected(prepared.error());
    auto store = InventoryStore::open(DataDir::inventoryPath(dataDir));
    if (!store)
        return std::unexpected(store.error());
    return std::unique_ptr<Workspace>(new Workspace(dataDir, std::move(*store)));
}

Workspace::Workspace(QString dataDir, std::unique_ptr<InventoryStore> store)
    : m_dataDir(std::move(dataDir)), m_store(std::move(store)), m_vault(std::make_unique<Vault>(*m_store)),
      m_knownHosts(std::make_unique<KnownHosts>(DataDir::knownHostsPath(m_dataDir)))
{
}

Workspace::~Workspace()
{
    m_vault.reset();
}

QString Workspace::tasksDirectory() const
{
    return TaskJournal::tasksDirectory(m_dataDir);
}

QString Workspace::mirrorPath(const QString &projectName) const
{
    return GitMirror::pathFor(m_dataDir, projectName);
}

QString Workspace::packagesDirectory() const
{
    return PackageStore::pathFor(m_dataDir);
}

bool Workspace::needsVault(const QList<Server> &servers) const
{
    return std::any_of(servers.cbegin(), servers.cend(), [this](const Server &server) {
        const auto key = m_store->key(server.keyId);
        return key && key->kind == KeyKind::Stored;
    });
}

} // namespace rd
