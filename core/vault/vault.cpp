#include "vault.h"

#include <QtEndian>

#include <sodium.h>

#include <algorithm>

namespace rd {

namespace {

constexpr char SealVersion = 1;
constexpr qsizetype NonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr qsizetype TagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr qsizetype SaltBytes = crypto_pwhash_SALTBYTES;
constexpr std::size_t KeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr QByteArrayView PasswordMagic("RDS1");
// libsodium's MODERATE preset (about 0.7 s and 256 MiB here): the vault and exported secrets are
// files that can be copied and attacked offline, so a guess must cost more than an online login.
constexpr quint64 OpsLimit = crypto_pwhash_OPSLIMIT_MODERATE;
constexpr quint64 MemLimit = crypto_pwhash_MEMLIMIT_MODERATE;
// Magic, ops limit and mem limit (big-endian 64-bit), salt: the header of a password blob.
constexpr qsizetype PasswordHeaderBytes = 4 + 8 + 8 + SaltBytes;

QByteArray verifierPlain()
{
    return QByteArrayLiteral("releasedesk-vault");
}
QByteArray verifierPurpose()
{
    return QByteArrayLiteral("vault.verifier");
}

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    randombytes_buf(bytes.data(), std::size_t(size));
    return bytes;
}

const unsigned char *bytes(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

Result<> sodiumRunning()
{
    if (!SecretBytes::sodiumReady())
        return fail(Vault::tr("The cryptography library (libsodium) could not start."),
                    Vault::tr("Reinstall libsodium and start ReleaseDesk again."));
    return {};
}

void appendBigEndian(QByteArray &out, quint64 value)
{
    const quint64 big = qToBigEndian(value);
    out.append(reinterpret_cast<const char *>(&big), sizeof big);
}

quint64 readBigEndian(const char *data)
{
    return qFromBigEndian<quint64>(data);
}

Error alreadyInitialized()
{
    return Error{Vault::tr("The vault already has a master password."),
                 Vault::tr("Unlock it with that password, or change the password."), {}};
}

// Counted in place: a QString of the password would be one more copy left unwiped.
qsizetype utf8Characters(QByteArrayView text)
{
    return std::count_if(text.begin(), text.end(), [](char c) { return (uchar(c) & 0xC0) != 0x80; });
}

} // namespace

Vault::Vault(VaultStorage &store) : m_store(store)
{
    SecretBytes::sodiumReady();
}

Vault::~Vault() = default;

bool Vault::isInitialized() const
{
    auto record = m_store.vaultRecord();
    return record && record->has_value();
}

bool Vault::isUnlocked() const
{
    return !m_key.isEmpty();
}

Result<> Vault::checkNewPassword(QByteArrayView password)
{
    if (password.isEmpty())
        return fail(tr("The password is empty."),
                    tr("Choose a password of at least %1 characters.").arg(MinimumPasswordLength),
                    QStringLiteral("password"));
    if (utf8Characters(password) < MinimumPasswordLength)
        return fail(tr("The password is too short."),
                    tr("Choose a password of at least %1 characters.").arg(MinimumPasswordLength),
                    QStringLiteral("password"));
    return {};
}

Result<SecretBytes> Vault::deriveKey(QByteArrayView password, const QByteArray &salt, quint64 opsLimit,
                                     quint64 memLimit)
{
    if (auto ready = sodiumRunning(); !ready)
        return std::unexpected(ready.error());
    SecretBytes key(KeyBytes);
    if (crypto_pwhash(key.data(), key.size(), password.constData(), quint64(password.size()), bytes(salt),
                      opsLimit, std::size_t(memLimit), crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail(tr("The key could not be derived from the password: %1 MiB of memory were not available.")
                        .arg(memLimit / (1024 * 1024)),
                    tr("Close other programs and try again."));
    return key;
}

QByteArray Vault::sealWithKey(const SecretBytes &key, QByteArrayView plain, const QByteArray &purpose)
{
    const QByteArray nonce = randomBytes(NonceBytes);
    QByteArray blob(1 + NonceBytes + plain.size() + TagBytes, Qt::Uninitialized);
    blob[0] = SealVersion;
    std::copy(nonce.cbegin(), nonce.cend(), blob.begin() + 1);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char *>(blob.data()) + 1 + NonceBytes, &written, bytes(plain),
        quint64(plain.size()), bytes(purpose), quint64(purpose.size()), nullptr, bytes(nonce), key.data());
    return blob;
}

Result<SecretBytes> Vault::openWithKey(const SecretBytes &key, const QByteArray &sealed,
                                       const QByteArray &purpose)
{
    const auto damaged = [] {
        return fail(tr("A secret in the vault could not be decrypted: it was changed, or it was sealed for "
                       "another place."),
                    tr("Enter the secret again (for a stored key: edit the key and paste it again)."));
    };
    if (sealed.size() < 1 + NonceBytes + TagBytes || sealed[0] != SealVersion)
        return damaged();
    const auto *nonce = bytes(sealed) + 1;
    const auto *cipher = nonce + NonceBytes;
    const auto cipherSize = quint64(sealed.size() - 1 - NonceBytes);
    SecretBytes plain(std::size_t(cipherSize - TagBytes));
    unsigned char empty = 0;
    unsigned long long plainSize = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.isEmpty() ? &empty : plain.data(), &plainSize,
                                                   nullptr, cipher, cipherSize, bytes(purpose),
                                                   quint64(purpose.size()), nonce, key.data()) != 0)
        return damaged();
    return plain;
}

