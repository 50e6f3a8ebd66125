#include "jsonimporter.h"

#include "inventorystore.h"
#include "jsoninventory.h"
#include "storedkeybuilder.h"
#include "vault/vault.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cmath>
#include <map>
#include <optional>

namespace rd::json {

namespace {

// The private keys of an encrypted export, opened. (QJsonDocument keeps copies of its own that
// cannot be wiped; these are the ones that travel on.)
struct KeySecret
{
    SecretBytes privateKey;
    SecretBytes passphrase;
};
using KeySecrets = std::map<QString, KeySecret>;

// Reads one entry of the file, keeping the first type error with the entry and field it concerns.
class EntryReader
{
public:
    EntryReader(const QJsonValue &value, const QString &section, qsizetype index)
        : m_object(value.toObject()), m_path(QStringLiteral("%1[%2]").arg(section).arg(index)),
          m_label(m_path)
    {
        if (!value.isObject())
            setError(QString(), JsonInventory::tr("an object"));
    }

    // Once the name is known, messages say "servers[2] (web-02)" rather than only the position.
    void setName(const QString &name)
    {
        m_name = name;
        if (!name.isEmpty())
            m_label = QStringLiteral("%1 (%2)").arg(m_path, name);
    }
    // What makes the entry unique in its section.
    QString name() const { return m_name; }

    QString label() const { return m_label; }
    QString fieldPath(const QString &field) const { return field.isEmpty() ? m_path : m_path + u'.' + field; }
    const std::optional<Error> &error() const { return m_error; }

    QString string(const QString &field, bool required, const QString &fallback = {})
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined() && !required)
            return fallback;
        if (!value.isString()) {
            setError(field, JsonInventory::tr("a string"));
            return fallback;
        }
        return value.toString();
    }

    int integer(const QString &field, int fallback)
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined())
            return fallback;
        const double number = value.toDouble();
        if (!value.isDouble() || number != std::floor(number) || std::abs(number) > 1e9) {
            setError(field, JsonInventory::tr("a whole number"));
            return fallback;
        }
        return int(number);
    }

    bool boolean(const QString &field, bool fallback)
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined())
            return fallback;
        if (!value.isBool()) {
            setError(field, JsonInventory::tr("true or false"));
            return fallback;
        }
        return value.toBool();
    }

    QStringList strings(const QString &field)
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined())
            return {};
        QStringList list;
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array) {
            if (!item.isString())
                break;
            list.append(item.toString());
        }
        if (!value.isArray() || list.size() != array.size())
            setError(field, JsonInventory::tr("a list of strings"));
        return list;
    }

private:
    void setError(const QString &field, const QString &expected)
    {
        if (m_error)
            return;
        const QString message =
            field.isEmpty()
                ? JsonInventory::tr("%1 must be %2.").arg(m_label, expected)
                : JsonInventory::tr("%1: the field \"%2\" must be %3.").arg(m_label, field, expected);
        m_error = Error{message, JsonInventory::tr("Correct the file, or export it again from ReleaseDesk."),
                        fieldPath(field)};
    }

    QJsonObject m_object;
    QString m_path;
    QString m_label;
    QString m_name;
    std::optional<Error> m_error;
};

// The store's own message, prefixed with the entry it came from.
Error entryError(const Error &error, const EntryReader &entry)
{
    return Error{JsonInventory::tr("%1 is not valid: %2").arg(entry.label(), error.message), error.hint,
                 entry.fieldPath(error.field)};
}

Error referenceError(const EntryReader &entry, const QString &field, const QString &what, const QString &name)
{
    return Error{
        JsonInventory::tr("%1 refers to the %2 \"%3\", which is neither in the file nor in the inventory.")
            .arg(entry.label(), what, name),
        JsonInventory::tr("Add the %1 to the file or to the inventory first.").arg(what),
        entry.fieldPath(field)};
}

struct ParsedKey
{
    EntryReader entry;
    SshKey key;
};

