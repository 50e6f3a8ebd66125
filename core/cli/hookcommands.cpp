#include "hookcommands.h"

#include "clicontext.h"
#include "inventory/validator.h"

#include <QFile>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

QJsonObject hookJson(const HookTemplate &hook)
{
    return QJsonObject{{QStringLiteral("title"), hook.title},
                       {QStringLiteral("stage"), hookStageName(hook.stage)},
                       {QStringLiteral("script"), hook.script}};
}

CommandResult<> apply(CliContext &context, const QCommandLineParser &parser, HookTemplate &hook)
{
    if (given(parser, opt("title"))) {
        hook.title = parser.value(opt("title"));
        const qint64 existing = (*context.store())->hookTemplateId(hook.title);
        if (existing && existing != hook.id)
            return commandFailure(ExitCode::Conflict,
                                  HookCommands::tr("The title \"%1\" is already taken.").arg(hook.title),
                                  HookCommands::tr("Choose another title."), QStringLiteral("title"));
    }
    if (given(parser, opt("stage")) && !hookStageFromName(parser.value(opt("stage")), &hook.stage))
        return commandFailure(
            ExitCode::Invalid,
            HookCommands::tr("The stage \"%1\" is unknown.").arg(parser.value(opt("stage"))),
            HookCommands::tr("Choose before-download, after-download, before-release or after-release."),
            QStringLiteral("stage"));
    if (given(parser, opt("script")) && given(parser, opt("script-file")))
        return commandFailure(ExitCode::Usage,
                              HookCommands::tr("--script and --script-file contradict each other."),
                              HookCommands::tr("Give one of them."), QStringLiteral("script"));
    if (given(parser, opt("script")))
        hook.script = parser.value(opt("script"));
    if (given(parser, opt("script-file"))) {
        QFile file(parser.value(opt("script-file")));
        if (!file.open(QIODevice::ReadOnly))
            return commandFailure(file.exists() ? ExitCode::Runtime : ExitCode::NotFound,
                                  HookCommands::tr("The script file %1 could not be read: %2")
                                      .arg(file.fileName(), file.errorString()),
                                  HookCommands::tr("Check the path and its permissions."),
                                  QStringLiteral("script"));
        hook.script = QString::fromUtf8(file.read(1024 * 1024));
    }
    return CliContext::checkFields(Validator::check(hook));
}

CommandResult<> list(CliContext &context, const QCommandLineParser &, const QStringList &)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto hooks = (*store)->hookTemplates();
    if (!hooks)
        return std::unexpected(CliContext::fromStore(hooks.error()));
    QJsonArray rows;
    for (const HookTemplate &hook : *hooks)
        rows.append(hookJson(hook));
    context.out().list({{opt("title"), HookCommands::tr("TITLE")},
                        {opt("stage"), HookCommands::tr("STAGE")},
                        {opt("script"), HookCommands::tr("SCRIPT")}},
                       rows);
    return {};
}

CommandResult<> show(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto hook = context.findHook(args[0]);
    if (!hook)
        return std::unexpected(hook.error());
    context.out().record({{opt("title"), HookCommands::tr("Title")},
                          {opt("stage"), HookCommands::tr("Stage")},
                          {opt("script"), HookCommands::tr("Script")}},
                         hookJson(*hook));
    return {};
}

CommandResult<> add(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    if (!given(parser, opt("stage")))
        return commandFailure(
            ExitCode::Usage, HookCommands::tr("The template needs a stage."),
            HookCommands::tr("Add --stage before-download, after-download, before-release or after-release."),
            QStringLiteral("stage"));
    if (!given(parser, opt("script")) && !given(parser, opt("script-file")))
        return commandFailure(ExitCode::Usage, HookCommands::tr("The template needs a script."),
                              HookCommands::tr("Add --script TEXT or --script-file FILE."),
                              QStringLiteral("script"));
    HookTemplate hook;
    hook.title = args[0];
    if ((*store)->hookTemplateId(hook.title))
        return commandFailure(ExitCode::Conflict,
                              HookCommands::tr("The title \"%1\" is already taken.").arg(hook.title),
                              HookCommands::tr("Choose another title."), QStringLiteral("title"));
    if (auto ok = apply(context, parser, hook); !ok)
        return ok;
    auto added = (*store)->addHookTemplate(hook);
    if (!added)
        return std::unexpected(CliContext::fromStore(added.error()));
    context.out().done(HookCommands::tr("Added hook template \"%1\".").arg(hook.title), hookJson(hook));
    return {};
}

CommandResult<> edit(CliContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    auto hook = context.findHook(args[0]);
    if (!hook)
        return std::unexpected(hook.error());
    if (auto ok = apply(context, parser, *hook); !ok)
        return ok;
    if (auto saved = (*context.store())->updateHookTemplate(*hook); !saved)
        return std::unexpected(CliContext::fromStore(saved.error()));
    context.out().done(HookCommands::tr("Saved hook template \"%1\".").arg(hook->title), hookJson(*hook));
    return {};
}

CommandResult<> remove(CliContext &context, const QCommandLineParser &, const QStringList &args)
{
    auto hook = context.findHook(args[0]);
    if (!hook)
        return std::unexpected(hook.error());
    if (auto removed = (*context.store())->removeHookTemplate(hook->id); !removed)
        return std::unexpected(CliContext::fromStore(removed.error()));
    context.out().done(HookCommands::tr("Removed hook template \"%1\".").arg(hook->title),
                       QJsonObject{{QStringLiteral("removed"), hook->title}});
    return {};
}

QList<QCommandLineOption> fieldOptions()
{
    return {
        QCommandLineOption(
            opt("stage"),
            HookCommands::tr("before-download, after-download, before-release or after-release."),
            HookCommands::tr("STAGE")),
        QCommandLineOption(opt("script"), HookCommands::tr("The shell script."), HookCommands::tr("TEXT")),
        QCommandLineOption(opt("script-file"), HookCommands::tr("Read the shell script from a file."),
                           HookCommands::tr("F"))};
}

} // namespace

CommandGroup HookCommands::group()
{
    QList<QCommandLineOption> editOptions = fieldOptions();
    editOptions.append(QCommandLineOption(opt("title"), tr("New title."), tr("NEW")));
    return CommandGroup{
        opt("hook"),
        tr("Hook templates: shell scripts run at a stage of a release"),
        {
            {opt("list"), QString(), tr("List the hook templates."), {}, 0, 0, list},
            {opt("show"), tr("TITLE"), tr("Show one template with its script."), {}, 1, 1, show},
            {opt("add"), tr("TITLE --stage STAGE (--script TEXT | --script-file F)"),
             tr("Add a hook template."), fieldOptions(), 1, 1, add},
            {opt("edit"), tr("TITLE [--stage STAGE] [--script TEXT | --script-file F] [--title NEW]"),
             tr("Change a template; options not given stay as they are."), editOptions, 1, 1, edit},
            {opt("remove"), tr("TITLE"), tr("Remove a hook template."), {}, 1, 1, remove},
        }};
}

} // namespace rd
