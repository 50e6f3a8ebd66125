#include "servercommands.h"

#include "clicontext.h"
#include "inventory/validator.h"

#include <QJsonArray>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

QJsonObject serverJson(const Server &server, const QString &keyName, const QStringList &users)
{
    return QJsonObject{{QStringLiteral("name"), server.name},
                       {QStringLiteral("host"), server.host},
                       {QStringLiteral("port"), server.port},
                       {QStringLiteral("key"), keyName},
                       {QStringLiteral("username"), server.username},
                       {QStringLiteral("department"), server.department},
                       {QStringLiteral("owner"), server.owner},
                       {QStringLiteral("tags"), QJsonArray::fromStringList(server.tags)},
                       {QStringLiteral("notes"), server.notes},
                       {QStringLiteral("enabled"), server.enabled},
                       {QStringLiteral("usedBy"), QJsonArray::fromStringList(users)}};
}

QString keyNameOf(InventoryStore &store, qint64 keyId)
{
    if (!keyId)
        return {};
    auto key = store.key(keyId);
    return key ? key->name : QString();
}

// The options shared by add and edit; only those given change the server.
CommandResult<> apply(CliContext &context, const QCommandLineParser &parser, Server &server)
{
    auto store = context.store();
    if (given(parser, opt("name"))) {
        server.name = parser.value(opt("name"));
        if (auto ok = CliContext::checkNewName(server.name, (*store)->serverId(server.name), server.id,
                                               ServerCommands::tr("server"));
            !ok)
            return ok;
    }
    if (given(parser, opt("host")))
        server.host = parser.value(opt("host")).trimmed();
    if (given(parser, opt("port"))) {
        if (auto error = Validator::port(parser.value(opt("port")), &server.port))
            return commandFailure(ExitCode::Invalid, *error);
    }
    if (given(parser, opt("key"))) {
        const QString keyName = parser.value(opt("key"));
        if (keyName.isEmpty()) {
            server.keyId = 0;
        } else {
            auto key = context.findKey(keyName);
            if (!key)
                return std::unexpected(key.error());
            server.keyId = key->id;
        }
    }
    if (given(parser, opt("user")))
        server.username = parser.value(opt("user"));
    if (given(parser, opt("department")))
        server.department = parser.value(opt("department"));
    if (given(parser, opt("owner")))
        server.owner = parser.value(opt("owner"));
    if (given(parser, opt("tag"))) {
        server.tags.clear();
        for (const QString &value : parser.values(opt("tag")))
            for (const QString &tag : value.split(u',', Qt::SkipEmptyParts))
                if (!server.tags.contains(tag.trimmed()))
                    server.tags.append(tag.trimmed());
    }
    if (given(parser, opt("notes")))
        server.notes = parser.value(opt("notes"));
    if (given(parser, opt("enable")) && given(parser, opt("disable")))
        return commandFailure(ExitCode::Usage,
                              ServerCommands::tr("--enable and --disable contradict each other."),
                              ServerCommands::tr("Give one of them."));
    if (given(parser, opt("enable")))
        server.enabled = true;
    if (given(parser, opt("disable")))
        server.enabled = false;
    return CliContext::checkFields(Validator::check(server));
}

CommandResult<> list(CliContext &context, const QCommandLineParser &parser, const QStringList &)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto servers = (*store)->servers();
    if (!servers)
        return std::unexpected(CliContext::fromStore(servers.error()));
    auto keys = (*store)->keys();
    if (!keys)
        return std::unexpected(CliContext::fromStore(keys.error()));
    QHash<qint64, QString> keyNames;
    for (const SshKey &key : *keys)
        keyNames.insert(key.id, key.name);
    const QHash<qint64, QStringList> users = (*store)->usersOfServers();
    const QStringList tags = parser.values(opt("tag"));
    QJsonArray rows;
    for (const Server &server : *servers) {
        bool matches = true;
        for (const QString &tag : tags)
            matches = matches && server.tags.contains(tag);
        if (matches)
            rows.append(serverJson(server, keyNames.value(server.keyId), users.value(server.id)));
    }
    context.out().list({{opt("name"), ServerCommands::tr("NAME")},
                        {opt("host"), ServerCommands::tr("HOST")},
                        {opt("port"), ServerCommands::tr("PORT")},
                        {opt("username"), ServerCommands::tr("USER")},
                        {opt("key"), ServerCommands::tr("KEY")},
                        {opt("tags"), ServerCommands::tr("TAGS")},
                        {opt("enabled"), ServerCommands::tr("ENABLED")}},
                       rows);
    return {};
}

CommandResult<> show(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto server = context.findServer(args[0]);
    if (!server)
        return std::unexpected(server.error());
    auto store = context.store();
    context.out().record(
        {{opt("name"), ServerCommands::tr("Name")},
         {opt("host"), ServerCommands::tr("Host")},
         {opt("port"), ServerCommands::tr("Port")},
         {opt("username"), ServerCommands::tr("User")},
         {opt("key"), ServerCommands::tr("Key")},
         {opt("department"), ServerCommands::tr("Department")},
         {opt("owner"), ServerCommands::tr("Owner")},
         {opt("tags"), ServerCommands::tr("Tags")},
         {opt("enabled"), ServerCommands::tr("Enabled")},
         {opt("usedBy"), ServerCommands::tr("Used by")},
         {opt("notes"), ServerCommands::tr("Notes")}},
        serverJson(*server, keyNameOf(**store, server->keyId), (*store)->usersOfServer(server->id)));
    return {};
}