struct ParsedServer
{
    EntryReader entry;
    Server server;
    QString keyName;
};

struct ParsedProject
{
    EntryReader entry;
    Project project;
};

struct ParsedEnvironment
{
    EntryReader entry;
    Environment environment;
    QString projectName;
    QStringList serverNames;
};

struct ParsedHook
{
    EntryReader entry;
    HookTemplate hook;
    QString stageName;
};

Result<QJsonArray> section(const QJsonObject &root, const QString &name)
{
    const QJsonValue value = root.value(name);
    if (value.isUndefined())
        return QJsonArray();
    if (!value.isArray())
        return fail(JsonInventory::tr("The field \"%1\" must be a list.").arg(name),
                    JsonInventory::tr("Correct the file, or export it again from ReleaseDesk."), name);
    // The Ansible importer's ceiling too: far above a real fleet, far below what exhausts memory.
    constexpr qsizetype MaxEntries = 50000;
    const QJsonArray array = value.toArray();
    if (array.size() > MaxEntries)
        return fail(JsonInventory::tr("The field \"%1\" has %2 entries, more than the %3 an import takes.")
                        .arg(name)
                        .arg(array.size())
                        .arg(MaxEntries),
                    JsonInventory::tr("Split the file and import the parts one after another."), name);
    return array;
}

// The same name twice in one file would silently let the second entry win; refuse it instead.
std::optional<Error> duplicate(QSet<QString> &seen, const QString &name, const EntryReader &entry)
{
    if (!seen.contains(name)) {
        seen.insert(name);
        return std::nullopt;
    }
    return Error{JsonInventory::tr("%1 repeats a name that appears earlier in the file.").arg(entry.label()),
                 JsonInventory::tr("Keep one entry per name."), entry.fieldPath(QStringLiteral("name"))};
}

Result<KeySecrets> openSecrets(const QJsonObject &root, const Vault *vault, QByteArrayView exportPassword)
{
    KeySecrets secrets;
    const QJsonValue value = root.value(QStringLiteral("secrets"));
    if (value.isUndefined())
        return secrets;
    const QString field = QStringLiteral("secrets");
    if (!value.isString())
        return fail(JsonInventory::tr("The field \"secrets\" must be a base64 string."),
                    JsonInventory::tr("Export the inventory again from ReleaseDesk."), field);
    if (exportPassword.isEmpty())
        return fail(
            JsonInventory::tr("The file holds encrypted private keys, and no export password was given."),
            JsonInventory::tr("Enter the password that was chosen when the file was exported."), field);
    if (!vault || !vault->isUnlocked())
        return fail(JsonInventory::tr("The file holds encrypted private keys, and the vault is locked."),
                    JsonInventory::tr("Unlock the vault with the master password, then import again."),
                    field);
    const auto sealed =
        QByteArray::fromBase64Encoding(value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!sealed)
        return fail(JsonInventory::tr("The field \"secrets\" is not valid base64."),
                    JsonInventory::tr("Export the inventory again from ReleaseDesk."), field);
    auto plain = Vault::openWithPassword(*sealed, exportPassword);
    if (!plain)
        return fail(JsonInventory::tr("The encrypted private keys could not be opened: %1")
                        .arg(plain.error().message),
                    JsonInventory::tr("Check the export password; nothing was imported."), field);
    const QJsonDocument document = QJsonDocument::fromJson(plain->rawByteArray());
    if (!document.isObject())
        return fail(JsonInventory::tr("The encrypted private keys are not in the expected form."),
                    JsonInventory::tr("Export the inventory again from ReleaseDesk."), field);
    const QJsonObject object = document.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        KeySecret &secret = secrets[it.key()];
        secret.privateKey = SecretBytes::fromText(entry.value(QStringLiteral("privateKey")).toString());
        secret.passphrase = SecretBytes::fromText(entry.value(QStringLiteral("passphrase")).toString());
        if (secret.privateKey.isEmpty())
            return fail(
                JsonInventory::tr("The encrypted secrets of key \"%1\" hold no private key.").arg(it.key()),
                JsonInventory::tr("Export the inventory again from ReleaseDesk."), field);
    }
    return secrets;
}