Result<VaultRecord> Vault::storedRecord() const
{
    auto stored = m_store.vaultRecord();
    if (!stored)
        return std::unexpected(stored.error());
    if (!stored->has_value())
        return fail(tr("The vault has no master password yet."), tr("Choose a master password first."));
    return **stored;
}

Result<SecretBytes> Vault::keyFor(const VaultRecord &record, QByteArrayView password)
{
    if (record.salt.size() != SaltBytes || record.opsLimit < crypto_pwhash_OPSLIMIT_MIN ||
        record.opsLimit > crypto_pwhash_OPSLIMIT_MAX || record.memLimit < crypto_pwhash_MEMLIMIT_MIN ||
        record.memLimit > crypto_pwhash_MEMLIMIT_MAX)
        return fail(tr("The vault record in the inventory database is damaged."),
                    tr("Restore the inventory database from a backup."));
    auto key = deriveKey(password, record.salt, record.opsLimit, record.memLimit);
    if (!key)
        return key;
    auto check = openWithKey(*key, record.verifier, verifierPurpose());
    if (!check || !check->equals(verifierPlain()))
        return fail(tr("The master password is wrong."),
                    tr("Type it again, and check Caps Lock and the keyboard layout."),
                    QStringLiteral("masterPassword"));
    return key;
}

VaultRecord Vault::successorOf(const VaultRecord &current)
{
    return VaultRecord{randomBytes(SaltBytes), std::max<quint64>(current.opsLimit, OpsLimit),
                       std::max<quint64>(current.memLimit, MemLimit), {}};
}

Result<> Vault::initialize(QByteArrayView masterPassword)
{
    // Said before the slow derivation; store() checks again inside its transaction.
    if (isInitialized())
        return std::unexpected(alreadyInitialized());
    auto work = deriveFirst(masterPassword);
    if (!work)
        return std::unexpected(work.error());
    return apply(std::move(*work));
}

Result<> Vault::unlock(QByteArrayView masterPassword)
{
    auto record = storedRecord();
    if (!record)
        return std::unexpected(record.error());
    auto work = deriveUnlock(*record, masterPassword);
    if (!work)
        return std::unexpected(work.error());
    return apply(std::move(*work));
}

Result<> Vault::changePassword(QByteArrayView oldPassword, QByteArrayView newPassword)
{
    auto record = storedRecord();
    if (!record)
        return std::unexpected(record.error());
    auto work = deriveChange(*record, oldPassword, newPassword);
    if (!work)
        return std::unexpected(work.error());
    return apply(std::move(*work));
}

