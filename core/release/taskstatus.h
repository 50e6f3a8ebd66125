#pragma once

#include <QString>

#include <optional>

namespace rd {

// Where a release task stands. Interrupted and Missed are found when the journal is read: a task
// that was running in a process that is gone, or one whose start time passed with nothing to run it.
enum class TaskStatus { Scheduled, Running, AwaitingPromotion, Succeeded, Failed, Aborted, Interrupted, Missed };

// Stable lowercase names, for files, JSON and the command line.
QString taskStatusName(TaskStatus status);
std::optional<TaskStatus> taskStatusFromName(const QString &name);
// For people, translated.
QString taskStatusText(TaskStatus status);
bool taskStatusIsFinal(TaskStatus status);

} // namespace rd
