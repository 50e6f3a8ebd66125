#pragma once

#include "common/error.h"
#include "inventory/server.h"
#include "sshtarget.h"

#include <QCoreApplication>

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
};

} // namespace rd
