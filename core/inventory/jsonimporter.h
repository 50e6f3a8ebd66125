#pragma once

#include "common/error.h"
#include "importreport.h"

#include <QByteArray>
#include <QByteArrayView>

namespace rd {

class InventoryStore;
class Vault;

namespace json {

// JsonInventory::importJson: every entry read and checked first, then all written in one transaction.
Result<ImportReport> importInventory(InventoryStore &store, Vault *vault, const QByteArray &json,
                                     QByteArrayView exportPassword);

} // namespace json
} // namespace rd
