#pragma once

#include "inventory/environment.h"
#include "inventory/server.h"

#include <QCoreApplication>
#include <QList>

class QObject;

namespace rd {

class FleetStatus;
class Workspace;

// The fleet status behind "release status" and the Fleet view: what each enabled server of one
// environment runs, read from the servers, and which of them drift from the environment's release.
// Made on the inventory's thread (keys are opened there).
class FleetReading
{
    Q_DECLARE_TR_FUNCTIONS(FleetReading)

public:
    FleetReading(Workspace &workspace, QString projectName, Environment environment);

    bool isEmpty() const { return m_entries.isEmpty(); }
    // Some servers sign in with a key kept in the vault, which is locked: unlock it first, or they
    // read as unreachable.
    bool needsVault() const;
    // A reading ready to start(), its servers in the inventory's order. Drift is measured against
    // `expected`, else the release of the environment's last successful task.
    FleetStatus *create(QObject *parent, const QString &expected = {}) const;

private:
    Workspace &m_workspace;
    QString m_projectName;
    Environment m_environment;
    struct Entry
    {
        Server server;      // enabled; for one the inventory could not read, only its id
        QString unreadable; // why the inventory could not read it
    };
    QList<Entry> m_entries;
};

} // namespace rd
