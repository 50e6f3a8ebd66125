#pragma once

#include "common/error.h"
#include "inventory/server.h"
#include "sshtarget.h"

#include <QCoreApplication>

#include <vector>

namespace rd {

class InventoryStore;
class Vault;

// Turns an inventory server and its key into what a worker needs. A stored key is opened from the
// vault into wiped memory here, on the thread that owns the inventory, and moves on from there.
class SshTargetFactory
{
    Q_DECLARE_TR_FUNCTIONS(SshTargetFactory)

public:
    static Result<SshTarget> forServer(const InventoryStore &store, const Vault *vault, const Server &server);
    // The named servers, in that order; the first one that cannot be used stops the list.
    static Result<std::vector<SshTarget>> forServers(const InventoryStore &store, const Vault *vault,
                                                     const QStringList &names);
};

} // namespace rd
