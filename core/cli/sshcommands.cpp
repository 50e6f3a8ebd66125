#include "sshcommands.h"

#include "clicontext.h"
#include "ssh/hostkeyscanner.h"
#include "hostkeys/knownhosts.h"
#include "workspace/connectioncheck.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QEventLoop>
#include <QJsonArray>
#include <QMutex>
#include <QTextStream>

#include <cstdio>
#include <unistd.h>

namespace rd {

namespace {

QString opt(const char *name) { return QString::fromLatin1(name); }

QString stateName(HostKeyState state)
{
    switch (state) {
    case HostKeyState::Known:
        return QStringLiteral("known");
    case HostKeyState::Unknown:
        return QStringLiteral("new");
    case HostKeyState::Changed:
        return QStringLiteral("CHANGED");
    case HostKeyState::Revoked:
        return QStringLiteral("revoked");
    }
    return {};
}

// The servers named as arguments, or those of --env PROJECT/ENV, or every enabled one with --all.
CommandResult<QList<Server>> selectServers(CliContext &context, const QCommandLineParser &parser,
                                           const QStringList &arguments)
{
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    QList<Server> servers;
    if (given(parser, opt("all"))) {
        auto all = (*store)->servers();
        if (!all)
            return std::unexpected(CliContext::fromStore(all.error()));
        for (const Server &server : *all) {
            if (server.enabled)
                servers.append(server);
        }
    } else if (given(parser, opt("env"))) {
        auto environment = context.findEnvironment(parser.value(opt("env")));
        if (!environment)
            return std::unexpected(environment.error());
        for (qint64 id : environment->serverIds) {
            auto server = (*store)->server(id);
            if (!server)
                return std::unexpected(CliContext::fromStore(server.error()));
            servers.append(*server);
        }
    }
    for (const QString &name : arguments) {
        auto server = context.findServer(name);
        if (!server)
            return std::unexpected(server.error());
        servers.append(*server);
    }
    if (servers.isEmpty())
        return commandFailure(ExitCode::Usage, SshCommands::tr("No servers were chosen."),
                              SshCommands::tr("Name servers, or use --env PROJECT/ENV or --all."));
    return servers;
}

// --parallelism and --timeout (seconds) of the commands that reach many servers.
CommandResult<std::pair<int, int>> fanOutLimits(const QCommandLineParser &parser)
{
    auto parallelism = CliContext::integer(parser.value(opt("parallelism")), opt("parallelism"), 1, 500);
    if (!parallelism)
        return std::unexpected(parallelism.error());
    auto timeout = CliContext::integer(parser.value(opt("timeout")), opt("timeout"), 1, 600);
    if (!timeout)
        return std::unexpected(timeout.error());
    return std::pair{*parallelism, *timeout};
}

QList<QCommandLineOption> selectionOptions()
{
    return {QCommandLineOption(opt("env"), SshCommands::tr("The servers of this environment."),
                               SshCommands::tr("PROJECT/ENV")),
            QCommandLineOption(opt("all"), SshCommands::tr("Every enabled server.")),
            QCommandLineOption(opt("parallelism"), SshCommands::tr("Servers at once (default 20)."),
                               SshCommands::tr("N"), QStringLiteral("20")),
            QCommandLineOption(opt("timeout"), SshCommands::tr("Seconds to wait for each server (default 10)."),
                               SshCommands::tr("SECONDS"), QStringLiteral("10"))};
}

CommandResult<> check(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto servers = selectServers(context, parser, arguments);
    if (!servers)
        return std::unexpected(servers.error());
    auto limits = fanOutLimits(parser);
    if (!limits)
        return std::unexpected(limits.error());
    const auto [parallelism, timeout] = *limits;
    auto workspace = context.workspace();
    if (!workspace)
        return std::unexpected(workspace.error());
    if (auto unlocked = context.unlockVaultFor(*servers); !unlocked)
        return unlocked;

    QHash<QString, QJsonObject> rows;
    for (const Server &server : *servers)
        rows.insert(server.name, QJsonObject{{QStringLiteral("server"), server.name},
                                             {QStringLiteral("host"), server.host},
                                             {QStringLiteral("port"), server.port}});
    ConnectionCheck check(**workspace, SshCommands::commandLinePrompt(given(parser, opt("accept-new-host-keys"))),
                          {parallelism, timeout * 1000, 50});
    QObject::connect(&check, &ConnectionCheck::connected, &check, [&](const QString &server, const QString &method) {
        rows[server].insert(QStringLiteral("auth"), method);
    });
    QObject::connect(&check, &ConnectionCheck::serverFinished, &check,
                     [&](const QString &server, bool ok, const QString &message, const QString &hint, double seconds) {
                         QJsonObject &row = rows[server];
                         row.insert(QStringLiteral("ok"), ok);
                         if (seconds >= 0)
                             row.insert(QStringLiteral("seconds"), seconds);
                         if (!ok)
                             row.insert(QStringLiteral("error"), hint.isEmpty() ? message : message + u' ' + hint);
                     });
    QEventLoop loop;
    QObject::connect(&check, &ConnectionCheck::finished, &loop, &QEventLoop::quit);
    check.start(*servers);
    if (check.isRunning())
        loop.exec();

    QJsonArray list;
    int failed = 0;
    for (const Server &server : *servers) {
        const QJsonObject row = rows.value(server.name);
        failed += row.value(QStringLiteral("ok")).toBool() ? 0 : 1;
        list.append(row);
    }
    context.out().list({{opt("server"), SshCommands::tr("Server")},
                        {opt("host"), SshCommands::tr("Host")},
                        {opt("port"), SshCommands::tr("Port")},
                        {opt("ok"), SshCommands::tr("OK")},
                        {opt("auth"), SshCommands::tr("Signed in with")},
                        {opt("seconds"), SshCommands::tr("Seconds")},
                        {opt("error"), SshCommands::tr("Error")}},
                       list);
    if (failed)
        return commandFailure(ExitCode::ServersFailed,
                              SshCommands::tr("%1 of %2 servers failed the check.").arg(failed).arg(servers->size()),
                              SshCommands::tr("Each server's error is listed above."));
    return {};
}

CommandResult<> scan(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto servers = selectServers(context, parser, arguments);
    if (!servers)
        return std::unexpected(servers.error());
    auto limits = fanOutLimits(parser);
    if (!limits)
        return std::unexpected(limits.error());
    const auto [parallelism, timeout] = *limits;
    QList<HostKeyScanTarget> targets;
    for (const Server &server : *servers)
        targets.append({server.name, server.host, server.port});
    auto opened = context.knownHosts();
    if (!opened)
        return std::unexpected(opened.error());
    KnownHosts &knownHosts = **opened;
    const QList<HostKeyScanResult> results = HostKeyScanner::scan(targets, knownHosts, parallelism, timeout * 1000);
    const bool accept = given(parser, opt("accept"));
    QJsonArray list;
    int unreachable = 0;
    int changed = 0;
    for (const HostKeyScanResult &result : results) {
        QJsonObject row{{QStringLiteral("server"), result.target.name},
                        {QStringLiteral("host"), result.target.host},
                        {QStringLiteral("port"), result.target.port}};
        if (!result.key) {
            ++unreachable;
            row.insert(QStringLiteral("state"), QStringLiteral("unreachable"));
            row.insert(QStringLiteral("error"), result.error);
        } else {
            const HostKeyInfo &key = *result.key;
            row.insert(QStringLiteral("type"), key.type);
            row.insert(QStringLiteral("fingerprint"), key.fingerprint);
            QString state = stateName(key.state);
            if (key.state == HostKeyState::Changed || key.state == HostKeyState::Revoked) {
                ++changed;
                row.insert(QStringLiteral("storedFingerprint"), key.storedFingerprint);
            } else if (key.state == HostKeyState::Unknown && accept) {
                if (auto remembered = knownHosts.remember(key); !remembered)
                    return std::unexpected(CliContext::fromStore(remembered.error()));
                state = QStringLiteral("accepted");
            }
            row.insert(QStringLiteral("state"), state);
        }
        list.append(row);
    }
    context.out().list({{opt("server"), SshCommands::tr("Server")},
                        {opt("host"), SshCommands::tr("Host")},
                        {opt("port"), SshCommands::tr("Port")},
                        {opt("type"), SshCommands::tr("Type")},
                        {opt("fingerprint"), SshCommands::tr("Fingerprint")},
                        {opt("state"), SshCommands::tr("State")},
                        {opt("storedFingerprint"), SshCommands::tr("Stored fingerprint")},
                        {opt("error"), SshCommands::tr("Error")}},
                       list);
    if (changed)
        return commandFailure(ExitCode::Conflict,
                              SshCommands::tr("%1 server(s) offer a key that differs from the stored one.").arg(changed),
                              SshCommands::tr("Verify the new fingerprints on the servers, then run "
                                              "releasedesk-cli hostkeys forget SERVER and scan again."));
    if (unreachable)
        return commandFailure(ExitCode::ServersFailed,
                              SshCommands::tr("%1 of %2 servers could not be reached.").arg(unreachable).arg(results.size()),
                              SshCommands::tr("Each server's error is listed above."));
    return {};
}

CommandResult<> forget(CliContext &context, const QCommandLineParser &, const QStringList &arguments)
{
    auto opened = context.knownHosts();
    if (!opened)
        return std::unexpected(opened.error());
    KnownHosts &knownHosts = **opened;
    QJsonArray list;
    for (const QString &name : arguments) {
        auto server = context.findServer(name);
        if (!server)
            return std::unexpected(server.error());
        auto removed = knownHosts.forget(server->host, server->port);
        if (!removed)
            return std::unexpected(CliContext::fromStore(removed.error()));
        list.append(QJsonObject{{QStringLiteral("server"), name}, {QStringLiteral("removed"), *removed}});
    }
    context.out().list({{opt("server"), SshCommands::tr("Server")}, {opt("removed"), SshCommands::tr("Keys removed")}},
                       list);
    return {};
}

CommandResult<> import(CliContext &context, const QCommandLineParser &, const QStringList &arguments)
{
    const QString source =
        arguments.isEmpty() ? QDir::home().filePath(QStringLiteral(".ssh/known_hosts")) : arguments.first();
    if (!QFileInfo::exists(source))
        return commandFailure(ExitCode::NotFound, SshCommands::tr("The file %1 does not exist.").arg(source),
                              SshCommands::tr("Name an OpenSSH known_hosts file, usually ~/.ssh/known_hosts."),
                              QStringLiteral("file"));
    auto opened = context.knownHosts();
    if (!opened)
        return std::unexpected(opened.error());
    KnownHosts &knownHosts = **opened;
    auto report = knownHosts.import(source);
    if (!report)
        return commandFailure(ExitCode::Invalid, report.error());
    // A file of a million bad lines must not print a million lines.
    constexpr qsizetype ShownSkips = 20;
    QString text = SshCommands::tr("%1 host key(s) imported from %2; %3 already known; %4 line(s) skipped.")
                       .arg(report->added)
                       .arg(source)
                       .arg(report->alreadyKnown)
                       .arg(report->skipped.size());
    for (const QString &skipped : report->skipped.first(std::min(ShownSkips, report->skipped.size())))
        text += QStringLiteral("\n  ") + skipped;
    if (report->skipped.size() > ShownSkips)
        text += QStringLiteral("\n  ") + SshCommands::tr("... and %1 more.").arg(report->skipped.size() - ShownSkips);
    context.out().done(text, QJsonObject{{QStringLiteral("imported"), report->added},
                                         {QStringLiteral("alreadyKnown"), report->alreadyKnown},
                                         {QStringLiteral("skipped"), QJsonArray::fromStringList(report->skipped)},
                                         {QStringLiteral("source"), source}});
    return {};
}

} // namespace

// First contact on the command line: --accept-new-host-keys, else a question on the terminal,
// else refuse. Workers ask from their own threads, one question at a time.
HostKeyPrompt SshCommands::commandLinePrompt(bool acceptNew)
{
    return [acceptNew](const HostKeyInfo &info) {
        if (acceptNew)
            return HostKeyDecision::Remember;
        if (!isatty(STDIN_FILENO))
            return HostKeyDecision::Reject;
        static QMutex asking;
        QMutexLocker lock(&asking);
        QTextStream err(stderr);
        err << tr("The host key of %1 port %2 is not known yet.\n  %3 %4\nTrust it and remember it? "
                               "[yes/once/NO] ")
                   .arg(info.host)
                   .arg(info.port)
                   .arg(info.type, info.fingerprint);
        err.flush();
        char line[64] = {};
        if (!fgets(line, sizeof line, stdin))
            return HostKeyDecision::Reject;
        const QString answer = QString::fromLocal8Bit(line).trimmed().toLower();
        if (answer == u"yes" || answer == u"y")
            return HostKeyDecision::Remember;
        if (answer == u"once")
            return HostKeyDecision::AcceptOnce;
        return HostKeyDecision::Reject;
    };
}

CommandGroup SshCommands::sshGroup()
{
    QList<QCommandLineOption> checkOptions = selectionOptions();
    checkOptions.append(QCommandLineOption(opt("accept-new-host-keys"),
                                           tr("Trust and remember the keys of servers met for the first time.")));
    return CommandGroup{opt("ssh"),
                        tr("Reaching the servers"),
                        {{opt("check"),
                          tr("[SERVER...]"),
                          tr("Connect, sign in and run `true` on each server; report each one."),
                          checkOptions,
                          0,
                          -1,
                          check}}};
}

CommandGroup SshCommands::hostKeysGroup()
{
    QList<QCommandLineOption> scanOptions = selectionOptions();
    scanOptions.append(QCommandLineOption(opt("accept"), tr("Remember every new key found (changed keys never).")));
    return CommandGroup{opt("hostkeys"),
                        tr("The servers' host keys in ReleaseDesk's known_hosts"),
                        {{opt("scan"),
                          tr("[SERVER...]"),
                          tr("Fetch the host keys of many servers at once and show them, to approve them together."),
                          scanOptions,
                          0,
                          -1,
                          scan},
                         {opt("forget"),
                          tr("SERVER..."),
                          tr("Remove the stored host keys of servers whose keys really changed."),
                          {},
                          1,
                          -1,
                          forget},
                         {opt("import"),
                          tr("[FILE]"),
                          tr("Copy the entries of an OpenSSH known_hosts file (default ~/.ssh/known_hosts)."),
                          {},
                          0,
                          1,
                          import}}};
}

} // namespace rd
