#include "taskjournal.h"

#include "nodelog.h"

#include <QDir>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <csignal>
#include <sys/stat.h>

namespace rd {

namespace {

// A scheduled task that nothing started this long after its time was missed.
constexpr qint64 MissedAfterSeconds = 60;

QString planFile(const QString &directory) { return directory + QStringLiteral("/plan.json"); }
QString journalFile(const QString &directory) { return directory + QStringLiteral("/journal.jsonl"); }
QString summaryFile(const QString &directory) { return directory + QStringLiteral("/summary.json"); }
QString controlDirectory(const QString &directory) { return directory + QStringLiteral("/control"); }

QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

QDateTime time(const QJsonValue &value) { return QDateTime::fromString(value.toString(), Qt::ISODateWithMs); }

// The fields of /proc/<pid>/stat after the command name (the first is the state), empty when the
// process is gone. The command name may hold spaces and parentheses: fields count after its closing one.
QList<QByteArray> statFields(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = stat.readAll();
    return text.mid(text.lastIndexOf(')') + 2).split(' ');
}

// The kernel's start time of a process (clock ticks since boot): with the pid, it tells the process
// that wrote the journal from a later one that got the same pid.
QString processStartTime(qint64 pid)
{
    const QList<QByteArray> fields = statFields(pid);
    return fields.size() > 19 ? QString::fromLatin1(fields[19]) : QString();
}

bool sameProcessRuns(qint64 pid, const QString &host, const QString &startTime)
{
    if (pid <= 0 || host != QHostInfo::localHostName())
        return host != QHostInfo::localHostName() && pid > 0; // another machine's: assume it runs
    if (!TaskJournal::processRuns(pid))
        return false;
    return startTime.isEmpty() || processStartTime(pid) == startTime;
}

Result<> writeAtomically(const QString &path, const QByteArray &content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit())
        return fail(TaskJournal::tr("Could not write %1: %2").arg(path, file.errorString()),
                    TaskJournal::tr("Check that the data directory is writable and the disk is not full."));
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

Result<ReleasePlan> readPlan(const QString &directory)
{
    QFile file(planFile(directory));
    if (!file.open(QIODevice::ReadOnly))
        return fail(TaskJournal::tr("Could not read the task's plan %1: %2").arg(file.fileName(), file.errorString()),
                    TaskJournal::tr("Check the task id; \"release history\" lists the tasks."), QStringLiteral("task"));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (!document.isObject())
        return fail(TaskJournal::tr("The task's plan %1 is damaged: %2").arg(file.fileName(), error.errorString()),
                    TaskJournal::tr("The task cannot be resumed; start a new one."));
    return ReleasePlan::fromJson(document.object());
}

// Interrupted and Missed are not written by anyone: they are what a running or scheduled task is
// when nothing runs it any more.
void deriveStatus(TaskRecord &record, const QString &startTime)
{
    const bool runs = sameProcessRuns(record.pid, record.host, startTime);
    if (record.status == TaskStatus::Running && !runs)
        record.status = TaskStatus::Interrupted;
    else if (record.status == TaskStatus::AwaitingPromotion && record.plan.soakSeconds > 0 && !runs)
        record.status = TaskStatus::Interrupted;
    else if (record.status == TaskStatus::Scheduled && record.plan.scheduledAt.isValid() &&
             record.plan.scheduledAt.secsTo(QDateTime::currentDateTimeUtc()) > MissedAfterSeconds)
        record.status = TaskStatus::Missed;
}

void applyStatus(TaskRecord &record, const QJsonObject &event, QString *startTime)
{
    const auto status = taskStatusFromName(event[QStringLiteral("v")].toString());
    if (!status)
        return;
    record.status = *status;
    const QDateTime when = time(event[QStringLiteral("t")]);
    if (event.contains(QStringLiteral("m")))
        record.summary = event[QStringLiteral("m")].toString();
    if (*status == TaskStatus::Running) {
        if (!record.started.isValid())
            record.started = when;
        record.finished = {};
        record.pid = event[QStringLiteral("pid")].toInteger();
        record.host = event[QStringLiteral("host")].toString();
        *startTime = event[QStringLiteral("start")].toString();
    }
    if (taskStatusIsFinal(*status))
        record.finished = when;
}

} // namespace

bool TaskJournal::processRuns(qint64 pid)
{
    if (pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno == ESRCH))
        return false;
    // Ended but not yet reaped by its parent (a zombie): it runs nothing and reads no requests.
    const QList<QByteArray> fields = statFields(pid);
    return fields.isEmpty() || fields.first() != "Z";
}