std::optional<SshKey> storedLocally(const InventoryStore &store, qint64 id)
{
    if (!id)
        return std::nullopt;
    auto key = store.key(id);
    if (!key || key->kind != KeyKind::Stored)
        return std::nullopt;
    return *key;
}

// The file's top level, once it is known to be a ReleaseDesk inventory of the version this build reads.
Result<QJsonObject> inventoryRoot(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(JsonInventory::tr("The file is not valid JSON: %1 at offset %2.")
                        .arg(parseError.errorString())
                        .arg(parseError.offset),
                    JsonInventory::tr(
                        "Choose a file exported by ReleaseDesk, or correct the JSON near that offset."));
    const QJsonObject root = document.object();
    if (!document.isObject() ||
        root.value(QStringLiteral("format")).toString() != JsonInventory::formatName())
        return fail(
            JsonInventory::tr("The file is not a ReleaseDesk inventory (its \"format\" is not \"%1\").")
                .arg(JsonInventory::formatName()),
            JsonInventory::tr("Choose a file exported by ReleaseDesk."), QStringLiteral("format"));
    const QJsonValue version = root.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != JsonInventory::FormatVersion)
        return fail(
            JsonInventory::tr("The inventory file has version %1; this ReleaseDesk reads version %2.")
                .arg(version.isDouble()
                         ? QString::number(version.toDouble())
                         : QString::fromUtf8(
                               QJsonDocument(QJsonArray{version}).toJson(QJsonDocument::Compact)))
                .arg(JsonInventory::FormatVersion),
            JsonInventory::tr("Export it again with this version of ReleaseDesk, or upgrade ReleaseDesk."),
            QStringLiteral("version"));
    return root;
}

// Every entry of a section, each read by `read`; a name that appears twice is refused.
template <typename Parsed>
Result<QList<Parsed>> readSection(const QJsonObject &root, const QString &name,
                                  Result<Parsed> (*read)(EntryReader entry))
{
    auto array = section(root, name);
    if (!array)
        return std::unexpected(array.error());
    QList<Parsed> entries;
    QSet<QString> seen;
    for (qsizetype i = 0; i < array->size(); ++i) {
        auto parsed = read(EntryReader(array->at(i), name, i));
        if (!parsed)
            return std::unexpected(parsed.error());
        if (auto error = duplicate(seen, parsed->entry.name(), parsed->entry))
            return std::unexpected(*error);
        entries.append(std::move(*parsed));
    }
    return entries;
}

Result<ParsedKey> readKey(EntryReader reader)
{
    ParsedKey parsed{std::move(reader), {}};
    EntryReader &entry = parsed.entry;
    SshKey &key = parsed.key;
    key.name = entry.string(QStringLiteral("name"), true);
    entry.setName(key.name);
    key.username = entry.string(QStringLiteral("username"), true);
    const QString kind = entry.string(QStringLiteral("kind"), true);
    key.publicKey = entry.string(QStringLiteral("publicKey"), false);
    key.fingerprint = entry.string(QStringLiteral("fingerprint"), false);
    key.keyPath = entry.string(QStringLiteral("keyPath"), false);
    key.enabled = entry.boolean(QStringLiteral("enabled"), true);
    if (entry.error())
        return std::unexpected(*entry.error());
    if (!keyKindFromName(kind, &key.kind))
        return fail(JsonInventory::tr("%1 has the unknown kind \"%2\".").arg(entry.label(), kind),
                    JsonInventory::tr("Use stored, file or agent."), entry.fieldPath(QStringLiteral("kind")));
    return parsed;
}

