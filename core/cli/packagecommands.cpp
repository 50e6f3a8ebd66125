#include "packagecommands.h"

#include "clicontext.h"
#include "git/gitmirror.h"
#include "git/gitrefs.h"
#include "git/packagebuilder.h"
#include "git/packagestore.h"
#include "git/patchpackage.h"
#include "workspace/mirrorfetch.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLocale>
#include <QTextStream>

#include <cstdio>

namespace rd {

namespace {

QString opt(const char *name)
{
    return QString::fromLatin1(name);
}

QString age(const QDateTime &created)
{
    const qint64 seconds = qMax<qint64>(0, created.secsTo(QDateTime::currentDateTimeUtc()));
    if (seconds < 120)
        return PackageCommands::tr("%n second(s)", nullptr, int(seconds));
    if (seconds < 2 * 3600)
        return PackageCommands::tr("%n minute(s)", nullptr, int(seconds / 60));
    if (seconds < 2 * 86400)
        return PackageCommands::tr("%n hour(s)", nullptr, int(seconds / 3600));
    return PackageCommands::tr("%n day(s)", nullptr, int(seconds / 86400));
}

QJsonObject packageJson(const StoredPackage &package, bool json)
{
    const PackageManifest &manifest = package.manifest;
    QJsonObject row{{QStringLiteral("key"), package.key},
                    {QStringLiteral("project"), manifest.project},
                    {QStringLiteral("kind"), PackageManifest::kindName(manifest.kind)},
                    {QStringLiteral("commit"), json ? manifest.commit : manifest.commit.left(12)},
                    {QStringLiteral("ref"), manifest.ref},
                    {QStringLiteral("files"), manifest.fileCount},
                    {QStringLiteral("size"), json ? QJsonValue(package.size)
                                                  : QJsonValue(QLocale::c().formattedDataSize(package.size))},
                    {QStringLiteral("created"), package.created.toString(Qt::ISODate)},
                    {QStringLiteral("age"), age(package.created)}};
    if (json) {
        row.insert(QStringLiteral("path"), package.path);
        row.insert(QStringLiteral("sha256"), package.sha256);
        row.insert(QStringLiteral("version"), manifest.version);
        row.insert(QStringLiteral("payloadSha256"), manifest.payloadSha256);
        if (manifest.kind == PackageManifest::Kind::Patch) {
            row.insert(QStringLiteral("baseCommit"), manifest.baseCommit);
            row.insert(QStringLiteral("deleted"), QJsonArray::fromStringList(manifest.deleted));
        }
    }
    return row;
}

CommandResult<QString> readHook(CliContext &context, const QCommandLineParser &parser)
{
    if (given(parser, opt("hook-file"))) {
        QFile file(parser.value(opt("hook-file")));
        if (!file.open(QIODevice::ReadOnly))
            return commandFailure(ExitCode::NotFound,
                                  PackageCommands::tr("Could not read the hook file %1: %2")
                                      .arg(file.fileName(), file.errorString()),
                                  PackageCommands::tr("Check the path."), QStringLiteral("hook-file"));
        return QString::fromUtf8(file.readAll());
    }
    if (given(parser, opt("hook"))) {
        auto hook = context.findHook(parser.value(opt("hook")));
        if (!hook)
            return std::unexpected(hook.error());
        if (hook->stage != HookStage::AfterDownload)
            return commandFailure(ExitCode::Invalid,
                                  PackageCommands::tr("The hook \"%1\" runs at %2, not after download.")
                                      .arg(hook->title, hookStageName(hook->stage)),
                                  PackageCommands::tr("Choose an after-download hook."), QStringLiteral("hook"));
        return hook->script;
    }
    return QString();
}

CommandError buildFailure(const Error &error)
{
    return CommandError{error.field == u"ref" ? ExitCode::NotFound : ExitCode::Runtime, error};
}

CommandResult<> build(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto project = context.findProject(arguments[0]);
    if (!project)
        return std::unexpected(project.error());
    auto hookScript = readHook(context, parser);
    if (!hookScript)
        return std::unexpected(hookScript.error());
    const bool patch = given(parser, opt("base"));
    if (patch && !hookScript->isEmpty())
        return commandFailure(ExitCode::Invalid,
                              PackageCommands::tr("A patch package carries the trees only and cannot run a build hook."),
                              PackageCommands::tr("Build a full package (without --base) for a project that is built."),
                              QStringLiteral("base"));
    auto timeout = CliContext::integer(parser.value(opt("timeout")), opt("timeout"), 1, 7 * 86400);
    if (!timeout)
        return std::unexpected(timeout.error());

    if (!given(parser, opt("offline")))
        if (auto refreshed = PackageCommands::refreshMirror(context, parser.value(opt("key-file")), *project); !refreshed)
            return refreshed;
    const GitMirror mirror(GitMirror::pathFor(context.dataDir(), project->name));
    if (!mirror.exists())
        return commandFailure(ExitCode::NotFound,
                              PackageCommands::tr("Project \"%1\" has no local mirror yet.").arg(project->name),
                              PackageCommands::tr("Fetch it first: releasedesk-cli mirror fetch %1").arg(project->name),
                              QStringLiteral("project"));
    auto refs = GitRefs::open(mirror.path());
    if (!refs)
        return commandFailure(ExitCode::Runtime, refs.error());

    PackageStore store(PackageStore::pathFor(context.dataDir()));
    StoredPackage package;
    bool cached = false;
    QStringList warnings;
    if (patch) {
        PatchRequest request;
        request.project = project->name;
        request.baseRef = parser.value(opt("base"));
        request.targetRef = arguments[1];
        request.version = parser.value(opt("version-id"));
        request.excludes = project->packageExcludes;
        auto built = PatchPackage::build(*refs, store, request);
        if (!built)
            return std::unexpected(buildFailure(built.error()));
        package = built->package;
        cached = built->cached;
        warnings = built->warnings;
    } else {
        PackageRequest request;
        request.project = project->name;
        request.ref = arguments[1];
        request.version = parser.value(opt("version-id"));
        request.environment = parser.value(opt("env"));
        request.excludes = project->packageExcludes;
        request.hookScript = *hookScript;
        request.hookTimeoutMs = *timeout * 1000;
        request.onHookLine = [](const QString &line, bool) { QTextStream(stderr) << line << u'\n'; };
        auto built = PackageBuilder(*refs, store, QDir(context.dataDir()).filePath(QStringLiteral("work"))).build(request);
        if (!built)
            return std::unexpected(buildFailure(built.error()));
        package = built->package;
        cached = built->cached;
        warnings = built->warnings;
    }
    for (const QString &warning : warnings)
        QTextStream(stderr) << PackageCommands::tr("warning: %1").arg(warning) << u'\n';

    QJsonObject result = packageJson(package, true);
    result.insert(QStringLiteral("cached"), cached);
    result.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(warnings));
    context.out().done((cached ? PackageCommands::tr("Reused %1 (%2, %3 files, sha256 %4).")
                               : PackageCommands::tr("Built %1 (%2, %3 files, sha256 %4)."))
                           .arg(package.path, QLocale::c().formattedDataSize(package.size))
                           .arg(package.manifest.fileCount)
                           .arg(package.sha256),
                       result);
    return {};
}

CommandResult<> list(CliContext &context, const QCommandLineParser &, const QStringList &arguments)
{
    const PackageStore store(PackageStore::pathFor(context.dataDir()));
    auto packages = store.list();
    if (!packages)
        return commandFailure(ExitCode::Runtime, packages.error());
    QJsonArray rows;
    for (const StoredPackage &package : *packages)
        if (arguments.isEmpty() || package.manifest.project == arguments[0])
            rows.append(packageJson(package, context.out().isJson()));
    context.out().list({{opt("project"), PackageCommands::tr("Project")},
                        {opt("kind"), PackageCommands::tr("Kind")},
                        {opt("commit"), PackageCommands::tr("Commit")},
                        {opt("ref"), PackageCommands::tr("Ref")},
                        {opt("files"), PackageCommands::tr("Files")},
                        {opt("size"), PackageCommands::tr("Size")},
                        {opt("age"), PackageCommands::tr("Age")},
                        {opt("key"), PackageCommands::tr("Key")}},
                       rows);
    return {};
}

CommandResult<> prune(CliContext &context, const QCommandLineParser &parser, const QStringList &)
{
    PruneLimit limit;
    if (given(parser, opt("keep"))) {
        auto keep = CliContext::integer(parser.value(opt("keep")), opt("keep"), 0, 1000000);
        if (!keep)
            return std::unexpected(keep.error());
        limit.keepCount = *keep;
    }
    if (given(parser, opt("max-size"))) {
        limit.maxBytes = PackageStore::parseSize(parser.value(opt("max-size")));
        if (limit.maxBytes < 0)
            return commandFailure(ExitCode::Invalid,
                                  PackageCommands::tr("\"%1\" is not a size.").arg(parser.value(opt("max-size"))),
                                  PackageCommands::tr("Give bytes or a number with K, M, G or T, e.g. 500M."),
                                  QStringLiteral("max-size"));
    }
    if (limit.keepCount < 0 && limit.maxBytes < 0)
        return commandFailure(ExitCode::Usage, PackageCommands::tr("Say how much to keep."),
                              PackageCommands::tr("Give --keep N, --max-size SIZE or both."));
    PackageStore store(PackageStore::pathFor(context.dataDir()));
    auto report = store.prune(limit);
    if (!report)
        return commandFailure(ExitCode::Runtime, report.error());
    QJsonArray removed;
    for (const StoredPackage &package : report->removed)
        removed.append(package.key);
    context.out().done(PackageCommands::tr("Removed %n package(s), freed %1; %2 kept.", nullptr, int(report->removed.size()))
                           .arg(QLocale::c().formattedDataSize(report->freedBytes))
                           .arg(report->kept),
                       QJsonObject{{QStringLiteral("removed"), removed},
                                   {QStringLiteral("freedBytes"), report->freedBytes},
                                   {QStringLiteral("kept"), report->kept}});
    return {};
}

} // namespace