QString TaskJournal::tasksDirectory(const QString &dataDir) { return QDir(dataDir).filePath(QStringLiteral("tasks")); }

TaskJournal::TaskJournal(QString directory) : m_directory(std::move(directory)) {}

QString TaskJournal::logDirectory() const { return m_directory + QStringLiteral("/logs"); }

QString TaskJournal::taskLogPath() const { return NodeLog::pathFor(m_directory, QStringLiteral("task")); }

Result<TaskJournal> TaskJournal::create(const QString &tasksDir, ReleasePlan &plan)
{
    if (!QDir().mkpath(tasksDir))
        return fail(tr("Could not create the task directory %1.").arg(tasksDir),
                    tr("Check that the data directory is writable."));
    ::chmod(QFile::encodeName(tasksDir).constData(), 0700);
    const QString base = plan.taskId.isEmpty()
                             ? QStringLiteral("%1-%2-%3")
                                   .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                                        plan.project, plan.environment)
                             : plan.taskId;
    // mkdir is the claim: of two tasks made in the same second, each gets its own directory.
    QString id = base;
    for (int n = 2; ::mkdir(QFile::encodeName(QDir(tasksDir).filePath(id)).constData(), 0700) != 0; ++n) {
        if (errno != EEXIST || !plan.taskId.isEmpty() || n > 1000)
            return fail(tr("Could not create the directory of task %1 in %2: %3")
                            .arg(id, tasksDir, QString::fromLocal8Bit(strerror(errno))),
                        tr("Check that the data directory is writable."));
        id = QStringLiteral("%1-%2").arg(base).arg(n);
    }
    plan.taskId = id;
    TaskJournal journal(QDir(tasksDir).filePath(id));
    if (auto written = writeAtomically(planFile(journal.m_directory), QJsonDocument(plan.toJson()).toJson());
        !written)
        return std::unexpected(written.error());
    if (auto created = journal.append({{QStringLiteral("e"), QStringLiteral("status")},
                                       {QStringLiteral("v"), taskStatusName(TaskStatus::Scheduled)}});
        !created)
        return std::unexpected(created.error());
    TaskRecord record;
    record.plan = plan;
    record.created = QDateTime::currentDateTimeUtc();
    if (auto summary = journal.writeSummary(record); !summary)
        return std::unexpected(summary.error());
    return journal;
}

Result<TaskJournal> TaskJournal::open(const QString &tasksDir, const QString &taskId)
{
    const QString directory = QDir(tasksDir).filePath(taskId);
    if (taskId.isEmpty() || taskId.contains(u'/') || !QFileInfo::exists(planFile(directory)))
        return fail(tr("There is no release task \"%1\".").arg(taskId),
                    tr("\"release history\" lists the tasks."), QStringLiteral("task"));
    return TaskJournal(directory);
}

