#include "jsoninventory.h"

#include "inventorystore.h"
#include "jsonimporter.h"
#include "storedkeybuilder.h"
#include "vault/vault.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace rd {

namespace {

Result<QByteArray> sealSecrets(const QList<SshKey> &storedKeys, const Vault &vault, QByteArrayView exportPassword)
{
    QJsonObject secrets;
    for (const SshKey &key : storedKeys) {
        auto privateKey = vault.open(key.sealedPrivateKey, StoredKeyBuilder::privateKeyPurpose());
        if (!privateKey)
            return fail(JsonInventory::tr("The private key of \"%1\" could not be opened: %2")
                            .arg(key.name, privateKey.error().message),
                        privateKey.error().hint);
        QJsonObject entry{{QStringLiteral("privateKey"), QString::fromUtf8(privateKey->view())}};
        if (key.hasPassphrase()) {
            auto passphrase = vault.open(key.sealedPassphrase, StoredKeyBuilder::passphrasePurpose());
            if (!passphrase)
                return fail(JsonInventory::tr("The passphrase of \"%1\" could not be opened: %2")
                                .arg(key.name, passphrase.error().message),
                            passphrase.error().hint);
            entry.insert(QStringLiteral("passphrase"), QString::fromUtf8(passphrase->view()));
        }
        secrets.insert(key.name, entry);
    }
    const SecretBytes plain = SecretBytes::take(QJsonDocument(secrets).toJson(QJsonDocument::Compact));
    auto sealed = Vault::sealWithPassword(plain.view(), exportPassword);
    if (!sealed)
        return std::unexpected(sealed.error());
    return sealed->toBase64();
}

} // namespace

Result<QByteArray> JsonInventory::exportJson(const InventoryStore &store, const Vault *vaultForSecrets,
                                             QByteArrayView exportPassword, QStringList *warnings)
{
    auto keys = store.keys();
    if (!keys)
        return std::unexpected(keys.error());
    auto servers = store.servers();
    if (!servers)
        return std::unexpected(servers.error());
    auto projects = store.projects();
    if (!projects)
        return std::unexpected(projects.error());
    auto environments = store.environments();
    if (!environments)
        return std::unexpected(environments.error());
    auto hooks = store.hookTemplates();
    if (!hooks)
        return std::unexpected(hooks.error());

    const bool withSecrets = vaultForSecrets && vaultForSecrets->isUnlocked() && !exportPassword.isEmpty();
    QHash<qint64, QString> keyNames;
    QList<SshKey> storedKeys;
    QJsonArray keyArray;
    for (const SshKey &key : *keys) {
        keyNames.insert(key.id, key.name);
        QJsonObject object{{QStringLiteral("name"), key.name},
                           {QStringLiteral("username"), key.username},
                           {QStringLiteral("kind"), keyKindName(key.kind)},
                           {QStringLiteral("publicKey"), key.publicKey},
                           {QStringLiteral("fingerprint"), key.fingerprint},
                           {QStringLiteral("enabled"), key.enabled}};
        if (key.kind == KeyKind::File)
            object.insert(QStringLiteral("keyPath"), key.keyPath);
        if (key.kind == KeyKind::Stored) {
            if (withSecrets)
                storedKeys.append(key);
            else if (warnings)
                warnings->append(tr("Key \"%1\" was exported with its public key only: its private key needs an "
                                    "unlocked vault and an export password.")
                                     .arg(key.name));
        }
        keyArray.append(object);
    }

    QHash<qint64, QString> serverNames;
    QJsonArray serverArray;
    for (const Server &server : *servers) {
        serverNames.insert(server.id, server.name);
        QJsonObject object{{QStringLiteral("name"), server.name},
                           {QStringLiteral("host"), server.host},
                           {QStringLiteral("port"), server.port},
                           {QStringLiteral("username"), server.username},
                           {QStringLiteral("department"), server.department},
                           {QStringLiteral("owner"), server.owner},
                           {QStringLiteral("tags"), QJsonArray::fromStringList(server.tags)},
                           {QStringLiteral("notes"), server.notes},
                           {QStringLiteral("enabled"), server.enabled}};
        if (server.keyId)
            object.insert(QStringLiteral("key"), keyNames.value(server.keyId));
        serverArray.append(object);
    }

    QHash<qint64, QString> projectNames;
    QJsonArray projectArray;
    for (const Project &project : *projects) {
        projectNames.insert(project.id, project.name);
        projectArray.append(QJsonObject{{QStringLiteral("name"), project.name},
                                        {QStringLiteral("gitUrl"), project.gitUrl},
                                        {QStringLiteral("defaultBranch"), project.defaultBranch},
                                        {QStringLiteral("keepReleases"), project.keepReleases},
                                        {QStringLiteral("packageExcludes"), QJsonArray::fromStringList(project.packageExcludes)},
                                        {QStringLiteral("allowUnauthenticated"), project.allowUnauthenticated}});
    }

    QJsonArray environmentArray;
    for (const Environment &environment : *environments) {
        QStringList members;
        for (qint64 id : environment.serverIds)
            members.append(serverNames.value(id));
        environmentArray.append(QJsonObject{{QStringLiteral("project"), projectNames.value(environment.projectId)},
                                            {QStringLiteral("name"), environment.name},
                                            {QStringLiteral("deployRoot"), environment.deployRoot},
                                            {QStringLiteral("servers"), QJsonArray::fromStringList(members)},
                                            {QStringLiteral("sharedPaths"), QJsonArray::fromStringList(environment.sharedPaths)},
                                            {QStringLiteral("parallelism"), environment.parallelism},
                                            {QStringLiteral("strategy"), environment.strategy}});
    }

    QList<HookTemplate> sortedHooks = *hooks;
    std::sort(sortedHooks.begin(), sortedHooks.end(),
              [](const HookTemplate &a, const HookTemplate &b) { return a.title < b.title; });
    QJsonArray hookArray;
    for (const HookTemplate &hook : sortedHooks)
        hookArray.append(QJsonObject{{QStringLiteral("title"), hook.title},
                                     {QStringLiteral("stage"), hookStageName(hook.stage)},
                                     {QStringLiteral("script"), hook.script}});

    QJsonObject root{{QStringLiteral("format"), formatName()},
                     {QStringLiteral("version"), FormatVersion},
                     {QStringLiteral("keys"), keyArray},
                     {QStringLiteral("servers"), serverArray},
                     {QStringLiteral("projects"), projectArray},
                     {QStringLiteral("environments"), environmentArray},
                     {QStringLiteral("hookTemplates"), hookArray}};
    if (!storedKeys.isEmpty()) {
        auto secrets = sealSecrets(storedKeys, *vaultForSecrets, exportPassword);
        if (!secrets)
            return std::unexpected(secrets.error());
        root.insert(QStringLiteral("secrets"), QString::fromLatin1(*secrets));
    }
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<ImportReport> JsonInventory::importJson(InventoryStore &store, Vault *vault, const QByteArray &json,
                                               QByteArrayView exportPassword)
{
    return json::importInventory(store, vault, json, exportPassword);
}

} // namespace rd
