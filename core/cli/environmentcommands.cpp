#include "environmentcommands.h"

#include "clicontext.h"
#include "inventory/validator.h"

#include <QJsonArray>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

QStringList serverNames(InventoryStore &store, const QList<qint64> &ids)
{
    QStringList names;
    for (qint64 id : ids) {
        auto server = store.server(id);
        names.append(server ? server->name : QString::number(id));
    }
    return names;
}

QJsonObject environmentJson(InventoryStore &store, const Environment &environment)
{
    auto project = store.project(environment.projectId);
    const QString projectName = project ? project->name : QString();
    return QJsonObject{
        {QStringLiteral("project"), projectName},
        {QStringLiteral("name"), environment.name},
        {QStringLiteral("path"), projectName + u'/' + environment.name},
        {QStringLiteral("deployRoot"), environment.deployRoot},
        {QStringLiteral("sharedPaths"), QJsonArray::fromStringList(environment.sharedPaths)},
        {QStringLiteral("parallelism"), environment.parallelism},
        {QStringLiteral("strategy"), environment.strategy},
        {QStringLiteral("servers"), QJsonArray::fromStringList(serverNames(store, environment.serverIds))}};
}

CommandResult<QList<qint64>> serverIds(CliContext &context, const QStringList &names)
{
    QList<qint64> ids;
    for (const QString &name : names) {
        auto server = context.findServer(name);
        if (!server)
            return std::unexpected(server.error());
        if (ids.contains(server->id))
            return commandFailure(ExitCode::Invalid,
                                  EnvironmentCommands::tr("The server %1 is listed twice.").arg(name),
                                  EnvironmentCommands::tr("Each server can be in an environment once."),
                                  QStringLiteral("servers"));
        ids.append(server->id);
    }
    return ids;
}

CommandResult<> apply(CliContext &context, const QCommandLineParser &parser, Environment &environment)
{
    auto store = context.store();
    if (given(parser, opt("name"))) {
        environment.name = parser.value(opt("name"));
        auto project = (*store)->project(environment.projectId);
        const qint64 existing = project ? (*store)->environmentId(project->name, environment.name) : 0;
        if (auto ok = CliContext::checkNewName(environment.name, existing, environment.id,
                                               EnvironmentCommands::tr("environment"));
            !ok)
            return ok;
    }
    if (given(parser, opt("root")))
        environment.deployRoot = parser.value(opt("root"));
    if (given(parser, opt("shared")))
        environment.sharedPaths = parser.values(opt("shared"));
    if (given(parser, opt("parallelism"))) {
        auto parallelism =
            CliContext::integer(parser.value(opt("parallelism")), QStringLiteral("parallelism"), 1, 500);
        if (!parallelism)
            return std::unexpected(parallelism.error());
        environment.parallelism = *parallelism;
    }
    if (given(parser, opt("strategy")))
        environment.strategy = parser.value(opt("strategy"));
    if (given(parser, opt("server"))) {
        auto ids = serverIds(context, parser.values(opt("server")));
        if (!ids)
            return std::unexpected(ids.error());
        environment.serverIds = *ids;
    }
    return CliContext::checkFields(Validator::check(environment));
}

CommandResult<> list(CliContext &context, const QCommandLineParser &parser, const QStringList &)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    qint64 projectFilter = 0;
    if (given(parser, opt("project"))) {
        auto project = context.findProject(parser.value(opt("project")));
        if (!project)
            return std::unexpected(project.error());
        projectFilter = project->id;
    }
    auto environments = (*store)->environments();
    if (!environments)
        return std::unexpected(CliContext::fromStore(environments.error()));
    QJsonArray rows;
    for (const Environment &environment : *environments)
        if (!projectFilter || environment.projectId == projectFilter)
            rows.append(environmentJson(**store, environment));
    context.out().list({{opt("path"), EnvironmentCommands::tr("ENVIRONMENT")},
                        {opt("deployRoot"), EnvironmentCommands::tr("DEPLOY ROOT")},
                        {opt("strategy"), EnvironmentCommands::tr("STRATEGY")},
                        {opt("parallelism"), EnvironmentCommands::tr("PARALLEL")},
                        {opt("servers"), EnvironmentCommands::tr("SERVERS")}},
                       rows);
    return {};
}