Result<Vault::KeyWork> Vault::deriveFirst(QByteArrayView masterPassword)
{
    if (auto ok = checkNewPassword(masterPassword); !ok)
        return fail(ok.error().message, ok.error().hint, QStringLiteral("masterPassword"));
    if (auto ready = sodiumRunning(); !ready)
        return std::unexpected(ready.error());
    KeyWork work;
    work.next = VaultRecord{randomBytes(SaltBytes), OpsLimit, MemLimit, {}};
    auto key = deriveKey(masterPassword, work.next->salt, work.next->opsLimit, work.next->memLimit);
    if (!key)
        return std::unexpected(key.error());
    work.nextKey = std::move(*key);
    return work;
}

Result<Vault::KeyWork> Vault::deriveUnlock(const VaultRecord &record, QByteArrayView masterPassword)
{
    if (masterPassword.isEmpty())
        return fail(tr("The master password is empty."), tr("Type the master password of this inventory."),
                    QStringLiteral("masterPassword"));
    if (auto ready = sodiumRunning(); !ready)
        return std::unexpected(ready.error());
    auto key = keyFor(record, masterPassword);
    if (!key)
        return std::unexpected(key.error());
    KeyWork work{record.salt, std::move(*key), std::nullopt, {}};
    // A vault made with weaker limits is sealed anew under today's, with the same password.
    if (record.opsLimit < OpsLimit || record.memLimit < MemLimit) {
        work.next = successorOf(record);
        auto nextKey = deriveKey(masterPassword, work.next->salt, work.next->opsLimit, work.next->memLimit);
        if (!nextKey)
            return std::unexpected(nextKey.error());
        work.nextKey = std::move(*nextKey);
    }
    return work;
}

Result<Vault::KeyWork> Vault::deriveChange(const VaultRecord &record, QByteArrayView oldPassword,
                                           QByteArrayView newPassword)
{
    if (auto ok = checkNewPassword(newPassword); !ok)
        return fail(ok.error().message, ok.error().hint, QStringLiteral("newPassword"));
    auto oldKey = keyFor(record, oldPassword);
    if (!oldKey) {
        Error error = oldKey.error();
        if (error.field == u"masterPassword")
            error.field = QStringLiteral("oldPassword");
        return std::unexpected(error);
    }
    KeyWork work{record.salt, std::move(*oldKey), successorOf(record), {}};
    auto newKey = deriveKey(newPassword, work.next->salt, work.next->opsLimit, work.next->memLimit);
    if (!newKey)
        return std::unexpected(newKey.error());
    work.nextKey = std::move(*newKey);
    return work;
}

Result<> Vault::apply(KeyWork work)
{
    if (work.next && work.salt.isEmpty())
        return store(std::move(*work.next), std::move(work.nextKey));
    if (work.next)
        return reseal(work.key, work.salt, std::move(*work.next), std::move(work.nextKey));
    auto record = storedRecord();
    if (!record)
        return std::unexpected(record.error());
    if (record->salt != work.salt)
        return fail(tr("The master password was changed elsewhere in the meantime."),
                    tr("Type the current master password again."));
    m_key = std::move(work.key);
    m_salt = work.salt;
    return {};
}

Result<> Vault::store(VaultRecord record, SecretBytes key)
{
    auto stored = m_store.transaction([&]() -> Result<> {
        auto existing = m_store.vaultRecord();
        if (!existing)
            return std::unexpected(existing.error());
        if (existing->has_value())
            return std::unexpected(alreadyInitialized());
        record.verifier = sealWithKey(key, verifierPlain(), verifierPurpose());
        return m_store.rekey(record, {});
    });
    if (!stored)
        return stored;
    m_key = std::move(key);
    m_salt = record.salt;
    return {};
}

void Vault::lock()
{
    m_key.clear();
    m_salt.clear();
}

Result<> Vault::checkStillCurrent() const
{
    if (!isUnlocked())
        return fail(tr("The vault is locked."), tr("Unlock it with the master password first."));
    auto stored = m_store.vaultRecord();
    if (!stored)
        return std::unexpected(stored.error());
    if (!stored->has_value() || (*stored)->salt != m_salt) {
        m_key.clear();
        m_salt.clear();
        return fail(tr("The master password was changed elsewhere since this vault was unlocked."),
                    tr("Unlock the vault again with the new master password."));
    }
    return {};
}

