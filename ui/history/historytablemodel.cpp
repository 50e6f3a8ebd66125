#include "historytablemodel.h"

#include <QFont>
#include <QHash>

namespace rd {

namespace {

QString timeText(const QDateTime &time, const QString &format = QStringLiteral("yyyy-MM-dd HH:mm:ss"))
{
    return time.isValid() ? time.toLocalTime().toString(format) : QString();
}

// The moment a task is known by: when it started, else when it is (or was) due, else when it was made.
QDateTime when(const TaskRecord &task)
{
    if (task.started.isValid())
        return task.started;
    if (task.plan.scheduledAt.isValid())
        return task.plan.scheduledAt;
    return task.created;
}

// Milliseconds from start to end (now while it runs); -1 when it never started.
qint64 durationMs(const TaskRecord &task)
{
    if (!task.started.isValid())
        return -1;
    const QDateTime end = task.finished.isValid() ? task.finished : QDateTime::currentDateTimeUtc();
    return qMax<qint64>(0, task.started.msecsTo(end));
}

QString durationText(qint64 ms)
{
    if (ms < 0)
        return {};
    const qint64 seconds = ms / 1000;
    if (seconds < 60)
        return HistoryTableModel::tr("%1 s").arg(QString::number(seconds));
    if (seconds < 3600)
        return HistoryTableModel::tr("%1 min %2 s")
            .arg(QString::number(seconds / 60), QStringLiteral("%1").arg(seconds % 60, 2, 10, QLatin1Char('0')));
    return HistoryTableModel::tr("%1 h %2 min")
        .arg(QString::number(seconds / 3600), QStringLiteral("%1").arg(seconds / 60 % 60, 2, 10, QLatin1Char('0')));
}

QString shortCommit(const QString &commit) { return commit.left(8); }

} // namespace

void HistoryTableModel::setTasks(const QList<TaskRecord> &tasks)
{
    beginResetModel();
    m_all = tasks;
    findRollbackTargets();
    refilter();
    endResetModel();
}

void HistoryTableModel::updateTask(const TaskRecord &task)
{
    for (int i = 0; i < m_all.size(); ++i) {
        if (m_all[i].plan.taskId != task.plan.taskId)
            continue;
        const bool wasShown = passes(m_all[i]);
        m_all[i] = task;
        findRollbackTargets();
        if (wasShown != passes(task)) {
            beginResetModel();
            refilter();
            endResetModel();
        } else if (const int row = int(m_visible.indexOf(i)); row >= 0) {
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
        return;
    }
}

void HistoryTableModel::setFilter(const HistoryFilter &filter)
{
    beginResetModel();
    m_filter = filter;
    refilter();
    endResetModel();
}

bool HistoryTableModel::passes(const TaskRecord &task) const
{
    return (m_filter.project.isEmpty() || task.plan.project == m_filter.project) &&
           (m_filter.environment.isEmpty() || task.plan.environment == m_filter.environment) &&
           (m_filter.statuses.isEmpty() || m_filter.statuses.contains(task.status));
}

void HistoryTableModel::refilter()
{
    m_visible.clear();
    for (int i = 0; i < m_all.size(); ++i)
        if (passes(m_all[i]))
            m_visible.append(i);
}

void HistoryTableModel::findRollbackTargets()
{
    struct Environment
    {
        QString current;   // the newest succeeded task's version: what the servers run
        int keep = -1;     // of the newest succeeded release: how many releases its cleanup kept
        QStringList kept;  // released versions, newest first
    };
    QHash<QString, Environment> environments;
    m_rollbackTargets.clear();
    // Newest first, so the first succeeded task of an environment is the live one.
    for (const TaskRecord &task : std::as_const(m_all)) {
        if (task.status != TaskStatus::Succeeded || task.plan.version.isEmpty())
            continue;
        Environment &environment = environments[task.plan.project + u'/' + task.plan.environment];
        if (environment.current.isEmpty())
            environment.current = task.plan.version;
        if (task.plan.kind == ReleaseKind::Rollback)
            continue;
        if (environment.keep < 0)
            environment.keep = qMax(1, task.plan.keepReleases);
        if (!environment.kept.contains(task.plan.version))
            environment.kept.append(task.plan.version);
        if (environment.kept.size() <= environment.keep && task.plan.version != environment.current)
            m_rollbackTargets.insert(task.plan.taskId);
    }
}

int HistoryTableModel::rowOfTask(const QString &taskId) const
{
    for (int row = 0; row < m_visible.size(); ++row)
        if (taskAt(row).plan.taskId == taskId)
            return row;
    return -1;
}

bool HistoryTableModel::canRollBackTo(int row) const
{
    return row >= 0 && row < m_visible.size() && m_rollbackTargets.contains(taskAt(row).plan.taskId);
}

QColor HistoryTableModel::statusColor(TaskStatus status)
{
    switch (status) {
    case TaskStatus::Succeeded:
        return QColor(0x2e, 0x7d, 0x32);
    case TaskStatus::Failed:
    case TaskStatus::Aborted:
        return QColor(0xc6, 0x28, 0x28);
    case TaskStatus::Interrupted:
    case TaskStatus::Missed:
        return QColor(0xb2, 0x6a, 0x00);
    case TaskStatus::Running:
    case TaskStatus::AwaitingPromotion:
        return QColor(0x15, 0x65, 0xc0);
    case TaskStatus::Scheduled:
        return QColor(0x75, 0x75, 0x75);
    }
    return {};
}

int HistoryTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int HistoryTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryTableModel::display(const TaskRecord &task, int column) const
{
    const ReleasePlan &plan = task.plan;
    switch (column) {
    case Task:
        return plan.taskId;
    case Target:
        return tr("%1 / %2").arg(plan.project, plan.environment);
    case Kind:
        return releaseKindLabel(plan.kind);
    case Version:
        return plan.version;
    case Ref:
        if (plan.ref.isEmpty())
            return shortCommit(plan.commit);
        return plan.commit.isEmpty() ? plan.ref : tr("%1 · %2").arg(plan.ref, shortCommit(plan.commit));
    case Operator:
        return plan.operatorName;
    case Status:
        return taskStatusText(task.status);
    case When:
        return timeText(when(task), QStringLiteral("yyyy-MM-dd HH:mm")); // the tooltip has the seconds
    case Duration:
        return durationText(durationMs(task));
    case Servers:
        return plan.servers.size();
    case Summary:
        return task.summary;
    }
    return {};
}

QVariant HistoryTableModel::sortKey(const TaskRecord &task, int column) const
{
    switch (column) {
    case When:
        return when(task);
    case Duration:
        return durationMs(task);
    }
    return display(task, column);
}

QString HistoryTableModel::toolTip(const TaskRecord &task) const
{
    const ReleasePlan &plan = task.plan;
    QStringList lines;
    lines << tr("Task %1").arg(plan.taskId);
    if (!plan.description.isEmpty())
        lines << plan.description;
    if (!task.summary.isEmpty())
        lines << task.summary;
    if (plan.kind == ReleaseKind::Rollback)
        lines << tr("Rolled back to %1").arg(plan.rollbackTo);
    lines << tr("Commit: %1").arg(plan.commit);
    lines << tr("Created: %1").arg(timeText(task.created));
    if (plan.scheduledAt.isValid())
        lines << tr("Scheduled for: %1").arg(timeText(plan.scheduledAt));
    if (task.started.isValid())
        lines << tr("Started: %1").arg(timeText(task.started));
    if (task.finished.isValid())
        lines << tr("Finished: %1").arg(timeText(task.finished));
    if (task.attempts > 1)
        lines << tr("Attempts: %1").arg(task.attempts);
    lines << tr("Servers: %1").arg(plan.servers.join(QStringLiteral(", ")));
    return lines.join(u'\n');
}

QVariant HistoryTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_visible.size())
        return {};
    const TaskRecord &task = taskAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(task, index.column());
    case SortRole:
        return sortKey(task, index.column());
    case TaskIdRole:
        return task.plan.taskId;
    case Qt::ToolTipRole:
        return toolTip(task);
    case Qt::ForegroundRole:
        if (index.column() == Status)
            return statusColor(task.status);
        return {};
    case Qt::FontRole:
        if (index.column() == Status) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Servers || index.column() == Duration)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant HistoryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Task:
        return tr("Task");
    case Target:
        return tr("Environment");
    case Kind:
        return tr("Kind");
    case Version:
        return tr("Version");
    case Ref:
        return tr("Ref");
    case Operator:
        return tr("Operator");
    case Status:
        return tr("Status");
    case When:
        return tr("When");
    case Duration:
        return tr("Duration");
    case Servers:
        return tr("Servers");
    case Summary:
        return tr("Summary");
    }
    return {};
}

} // namespace rd