Result<ParsedServer> readServer(EntryReader reader)
{
    ParsedServer parsed{std::move(reader), {}, {}};
    EntryReader &entry = parsed.entry;
    Server &server = parsed.server;
    server.name = entry.string(QStringLiteral("name"), true);
    entry.setName(server.name);
    server.host = entry.string(QStringLiteral("host"), true);
    server.port = entry.integer(QStringLiteral("port"), 22);
    parsed.keyName = entry.string(QStringLiteral("key"), false);
    server.username = entry.string(QStringLiteral("username"), false);
    server.department = entry.string(QStringLiteral("department"), false);
    server.owner = entry.string(QStringLiteral("owner"), false);
    server.tags = entry.strings(QStringLiteral("tags"));
    server.notes = entry.string(QStringLiteral("notes"), false);
    server.enabled = entry.boolean(QStringLiteral("enabled"), true);
    if (entry.error())
        return std::unexpected(*entry.error());
    return parsed;
}

Result<ParsedProject> readProject(EntryReader reader)
{
    ParsedProject parsed{std::move(reader), {}};
    EntryReader &entry = parsed.entry;
    Project &project = parsed.project;
    project.name = entry.string(QStringLiteral("name"), true);
    entry.setName(project.name);
    project.gitUrl = entry.string(QStringLiteral("gitUrl"), true);
    project.defaultBranch = entry.string(QStringLiteral("defaultBranch"), false, project.defaultBranch);
    project.keepReleases = entry.integer(QStringLiteral("keepReleases"), project.keepReleases);
    project.packageExcludes = entry.strings(QStringLiteral("packageExcludes"));
    project.allowUnauthenticated = entry.boolean(QStringLiteral("allowUnauthenticated"), false);
    if (entry.error())
        return std::unexpected(*entry.error());
    return parsed;
}

Result<ParsedEnvironment> readEnvironment(EntryReader reader)
{
    ParsedEnvironment parsed{std::move(reader), {}, {}, {}};
    EntryReader &entry = parsed.entry;
    Environment &environment = parsed.environment;
    parsed.projectName = entry.string(QStringLiteral("project"), true);
    environment.name = entry.string(QStringLiteral("name"), true);
    entry.setName(parsed.projectName + u'/' + environment.name);
    environment.deployRoot = entry.string(QStringLiteral("deployRoot"), true);
    parsed.serverNames = entry.strings(QStringLiteral("servers"));
    environment.sharedPaths = entry.strings(QStringLiteral("sharedPaths"));
    environment.parallelism = entry.integer(QStringLiteral("parallelism"), environment.parallelism);
    environment.strategy = entry.string(QStringLiteral("strategy"), false, environment.strategy);
    if (entry.error())
        return std::unexpected(*entry.error());
    return parsed;
}

Result<ParsedHook> readHook(EntryReader reader)
{
    ParsedHook parsed{std::move(reader), {}, {}};
    EntryReader &entry = parsed.entry;
    parsed.hook.title = entry.string(QStringLiteral("title"), true);
    entry.setName(parsed.hook.title);
    parsed.stageName = entry.string(QStringLiteral("stage"), true);
    parsed.hook.script = entry.string(QStringLiteral("script"), true);
    if (entry.error())
        return std::unexpected(*entry.error());
    if (!hookStageFromName(parsed.stageName, &parsed.hook.stage))
        return fail(
            JsonInventory::tr("%1 has the unknown stage \"%2\".").arg(entry.label(), parsed.stageName),
            JsonInventory::tr("Use before-download, after-download, before-release or after-release."),
            entry.fieldPath(QStringLiteral("stage")));
    return parsed;
}

// What a file holds, read and checked before anything is written.
struct ParsedInventory
{
    QList<ParsedKey> keys;
    QList<ParsedServer> servers;
    QList<ParsedProject> projects;
    QList<ParsedEnvironment> environments;
    QList<ParsedHook> hooks;
};

