#pragma once

#include <QString>

namespace rd {

// Stages 06-10 of a release on one server, as the pipeline shows them.
enum class NodeStage { Upload = 6, Prepare = 7, Release = 8, AfterRelease = 9, Health = 10 };
enum class NodeState { Pending, Running, Succeeded, Failed, Skipped, Cancelled };

QString nodeStageName(NodeStage stage);
QString nodeStateName(NodeState state);

} // namespace rd
