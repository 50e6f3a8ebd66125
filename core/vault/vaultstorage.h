#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace rd {

// Parameters of the vault's key derivation and the check blob that proves a password right.
struct VaultRecord
{
    QByteArray salt;
    quint64 opsLimit = 0;
    quint64 memLimit = 0;
    QByteArray verifier;
};

// A sealed secret as it sits in storage, for re-encryption under a new master password.
struct SealedSecret
{
    QString table;
    QString column;
    qint64 rowId = 0;
    QByteArray blob;
};

// Where the vault keeps its record and finds the secrets sealed under it. The vault owns this
// interface and the inventory store implements it, so the vault needs nothing of the inventory.
class VaultStorage
{
public:
    virtual ~VaultStorage() = default;
    virtual Result<std::optional<VaultRecord>> vaultRecord() const = 0;
    virtual Result<QList<SealedSecret>> sealedSecrets() const = 0;
    // Replaces the vault record and every given secret in one transaction: all or nothing.
    virtual Result<> rekey(const VaultRecord &record, const QList<SealedSecret> &secrets) = 0;
    // Runs `work` in one transaction; rolls back when it fails. Nests: inner calls join the outer one.
    virtual Result<> transaction(const std::function<Result<>()> &work) = 0;
};

} // namespace rd