Result<ParsedInventory> readInventory(const QJsonObject &root)
{
    ParsedInventory inventory;
    auto keys = readSection<ParsedKey>(root, QStringLiteral("keys"), readKey);
    if (!keys)
        return std::unexpected(keys.error());
    auto servers = readSection<ParsedServer>(root, QStringLiteral("servers"), readServer);
    if (!servers)
        return std::unexpected(servers.error());
    auto projects = readSection<ParsedProject>(root, QStringLiteral("projects"), readProject);
    if (!projects)
        return std::unexpected(projects.error());
    auto environments = readSection<ParsedEnvironment>(root, QStringLiteral("environments"), readEnvironment);
    if (!environments)
        return std::unexpected(environments.error());
    auto hooks = readSection<ParsedHook>(root, QStringLiteral("hookTemplates"), readHook);
    if (!hooks)
        return std::unexpected(hooks.error());
    return ParsedInventory{std::move(*keys), std::move(*servers), std::move(*projects),
                           std::move(*environments), std::move(*hooks)};
}

// Adds the entity, or updates the inventory's entry of the same name (its id already looked up).
template <typename Entity>
Result<> upsert(InventoryStore &store, Result<qint64> (InventoryStore::*add)(const Entity &),
                Result<> (InventoryStore::*update)(const Entity &), const Entity &entity,
                const EntryReader &entry, ImportReport &report)
{
    if (entity.id) {
        if (auto saved = (store.*update)(entity); !saved)
            return std::unexpected(entryError(saved.error(), entry));
        ++report.updated;
    } else {
        if (auto added = (store.*add)(entity); !added)
            return std::unexpected(entryError(added.error(), entry));
        ++report.added;
    }
    return {};
}

// A stored key takes its private key from the file (sealed anew in this vault), else keeps the one
// this inventory has; false when neither has one.
Result<bool> sealKey(InventoryStore &store, Vault *vault, const KeySecrets &secrets, ParsedKey &parsed)
{
    SshKey &key = parsed.key;
    if (auto secret = secrets.find(key.name); secret != secrets.end()) {
        auto sealedKey = vault->seal(secret->second.privateKey.view(), StoredKeyBuilder::privateKeyPurpose());
        if (!sealedKey)
            return std::unexpected(entryError(sealedKey.error(), parsed.entry));
        key.sealedPrivateKey = *sealedKey;
        if (!secret->second.passphrase.isEmpty()) {
            auto sealedPassphrase =
                vault->seal(secret->second.passphrase.view(), StoredKeyBuilder::passphrasePurpose());
            if (!sealedPassphrase)
                return std::unexpected(entryError(sealedPassphrase.error(), parsed.entry));
            key.sealedPassphrase = *sealedPassphrase;
        }
        return true;
    }
    if (const std::optional<SshKey> local = storedLocally(store, key.id)) {
        // The file has no private key for it, but this inventory does: keep ours.
        key.sealedPrivateKey = local->sealedPrivateKey;
        key.sealedPassphrase = local->sealedPassphrase;
        return true;
    }
    return false;
}

// Keys first, then what refers to them; returns the names of stored keys skipped for want of a
// private key.
Result<QSet<QString>> writeKeys(InventoryStore &store, Vault *vault, const KeySecrets &secrets,
                                QList<ParsedKey> &keys, ImportReport &report)
{
    QSet<QString> keysWithoutSecret;
    for (ParsedKey &parsed : keys) {
        SshKey &key = parsed.key;
        key.id = store.keyId(key.name);
        if (key.kind == KeyKind::Stored) {
            auto sealed = sealKey(store, vault, secrets, parsed);
            if (!sealed)
                return std::unexpected(sealed.error());
            if (!*sealed) {
                keysWithoutSecret.insert(key.name);
                ++report.skipped;
                report.warnings.append(
                    JsonInventory::tr("Key \"%1\" was skipped: the file carries no private key "
                                      "for it.")
                        .arg(key.name));
                continue;
            }
        }
        if (auto written =
                upsert(store, &InventoryStore::addKey, &InventoryStore::updateKey, key, parsed.entry, report);
            !written)
            return std::unexpected(written.error());
    }
    return keysWithoutSecret;
}

