#include "taskscheduler.h"

#include "taskhistory.h"
#include "taskjournal.h"

namespace rd {

namespace {

// New tasks may be scheduled by another process meanwhile: look again at least this often.
constexpr int PollMs = 5000;

} // namespace

TaskScheduler::TaskScheduler(QString tasksDir, QObject *parent) : QObject(parent), m_tasksDir(std::move(tasksDir))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &TaskScheduler::poll);
}

void TaskScheduler::start()
{
    m_timer.start(0);
}

ScheduleCheck TaskScheduler::check(const QString &tasksDir, const QDateTime &now)
{
    ScheduleCheck result;
    for (const TaskRecord &record : TaskHistory::list(tasksDir, {{}, {}, {TaskStatus::Scheduled, TaskStatus::Missed}, 0})) {
        const QDateTime when = record.plan.scheduledAt;
        if (record.status == TaskStatus::Missed) {
            // The journal reads a passed schedule as missed; the first look also writes it down.
            if (record.summary.isEmpty())
                if (auto journal = TaskJournal::open(tasksDir, record.plan.taskId))
                    journal->recordStatus(TaskStatus::Missed,
                                          TaskJournal::tr("Missed: nothing ran it at %1.")
                                              .arg(when.toLocalTime().toString(Qt::ISODate)));
            result.missed.append(record);
        } else if (when > now) {
            if (!result.next.isValid() || when < result.next)
                result.next = when;
        } else {
            result.due.append(record.plan.taskId);
        }
    }
    return result;
}

void TaskScheduler::poll()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const ScheduleCheck found = check(m_tasksDir, now);
    for (const TaskRecord &record : found.missed)
        if (!m_reported.contains(record.plan.taskId)) {
            m_reported.insert(record.plan.taskId);
            emit missed(record.plan.taskId, record.plan.scheduledAt);
        }
    for (const QString &taskId : found.due)
        emit due(taskId);
    const qint64 untilNext = found.next.isValid() ? now.msecsTo(found.next) : PollMs;
    m_timer.start(int(std::clamp<qint64>(untilNext, 0, PollMs)));
}

} // namespace rd
