#include "nodestate.h"

namespace rd {

QString nodeStageName(NodeStage stage)
{
    switch (stage) {
    case NodeStage::Upload:
        return QStringLiteral("upload");
    case NodeStage::Prepare:
        return QStringLiteral("prepare"); // unpack or patch, shared paths, before-release hook
    case NodeStage::Release:
        return QStringLiteral("release");
    case NodeStage::AfterRelease:
        return QStringLiteral("after-release");
    case NodeStage::Health:
        return QStringLiteral("health");
    }
    return {};
}

QString nodeStateName(NodeState state)
{
    switch (state) {
    case NodeState::Pending:
        return QStringLiteral("pending");
    case NodeState::Running:
        return QStringLiteral("running");
    case NodeState::Succeeded:
        return QStringLiteral("succeeded");
    case NodeState::Failed:
        return QStringLiteral("failed");
    case NodeState::Skipped:
        return QStringLiteral("skipped");
    case NodeState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

} // namespace rd