Result<> writeServers(InventoryStore &store, const QSet<QString> &keysWithoutSecret,
                      QList<ParsedServer> &servers, ImportReport &report)
{
    for (ParsedServer &parsed : servers) {
        Server &server = parsed.server;
        if (keysWithoutSecret.contains(parsed.keyName)) {
            report.warnings.append(
                JsonInventory::tr("Server \"%1\" was imported without a key: its key \"%2\" was "
                                  "skipped.")
                    .arg(server.name, parsed.keyName));
        } else if (!parsed.keyName.isEmpty()) {
            server.keyId = store.keyId(parsed.keyName);
            if (!server.keyId)
                return std::unexpected(referenceError(parsed.entry, QStringLiteral("key"),
                                                      JsonInventory::tr("key"), parsed.keyName));
        }
        server.id = store.serverId(server.name);
        if (auto written = upsert(store, &InventoryStore::addServer, &InventoryStore::updateServer, server,
                                  parsed.entry, report);
            !written)
            return written;
    }
    return {};
}

Result<> writeEnvironments(InventoryStore &store, QList<ParsedEnvironment> &environments,
                           ImportReport &report)
{
    for (ParsedEnvironment &parsed : environments) {
        Environment &environment = parsed.environment;
        environment.projectId = store.projectId(parsed.projectName);
        if (!environment.projectId)
            return std::unexpected(referenceError(parsed.entry, QStringLiteral("project"),
                                                  JsonInventory::tr("project"), parsed.projectName));
        for (const QString &name : parsed.serverNames) {
            const qint64 id = store.serverId(name);
            if (!id)
                return std::unexpected(referenceError(parsed.entry, QStringLiteral("servers"),
                                                      JsonInventory::tr("server"), name));
            environment.serverIds.append(id);
        }
        environment.id = store.environmentId(parsed.projectName, environment.name);
        if (auto written = upsert(store, &InventoryStore::addEnvironment, &InventoryStore::updateEnvironment,
                                  environment, parsed.entry, report);
            !written)
            return written;
    }
    return {};
}

// Everything read, written in one transaction: a failure leaves the inventory as it was.
Result<> writeInventory(InventoryStore &store, Vault *vault, const KeySecrets &secrets,
                        ParsedInventory &inventory, ImportReport &report)
{
    return store.transaction([&]() -> Result<> {
        auto keysWithoutSecret = writeKeys(store, vault, secrets, inventory.keys, report);
        if (!keysWithoutSecret)
            return std::unexpected(keysWithoutSecret.error());
        if (auto written = writeServers(store, *keysWithoutSecret, inventory.servers, report); !written)
            return written;
        for (ParsedProject &parsed : inventory.projects) {
            parsed.project.id = store.projectId(parsed.project.name);
            if (auto written = upsert(store, &InventoryStore::addProject, &InventoryStore::updateProject,
                                      parsed.project, parsed.entry, report);
                !written)
                return written;
        }
        if (auto written = writeEnvironments(store, inventory.environments, report); !written)
            return written;
        for (ParsedHook &parsed : inventory.hooks) {
            parsed.hook.id = store.hookTemplateId(parsed.hook.title);
            if (auto written = upsert(store, &InventoryStore::addHookTemplate,
                                      &InventoryStore::updateHookTemplate, parsed.hook, parsed.entry, report);
                !written)
                return written;
        }
        return {};
    });
}

} // namespace

Result<ImportReport> importInventory(InventoryStore &store, Vault *vault, const QByteArray &json,
                                     QByteArrayView exportPassword)
{
    auto root = inventoryRoot(json);
    if (!root)
        return std::unexpected(root.error());
    auto secrets = openSecrets(*root, vault, exportPassword);
    if (!secrets)
        return std::unexpected(secrets.error());
    auto inventory = readInventory(*root);
    if (!inventory)
        return std::unexpected(inventory.error());
    ImportReport report;
    if (auto written = writeInventory(store, vault, *secrets, *inventory, report); !written)
        return std::unexpected(written.error());
    return report;
}

} // namespace rd::json
