#include "sshtargetfactory.h"

#include "inventory/inventorystore.h"
#include "inventory/storedkeybuilder.h"
#include "vault/vault.h"

namespace rd {

Result<SshTarget> SshTargetFactory::forServer(const InventoryStore &store, const Vault *vault, const Server &server)
{
    if (!server.enabled)
        return fail(tr("Server %1 is disabled.").arg(server.name), tr("Enable it in the inventory to use it."));
    if (server.keyId <= 0)
        return fail(tr("Server %1 has no key.").arg(server.name),
                    tr("Assign a key to it (releasedesk-cli server edit %1 --key NAME).").arg(server.name));
    auto key = store.key(server.keyId);
    if (!key)
        return std::unexpected(key.error());
    if (!key->enabled)
        return fail(tr("The key %1 of server %2 is disabled.").arg(key->name, server.name),
                    tr("Enable the key or assign another one."));

    SshTarget target;
    target.name = server.name;
    target.host = server.host;
    target.port = server.port;
    target.username = server.username.isEmpty() ? key->username : server.username;
    switch (key->kind) {
    case KeyKind::Agent:
        target.useAgent = true;
        break;
    case KeyKind::File:
        target.keyPath = key->keyPath;
        break;
    case KeyKind::Stored: {
        if (!vault || !vault->isUnlocked())
            return fail(tr("The key %1 of server %2 is stored in the vault, which is locked.").arg(key->name, server.name),
                        tr("Unlock the vault with the master password first."));
        auto privateKey = vault->open(key->sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
        if (!privateKey)
            return std::unexpected(privateKey.error());
        target.privateKey = std::move(*privateKey);
        if (key->hasPassphrase()) {
            auto passphrase = vault->open(key->sealedPassphrase, StoredKeyBuilder::passphrasePurpose());
            if (!passphrase)
                return std::unexpected(passphrase.error());
            target.passphrase = std::move(*passphrase);
        }
        break;
    }
    }
    return target;
}

Result<std::vector<SshTarget>> SshTargetFactory::forServers(const InventoryStore &store, const Vault *vault,
                                                            const QStringList &names)
{
    auto all = store.servers();
    if (!all)
        return std::unexpected(all.error());
    std::vector<SshTarget> targets;
    for (const QString &name : names) {
        const auto server = std::find_if(all->cbegin(), all->cend(), [&](const Server &s) { return s.name == name; });
        if (server == all->cend())
            return fail(tr("Server \"%1\" is no longer in the inventory.").arg(name),
                        tr("Add it again under the same name, or leave it out."));
        auto target = forServer(store, vault, *server);
        if (!target)
            return std::unexpected(target.error());
        targets.push_back(std::move(*target));
    }
    return targets;
}

} // namespace rd
