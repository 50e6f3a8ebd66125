#include "fleetcommands.h"

#include "clicontext.h"
#include "release/fleetstatus.h"
#include "workspace/fleetreading.h"
#include "workspace/workspace.h"

#include <QEventLoop>
#include <QJsonArray>

namespace rd {

namespace {

QString opt(const char *name) { return QString::fromLatin1(name); }

// "PROJECT ENV" or "PROJECT/ENV".
QString environmentPath(const QStringList &arguments)
{
    return arguments.size() == 2 ? arguments[0] + u'/' + arguments[1] : arguments[0];
}

QJsonObject row(const ServerRelease &server, const QString &expected, bool json)
{
    QJsonObject row{{QStringLiteral("server"), server.server},
                    {QStringLiteral("host"), server.host},
                    {QStringLiteral("reachable"), server.reachable},
                    {QStringLiteral("version"), server.version},
                    {QStringLiteral("ref"), server.ref},
                    {QStringLiteral("operator"), server.operatorName},
                    {QStringLiteral("lockHolder"), server.lockHolder}};
    if (!server.reachable)
        row.insert(QStringLiteral("error"), server.error);
    if (json) {
        row.insert(QStringLiteral("commit"), server.commit);
        row.insert(QStringLiteral("time"), server.time.isValid() ? server.time.toString(Qt::ISODate) : QString());
        row.insert(QStringLiteral("drift"), server.drift);
        row.insert(QStringLiteral("expected"), expected);
        row.insert(QStringLiteral("releases"), QJsonArray::fromStringList(server.releases));
        row.insert(QStringLiteral("freeKiB"), server.freeKiB);
        row.insert(QStringLiteral("lockAgeSeconds"), server.lockAgeSeconds);
        return row;
    }
    row.insert(QStringLiteral("commit"), server.commit.left(12));
    row.insert(QStringLiteral("time"),
               server.time.isValid() ? server.time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")) : QString());
    row.insert(QStringLiteral("drift"), server.drift ? FleetCommands::tr("DRIFT") : QString());
    if (!server.lockHolder.isEmpty())
        row.insert(QStringLiteral("lock"), FleetCommands::tr("%1 (%2 s)").arg(server.lockHolder,
                                                                              QString::number(server.lockAgeSeconds)));
    return row;
}

CommandResult<> status(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    const QString path = environmentPath(arguments);
    auto project = context.findProject(path.section(u'/', 0, 0));
    if (!project)
        return std::unexpected(project.error());
    auto environment = context.findEnvironment(path);
    if (!environment)
        return std::unexpected(environment.error());
    auto workspace = context.workspace();
    if (!workspace)
        return std::unexpected(workspace.error());
    const FleetReading reading(**workspace, project->name, *environment);
    if (reading.isEmpty())
        return commandFailure(ExitCode::NotFound, FleetCommands::tr("%1 has no enabled servers.").arg(path),
                              FleetCommands::tr("Add servers to it with: releasedesk-cli env assign %1 SERVER...")
                                  .arg(path));
    // Stored keys need the vault: ask for the master password only when one is used.
    if (reading.needsVault())
        if (auto unlocked = context.unlockedVault(); !unlocked)
            return std::unexpected(unlocked.error());
    // The environment's release: named, else its last successful task's, else the newest running anywhere.
    const std::unique_ptr<FleetStatus> status(reading.create(nullptr, parser.value(opt("expected"))));
    FleetStatus &fleet = *status;
    QEventLoop loop;
    QObject::connect(&fleet, &FleetStatus::finished, &loop, &QEventLoop::quit);
    fleet.start();
    loop.exec();

    const QList<ServerRelease> results = fleet.results();
    const bool json = context.out().isJson();
    QJsonArray rows;
    int unreachable = 0;
    int drifting = 0;
    for (const ServerRelease &server : results) {
        unreachable += server.reachable ? 0 : 1;
        drifting += server.drift ? 1 : 0;
        rows.append(row(server, fleet.expectedVersion(), json));
    }
    context.out().list({{opt("server"), FleetCommands::tr("Server")},
                        {opt("version"), FleetCommands::tr("Version")},
                        {opt("commit"), FleetCommands::tr("Commit")},
                        {opt("time"), FleetCommands::tr("Released")},
                        {opt("operator"), FleetCommands::tr("Operator")},
                        {opt("drift"), FleetCommands::tr("Drift")},
                        {opt("lock"), FleetCommands::tr("Lock")},
                        {opt("error"), FleetCommands::tr("Error")}},
                       rows);
    if (unreachable)
        return commandFailure(ExitCode::ServersFailed,
                              FleetCommands::tr("%1 of %2 servers could not be read.")
                                  .arg(QString::number(unreachable), QString::number(results.size())),
                              FleetCommands::tr("Each server's error is listed above; the others were read."));
    if (drifting)
        return commandFailure(ExitCode::Conflict,
                              FleetCommands::tr("%1 of %2 servers do not run %3.")
                                  .arg(QString::number(drifting), QString::number(results.size()),
                                       fleet.expectedVersion()),
                              FleetCommands::tr("Release %1 again, or roll back, to bring them in line.")
                                  .arg(path));
    return {};
}

} // namespace

Verb FleetCommands::statusVerb()
{
    return Verb{opt("status"),
                tr("PROJECT ENV"),
                tr("The release each server runs, and which ones drift (exit 6 on drift, 7 when a server cannot be "
                   "read)."),
                {QCommandLineOption(opt("expected"),
                                    tr("The release every server should run (default: the last successful task's, "
                                       "else the newest on any server)."),
                                    tr("VERSION"))},
                1,
                2,
                status};
}

} // namespace rd