CommandResult<> show(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto environment = context.findEnvironment(args[0]);
    if (!environment)
        return std::unexpected(environment.error());
    context.out().record({{opt("path"), EnvironmentCommands::tr("Environment")},
                          {opt("deployRoot"), EnvironmentCommands::tr("Deploy root")},
                          {opt("sharedPaths"), EnvironmentCommands::tr("Shared paths")},
                          {opt("strategy"), EnvironmentCommands::tr("Strategy")},
                          {opt("parallelism"), EnvironmentCommands::tr("Parallelism")},
                          {opt("servers"), EnvironmentCommands::tr("Servers")}},
                         environmentJson(**context.store(), *environment));
    return {};
}

CommandResult<> add(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    const QString path = args[0];
    const qsizetype slash = path.indexOf(u'/');
    if (slash <= 0 || path.count(u'/') != 1)
        return commandFailure(ExitCode::Usage,
                              EnvironmentCommands::tr("\"%1\" does not name an environment.").arg(path),
                              EnvironmentCommands::tr("Write it as PROJECT/ENV, for example shop/prod."),
                              QStringLiteral("environment"));
    auto project = context.findProject(path.left(slash));
    if (!project)
        return std::unexpected(project.error());
    if (!given(parser, opt("root")))
        return commandFailure(ExitCode::Usage,
                              EnvironmentCommands::tr("The environment needs a deploy root."),
                              EnvironmentCommands::tr("Add --root, for example --root /srv/shop."),
                              QStringLiteral("deployRoot"));
    auto store = context.store();
    Environment environment;
    environment.projectId = project->id;
    environment.name = path.mid(slash + 1);
    if (auto ok = CliContext::checkNewName(environment.name,
                                           (*store)->environmentId(project->name, environment.name), 0,
                                           EnvironmentCommands::tr("environment of this project"));
        !ok)
        return ok;
    if (auto ok = apply(context, parser, environment); !ok)
        return ok;
    auto added = (*store)->addEnvironment(environment);
    if (!added)
        return std::unexpected(CliContext::fromStore(added.error()));
    environment.id = *added;
    context.out().done(
        EnvironmentCommands::tr("Added environment %1/%2.").arg(project->name, environment.name),
        environmentJson(**store, environment));
    return {};
}

CommandResult<> save(CliContext &context, const Environment &environment, const QString &message)
{
    auto store = context.store();
    if (auto saved = (*store)->updateEnvironment(environment); !saved)
        return std::unexpected(CliContext::fromStore(saved.error()));
    const QJsonObject object = environmentJson(**store, environment);
    context.out().done(message.arg(object.value(QStringLiteral("path")).toString()), object);
    return {};
}

CommandResult<> edit(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto environment = context.findEnvironment(args[0]);
    if (!environment)
        return std::unexpected(environment.error());
    if (auto ok = apply(context, parser, *environment); !ok)
        return ok;
    return save(context, *environment, EnvironmentCommands::tr("Saved environment %1."));
}

CommandResult<> remove(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto environment = context.findEnvironment(args[0]);
    if (!environment)
        return std::unexpected(environment.error());
    if (auto removed = (*context.store())->removeEnvironment(environment->id); !removed)
        return std::unexpected(CliContext::fromStore(removed.error()));
    context.out().done(EnvironmentCommands::tr("Removed environment %1.").arg(args[0]),
                       QJsonObject{{QStringLiteral("removed"), args[0]}});
    return {};
}

