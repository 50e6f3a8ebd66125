#pragma once

#include "ansibleinventory.h"

namespace rd {

class InventoryStore;

namespace ansible {

// The store as an inventory: every server a host, every environment a group "<project>_<environment>"
// whose releasedesk_* variables carry the environment and its project, so it imports back the same.
Result<QByteArray> exportStore(const InventoryStore &store, AnsibleInventory::Format format);

} // namespace ansible
} // namespace rd