// Brings the mirror up to date before building; ssh remotes sign in with ssh-agent or --key-file
// (stored keys: run "mirror fetch --key" and then build with --offline).
CommandResult<> PackageCommands::refreshMirror(CliContext &context, const QString &keyFile, const Project &project)
{
    if (auto valid = GitMirror::checkUrl(project.gitUrl); !valid)
        return commandFailure(ExitCode::Invalid, valid.error());
    auto workspace = context.workspace();
    if (!workspace)
        return std::unexpected(workspace.error());
    MirrorFetch::Options options;
    if (!keyFile.isEmpty()) {
        options.credentials.useAgent = false;
        options.credentials.keyPath = QDir::cleanPath(QDir::current().absoluteFilePath(keyFile));
    }
    auto report = MirrorFetch(**workspace, project).run(std::move(options));
    if (!report) {
        Error error = report.error();
        error.hint = tr("Fetch it with \"mirror fetch %1\" (which can use a stored key and accept a "
                        "new host key), then build with --offline.")
                         .arg(project.name);
        return commandFailure(ExitCode::Runtime, error);
    }
    return {};
}

CommandGroup PackageCommands::group()
{
    return CommandGroup{
        opt("package"),
        tr("Release packages in the local package store"),
        {{opt("build"),
          tr("PROJECT REF [--offline] [--base REF] [--hook-file F | --hook TITLE] [--version-id V] [--env NAME] "
             "[--timeout SECONDS] [--key-file PATH]"),
          tr("Build (or reuse) the package of REF: fetches the mirror first unless --offline; with --base, a "
             "patch package that brings a server at BASE to REF. The after-download hook runs in a checkout "
             "and the package is taken from there."),
          {QCommandLineOption(opt("offline"), tr("Use the mirror as it is; no network at all.")),
           QCommandLineOption(opt("base"), tr("Build a patch package from this commit."), tr("REF")),
           QCommandLineOption(opt("hook-file"), tr("The after-download hook's script, from a file."), tr("F")),
           QCommandLineOption(opt("hook"), tr("The after-download hook template with this title."), tr("TITLE")),
           QCommandLineOption(opt("version-id"), tr("The version id written into the manifest."), tr("V")),
           QCommandLineOption(opt("env"), tr("The environment the hook is told (RD_ENV)."), tr("NAME")),
           QCommandLineOption(opt("timeout"), tr("The hook's time limit in seconds (default 1800)."), tr("SECONDS"),
                              QStringLiteral("1800")),
           QCommandLineOption(opt("key-file"), tr("Fetch over ssh with this private key file (default: ssh-agent)."),
                              tr("PATH"))},
          2,
          2,
          build},
         {opt("list"), tr("[PROJECT]"), tr("List the stored packages, newest first, with size and age."), {}, 0, 1,
          list},
         {opt("prune"),
          tr("--keep N | --max-size SIZE"),
          tr("Remove the oldest packages beyond N packages or SIZE bytes (K, M, G, T), and leftovers."),
          {QCommandLineOption(opt("keep"), tr("Keep the newest N packages."), tr("N")),
           QCommandLineOption(opt("max-size"), tr("Keep the newest packages that fit in SIZE."), tr("SIZE"))},
          0,
          0,
          prune}}};
}

} // namespace rd