Result<> TaskJournal::append(QJsonObject event)
{
    if (!m_journal) {
        m_journal = std::make_shared<QFile>(journalFile(m_directory));
        if (!m_journal->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
            const QString reason = m_journal->errorString();
            m_journal.reset();
            return fail(tr("Could not open the task journal %1: %2").arg(journalFile(m_directory), reason),
                        tr("Check that the data directory is writable and the disk is not full."));
        }
        m_journal->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    event.insert(QStringLiteral("t"), now());
    // One write of a whole line: a kill leaves at most a torn last line, which reading skips.
    const QByteArray line = QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
    if (m_journal->write(line) != line.size())
        return fail(tr("Could not write the task journal %1: %2").arg(journalFile(m_directory), m_journal->errorString()),
                    tr("Free some disk space; the task stops so that it can be resumed later."));
    return {};
}

Result<> TaskJournal::recordNode(const QString &server, NodeStage stage, NodeState state, const QString &detail)
{
    QJsonObject event{{QStringLiteral("e"), QStringLiteral("node")},
                      {QStringLiteral("s"), server},
                      {QStringLiteral("g"), int(stage)},
                      {QStringLiteral("v"), nodeStateName(state)}};
    if (!detail.isEmpty())
        event.insert(QStringLiteral("d"), detail);
    return append(event);
}

Result<> TaskJournal::recordStatus(TaskStatus status, const QString &summary)
{
    QJsonObject event{{QStringLiteral("e"), QStringLiteral("status")}, {QStringLiteral("v"), taskStatusName(status)}};
    if (!summary.isEmpty())
        event.insert(QStringLiteral("m"), summary);
    if (status == TaskStatus::Running) {
        const qint64 pid = QCoreApplication::applicationPid();
        event.insert(QStringLiteral("pid"), pid);
        event.insert(QStringLiteral("host"), QHostInfo::localHostName());
        event.insert(QStringLiteral("start"), processStartTime(pid));
    }
    if (auto written = append(event); !written)
        return written;
    auto record = read();
    if (!record)
        return std::unexpected(record.error());
    return writeSummary(*record);
}

Result<> TaskJournal::recordSwitchWindow(qint64 ms)
{
    return append({{QStringLiteral("e"), QStringLiteral("window")}, {QStringLiteral("v"), ms}});
}

Result<> TaskJournal::recordAttempt() { return append({{QStringLiteral("e"), QStringLiteral("attempt")}}); }

void TaskJournal::taskLog(const QString &line, bool isStderr)
{
    NodeLog(m_directory, QStringLiteral("task")).line(line, isStderr);
}

Result<> TaskJournal::requestControl(const QString &action)
{
    if (!QDir().mkpath(controlDirectory(m_directory)))
        return fail(tr("Could not create %1.").arg(controlDirectory(m_directory)),
                    tr("Check that the data directory is writable."));
    return writeAtomically(controlDirectory(m_directory) + u'/' + action, now().toUtf8());
}

QStringList TaskJournal::takeControlRequests(const QDateTime &since)
{
    QStringList requests;
    QDir control(controlDirectory(m_directory));
    for (const QString &name : control.entryList(QDir::Files, QDir::Time | QDir::Reversed)) {
        if (name.startsWith(u'.'))
            continue; // a request still being written
        QFile file(control.filePath(name));
        const QDateTime written =
            file.open(QIODevice::ReadOnly) ? QDateTime::fromString(QString::fromUtf8(file.read(64)), Qt::ISODateWithMs)
                                           : QDateTime();
        file.close();
        // Removing is taking: of this runner and a requester withdrawing, only one succeeds.
        if (!control.remove(name))
            continue;
        if (written.isValid() && written >= since)
            requests.append(name);
        else
            taskLog(tr("A request to %1 from %2 was left by an earlier run and is ignored.")
                        .arg(name, written.isValid() ? written.toLocalTime().toString(Qt::ISODate) : tr("an unknown time")));
    }
    return requests;
}

bool TaskJournal::withdrawControlRequest(const QString &action)
{
    return QFile::remove(controlDirectory(m_directory) + u'/' + action);
}

bool TaskJournal::controlRequestPending(const QString &action) const
{
    return QFile::exists(controlDirectory(m_directory) + u'/' + action);
}

Result<TaskRecord> TaskJournal::read() const
{
    auto plan = readPlan(m_directory);
    if (!plan)
        return std::unexpected(plan.error());
    TaskRecord record;
    record.plan = *plan;
    record.directory = m_directory;
    for (const QString &server : std::as_const(record.plan.servers))
        record.nodes.insert(server, NodeRecord());

    QFile file(journalFile(m_directory));
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Could not read the task journal %1: %2").arg(file.fileName(), file.errorString()),
                    tr("Check the permissions of the data directory."));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QString startTime;
    QHash<QString, QDateTime> running; // "server/stage" -> when it started
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines[i].isEmpty())
            continue;
        QJsonParseError error;
        const QJsonObject event = QJsonDocument::fromJson(lines[i], &error).object();
        if (error.error != QJsonParseError::NoError) {
            // The last line may be torn by a kill mid-write: it was never shown, so it is dropped.
            if (i >= lines.size() - 2)
                break;
            return fail(tr("The task journal %1 is damaged at line %2: %3")
                            .arg(file.fileName())
                            .arg(i + 1)
                            .arg(error.errorString()),
                        tr("The task cannot be resumed from it; check each server with \"release status\"."));
        }
        const QString kind = event[QStringLiteral("e")].toString();
        const QDateTime when = time(event[QStringLiteral("t")]);
        if (!record.created.isValid())
            record.created = when;
        if (kind == u"status") {
            applyStatus(record, event, &startTime);
        } else if (kind == u"node") {
            const QString server = event[QStringLiteral("s")].toString();
            const int stage = event[QStringLiteral("g")].toInt();
            const QString stateName = event[QStringLiteral("v")].toString();
            NodeRecord &node = record.nodes[server];
            for (NodeState state : {NodeState::Pending, NodeState::Running, NodeState::Succeeded, NodeState::Failed,
                                    NodeState::Skipped, NodeState::Cancelled}) {
                if (nodeStateName(state) != stateName)
                    continue;
                node.states[stage] = state;
                const QString key = server + u'/' + QString::number(stage);
                if (state == NodeState::Running) {
                    running.insert(key, when);
                } else if (running.contains(key)) {
                    node.durationMs[stage] = running.take(key).msecsTo(when);
                }
                if (state == NodeState::Failed || state == NodeState::Cancelled)
                    node.lastError = event[QStringLiteral("d")].toString();
            }
        } else if (kind == u"window") {
            record.switchWindowMs = event[QStringLiteral("v")].toInteger();
        } else if (kind == u"attempt") {
            ++record.attempts;
        }
    }
    if (record.started.isValid())
        record.attempts = qMax(1, record.attempts + 1);
    deriveStatus(record, startTime);
    return record;
}

