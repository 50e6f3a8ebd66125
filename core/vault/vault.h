#pragma once

#include "common/error.h"
#include "common/secretbytes.h"
#include "vaultstorage.h"

#include <optional>

#include <QByteArray>
#include <QCoreApplication>

namespace rd {


// The secrets of the inventory (stored private keys, their passphrases, later webhook tokens),
// sealed with XChaCha20-Poly1305 under a key derived from the master password with Argon2id.
// The derived key lives only in locked, wiped memory while the vault is unlocked.
class Vault
{
    Q_DECLARE_TR_FUNCTIONS(Vault)

public:
    explicit Vault(VaultStorage &store);
    ~Vault();
    Vault(const Vault &) = delete;
    Vault &operator=(const Vault &) = delete;

    bool isInitialized() const;
    bool isUnlocked() const;

    // First use: derives a key from the password, stores salt and limits, leaves the vault unlocked.
    Result<> initialize(QByteArrayView masterPassword);
    // A wrong password is a clear error and changes nothing. A vault sealed with weaker key
    // derivation limits than today's is sealed anew at its unlock, in one transaction.
    Result<> unlock(QByteArrayView masterPassword);
    void lock();
    // Re-encrypts every sealed secret under the new password in one transaction: all or nothing.
    Result<> changePassword(QByteArrayView oldPassword, QByteArrayView newPassword);

    // The same three in two steps, for a caller that must not wait (the GUI): derive...() is the
    // slow part (Argon2id, about a second per key) and runs on any thread, given the record read on
    // the store's thread; apply() then writes, on the store's thread.
    struct KeyWork
    {
        QByteArray salt; // of the record `key` belongs to; empty for a first password
        SecretBytes key;
        // A record to seal every secret anew under (a new password, or today's stronger limits),
        // and the key for it.
        std::optional<VaultRecord> next;
        SecretBytes nextKey;
    };
    Result<VaultRecord> storedRecord() const;
    static Result<KeyWork> deriveFirst(QByteArrayView masterPassword);
    static Result<KeyWork> deriveUnlock(const VaultRecord &record, QByteArrayView masterPassword);
    static Result<KeyWork> deriveChange(const VaultRecord &record, QByteArrayView oldPassword,
                                        QByteArrayView newPassword);
    Result<> apply(KeyWork work);

    // `purpose` is bound to the blob (associated data), e.g. the column it is stored in, so a blob
    // moved to another place does not open.
    Result<QByteArray> seal(QByteArrayView plain, const QByteArray &purpose) const;
    Result<SecretBytes> open(const QByteArray &sealed, const QByteArray &purpose) const;

    // Self-contained sealing under a password of its own (salt and limits inside the blob), for
    // encrypted exports that travel without the inventory.
    static Result<QByteArray> sealWithPassword(QByteArrayView plain, QByteArrayView password);
    static Result<SecretBytes> openWithPassword(const QByteArray &sealed, QByteArrayView password);

    // The rule for a new master password (or export password): empty, or shorter than this, is refused.
    static constexpr qsizetype MinimumPasswordLength = 8;
    static Result<> checkNewPassword(QByteArrayView password);

private:
    static Result<SecretBytes> deriveKey(QByteArrayView password, const QByteArray &salt, quint64 opsLimit,
                                         quint64 memLimit);
    static QByteArray sealWithKey(const SecretBytes &key, QByteArrayView plain, const QByteArray &purpose);
    static Result<SecretBytes> openWithKey(const SecretBytes &key, const QByteArray &sealed,
                                           const QByteArray &purpose);
    // Stores a first record, made with its verifier; fails if another process stored one meanwhile.
    Result<> store(VaultRecord record, SecretBytes key);
    // Seals every secret and the verifier under `record` (its verifier still to make) and its key,
    // all or nothing; fails if the stored salt is no longer `oldSalt`.
    Result<> reseal(const SecretBytes &oldKey, const QByteArray &oldSalt, VaultRecord record, SecretBytes newKey);
    // A new salt and limits at least today's, never below `current`'s.
    static VaultRecord successorOf(const VaultRecord &current);
    // The key of `record` if `password` is right; a wrong password is an error.
    static Result<SecretBytes> keyFor(const VaultRecord &record, QByteArrayView password);

    // Another process (the CLI's `vault passwd`) may change the master password while this vault is
    // unlocked: every use checks that the salt it unlocked with is still the stored one.
    Result<> checkStillCurrent() const;

    VaultStorage &m_store;
    mutable SecretBytes m_key;
    mutable QByteArray m_salt;
};

} // namespace rd