Result<> Vault::reseal(const SecretBytes &oldKey, const QByteArray &oldSalt, VaultRecord record, SecretBytes newKey)
{
    // Read, re-encrypt and write in one write transaction: no other process can add a secret
    // under the old key in between.
    auto changed = m_store.transaction([&]() -> Result<> {
        auto stored = m_store.vaultRecord();
        if (!stored)
            return std::unexpected(stored.error());
        if (!stored->has_value() || (*stored)->salt != oldSalt)
            return fail(tr("The master password was changed elsewhere in the meantime."),
                        tr("Type the current master password again."));
        auto secrets = m_store.sealedSecrets();
        if (!secrets)
            return std::unexpected(secrets.error());
        for (SealedSecret &secret : *secrets) {
            const QByteArray purpose = secret.column.toUtf8();
            auto plain = openWithKey(oldKey, secret.blob, purpose);
            if (!plain)
                return fail(
                    tr("The secret %1 of key %2 could not be decrypted, so the vault was not sealed anew.")
                        .arg(secret.column)
                        .arg(secret.rowId),
                    tr("Enter that key again (or remove it), then try again."));
            secret.blob = sealWithKey(newKey, plain->view(), purpose);
        }
        record.verifier = sealWithKey(newKey, verifierPlain(), verifierPurpose());
        return m_store.rekey(record, *secrets);
    });
    if (!changed)
        return changed;
    m_key = std::move(newKey);
    m_salt = record.salt;
    return {};
}

Result<QByteArray> Vault::seal(QByteArrayView plain, const QByteArray &purpose) const
{
    if (auto current = checkStillCurrent(); !current)
        return std::unexpected(current.error());
    return sealWithKey(m_key, plain, purpose);
}

Result<SecretBytes> Vault::open(const QByteArray &sealed, const QByteArray &purpose) const
{
    if (auto current = checkStillCurrent(); !current)
        return std::unexpected(current.error());
    return openWithKey(m_key, sealed, purpose);
}

Result<QByteArray> Vault::sealWithPassword(QByteArrayView plain, QByteArrayView password)
{
    if (auto ok = checkNewPassword(password); !ok)
        return std::unexpected(ok.error());
    if (auto ready = sodiumRunning(); !ready)
        return std::unexpected(ready.error());
    const QByteArray salt = randomBytes(SaltBytes);
    auto key = deriveKey(password, salt, OpsLimit, MemLimit);
    if (!key)
        return std::unexpected(key.error());
    QByteArray header = PasswordMagic.toByteArray();
    appendBigEndian(header, OpsLimit);
    appendBigEndian(header, MemLimit);
    header.append(salt);
    // The header is the associated data: limits and salt cannot be swapped without notice.
    const QByteArray inner = sealWithKey(*key, plain, header);
    return header + inner.mid(1);
}

Result<SecretBytes> Vault::openWithPassword(const QByteArray &sealed, QByteArrayView password)
{
    if (password.isEmpty())
        return fail(tr("The password is empty."), tr("Type the password that protected this data."),
                    QStringLiteral("password"));
    const auto damaged = [] {
        return fail(tr("This is not data sealed by ReleaseDesk, or it is damaged."),
                    tr("Choose the file exactly as it was exported."));
    };
    if (sealed.size() < PasswordHeaderBytes + NonceBytes + TagBytes || !sealed.startsWith(PasswordMagic))
        return damaged();
    const quint64 opsLimit = readBigEndian(sealed.constData() + 4);
    const quint64 memLimit = readBigEndian(sealed.constData() + 12);
    // Limits come from the file: refuse values that would let a crafted file exhaust the machine.
    if (opsLimit < crypto_pwhash_OPSLIMIT_MIN || opsLimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        memLimit < crypto_pwhash_MEMLIMIT_MIN || memLimit > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return damaged();
    const QByteArray header = sealed.left(PasswordHeaderBytes);
    auto key = deriveKey(password, header.mid(20, SaltBytes), opsLimit, memLimit);
    if (!key)
        return std::unexpected(key.error());
    QByteArray inner(1, SealVersion);
    inner.append(sealed.mid(PasswordHeaderBytes));
    auto plain = openWithKey(*key, inner, header);
    if (!plain)
        return fail(tr("The password is wrong, or the data was changed."),
                    tr("Type the password that protected this data, and check that the file is complete."),
                    QStringLiteral("password"));
    return plain;
}

} // namespace rd