CommandResult<> assign(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto environment = context.findEnvironment(args[0]);
    if (!environment)
        return std::unexpected(environment.error());
    auto ids = serverIds(context, args.mid(1));
    if (!ids)
        return std::unexpected(ids.error());
    // Servers already assigned move to the new place, so assign also reorders.
    for (qint64 id : *ids)
        environment->serverIds.removeAll(id);
    qsizetype at = environment->serverIds.size();
    if (given(parser, opt("position"))) {
        auto position = CliContext::integer(parser.value(opt("position")), QStringLiteral("position"), 1,
                                            int(environment->serverIds.size()) + 1);
        if (!position)
            return std::unexpected(position.error());
        at = *position - 1;
    }
    for (qint64 id : *ids)
        environment->serverIds.insert(at++, id);
    return save(context, *environment, EnvironmentCommands::tr("Saved the servers of %1."));
}

CommandResult<> unassign(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto environment = context.findEnvironment(args[0]);
    if (!environment)
        return std::unexpected(environment.error());
    auto ids = serverIds(context, args.mid(1));
    if (!ids)
        return std::unexpected(ids.error());
    for (qsizetype i = 0; i < ids->size(); ++i) {
        if (!environment->serverIds.removeOne(ids->at(i)))
            return commandFailure(
                ExitCode::NotFound,
                EnvironmentCommands::tr("The server %1 is not in %2.").arg(args[i + 1], args[0]),
                EnvironmentCommands::tr("See its servers with: releasedesk-cli env show %1").arg(args[0]),
                QStringLiteral("servers"));
    }
    return save(context, *environment, EnvironmentCommands::tr("Saved the servers of %1."));
}

QList<QCommandLineOption> fieldOptions()
{
    return {QCommandLineOption(opt("root"), EnvironmentCommands::tr("Absolute deploy root on the servers."),
                               EnvironmentCommands::tr("PATH")),
            QCommandLineOption(
                opt("shared"),
                EnvironmentCommands::tr("A path kept across releases; repeat for more (replaces them)."),
                EnvironmentCommands::tr("P")),
            QCommandLineOption(opt("parallelism"),
                               EnvironmentCommands::tr("Servers worked on at once (1-500, default 10)."),
                               EnvironmentCommands::tr("N")),
            QCommandLineOption(opt("strategy"),
                               EnvironmentCommands::tr("full, rolling, gray or patch (default full)."),
                               EnvironmentCommands::tr("S")),
            QCommandLineOption(
                opt("server"),
                EnvironmentCommands::tr("A server, in release order; repeat for more (replaces them)."),
                EnvironmentCommands::tr("NAME"))};
}

} // namespace

CommandGroup EnvironmentCommands::group()
{
    QList<QCommandLineOption> editOptions = fieldOptions();
    editOptions.append(QCommandLineOption(opt("name"), tr("New name."), tr("NEW")));
    return CommandGroup{
        opt("env"),
        tr("Environments: where a project is deployed, on which servers, in which order"),
        {
            {opt("list"),
             tr("[--project P]"),
             tr("List the environments."),
             {QCommandLineOption(opt("project"), tr("Only this project's."), tr("P"))},
             0,
             0,
             list},
            {opt("show"), tr("PROJECT/ENV"), tr("Show one environment."), {}, 1, 1, show},
            {opt("add"),
             tr("PROJECT/ENV --root PATH [--shared P ...] [--parallelism N] [--strategy S] [--server NAME "
                "...]"),
             tr("Add an environment to a project."), fieldOptions(), 1, 1, add},
            {opt("edit"), tr("PROJECT/ENV [the options of add] [--name NEW]"),
             tr("Change an environment; options not given stay as they are."), editOptions, 1, 1, edit},
            {opt("remove"),
             tr("PROJECT/ENV"),
             tr("Remove an environment (its servers stay)."),
             {},
             1,
             1,
             remove},
            {opt("assign"),
             tr("PROJECT/ENV SERVER... [--position N]"),
             tr("Add servers to the release order, at the end or at position N (1 is first); servers already "
                "in "
                "it move there."),
             {QCommandLineOption(opt("position"), tr("Where to insert them, 1 being first."), tr("N"))},
             2,
             -1,
             assign},
            {opt("unassign"),
             tr("PROJECT/ENV SERVER..."),
             tr("Take servers out of an environment."),
             {},
             2,
             -1,
             unassign},
        }};
}

} // namespace rd
