#pragma once

#include "common/error.h"
#include "importreport.h"

#include <QByteArray>
#include <QCoreApplication>

namespace rd {

class InventoryStore;
class Vault;

// The whole inventory as one JSON document (format "releasedesk-inventory", version 1, described by
// resources/schema/inventory.schema.json). Entities refer to each other by name, never by id, so a
// file moves between machines and merges into an existing inventory.
class JsonInventory
{
    Q_DECLARE_TR_FUNCTIONS(JsonInventory)

public:
    static constexpr int FormatVersion = 1;
    static QString formatName() { return QStringLiteral("releasedesk-inventory"); }

    // Same inventory, same bytes: entries sorted by name, keys of objects sorted, indented.
    // Private keys and passphrases of stored keys are written only when `vaultForSecrets` is unlocked
    // and `exportPassword` is not empty, sealed under that password in the top-level "secrets" field.
    // Otherwise stored keys travel with their public key only, and `warnings` says which.
    static Result<QByteArray> exportJson(const InventoryStore &store, const Vault *vaultForSecrets,
                                         QByteArrayView exportPassword, QStringList *warnings = nullptr);

    // Merges by name (new entries are added, existing ones updated) in one transaction: the first
    // invalid entry fails the whole import, naming the entry and field, and nothing is written.
    // Encrypted secrets need `exportPassword` and an unlocked `vault`, under which they are resealed.
    static Result<ImportReport> importJson(InventoryStore &store, Vault *vault, const QByteArray &json,
                                           QByteArrayView exportPassword);
};

} // namespace rd
