#include "keycommands.h"

#include "clicontext.h"
#include "inventory/keymaterial.h"
#include "inventory/validator.h"
#include "inventory/storedkeybuilder.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

// Never the sealed blobs: only what is safe to show and to put in a script's output.
QJsonObject keyJson(const SshKey &key, const QStringList &users)
{
    return QJsonObject{{QStringLiteral("name"), key.name},
                       {QStringLiteral("username"), key.username},
                       {QStringLiteral("kind"), keyKindName(key.kind)},
                       {QStringLiteral("publicKey"), key.publicKey},
                       {QStringLiteral("fingerprint"), key.fingerprint},
                       {QStringLiteral("keyPath"), key.keyPath},
                       {QStringLiteral("hasPassphrase"), key.hasPassphrase()},
                       {QStringLiteral("enabled"), key.enabled},
                       {QStringLiteral("usedBy"), QJsonArray::fromStringList(users)}};
}

CommandResult<SecretBytes> readPrivateKeyFile(const QString &path, const QString &field)
{
    QFile file(path);
    if (!file.exists())
        return commandFailure(ExitCode::NotFound, KeyCommands::tr("The file %1 does not exist.").arg(path),
                              KeyCommands::tr("Check the path."), field);
    if (!file.open(QIODevice::ReadOnly))
        return commandFailure(
            ExitCode::Runtime,
            KeyCommands::tr("The file %1 could not be read: %2").arg(path, file.errorString()),
            KeyCommands::tr("Check its permissions."), field);
    return SecretBytes::take(file.read(1024 * 1024));
}

CommandResult<> list(CliContext &context, const QCommandLineParser &, const QStringList &)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto keys = (*store)->keys();
    if (!keys)
        return std::unexpected(CliContext::fromStore(keys.error()));
    QJsonArray rows;
    for (const SshKey &key : *keys)
        rows.append(keyJson(key, (*store)->usersOfKey(key.id)));
    context.out().list({{opt("name"), KeyCommands::tr("NAME")},
                        {opt("username"), KeyCommands::tr("USER")},
                        {opt("kind"), KeyCommands::tr("KIND")},
                        {opt("fingerprint"), KeyCommands::tr("FINGERPRINT")},
                        {opt("enabled"), KeyCommands::tr("ENABLED")}},
                       rows);
    return {};
}

CommandResult<> show(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto key = context.findKey(args[0]);
    if (!key)
        return std::unexpected(key.error());
    context.out().record({{opt("name"), KeyCommands::tr("Name")},
                          {opt("username"), KeyCommands::tr("User")},
                          {opt("kind"), KeyCommands::tr("Kind")},
                          {opt("fingerprint"), KeyCommands::tr("Fingerprint")},
                          {opt("publicKey"), KeyCommands::tr("Public key")},
                          {opt("keyPath"), KeyCommands::tr("Key file")},
                          {opt("hasPassphrase"), KeyCommands::tr("Passphrase")},
                          {opt("enabled"), KeyCommands::tr("Enabled")},
                          {opt("usedBy"), KeyCommands::tr("Used by")}},
                         keyJson(*key, (*context.store())->usersOfKey(key->id)));
    return {};
}

CommandResult<> add(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    const QString name = args[0];
    const int sources = int(given(parser, opt("private-key-file"))) + int(given(parser, opt("key-file"))) +
                        int(given(parser, opt("agent")));
    if (sources != 1)
        return commandFailure(ExitCode::Usage, KeyCommands::tr("Say where the key comes from, exactly once."),
                              KeyCommands::tr("Use --private-key-file FILE, --key-file PATH or --agent."));
    if (!given(parser, opt("user")))
        return commandFailure(ExitCode::Usage, KeyCommands::tr("The key needs a remote user."),
                              KeyCommands::tr("Add --user, for example --user deploy."),
                              QStringLiteral("username"));
    if (given(parser, opt("passphrase-stdin")) && !given(parser, opt("private-key-file")))
        return commandFailure(ExitCode::Usage,
                              KeyCommands::tr("--passphrase-stdin only goes with --private-key-file."),
                              KeyCommands::tr("Key files and the agent keep their own passphrases."));
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    if (auto ok = CliContext::checkNewName(name, (*store)->keyId(name), 0, KeyCommands::tr("key")); !ok)
        return ok;
    const QString username = parser.value(opt("user"));
    if (auto error = Validator::username(username))
        return commandFailure(ExitCode::Invalid, *error);

    SshKey key;
    if (given(parser, opt("private-key-file"))) {
        auto vault = context.unlockedVault();
        if (!vault)
            return std::unexpected(vault.error());
        auto privateKey = readPrivateKeyFile(parser.value(opt("private-key-file")), QStringLiteral("privateKey"));
        if (!privateKey)
            return std::unexpected(privateKey.error());
        SecretBytes passphrase;
        if (given(parser, opt("passphrase-stdin"))) {
            auto line = context.passwords().nextStdinLine(KeyCommands::tr("The key's passphrase"));
            if (!line)
                return std::unexpected(line.error());
            passphrase = std::move(*line);
        }
        auto built = StoredKeyBuilder::build(**vault, name, username, privateKey->view(), passphrase.view());
        if (!built)
            return commandFailure(ExitCode::Invalid, built.error());
        key = *built;
    } else if (given(parser, opt("key-file"))) {
        key.name = name;
        key.username = username;
        key.kind = KeyKind::File;
        key.keyPath = QFileInfo(parser.value(opt("key-file"))).absoluteFilePath();
        if (!QFileInfo::exists(key.keyPath))
            return commandFailure(
                ExitCode::NotFound, KeyCommands::tr("The key file %1 does not exist.").arg(key.keyPath),
                KeyCommands::tr("Give the path of the private key file."), QStringLiteral("keyPath"));
        if (const auto material = KeyMaterial::identifyKeyFile(key.keyPath)) {
            key.publicKey = material->publicKey;
            key.fingerprint = material->fingerprint;
        }
    } else {
        key.name = name;
        key.username = username;
        key.kind = KeyKind::Agent;
    }
    if (auto ok = CliContext::checkFields(Validator::check(key)); !ok)
        return ok;
    auto added = (*store)->addKey(key);
    if (!added)
        return std::unexpected(CliContext::fromStore(added.error()));
    key.id = *added;
    context.out().done(KeyCommands::tr("Added key %1 (%2).").arg(key.name, keyKindName(key.kind)),
                       keyJson(key, {}));
    return {};
}

