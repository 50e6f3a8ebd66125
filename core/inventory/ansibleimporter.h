#pragma once

#include "ansibleinventory.h"
#include "ansiblemodel.h"

namespace rd {

class InventoryStore;

namespace ansible {

// Writes what an inventory holds into the store, in one transaction: hosts become servers (with
// their keys), groups environments of their project or tags. Any error writes nothing.
Result<ImportReport> importModel(InventoryStore &store, const Model &model,
                                 AnsibleInventory::GroupsAs groupsAs, const QString &projectName,
                                 const QString &deployRoot);

} // namespace ansible
} // namespace rd
