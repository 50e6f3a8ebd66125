#include "fleetreading.h"

#include "inventory/inventorystore.h"
#include "release/fleetstatus.h"
#include "release/taskhistory.h"
#include "ssh/sshtargetfactory.h"
#include "vault/vault.h"
#include "workspace.h"

namespace rd {

FleetReading::FleetReading(Workspace &workspace, QString projectName, Environment environment)
    : m_workspace(workspace), m_projectName(std::move(projectName)), m_environment(std::move(environment))
{
    for (qint64 id : std::as_const(m_environment.serverIds)) {
        auto server = m_workspace.store().server(id);
        if (!server) {
            Entry entry;
            entry.server.id = id;
            entry.unreadable = server.error().text();
            m_entries.append(entry);
        } else if (server->enabled) {
            m_entries.append({*server, {}});
        }
    }
}

bool FleetReading::needsVault() const
{
    QList<Server> servers;
    for (const Entry &entry : m_entries)
        if (entry.unreadable.isEmpty())
            servers.append(entry.server);
    return !m_workspace.vault().isUnlocked() && m_workspace.needsVault(servers);
}

FleetStatus *FleetReading::create(QObject *parent, const QString &expected) const
{
    auto *fleet = new FleetStatus(m_workspace.knownHosts(), m_environment.deployRoot,
                                  m_environment.parallelism, parent);
    fleet->setExpectedVersion(!expected.isEmpty()
                                  ? expected
                                  : TaskHistory::lastReleasedVersion(m_workspace.tasksDirectory(),
                                                                     m_projectName, m_environment.name));
    for (const Entry &entry : m_entries) {
        const Server &server = entry.server;
        if (!entry.unreadable.isEmpty()) {
            fleet->addUnreachableServer(tr("server #%1").arg(QString::number(server.id)), QString(),
                                        entry.unreadable);
            continue;
        }
        auto target = SshTargetFactory::forServer(m_workspace.store(), &m_workspace.vault(), server);
        if (target)
            fleet->addServer(std::move(*target));
        else
            fleet->addUnreachableServer(server.name, server.host, target.error().text());
    }
    return fleet;
}

} // namespace rd
