#include "projectcommands.h"

#include "clicontext.h"
#include "inventory/validator.h"

#include <QJsonArray>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

QStringList environmentNames(InventoryStore &store, qint64 projectId)
{
    QStringList names;
    if (auto environments = store.environments()) {
        for (const Environment &environment : *environments)
            if (environment.projectId == projectId)
                names.append(environment.name);
    }
    return names;
}

QJsonObject projectJson(const Project &project, const QStringList &environments)
{
    return QJsonObject{
        {QStringLiteral("name"), project.name},
        {QStringLiteral("gitUrl"), project.gitUrl},
        {QStringLiteral("defaultBranch"), project.defaultBranch},
        {QStringLiteral("keepReleases"), project.keepReleases},
        {QStringLiteral("packageExcludes"), QJsonArray::fromStringList(project.packageExcludes)},
        {QStringLiteral("allowUnauthenticated"), project.allowUnauthenticated},
        {QStringLiteral("environments"), QJsonArray::fromStringList(environments)}};
}

CommandResult<> apply(CliContext &context, const QCommandLineParser &parser, Project &project)
{
    if (given(parser, opt("name"))) {
        project.name = parser.value(opt("name"));
        if (auto ok = CliContext::checkNewName(project.name, (*context.store())->projectId(project.name),
                                               project.id, ProjectCommands::tr("project"));
            !ok)
            return ok;
    }
    if (given(parser, opt("git-url")))
        project.gitUrl = parser.value(opt("git-url"));
    if (given(parser, opt("branch")))
        project.defaultBranch = parser.value(opt("branch"));
    if (given(parser, opt("keep"))) {
        auto keep = CliContext::integer(parser.value(opt("keep")), QStringLiteral("keepReleases"), 2, 100);
        if (!keep)
            return std::unexpected(keep.error());
        project.keepReleases = *keep;
    }
    if (given(parser, opt("exclude")))
        project.packageExcludes = parser.values(opt("exclude"));
    if (given(parser, opt("allow-unauthenticated")))
        project.allowUnauthenticated = true;
    if (given(parser, opt("require-authenticated")))
        project.allowUnauthenticated = false;
    return CliContext::checkFields(Validator::check(project));
}

CommandResult<> list(CliContext &context, const QCommandLineParser &, const QStringList &)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto projects = (*store)->projects();
    if (!projects)
        return std::unexpected(CliContext::fromStore(projects.error()));
    QJsonArray rows;
    for (const Project &project : *projects)
        rows.append(projectJson(project, environmentNames(**store, project.id)));
    context.out().list({{opt("name"), ProjectCommands::tr("NAME")},
                        {opt("gitUrl"), ProjectCommands::tr("GIT URL")},
                        {opt("defaultBranch"), ProjectCommands::tr("BRANCH")},
                        {opt("keepReleases"), ProjectCommands::tr("KEEP")},
                        {opt("environments"), ProjectCommands::tr("ENVIRONMENTS")}},
                       rows);
    return {};
}

CommandResult<> show(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto project = context.findProject(args[0]);
    if (!project)
        return std::unexpected(project.error());
    context.out().record({{opt("name"), ProjectCommands::tr("Name")},
                          {opt("gitUrl"), ProjectCommands::tr("Git URL")},
                          {opt("defaultBranch"), ProjectCommands::tr("Branch")},
                          {opt("keepReleases"), ProjectCommands::tr("Keep releases")},
                          {opt("packageExcludes"), ProjectCommands::tr("Excludes")},
                          {opt("allowUnauthenticated"), ProjectCommands::tr("Unauthenticated fetch")},
                          {opt("environments"), ProjectCommands::tr("Environments")}},
                         projectJson(*project, environmentNames(**context.store(), project->id)));
    return {};
}

