#include "storedkeybuilder.h"

#include "inventory/keymaterial.h"
#include "vault.h"

#include <QScopeGuard>

#include <sodium.h>

namespace rd {

Result<SshKey> StoredKeyBuilder::build(const Vault &vault, const QString &name, const QString &username,
                                       const QByteArray &privateKeyText, const QByteArray &passphrase)
{
    if (!vault.isUnlocked())
        return fail(tr("The vault is locked, so the key cannot be stored."),
                    tr("Unlock the vault with the master password first."));

    // Pasted text often carries CR LF or stray blank lines; libssh2 wants the file as ssh-keygen wrote it.
    const QByteArrayView trimmed = QByteArrayView(privateKeyText).trimmed();
    QByteArray text;
    text.reserve(trimmed.size() + 1);
    for (char c : trimmed) {
        if (c != '\r')
            text.append(c);
    }
    text.append('\n');
    const auto wipe = qScopeGuard([&text] { sodium_memzero(text.data(), std::size_t(text.size())); });

    auto material = KeyMaterial::inspect(text, passphrase);
    if (!material)
        return std::unexpected(material.error());
    if (material->encrypted && passphrase.isEmpty())
        return fail(tr("This private key is protected by a passphrase."),
                    tr("Type the key's passphrase as well."), QStringLiteral("passphrase"));

    SshKey key;
    key.name = name;
    key.username = username;
    key.kind = KeyKind::Stored;
    key.publicKey = material->publicKey;
    key.fingerprint = material->fingerprint;
    auto sealedKey = vault.seal(text, privateKeyPurpose());
    if (!sealedKey)
        return std::unexpected(sealedKey.error());
    key.sealedPrivateKey = *sealedKey;
    if (material->encrypted) {
        auto sealedPassphrase = vault.seal(passphrase, passphrasePurpose());
        if (!sealedPassphrase)
            return std::unexpected(sealedPassphrase.error());
        key.sealedPassphrase = *sealedPassphrase;
    }
    return key;
}

} // namespace rd