Result<TaskRecord> TaskJournal::read(const QString &tasksDir, const QString &taskId)
{
    auto journal = open(tasksDir, taskId);
    if (!journal)
        return std::unexpected(journal.error());
    return journal->read();
}

Result<> TaskJournal::writeSummary(const TaskRecord &record)
{
    QString startTime;
    QFile journal(journalFile(m_directory));
    // The process start time lives in the journal's last Running line; keep it beside the pid.
    if (journal.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = journal.readAll().split('\n');
        for (auto line = lines.crbegin(); line != lines.crend(); ++line) {
            const QJsonObject event = QJsonDocument::fromJson(*line).object();
            if (event[QStringLiteral("e")].toString() == u"status" && event[QStringLiteral("v")].toString() == u"running") {
                startTime = event[QStringLiteral("start")].toString();
                break;
            }
        }
    }
    TaskStatus written = record.status;
    // Derived statuses are never stored: the runner may come back.
    if (written == TaskStatus::Interrupted || written == TaskStatus::Missed)
        written = record.plan.scheduledAt.isValid() && !record.started.isValid() ? TaskStatus::Scheduled
                                                                                 : TaskStatus::Running;
    const QJsonObject summary{{QStringLiteral("status"), taskStatusName(written)},
                              {QStringLiteral("summary"), record.summary},
                              {QStringLiteral("created"), record.created.toString(Qt::ISODateWithMs)},
                              {QStringLiteral("started"), record.started.toString(Qt::ISODateWithMs)},
                              {QStringLiteral("finished"), record.finished.toString(Qt::ISODateWithMs)},
                              {QStringLiteral("pid"), record.pid},
                              {QStringLiteral("host"), record.host},
                              {QStringLiteral("start"), startTime},
                              {QStringLiteral("switchWindowMs"), record.switchWindowMs},
                              {QStringLiteral("attempts"), record.attempts}};
    return writeAtomically(summaryFile(m_directory), QJsonDocument(summary).toJson(QJsonDocument::Compact));
}

Result<TaskRecord> TaskJournal::readSummary(const QString &directory)
{
    auto plan = readPlan(directory);
    if (!plan)
        return std::unexpected(plan.error());
    TaskRecord record;
    record.plan = *plan;
    record.directory = directory;
    QFile file(summaryFile(directory));
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("Could not read %1: %2").arg(file.fileName(), file.errorString()));
    const QJsonObject summary = QJsonDocument::fromJson(file.readAll()).object();
    record.status = taskStatusFromName(summary[QStringLiteral("status")].toString()).value_or(TaskStatus::Scheduled);
    record.summary = summary[QStringLiteral("summary")].toString();
    record.created = time(summary[QStringLiteral("created")]);
    record.started = time(summary[QStringLiteral("started")]);
    record.finished = time(summary[QStringLiteral("finished")]);
    record.pid = summary[QStringLiteral("pid")].toInteger();
    record.host = summary[QStringLiteral("host")].toString();
    record.switchWindowMs = summary[QStringLiteral("switchWindowMs")].toInteger(-1);
    record.attempts = summary[QStringLiteral("attempts")].toInt();
    deriveStatus(record, summary[QStringLiteral("start")].toString());
    return record;
}

} // namespace rd