CommandResult<> add(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    if (!given(parser, opt("host")))
        return commandFailure(ExitCode::Usage, ServerCommands::tr("The server needs a host."),
                              ServerCommands::tr("Add --host, for example --host web-01.example.com."),
                              QStringLiteral("host"));
    Server server;
    server.name = args[0];
    if (auto ok = CliContext::checkNewName(server.name, (*store)->serverId(server.name), 0,
                                           ServerCommands::tr("server"));
        !ok)
        return ok;
    if (auto ok = apply(context, parser, server); !ok)
        return ok;
    auto added = (*store)->addServer(server);
    if (!added)
        return std::unexpected(CliContext::fromStore(added.error()));
    server.id = *added;
    context.out().done(
        ServerCommands::tr("Added server %1 (%2:%3).").arg(server.name, server.host).arg(server.port),
        serverJson(server, keyNameOf(**store, server.keyId), {}));
    return {};
}

CommandResult<> edit(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto server = context.findServer(args[0]);
    if (!server)
        return std::unexpected(server.error());
    if (auto ok = apply(context, parser, *server); !ok)
        return ok;
    auto store = context.store();
    if (auto saved = (*store)->updateServer(*server); !saved)
        return std::unexpected(CliContext::fromStore(saved.error()));
    context.out().done(
        ServerCommands::tr("Saved server %1.").arg(server->name),
        serverJson(*server, keyNameOf(**store, server->keyId), (*store)->usersOfServer(server->id)));
    return {};
}

CommandResult<> remove(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto server = context.findServer(args[0]);
    if (!server)
        return std::unexpected(server.error());
    auto store = context.store();
    if (const QStringList users = (*store)->usersOfServer(server->id); !users.isEmpty())
        return commandFailure(
            ExitCode::Conflict,
            ServerCommands::tr("The server %1 is still used by: %2.")
                .arg(server->name, users.join(QStringLiteral(", "))),
            ServerCommands::tr("Take it out of those environments first (env unassign PROJECT/ENV "
                               "%1).")
                .arg(server->name));
    if (auto removed = (*store)->removeServer(server->id); !removed)
        return std::unexpected(CliContext::fromStore(removed.error()));
    context.out().done(ServerCommands::tr("Removed server %1.").arg(server->name),
                       QJsonObject{{QStringLiteral("removed"), server->name}});
    return {};
}

QList<QCommandLineOption> fieldOptions()
{
    return {
        QCommandLineOption(opt("host"), ServerCommands::tr("Host name or IP address."),
                           ServerCommands::tr("H")),
        QCommandLineOption(opt("port"), ServerCommands::tr("SSH port (default 22)."),
                           ServerCommands::tr("P")),
        QCommandLineOption(opt("key"), ServerCommands::tr("Name of the key to log in with (empty: none)."),
                           ServerCommands::tr("K")),
        QCommandLineOption(opt("user"), ServerCommands::tr("Login name (default: the key's)."),
                           ServerCommands::tr("U")),
        QCommandLineOption(opt("department"), ServerCommands::tr("Department."), ServerCommands::tr("D")),
        QCommandLineOption(opt("owner"), ServerCommands::tr("Owner."), ServerCommands::tr("O")),
        QCommandLineOption(opt("tag"), ServerCommands::tr("A tag; repeat for more (replaces the tags)."),
                           ServerCommands::tr("T")),
        QCommandLineOption(opt("notes"), ServerCommands::tr("Free notes."), ServerCommands::tr("N")),
        QCommandLineOption(opt("enable"), ServerCommands::tr("Deploy to this server.")),
        QCommandLineOption(opt("disable"), ServerCommands::tr("Keep the server but skip it in releases."))};
}

} // namespace

CommandGroup ServerCommands::group()
{
    QList<QCommandLineOption> editOptions = fieldOptions();
    editOptions.append(QCommandLineOption(opt("name"), tr("New name."), tr("NEW")));
    return CommandGroup{
        opt("server"),
        tr("Servers to deploy to"),
        {
            {opt("list"),
             tr("[--tag T ...]"),
             tr("List the servers, optionally only those with all given tags."),
             {QCommandLineOption(opt("tag"), tr("Only servers with this tag."), tr("T"))},
             0,
             0,
             list},
            {opt("show"), tr("NAME"), tr("Show one server and the environments it is in."), {}, 1, 1, show},
            {opt("add"),
             tr("NAME --host H [--port P] [--key K] [--user U] [--department D] [--owner O] [--tag T ...] "
                "[--notes N]"),
             tr("Add a server."), fieldOptions(), 1, 1, add},
            {opt("edit"), tr("NAME [the options of add] [--name NEW] [--enable|--disable]"),
             tr("Change a server; options not given stay as they are."), editOptions, 1, 1, edit},
            {opt("remove"), tr("NAME"), tr("Remove a server no environment uses."), {}, 1, 1, remove},
        }};
}

} // namespace rd