CommandResult<> add(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    if (!given(parser, opt("git-url")))
        return commandFailure(
            ExitCode::Usage, ProjectCommands::tr("The project needs a git URL."),
            ProjectCommands::tr("Add --git-url, for example --git-url https://git.example.com/shop.git."),
            QStringLiteral("gitUrl"));
    Project project;
    project.name = args[0];
    if (auto ok = CliContext::checkNewName(project.name, (*store)->projectId(project.name), 0,
                                           ProjectCommands::tr("project"));
        !ok)
        return ok;
    if (auto ok = apply(context, parser, project); !ok)
        return ok;
    auto added = (*store)->addProject(project);
    if (!added)
        return std::unexpected(CliContext::fromStore(added.error()));
    context.out().done(ProjectCommands::tr("Added project %1.").arg(project.name), projectJson(project, {}));
    return {};
}

CommandResult<> edit(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto project = context.findProject(args[0]);
    if (!project)
        return std::unexpected(project.error());
    if (auto ok = apply(context, parser, *project); !ok)
        return ok;
    auto store = context.store();
    if (auto saved = (*store)->updateProject(*project); !saved)
        return std::unexpected(CliContext::fromStore(saved.error()));
    context.out().done(ProjectCommands::tr("Saved project %1.").arg(project->name),
                       projectJson(*project, environmentNames(**store, project->id)));
    return {};
}

CommandResult<> remove(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto project = context.findProject(args[0]);
    if (!project)
        return std::unexpected(project.error());
    auto store = context.store();
    const QStringList environments = environmentNames(**store, project->id);
    if (auto removed = (*store)->removeProject(project->id); !removed)
        return std::unexpected(CliContext::fromStore(removed.error()));
    context.out().done(
        environments.isEmpty() ? ProjectCommands::tr("Removed project %1.").arg(project->name)
                               : ProjectCommands::tr("Removed project %1 and its environments %2.")
                                     .arg(project->name, environments.join(QStringLiteral(", "))),
        QJsonObject{{QStringLiteral("removed"), project->name},
                    {QStringLiteral("environments"), QJsonArray::fromStringList(environments)}});
    return {};
}

QList<QCommandLineOption> fieldOptions()
{
    return {QCommandLineOption(opt("git-url"), ProjectCommands::tr("Repository URL."),
                               ProjectCommands::tr("URL")),
            QCommandLineOption(opt("branch"), ProjectCommands::tr("Default branch (default main)."),
                               ProjectCommands::tr("B")),
            QCommandLineOption(opt("keep"),
                               ProjectCommands::tr("Releases kept on each server (2-100, default 5)."),
                               ProjectCommands::tr("N")),
            QCommandLineOption(
                opt("exclude"),
                ProjectCommands::tr("A pattern left out of packages; repeat for more (replaces them)."),
                ProjectCommands::tr("PAT")),
            QCommandLineOption(opt("allow-unauthenticated"),
                               ProjectCommands::tr("Accept an http:// or git:// URL, which fetches the code "
                                                   "without authenticating the server.")),
            QCommandLineOption(opt("require-authenticated"),
                               ProjectCommands::tr("Withdraw --allow-unauthenticated."))};
}

} // namespace

CommandGroup ProjectCommands::group()
{
    QList<QCommandLineOption> editOptions = fieldOptions();
    editOptions.append(QCommandLineOption(opt("name"), tr("New name."), tr("NEW")));
    return CommandGroup{
        opt("project"),
        tr("Projects: the git repositories that are deployed"),
        {
            {opt("list"), QString(), tr("List the projects."), {}, 0, 0, list},
            {opt("show"), tr("NAME"), tr("Show one project."), {}, 1, 1, show},
            {opt("add"), tr("NAME --git-url URL [--branch B] [--keep N] [--exclude PAT ...] [--allow-unauthenticated]"),
             tr("Add a project."), fieldOptions(), 1, 1, add},
            {opt("edit"), tr("NAME [the options of add] [--name NEW]"),
             tr("Change a project; options not given stay as they are."), editOptions, 1, 1, edit},
            {opt("remove"),
             tr("NAME"),
             tr("Remove a project and its environments (servers and keys stay)."),
             {},
             1,
             1,
             remove},
        }};
}

} // namespace rd
