#include "releasecommands.h"

#include "clicontext.h"
#include "common/interruptwatch.h"
#include "packagecommands.h"
#include "fleetcommands.h"
#include "release/releaseconfirmation.h"
#include "release/releasedryrun.h"
#include "release/releaseplanner.h"
#include "release/releasetask.h"
#include "release/taskjournal.h"
#include "release/remotelayout.h"
#include "release/taskhistory.h"
#include "release/taskscheduler.h"
#include "ssh/sshpool.h"
#include "ssh/sshsession.h"
#include "ssh/sshtargetfactory.h"
#include "releaseprogress.h"
#include "sshcommands.h"
#include "workspace/taskrunner.h"
#include "workspace/workspace.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QHostInfo>
#include <QJsonArray>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <csignal>
#include <unistd.h>
#include <cstdio>
#include <vector>

namespace rd {

namespace {

QString opt(const char *name) { return QString::fromLatin1(name); }

// A task whose time came more than this long ago, with nothing running it, was missed.

constexpr NodeStage Stages[] = {NodeStage::Upload, NodeStage::Prepare, NodeStage::Release,
                                NodeStage::AfterRelease, NodeStage::Health};

QString tasksDir(const CliContext &context) { return TaskJournal::tasksDirectory(context.dataDir()); }

void progress(const QString &line)
{
    QTextStream err(stderr);
    err << line << u'\n';
    err.flush();
}

CommandResult<std::pair<QString, QString>> projectAndEnvironment(const QString &path)
{
    const QStringList parts = path.split(u'/');
    if (parts.size() != 2 || parts[0].isEmpty() || parts[1].isEmpty())
        return commandFailure(ExitCode::Usage, ReleaseCommands::tr("\"%1\" is not PROJECT/ENV.").arg(path),
                              ReleaseCommands::tr("Name the environment as project/environment, e.g. shop/prod."));
    return std::pair{parts[0], parts[1]};
}

QStringList nameList(const QString &text)
{
    QStringList names;
    for (const QString &name : text.split(u',', Qt::SkipEmptyParts))
        names.append(name.trimmed());
    return names;
}

// A hook from a template (--NAME TITLE) or a file (--NAME-file PATH).
CommandResult<QString> hookScript(CliContext &context, const QCommandLineParser &parser, const QString &name,
                                  HookStage stage)
{
    const QString fileOption = name + QStringLiteral("-file");
    if (given(parser, fileOption)) {
        QFile file(parser.value(fileOption));
        if (!file.open(QIODevice::ReadOnly))
            return commandFailure(ExitCode::NotFound,
                                  ReleaseCommands::tr("Could not read the hook file %1: %2").arg(file.fileName(), file.errorString()),
                                  ReleaseCommands::tr("Check the path."), fileOption);
        return QString::fromUtf8(file.readAll());
    }
    if (!given(parser, name))
        return QString();
    auto hook = context.findHook(parser.value(name));
    if (!hook)
        return std::unexpected(hook.error());
    if (hook->stage != stage)
        return commandFailure(ExitCode::Invalid,
                              ReleaseCommands::tr("The hook \"%1\" runs at %2, not at %3.")
                                  .arg(hook->title, hookStageName(hook->stage), hookStageName(stage)),
                              ReleaseCommands::tr("Choose a %1 hook.").arg(hookStageName(stage)), name);
    return hook->script;
}

CommandResult<int> integerOption(const QCommandLineParser &parser, const char *name, int minimum, int maximum)
{
    if (!given(parser, opt(name)))
        return 0;
    return CliContext::integer(parser.value(opt(name)), opt(name), minimum, maximum);
}

CommandResult<ReleaseRequest> requestFrom(CliContext &context, const QCommandLineParser &parser,
                                          const QString &path, ReleaseKind kind)
{
    auto names = projectAndEnvironment(path);
    if (!names)
        return std::unexpected(names.error());
    ReleaseRequest request;
    request.project = names->first;
    request.environment = names->second;
    request.kind = kind;
    request.operatorName = ReleasePlanner::localOperator();
    if (given(parser, opt("kind"))) {
        const auto named = releaseKindFromName(parser.value(opt("kind")));
        if (!named || *named == ReleaseKind::Rollback)
            return commandFailure(ExitCode::Invalid,
                                  ReleaseCommands::tr("\"%1\" is not a kind of release.").arg(parser.value(opt("kind"))),
                                  ReleaseCommands::tr("Use full, rolling, gray or patch (and \"release rollback\" to go "
                                                      "back)."),
                                  opt("kind"));
        request.kind = *named;
    }
    // Only what was given: a verb that lacks an option (rollback has no --ref) is not asked for it.
    auto value = [&](const char *name) { return given(parser, opt(name)) ? parser.value(opt(name)) : QString(); };
    request.ref = value("ref");
    request.servers = nameList(value("servers"));
    request.canaries = nameList(value("canary"));
    request.baseCommit = value("base");
    request.forceWhole = given(parser, opt("whole"));
    request.rollbackTo = value("to");
    request.description = value("description");
    request.healthCommand = value("health-command");
    request.httpCheck.url = value("health-url");
    request.httpCheck.bodyContains = value("health-body");
    for (const auto &[name, minimum, maximum, target] :
         {std::tuple{"batch", 1, 10000, &request.batchSize}, std::tuple{"soak", 1, 7 * 86400, &request.soakSeconds},
          std::tuple{"parallelism", 1, 500, &request.parallelism}, std::tuple{"keep", 2, 1000, &request.keepReleases},
          std::tuple{"health-status", 100, 599, &request.httpCheck.expectedStatus},
          std::tuple{"health-retries", 0, 1000, &request.httpCheck.retries}}) {
        auto value = integerOption(parser, name, minimum, maximum);
        if (!value)
            return std::unexpected(value.error());
        if (given(parser, opt(name)))
            *target = *value;
    }
    if (given(parser, opt("budget"))) {
        QString text = parser.value(opt("budget")).trimmed();
        const bool percent = text.endsWith(u'%');
        if (percent)
            text.chop(1);
        auto value = CliContext::integer(text, opt("budget"), 0, percent ? 100 : 100000);
        if (!value)
            return std::unexpected(value.error());
        (percent ? request.failureBudgetPercent : request.failureBudget) = *value;
    }
    if (given(parser, opt("at"))) {
        const QDateTime when = QDateTime::fromString(parser.value(opt("at")), Qt::ISODate);
        if (!when.isValid())
            return commandFailure(ExitCode::Invalid,
                                  ReleaseCommands::tr("\"%1\" is not a time.").arg(parser.value(opt("at"))),
                                  ReleaseCommands::tr("Write it as 2026-11-24T02:30 (local time) or with a zone, "
                                                      "2026-11-24T02:30+08:00."),
                                  opt("at"));
        request.scheduledAt = when.toUTC();
    }
    for (const auto &[name, stage, target] :
         {std::tuple{"build-hook", HookStage::AfterDownload, &request.buildHook},
          std::tuple{"before-release", HookStage::BeforeRelease, &request.beforeReleaseHook},
          std::tuple{"after-release", HookStage::AfterRelease, &request.afterReleaseHook}}) {
        auto script = hookScript(context, parser, opt(name), stage);
        if (!script)
            return std::unexpected(script.error());
        *target = *script;
    }
    return request;
}

CommandError planFailure(const Error &error)
{
    const QString field = error.field;
    if (field == u"project" || field == u"environment" || field == u"ref")
        return CommandError{ExitCode::NotFound, error};
    if (field.isEmpty())
        return CommandError{ExitCode::Runtime, error};
    return CommandError{ExitCode::Invalid, error};
}

CommandResult<std::vector<SshTarget>> targetsFor(CliContext &context, const QStringList &names)
{
    QList<Server> servers;
    for (const QString &name : names) {
        auto server = context.findServer(name);
        if (!server)
            return std::unexpected(server.error());
        servers.append(*server);
    }
    if (auto unlocked = context.unlockVaultFor(servers); !unlocked)
        return std::unexpected(unlocked.error());
    Workspace &workspace = **context.workspace();
    auto targets = SshTargetFactory::forServers(workspace.store(), &workspace.vault(), names);
    if (!targets)
        return commandFailure(ExitCode::Invalid, targets.error());
    return std::move(*targets);
}

QJsonObject taskJson(const TaskRecord &record)
{
    QJsonArray servers;
    int failed = 0;
    for (const QString &name : record.plan.servers) {
        const NodeRecord node = record.nodes.value(name);
        QJsonObject row{{QStringLiteral("server"), name}};
        for (NodeStage stage : Stages)
            row.insert(nodeStageName(stage), nodeStateName(node.state(stage)));
        if (!node.lastError.isEmpty())
            row.insert(QStringLiteral("error"), node.lastError);
        for (NodeStage stage : Stages)
            failed += node.state(stage) == NodeState::Failed ? 1 : 0;
        servers.append(row);
    }
    return {{QStringLiteral("task"), record.plan.taskId},
            {QStringLiteral("status"), taskStatusName(record.status)},
            {QStringLiteral("kind"), releaseKindName(record.plan.kind)},
            {QStringLiteral("project"), record.plan.project},
            {QStringLiteral("environment"), record.plan.environment},
            {QStringLiteral("version"), record.plan.version},
            {QStringLiteral("ref"), record.plan.ref},
            {QStringLiteral("commit"), record.plan.commit},
            {QStringLiteral("operator"), record.plan.operatorName},
            {QStringLiteral("created"), record.created.toString(Qt::ISODate)},
            {QStringLiteral("started"), record.started.toString(Qt::ISODate)},
            {QStringLiteral("finished"), record.finished.toString(Qt::ISODate)},
            {QStringLiteral("scheduledAt"), record.plan.scheduledAt.toString(Qt::ISODate)},
            {QStringLiteral("summary"), record.summary},
            {QStringLiteral("switchWindowMs"), record.switchWindowMs},
            {QStringLiteral("serversFailed"), failed},
            {QStringLiteral("servers"), servers}};
}

QList<Output::Column> serverColumns()
{
    QList<Output::Column> columns{{opt("server"), ReleaseCommands::tr("Server")}};
    for (NodeStage stage : Stages)
        columns.append({nodeStageName(stage), QStringLiteral("%1 %2").arg(int(stage), 2, 10, QLatin1Char('0')).arg(nodeStageName(stage))});
    columns.append({opt("error"), ReleaseCommands::tr("Error")});
    return columns;
}

CommandResult<TaskRecord> readTask(const CliContext &context, const QString &id)
{
    QString taskId = id;
    if (id == u"last") {
        const QList<TaskRecord> last = TaskHistory::list(tasksDir(context), {{}, {}, {}, 1});
        if (last.isEmpty())
            return commandFailure(ExitCode::NotFound, ReleaseCommands::tr("There are no release tasks yet."));
        taskId = last.first().plan.taskId;
    }
    auto record = TaskJournal::read(tasksDir(context), taskId);
    if (!record)
        return commandFailure(ExitCode::NotFound, record.error());
    return *record;
}

// Whether a process on this workstation is running the task now (it then takes requests).
bool runnerAlive(const TaskRecord &record)
{
    if (record.status != TaskStatus::Running && record.status != TaskStatus::AwaitingPromotion)
        return false;
    return record.host == QHostInfo::localHostName() && TaskJournal::processRuns(record.pid);
}

// What the release verbs share: the releases service of the workspace, with the command line's
// host key policy.
std::unique_ptr<TaskRunner> taskRunner(CliContext &context, const QCommandLineParser &parser)
{
    return std::make_unique<TaskRunner>(**context.workspace(),
                                        SshCommands::commandLinePrompt(given(parser, opt("accept-new-host-keys"))));
}

// What became of a task followed to its end: the exit code and the words for it.
CommandResult<> taskOutcome(const TaskRunner &runner, const TaskRecord &record, ReleaseTask::Mode mode)
{
    if (record.status == TaskStatus::Succeeded)
        return {};
    const ReleaseEngine &engine = runner.task()->engine();
    // An abort asked for and done is a success: it says what it did to each server.
    const bool cleanAbort =
        record.status == TaskStatus::Aborted && engine.failedServers() == 0 && engine.unlockErrors().isEmpty();
    if (mode == ReleaseTask::Mode::Abort && cleanAbort)
        return {};
    if (record.status == TaskStatus::Aborted)
        return commandFailure(cleanAbort ? ExitCode::Runtime : ExitCode::ServersFailed, record.summary,
                              ReleaseCommands::tr("The task was aborted. \"releasedesk-cli release status %1/%2\" "
                                                  "shows what each server runs now.")
                                  .arg(record.plan.project, record.plan.environment));
    if (!engine.lockConflict().isEmpty())
        return commandFailure(ExitCode::Conflict, record.summary,
                              ReleaseCommands::tr("Wait for the other release, or break a stale lock explicitly."));
    return commandFailure(ExitCode::ServersFailed, record.summary,
                          ReleaseCommands::tr("Fix what the failed servers report, then: releasedesk-cli release retry %1")
                              .arg(record.plan.taskId));
}

void printScheduled(const CliContext &context, const ReleasePlan &plan)
{
    context.out().done(ReleaseCommands::tr("Task %1 will release %2 to %3/%4 at %5, while the app or "
                                           "\"releasedesk-cli release run --wait\" runs.")
                           .arg(plan.taskId, plan.version, plan.project, plan.environment,
                                plan.scheduledAt.toLocalTime().toString(Qt::ISODate)),
                       {{QStringLiteral("task"), plan.taskId},
                        {QStringLiteral("status"), taskStatusName(TaskStatus::Scheduled)},
                        {QStringLiteral("version"), plan.version},
                        {QStringLiteral("scheduledAt"), plan.scheduledAt.toString(Qt::ISODate)}});
}

// Follows what `begin` starts on the runner until the task ends, or (gray without a soak time)
// until it waits for promotion. Progress goes to stderr; the task's record to stdout.
CommandResult<> followTask(CliContext &context, const QCommandLineParser &parser, TaskRunner &runner,
                           ReleaseTask::Mode mode, qsizetype serverCount, const std::function<CommandResult<>()> &begin)
{
    QEventLoop loop;
    bool paused = false;
    bool scheduled = false;
    auto printer = std::make_unique<ReleaseProgress>(int(serverCount), isatty(STDERR_FILENO) && !context.out().isJson(),
                                                     given(parser, opt("verbose")));
    QObject::connect(&runner, &TaskRunner::nodeChanged, &loop,
                     [&printer](const QString &server, NodeStage stage, NodeState state, const QString &detail) {
                         printer->nodeChanged(server, stage, state, detail);
                     });
    QObject::connect(&runner, &TaskRunner::localLine, &loop,
                     [&printer](const QString &line, bool) { printer->message(line); });
    QObject::connect(&runner, &TaskRunner::taskCreated, &loop, [&] {
        const ReleasePlan plan = runner.plan();
        if (!plan.scheduledAt.isValid())
            printer->message(ReleaseCommands::tr("Task %1: %2 release of %3 (%4 at %5) to %6 servers of %7/%8")
                                 .arg(plan.taskId, releaseKindName(plan.kind), plan.version, plan.ref,
                                      plan.commit.left(12), QString::number(plan.servers.size()), plan.project,
                                      plan.environment));
    });
    QObject::connect(&runner, &TaskRunner::scheduled, &loop, [&] {
        scheduled = true;
        loop.quit();
    });
    QObject::connect(&runner, &TaskRunner::localFailed, &loop, &QEventLoop::quit);
    QObject::connect(&runner, &TaskRunner::finished, &loop, &QEventLoop::quit);
    QObject::connect(&runner, &TaskRunner::awaitingPromotion, &loop, [&](const QString &summary) {
        printer->message(summary);
        if (runner.plan().soakSeconds > 0)
            return;
        paused = true;
        loop.quit();
    });
    InterruptWatch interrupts;
    QObject::connect(&interrupts, &InterruptWatch::interrupted, &loop, [&] {
        printer->message(ReleaseCommands::tr("Interrupted: stopping the release and releasing its locks (Ctrl+C "
                                             "again to quit at once)."));
        runner.abort();
    });
    if (auto started = begin(); !started)
        return started;
    loop.exec();
    printer.reset(); // the live line ends before the table and the summary

    // Once the task exists, a failure is the task refusing to run (another process runs it).
    if (auto failed = runner.localError())
        return std::unexpected(runner.task() ? CommandError{ExitCode::Conflict, *failed} : planFailure(*failed));
    if (scheduled) {
        printScheduled(context, runner.plan());
        return {};
    }
    auto record = runner.record();
    if (!record)
        return commandFailure(ExitCode::Runtime, record.error());
    const QJsonObject json = taskJson(*record);
    if (context.out().isJson()) {
        context.out().done(QString(), json);
    } else {
        QJsonArray rows;
        for (const QJsonValue &row : json[QStringLiteral("servers")].toArray())
            rows.append(row);
        context.out().list(serverColumns(), rows);
    }
    if (paused) {
        progress(ReleaseCommands::tr("Task %1 waits for promotion. Check the canaries, then run: releasedesk-cli "
                                     "release promote %1 (or release abort %1).")
                     .arg(record->plan.taskId));
        return {};
    }
    auto outcome = taskOutcome(runner, *record, mode);
    if (outcome)
        progress(record->summary);
    return outcome;
}

// Resumes, retries, promotes or aborts a task of the journal in this process.
CommandResult<> runStoredTask(CliContext &context, const QCommandLineParser &parser, const TaskRecord &record,
                              ReleaseTask::Mode mode, bool revertCanariesOnAbort = true)
{
    // The keys are checked here (exit 3) before the runner opens them again for the task.
    if (auto targets = targetsFor(context, record.plan.servers); !targets)
        return std::unexpected(targets.error());
    auto runner = taskRunner(context, parser);
    if (auto opened = runner->open(record.plan.taskId); !opened)
        return commandFailure(ExitCode::Runtime, opened.error());
    runner->setRevertCanariesOnAbort(revertCanariesOnAbort);
    return followTask(context, parser, *runner, mode, record.plan.servers.size(), [&]() -> CommandResult<> {
        if (auto ran = runner->run(mode); !ran)
            return commandFailure(ExitCode::Conflict, ran.error());
        return {};
    });
}

// The rule every face applies before changing a production-like environment. Asked only on a
// terminal: a script or a pipeline has no one to answer, and says what it means by running.
CommandResult<> confirmOnTerminal(const ReleaseRequest &request, qsizetype serverCount)
{
    const auto question = ReleaseConfirmation::questionFor(request, serverCount);
    if (!question || !isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
        return {};
    QTextStream err(stderr);
    err << question->text << u' ' << ReleaseCommands::tr("Go on? [yes/NO] ");
    err.flush();
    char line[64] = {};
    const QString answer = fgets(line, sizeof line, stdin) ? QString::fromLocal8Bit(line).trimmed().toLower() : QString();
    if (answer == u"yes" || answer == u"y" || answer == ReleaseCommands::tr("yes"))
        return {};
    return commandFailure(ExitCode::Usage, ReleaseCommands::tr("Nothing was started: the release was not confirmed."),
                          ReleaseCommands::tr("Answer yes, or pass --yes when you are sure."));
}

CommandResult<> startRelease(CliContext &context, const QCommandLineParser &parser, const QString &path,
                             ReleaseKind kind)
{
    auto request = requestFrom(context, parser, path, kind);
    if (!request)
        return std::unexpected(request.error());
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto project = context.findProject(request->project);
    if (!project)
        return std::unexpected(project.error());
    if (request->kind != ReleaseKind::Rollback && !given(parser, opt("offline")))
        if (auto refreshed = PackageCommands::refreshMirror(context, parser.value(opt("key-file")), *project);
            !refreshed)
            return refreshed;
    // The plan is drafted twice (here to ask, then by the runner); the draft only reads.
    auto plan = ReleasePlanner(**store, context.dataDir()).draft(*request);
    if (!plan)
        return std::unexpected(planFailure(plan.error()));
    if (!given(parser, opt("yes")))
        if (auto confirmed = confirmOnTerminal(*request, plan->servers.size()); !confirmed)
            return confirmed;
    // A scheduled task needs its keys only when it starts (the app or "release run" opens them then).
    if (!plan->scheduledAt.isValid())
        if (auto targets = targetsFor(context, plan->servers); !targets)
            return std::unexpected(targets.error());
    auto runner = taskRunner(context, parser);
    return followTask(context, parser, *runner, ReleaseTask::Mode::Start, plan->servers.size(),
                      [&]() -> CommandResult<> {
                          if (auto started = runner->start(*request, std::nullopt); !started)
                              return std::unexpected(planFailure(started.error()));
                          return {};
                      });
}

CommandResult<> start(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    return startRelease(context, parser, arguments[0], ReleaseKind::Full);
}

CommandResult<> rollback(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    if (!given(parser, opt("to")))
        return commandFailure(ExitCode::Usage, ReleaseCommands::tr("A rollback needs the release to go back to."),
                              ReleaseCommands::tr("Add --to VERSION; \"release status %1\" lists what the servers keep.")
                                  .arg(arguments[0]),
                              opt("to"));
    return startRelease(context, parser, arguments[0], ReleaseKind::Rollback);
}

// Leaves `request` for the process that runs the task and waits until it is taken (true). A process
// that ends meanwhile (a gray start reaching its canaries) never reads it: the request is withdrawn,
// and false says to act here instead. Nothing is left behind for a later run to find.
CommandResult<bool> askRunner(CliContext &context, const TaskRecord &record, const QString &request)
{
    auto journal = TaskJournal::open(tasksDir(context), record.plan.taskId);
    if (!journal)
        return commandFailure(ExitCode::Runtime, journal.error());
    if (auto asked = journal->requestControl(request); !asked)
        return commandFailure(ExitCode::Runtime, asked.error());
    // The runner looks every half second.
    const QDeadlineTimer deadline(10000);
    while (journal->controlRequestPending(request) && TaskJournal::processRuns(record.pid) && !deadline.hasExpired())
        QThread::msleep(50);
    if (!journal->withdrawControlRequest(request))
        return true;
    if (TaskJournal::processRuns(record.pid))
        return commandFailure(ExitCode::Runtime,
                              ReleaseCommands::tr("Process %1, which runs task %2, did not take the request "
                                                  "within 10 seconds; nothing was changed.")
                                  .arg(QString::number(record.pid), record.plan.taskId),
                              ReleaseCommands::tr("Check that the process still runs (it may be stopped), then "
                                                  "try again."));
    return false;
}

// promote / abort: asks the process that runs the task, or does it here when none does.
CommandResult<> control(CliContext &context, const QCommandLineParser &parser, const QString &id,
                        ReleaseTask::Mode mode)
{
    auto record = readTask(context, id);
    if (!record)
        return std::unexpected(record.error());
    const QString action = mode == ReleaseTask::Mode::Promote ? QStringLiteral("promote") : QStringLiteral("abort");
    const bool keepCanaries = mode == ReleaseTask::Mode::Abort && given(parser, opt("keep-canaries"));
    if (runnerAlive(*record)) {
        auto asked = askRunner(context, *record, keepCanaries ? QStringLiteral("abort-keep-canaries") : action);
        if (!asked)
            return std::unexpected(asked.error());
        if (*asked) {
            context.out().done(ReleaseCommands::tr("Asked process %1 on %2, which runs task %3, to %4 it.")
                                   .arg(QString::number(record->pid), record->host, record->plan.taskId, action),
                               {{QStringLiteral("task"), record->plan.taskId}, {QStringLiteral("requested"), action}});
            return {};
        }
        progress(ReleaseCommands::tr("Process %1 ended before it read the request; this process carries it out.")
                     .arg(QString::number(record->pid)));
    }
    return runStoredTask(context, parser, *record, mode, !keepCanaries);
}

CommandResult<> promote(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    return control(context, parser, arguments[0], ReleaseTask::Mode::Promote);
}

CommandResult<> abortTask(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    return control(context, parser, arguments[0], ReleaseTask::Mode::Abort);
}

CommandResult<> resume(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto record = readTask(context, arguments[0]);
    if (!record)
        return std::unexpected(record.error());
    return runStoredTask(context, parser, *record, ReleaseTask::Mode::Resume);
}

CommandResult<> history(CliContext &context, const QCommandLineParser &parser, const QStringList &)
{
    HistoryFilter filter;
    filter.project = parser.value(opt("project"));
    filter.environment = parser.value(opt("env"));
    if (given(parser, opt("status"))) {
        for (const QString &name : nameList(parser.value(opt("status")))) {
            const auto status = taskStatusFromName(name);
            if (!status)
                return commandFailure(ExitCode::Invalid, ReleaseCommands::tr("\"%1\" is not a task status.").arg(name),
                                      ReleaseCommands::tr("Use scheduled, running, awaiting-promotion, succeeded, "
                                                          "failed, aborted, interrupted or missed."),
                                      opt("status"));
            filter.statuses.append(*status);
        }
    }
    auto limit = CliContext::integer(parser.value(opt("limit")), opt("limit"), 1, 100000);
    if (!limit)
        return std::unexpected(limit.error());
    filter.limit = *limit;
    QJsonArray rows;
    for (const TaskRecord &record : TaskHistory::list(tasksDir(context), filter)) {
        QJsonObject row = taskJson(record);
        if (!context.out().isJson()) {
            row.remove(QStringLiteral("servers"));
            row.insert(QStringLiteral("servers"), int(record.plan.servers.size()));
            row.insert(QStringLiteral("commit"), record.plan.commit.left(12));
            row.insert(QStringLiteral("environment"), record.plan.project + u'/' + record.plan.environment);
            const qint64 seconds = record.started.isValid() && record.finished.isValid()
                                       ? record.started.secsTo(record.finished)
                                       : -1;
            row.insert(QStringLiteral("duration"), seconds < 0 ? QString() : ReleaseCommands::tr("%1 s").arg(seconds));
        }
        rows.append(row);
    }
    context.out().list({{opt("task"), ReleaseCommands::tr("Task")},
                        {opt("status"), ReleaseCommands::tr("Status")},
                        {opt("kind"), ReleaseCommands::tr("Kind")},
                        {opt("environment"), ReleaseCommands::tr("Environment")},
                        {opt("version"), ReleaseCommands::tr("Version")},
                        {opt("commit"), ReleaseCommands::tr("Commit")},
                        {opt("operator"), ReleaseCommands::tr("Operator")},
                        {opt("servers"), ReleaseCommands::tr("Servers")},
                        {opt("duration"), ReleaseCommands::tr("Took")}},
                       rows);
    return {};
}

CommandResult<> show(CliContext &context, const QCommandLineParser &, const QStringList &arguments)
{
    auto record = readTask(context, arguments[0]);
    if (!record)
        return std::unexpected(record.error());
    const QJsonObject json = taskJson(*record);
    if (context.out().isJson()) {
        context.out().done(QString(), json);
        return {};
    }
    QJsonObject summary = json;
    summary.remove(QStringLiteral("servers"));
    context.out().record({{opt("task"), ReleaseCommands::tr("Task")},
                          {opt("status"), ReleaseCommands::tr("Status")},
                          {opt("kind"), ReleaseCommands::tr("Kind")},
                          {opt("version"), ReleaseCommands::tr("Version")},
                          {opt("ref"), ReleaseCommands::tr("Ref")},
                          {opt("commit"), ReleaseCommands::tr("Commit")},
                          {opt("operator"), ReleaseCommands::tr("Operator")},
                          {opt("started"), ReleaseCommands::tr("Started")},
                          {opt("finished"), ReleaseCommands::tr("Finished")},
                          {opt("summary"), ReleaseCommands::tr("Summary")}},
                         summary);
    QJsonArray rows;
    for (const QJsonValue &row : json[QStringLiteral("servers")].toArray())
        rows.append(row);
    context.out().list(serverColumns(), rows);
    return {};
}

CommandResult<> logs(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto record = readTask(context, arguments[0]);
    if (!record)
        return std::unexpected(record.error());
    auto journal = TaskJournal::open(tasksDir(context), record->plan.taskId);
    if (!journal)
        return commandFailure(ExitCode::Runtime, journal.error());
    QString path = journal->taskLogPath();
    if (given(parser, opt("server"))) {
        const QString server = parser.value(opt("server"));
        if (!record->plan.servers.contains(server))
            return commandFailure(ExitCode::NotFound,
                                  ReleaseCommands::tr("Task %1 has no server \"%2\".").arg(record->plan.taskId, server),
                                  ReleaseCommands::tr("Its servers: %1.").arg(record->plan.servers.join(QStringLiteral(", "))),
                                  opt("server"));
        path = QDir(journal->logDirectory()).filePath(server + QStringLiteral(".log"));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (!file.exists())
            return {}; // nothing was logged yet
        return commandFailure(ExitCode::Runtime,
                              ReleaseCommands::tr("Could not read %1: %2").arg(path, file.errorString()));
    }
    QTextStream out(stdout);
    while (!file.atEnd())
        out << QString::fromUtf8(file.read(1 << 20));
    return {};
}

// The scheduler: starts each scheduled task at its time; one whose time passed unnoticed is
// reported as missed, never run late.
CommandResult<> runScheduled(CliContext &context, const QCommandLineParser &parser, const QStringList &)
{
    const bool wait = given(parser, opt("wait"));
    int failures = 0;
    QEventLoop loop;
    InterruptWatch interrupts;
    bool interrupted = false;
    QObject::connect(&interrupts, &InterruptWatch::interrupted, &loop, [&] {
        interrupted = true;
        loop.quit();
    });
    while (!interrupted) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const ScheduleCheck found = TaskScheduler::check(tasksDir(context), now);
        for (const TaskRecord &record : found.missed)
            progress(ReleaseCommands::tr("Task %1 was due at %2 and was missed; it will not run late. Start it "
                                         "again if it is still wanted.")
                         .arg(record.plan.taskId, record.plan.scheduledAt.toLocalTime().toString(Qt::ISODate)));
        for (const QString &taskId : found.due) {
            auto record = readTask(context, taskId);
            if (!record)
                return std::unexpected(record.error());
            progress(ReleaseCommands::tr("Starting scheduled task %1.").arg(taskId));
            if (auto ran = runStoredTask(context, parser, *record, ReleaseTask::Mode::Start); !ran) {
                context.out().error(ran.error());
                ++failures;
            }
        }
        if (!wait)
            break;
        // New tasks may be scheduled meanwhile: look again at least every few seconds.
        const qint64 untilNext = found.next.isValid() ? now.msecsTo(found.next) : 5000;
        QTimer::singleShot(std::clamp<qint64>(untilNext, 0, 5000), &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (failures)
        return commandFailure(ExitCode::ServersFailed,
                              ReleaseCommands::tr("%n scheduled task(s) failed.", nullptr, failures));
    return {};
}

QString hostKeyStateName(const std::optional<HostKeyState> &state)
{
    if (!state)
        return ReleaseCommands::tr("unreachable");
    switch (*state) {
    case HostKeyState::Known: return QStringLiteral("known");
    case HostKeyState::Unknown: return QStringLiteral("new");
    case HostKeyState::Changed: return QStringLiteral("CHANGED");
    case HostKeyState::Revoked: return QStringLiteral("revoked");
    }
    return {};
}

QJsonObject planRow(const ServerPlan &server, bool json)
{
    QJsonObject row{{QStringLiteral("server"), server.server},
                    {QStringLiteral("host"), server.host},
                    {QStringLiteral("hostKey"), hostKeyStateName(server.hostKey)},
                    {QStringLiteral("current"), server.current},
                    {QStringLiteral("freeMiB"), server.freeKiB < 0 ? QJsonValue() : QJsonValue(server.freeKiB / 1024)},
                    {QStringLiteral("lock"), server.lockHolder}};
    if (json) {
        row.insert(QStringLiteral("previous"), server.previous);
        row.insert(QStringLiteral("commit"), server.currentCommit);
        row.insert(QStringLiteral("releases"), QJsonArray::fromStringList(server.releases));
        row.insert(QStringLiteral("toClean"), QJsonArray::fromStringList(server.toClean));
        row.insert(QStringLiteral("problems"), QJsonArray::fromStringList(server.blockers));
        row.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(server.warnings));
        row.insert(QStringLiteral("steps"), QJsonArray::fromStringList(server.steps));
        if (!server.delivery.isEmpty())
            row.insert(QStringLiteral("delivery"), server.delivery);
        return row;
    }
    row.insert(QStringLiteral("releases"), int(server.releases.size()));
    row.insert(QStringLiteral("problems"), (server.blockers + server.warnings).join(QStringLiteral("; ")));
    return row;
}

// Dry run: what a release would do on each server, and what would stop it, changing nothing.
CommandResult<> planRelease(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    const ReleaseKind kind = given(parser, opt("to")) ? ReleaseKind::Rollback : ReleaseKind::Full;
    auto request = requestFrom(context, parser, arguments[0], kind);
    if (!request)
        return std::unexpected(request.error());
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    auto project = context.findProject(request->project);
    if (!project)
        return std::unexpected(project.error());
    auto plan = ReleasePlanner(**store, context.dataDir()).draft(*request);
    if (!plan)
        return std::unexpected(planFailure(plan.error()));
    // Stage 05 is local and cached: the package is built (or found) so its size is known.
    if (auto prepared = ReleasePlanner::prepare(context.dataDir(), *plan, project->packageExcludes, request->buildHook,
                                                [](const QString &line, bool) { progress(line); });
        !prepared)
        return std::unexpected(planFailure(prepared.error()));
    auto targets = targetsFor(context, plan->servers);
    if (!targets)
        return std::unexpected(targets.error());

    ReleaseDryRun dryRun(*plan, (**context.workspace()).knownHosts());
    for (SshTarget &target : *targets)
        dryRun.addServer(std::move(target));
    QEventLoop loop;
    QObject::connect(&dryRun, &ReleaseDryRun::finished, &loop, &QEventLoop::quit);
    dryRun.start();
    loop.exec();

    const QList<ServerPlan> servers = dryRun.results();
    const bool json = context.out().isJson();
    QJsonArray rows;
    int blocked = 0;
    for (const ServerPlan &server : servers) {
        blocked += server.blocked() ? 1 : 0;
        rows.append(planRow(server, json));
    }
    if (!json && !servers.isEmpty()) {
        progress(ReleaseCommands::tr("Steps on each server (shown for %1):").arg(servers.first().server));
        for (const QString &step : servers.first().steps)
            progress(QStringLiteral("  ") + step);
    }
    progress(ReleaseCommands::tr("Plan: %1 release of %2 (%3 at %4) to %5 servers of %6/%7.")
                 .arg(releaseKindName(plan->kind), plan->version, plan->ref, plan->commit.left(12),
                      QString::number(plan->servers.size()), plan->project, plan->environment));
    context.out().list({{opt("server"), ReleaseCommands::tr("Server")},
                        {opt("hostKey"), ReleaseCommands::tr("Host key")},
                        {opt("current"), ReleaseCommands::tr("Current")},
                        {opt("releases"), ReleaseCommands::tr("Kept")},
                        {opt("freeMiB"), ReleaseCommands::tr("Free MiB")},
                        {opt("lock"), ReleaseCommands::tr("Lock")},
                        {opt("problems"), ReleaseCommands::tr("Problems")}},
                       rows);
    if (blocked)
        return commandFailure(ExitCode::Conflict,
                              ReleaseCommands::tr("%1 of %2 servers would not take this release.")
                                  .arg(QString::number(blocked), QString::number(servers.size())),
                              ReleaseCommands::tr("Each server's problems are listed above."));
    return {};
}

// Breaks the environment's deploy locks whose heartbeat is older than the limit, and only those.
CommandResult<> breakLock(CliContext &context, const QCommandLineParser &parser, const QStringList &arguments)
{
    auto environment = context.findEnvironment(arguments[0]);
    if (!environment)
        return std::unexpected(environment.error());
    auto staleAfter = CliContext::integer(parser.value(opt("stale-after")), opt("stale-after"),
                                          ReleaseEngine::HeartbeatSeconds * 2, 7 * 86400);
    if (!staleAfter)
        return std::unexpected(staleAfter.error());
    auto store = context.store();
    if (!store)
        return std::unexpected(store.error());
    QStringList names;
    for (qint64 id : environment->serverIds) {
        auto server = (*store)->server(id);
        if (!server)
            return std::unexpected(CliContext::fromStore(server.error()));
        names.append(server->name);
    }
    auto targets = targetsFor(context, names);
    if (!targets)
        return std::unexpected(targets.error());
    SshPool pool((**context.workspace()).knownHosts(),
                 SshCommands::commandLinePrompt(given(parser, opt("accept-new-host-keys"))), 20, 50);
    const QString command = RemoteLayout(environment->deployRoot).breakStaleLockCommand(*staleAfter);
    // Each job writes only its own result; they are read once the pool is idle.
    QHash<QString, std::shared_ptr<QString>> results;
    for (SshTarget &target : *targets) {
        const QString name = target.name;
        const auto result = std::make_shared<QString>();
        results.insert(name, result);
        pool.addServer(std::move(target));
        pool.enqueue(name, [command, result](SshSession &session, const SshJobContext &) -> Result<> {
            QStringList said;
            ExecOptions options;
            options.onStdout = [&](const QString &line) { said.append(line); };
            auto ran = session.exec(command, options);
            if (!ran)
                return std::unexpected(ran.error());
            if (!ran->succeeded())
                return fail(ran->lastStderr.join(u' '));
            *result = said.isEmpty() ? ReleaseCommands::tr("no stale lock") : said.join(u' ');
            return {};
        });
    }
    QHash<QString, QString> errors;
    QObject::connect(&pool, &SshPool::jobFinished, &pool,
                     [&](int, const QString &server, bool ok, const QString &message, const QString &hint) {
                         if (!ok)
                             errors.insert(server, hint.isEmpty() ? message : message + u' ' + hint);
                     });
    QEventLoop loop;
    QObject::connect(&pool, &SshPool::idle, &loop, &QEventLoop::quit);
    pool.finishAll();
    if (!pool.isIdle())
        loop.exec();
    QJsonArray list;
    for (const QString &name : std::as_const(names)) {
        QJsonObject row{{QStringLiteral("server"), name}, {QStringLiteral("result"), *results.value(name)}};
        if (errors.contains(name))
            row.insert(QStringLiteral("error"), errors.value(name));
        list.append(row);
    }
    context.out().list({{opt("server"), ReleaseCommands::tr("Server")},
                        {opt("result"), ReleaseCommands::tr("Result")},
                        {opt("error"), ReleaseCommands::tr("Error")}},
                       list);
    if (!errors.isEmpty())
        return commandFailure(ExitCode::ServersFailed,
                              ReleaseCommands::tr("%1 of %2 locks were kept or could not be checked.")
                                  .arg(errors.size())
                                  .arg(names.size()),
                              ReleaseCommands::tr("A lock in use is never broken: wait for its release, or abort "
                                                  "that task."));
    return {};
}

QList<QCommandLineOption> releaseOptions()
{
    return {
        QCommandLineOption(opt("ref"), ReleaseCommands::tr("Branch, tag or commit (default: the project's branch)."),
                           ReleaseCommands::tr("REF")),
        QCommandLineOption(opt("kind"), ReleaseCommands::tr("full (default), rolling, gray or patch."),
                           ReleaseCommands::tr("KIND")),
        QCommandLineOption(opt("servers"), ReleaseCommands::tr("Only these servers of the environment."),
                           ReleaseCommands::tr("A,B,...")),
        QCommandLineOption(opt("canary"), ReleaseCommands::tr("Gray: the servers that go first."),
                           ReleaseCommands::tr("A,B,...")),
        QCommandLineOption(opt("batch"), ReleaseCommands::tr("Rolling: servers per batch; gray: after promotion."),
                           ReleaseCommands::tr("N")),
        QCommandLineOption(opt("budget"), ReleaseCommands::tr("Failed servers tolerated before the rest stops (N or N%)."),
                           ReleaseCommands::tr("N")),
        QCommandLineOption(opt("soak"), ReleaseCommands::tr("Gray: promote by itself after SECONDS of healthy canaries."),
                           ReleaseCommands::tr("SECONDS")),
        QCommandLineOption(opt("base"), ReleaseCommands::tr("Patch: the commit the servers run (default: the last "
                                                            "release's)."),
                           ReleaseCommands::tr("COMMIT")),
        QCommandLineOption(opt("whole"), ReleaseCommands::tr("Send every server the whole package and unpack it afresh, "
                                                             "even where a delta from the live release would do.")),
        QCommandLineOption(opt("description"), ReleaseCommands::tr("What this release is for."), ReleaseCommands::tr("TEXT")),
        QCommandLineOption(opt("build-hook"), ReleaseCommands::tr("After-download hook template (builds on this machine)."),
                           ReleaseCommands::tr("TITLE")),
        QCommandLineOption(opt("build-hook-file"), ReleaseCommands::tr("After-download hook script file."),
                           ReleaseCommands::tr("FILE")),
        QCommandLineOption(opt("before-release"), ReleaseCommands::tr("Before-release hook template."),
                           ReleaseCommands::tr("TITLE")),
        QCommandLineOption(opt("before-release-file"), ReleaseCommands::tr("Before-release hook script file."),
                           ReleaseCommands::tr("FILE")),
        QCommandLineOption(opt("after-release"), ReleaseCommands::tr("After-release hook template."),
                           ReleaseCommands::tr("TITLE")),
        QCommandLineOption(opt("after-release-file"), ReleaseCommands::tr("After-release hook script file."),
                           ReleaseCommands::tr("FILE")),
        QCommandLineOption(opt("health-command"), ReleaseCommands::tr("Health check run in the new release; non-zero "
                                                                      "switches back."),
                           ReleaseCommands::tr("COMMAND")),
        QCommandLineOption(opt("health-url"), ReleaseCommands::tr("HTTP health check; {host} and {server} are filled in."),
                           ReleaseCommands::tr("URL")),
        QCommandLineOption(opt("health-status"), ReleaseCommands::tr("Expected HTTP status (default 200)."),
                           ReleaseCommands::tr("CODE")),
        QCommandLineOption(opt("health-body"), ReleaseCommands::tr("Text the HTTP answer must contain."),
                           ReleaseCommands::tr("TEXT")),
        QCommandLineOption(opt("health-retries"), ReleaseCommands::tr("HTTP attempts after the first (default 5)."),
                           ReleaseCommands::tr("N")),
        QCommandLineOption(opt("at"), ReleaseCommands::tr("Start at this time instead of now."), ReleaseCommands::tr("TIME")),
        QCommandLineOption(opt("parallelism"), ReleaseCommands::tr("Servers at once (default: the environment's)."),
                           ReleaseCommands::tr("N")),
        QCommandLineOption(opt("keep"), ReleaseCommands::tr("Releases kept per server (default: the project's)."),
                           ReleaseCommands::tr("N")),
        QCommandLineOption(opt("offline"), ReleaseCommands::tr("Do not fetch the mirror first.")),
        QCommandLineOption(opt("key-file"), ReleaseCommands::tr("Private key for fetching an ssh remote."),
                           ReleaseCommands::tr("FILE")),
        QCommandLineOption(opt("accept-new-host-keys"),
                           ReleaseCommands::tr("Trust and remember the keys of servers met for the first time.")),
    };
}

QCommandLineOption yesOption()
{
    return QCommandLineOption(opt("yes"), ReleaseCommands::tr("Do not ask before changing a production-like "
                                                              "environment (asked only on a terminal)."));
}

QCommandLineOption verboseOption()
{
    return QCommandLineOption(opt("verbose"), ReleaseCommands::tr("On a terminal, also a line for each server and "
                                                                  "stage (otherwise one live line counts them)."));
}

QList<QCommandLineOption> taskOptions()
{
    return {QCommandLineOption(opt("accept-new-host-keys"),
                               ReleaseCommands::tr("Trust and remember the keys of servers met for the first time.")),
            verboseOption()};
}

} // namespace

CommandGroup ReleaseCommands::group()
{
    QList<QCommandLineOption> rollbackOptions = taskOptions();
    rollbackOptions.append(QCommandLineOption(opt("to"), tr("The release every server switches to."), tr("VERSION")));
    rollbackOptions.append(yesOption());
    QList<QCommandLineOption> startOptions = releaseOptions();
    startOptions.append(yesOption());
    startOptions.append(verboseOption());
    for (const QCommandLineOption &option : releaseOptions()) {
        const QString name = option.names().first();
        if (name.startsWith(u"after-release") || name.startsWith(u"health") || name == u"servers" ||
            name == u"parallelism" || name == u"description" || name == u"budget")
            rollbackOptions.append(option);
    }
    QList<QCommandLineOption> historyOptions{
        QCommandLineOption(opt("project"), tr("Only this project."), tr("PROJECT")),
        QCommandLineOption(opt("env"), tr("Only this environment."), tr("ENV")),
        QCommandLineOption(opt("status"), tr("Only tasks with these statuses."), tr("STATUS,...")),
        QCommandLineOption(opt("limit"), tr("At most N tasks (default 50)."), tr("N"), QStringLiteral("50"))};
    QList<QCommandLineOption> planOptions = releaseOptions();
    planOptions.append(QCommandLineOption(opt("to"), tr("Plan a rollback to this release."), tr("VERSION")));
    QList<QCommandLineOption> abortOptions = taskOptions();
    abortOptions.append(QCommandLineOption(opt("keep-canaries"),
                                           tr("Gray: leave the canaries on the new release (the fleet stays mixed).")));
    QList<QCommandLineOption> runOptions = taskOptions();
    runOptions.append(QCommandLineOption(opt("wait"), tr("Keep running and start each task at its time.")));
    return CommandGroup{
        opt("release"),
        tr("Release tasks: ship a commit to an environment's servers, and go back"),
        {{opt("start"), tr("PROJECT/ENV"), tr("Package a commit and release it to the environment's servers."),
          startOptions, 1, 1, start},
         {opt("promote"), tr("TASK"), tr("Release the rest of a gray task whose canaries are fine."), taskOptions(), 1, 1,
          promote},
         {opt("abort"), tr("TASK"),
          tr("Stop a task and release its locks. A gray task not yet promoted switches its canaries back to the "
             "release they ran before; other servers keep the release they run."),
          abortOptions, 1, 1, abortTask},
         {opt("retry"), tr("TASK"), tr("Run the failed servers of a task again from the stage that failed."),
          taskOptions(), 1, 1, resume},
         {opt("resume"), tr("TASK"), tr("Continue an interrupted task where each server stopped."), taskOptions(), 1, 1,
          resume},
         {opt("rollback"), tr("PROJECT/ENV"), tr("Switch every server of the environment to one kept release."),
          rollbackOptions, 1, 1, rollback},
         {opt("break-lock"), tr("PROJECT/ENV"),
          tr("Break the environment's deploy locks whose owner stopped refreshing them."),
          {QCommandLineOption(opt("stale-after"), tr("Seconds without a heartbeat (default 600)."), tr("SECONDS"),
                              QStringLiteral("600")),
           QCommandLineOption(opt("accept-new-host-keys"),
                              tr("Trust and remember the keys of servers met for the first time."))},
          1, 1, breakLock},
         FleetCommands::statusVerb(),
         {opt("plan"), tr("PROJECT/ENV"), tr("Dry run: what \"release start\" (or rollback with --to) would do, changing "
                                             "nothing on the servers."),
          planOptions, 1, 1, planRelease},
         {opt("history"), QString(), tr("Past and scheduled tasks, newest first."), historyOptions, 0, 0, history},
         {opt("show"), tr("TASK"), tr("A task's outcome on each server (\"last\" for the newest)."), {}, 1, 1, show},
         {opt("logs"), tr("TASK"), tr("A task's log, or one server's with --server."),
          {QCommandLineOption(opt("server"), tr("This server's log."), tr("SERVER"))}, 1, 1, logs},
         {opt("run"), QString(), tr("Start scheduled tasks that are due (with --wait: as they fall due)."), runOptions, 0,
          0, runScheduled}}};
}

} // namespace rd
