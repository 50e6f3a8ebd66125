#pragma once

#include "nodestate.h"
#include "releaseplan.h"
#include "taskstatus.h"

#include <QDateTime>
#include <QHash>
#include <QMap>

namespace rd {

// One server of a task, as the journal last saw it.
struct NodeRecord
{
    QHash<int, NodeState> states;   // by int(NodeStage); missing = Pending
    QHash<int, qint64> durationMs;  // from Running to its outcome, per stage
    QString lastError;              // the detail of the last failed or cancelled stage

    NodeState state(NodeStage stage) const { return states.value(int(stage), NodeState::Pending); }
};

// A task read back from its journal.
struct TaskRecord
{
    ReleasePlan plan;
    TaskStatus status = TaskStatus::Scheduled;
    QString summary;
    QDateTime created; // UTC
    QDateTime started;
    QDateTime finished;
    qint64 pid = 0;    // the process that ran it last, on `host`
    QString host;
    QMap<QString, NodeRecord> nodes; // every server of the plan
    qint64 switchWindowMs = -1;
    QString directory;
    int attempts = 0;  // 1 + resumes and retries
};

} // namespace rd