CommandResult<> edit(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto key = context.findKey(args[0]);
    if (!key)
        return std::unexpected(key.error());
    auto store = context.store();
    if (given(parser, opt("enable")) && given(parser, opt("disable")))
        return commandFailure(ExitCode::Usage,
                              KeyCommands::tr("--enable and --disable contradict each other."),
                              KeyCommands::tr("Give one of them."));
    if (given(parser, opt("name"))) {
        key->name = parser.value(opt("name"));
        if (auto ok = CliContext::checkNewName(key->name, (*store)->keyId(key->name), key->id,
                                               KeyCommands::tr("key"));
            !ok)
            return ok;
    }
    if (given(parser, opt("user")))
        key->username = parser.value(opt("user"));
    if (given(parser, opt("enable")))
        key->enabled = true;
    if (given(parser, opt("disable")))
        key->enabled = false;
    if (auto ok = CliContext::checkFields(Validator::check(*key)); !ok)
        return ok;
    if (auto saved = (*store)->updateKey(*key); !saved)
        return std::unexpected(CliContext::fromStore(saved.error()));
    context.out().done(KeyCommands::tr("Saved key %1.").arg(key->name),
                       keyJson(*key, (*store)->usersOfKey(key->id)));
    return {};
}

CommandResult<> remove(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto key = context.findKey(args[0]);
    if (!key)
        return std::unexpected(key.error());
    auto store = context.store();
    if (const QStringList users = (*store)->usersOfKey(key->id); !users.isEmpty())
        return commandFailure(
            ExitCode::Conflict,
            KeyCommands::tr("The key %1 is still used by: %2.")
                .arg(key->name, users.join(QStringLiteral(", "))),
            KeyCommands::tr("Give those servers another key first (server edit NAME --key K)."));
    if (auto removed = (*store)->removeKey(key->id); !removed)
        return std::unexpected(CliContext::fromStore(removed.error()));
    context.out().done(KeyCommands::tr("Removed key %1.").arg(key->name),
                       QJsonObject{{QStringLiteral("removed"), key->name}});
    return {};
}

} // namespace

CommandGroup KeyCommands::group()
{
    const QCommandLineOption user(opt("user"), tr("Remote login name."), tr("U"));
    return CommandGroup{
        opt("key"),
        tr("SSH keys: a stored private key (sealed in the vault), a key file, or the ssh-agent"),
        {
            {opt("list"), QString(), tr("List the keys."), {}, 0, 0, list},
            {opt("show"), tr("NAME"), tr("Show one key, its public key and who uses it."), {}, 1, 1, show},
            {opt("add"),
             tr("NAME --user U (--private-key-file F [--passphrase-stdin] | --key-file PATH | --agent)"),
             tr("Add a key. A private key file is read once and sealed in the vault (needs the master "
                "password); "
                "its passphrase comes as a line on stdin."),
             {user,
              QCommandLineOption(opt("private-key-file"), tr("OpenSSH private key to store in the vault."),
                                 tr("F")),
              QCommandLineOption(opt("passphrase-stdin"),
                                 tr("Read the private key's passphrase from stdin.")),
              QCommandLineOption(opt("key-file"), tr("Use this private key file in place, at connect time."),
                                 tr("PATH")),
              QCommandLineOption(opt("agent"), tr("Use the keys of the running ssh-agent."))},
             1,
             1,
             add},
            {opt("edit"),
             tr("NAME [--user U] [--name NEW] [--enable|--disable]"),
             tr("Change a key's user, name or whether it is used."),
             {user, QCommandLineOption(opt("name"), tr("New name."), tr("NEW")),
              QCommandLineOption(opt("enable"), tr("Use the key.")),
              QCommandLineOption(opt("disable"), tr("Keep the key but do not use it."))},
             1,
             1,
             edit},
            {opt("remove"), tr("NAME"), tr("Remove a key no server uses."), {}, 1, 1, remove},
        }};
}

} // namespace rd
