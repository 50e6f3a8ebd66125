#include "storedkeybuilder.h"

#include "vault/vault.h"

#include <algorithm>

namespace rd {

Result<SshKey> StoredKeyBuilder::build(const Vault &vault, const QString &name, const QString &username,
                                       QByteArrayView privateKeyText, QByteArrayView passphrase)
{
    if (!vault.isUnlocked())
        return fail(tr("The vault is locked, so the key cannot be stored."),
                    tr("Unlock the vault with the master password first."));
    auto checked = check(privateKeyText, passphrase);
    if (!checked)
        return std::unexpected(checked.error());
    return seal(vault, name, username, *checked);
}

Result<StoredKeyBuilder::CheckedKey> StoredKeyBuilder::check(QByteArrayView privateKeyText,
                                                              QByteArrayView passphrase)
{
    // Pasted text often carries CR LF or stray blank lines; libssh2 wants the file as ssh-keygen wrote it.
    const QByteArrayView trimmed = privateKeyText.trimmed();
    SecretBytes text(std::size_t(trimmed.size() - std::count(trimmed.begin(), trimmed.end(), '\r') + 1));
    auto *end = std::copy_if(trimmed.begin(), trimmed.end(), text.data(), [](char c) { return c != '\r'; });
    *end = '\n';

    auto material = KeyMaterial::inspect(text.view(), passphrase);
    if (!material)
        return std::unexpected(material.error());
    if (material->encrypted && passphrase.isEmpty())
        return fail(tr("This private key is protected by a passphrase."),
                    tr("Type the key's passphrase as well."), QStringLiteral("passphrase"));
    // A passphrase given for an unencrypted key is not kept.
    return CheckedKey{std::move(text), SecretBytes(material->encrypted ? passphrase : QByteArrayView()),
                      std::move(*material)};
}

Result<SshKey> StoredKeyBuilder::seal(const Vault &vault, const QString &name, const QString &username,
                                      const CheckedKey &checked)
{
    SshKey key;
    key.name = name;
    key.username = username;
    key.kind = KeyKind::Stored;
    key.publicKey = checked.material.publicKey;
    key.fingerprint = checked.material.fingerprint;
    auto sealedKey = vault.seal(checked.text.view(), privateKeyPurpose());
    if (!sealedKey)
        return std::unexpected(sealedKey.error());
    key.sealedPrivateKey = *sealedKey;
    if (!checked.passphrase.isEmpty()) {
        auto sealedPassphrase = vault.seal(checked.passphrase.view(), passphrasePurpose());
        if (!sealedPassphrase)
            return std::unexpected(sealedPassphrase.error());
        key.sealedPassphrase = *sealedPassphrase;
    }
    return key;
}

} // namespace rd
