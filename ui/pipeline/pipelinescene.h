#pragma once

#include "release/nodestate.h"

#include <QElapsedTimer>
#include <QGraphicsScene>
#include <QHash>
#include <QList>
#include <QPair>
#include <QSet>
#include <QTimer>

#include <array>
#include <memory>
#include <vector>

class QGraphicsPathItem;

namespace rd {

class PipelineLabelItem;
class PipelineLaneRowItem;
class PipelineLegendItem;
class PipelineNodeItem;
struct TaskRecord;

// The live pipeline of one release task: the local chain 01-05 once, then one lane per server with
// its stages 06-10, canaries first. Node states arrive through slots shaped like ReleaseTask's
// signals, so they connect directly. Above AutoCompactLanes servers the lanes shrink to rows of
// cells grouped by state (failed first), so that a fleet of hundreds fits one window; regrouping is
// coalesced, never done for each change of a storm.
class PipelineScene : public QGraphicsScene
{
    Q_OBJECT

public:
    // The local stages, run once per task before any server (their numbers are the pipeline's).
    enum LocalStage { Start = 1, BeforeDownload, Download, AfterDownload, Package };
    static constexpr int AutoCompactLanes = 40;
    static constexpr int RelayoutDelayMs = 100;
    static constexpr int MinLayoutIntervalMs = 500;
    static constexpr int PulseIntervalMs = 80;

    explicit PipelineScene(QObject *parent = nullptr);
    ~PipelineScene() override;

    // A new graph, every node pending; compact when there are more than AutoCompactLanes servers.
    void setServers(const QStringList &servers, const QStringList &canaries = {});
    // The servers in lane order (canaries first), whatever the grouping.
    QStringList laneOrder() const;
    int laneCount() const { return int(m_lanes.size()); }
    bool isCanary(const QString &server) const;

    bool isCompact() const { return m_compact; }
    void setCompact(bool compact);
    // Width over height of the window the graph is shown in: compact mode picks its columns to fit it.
    void setPreferredAspect(qreal aspect);

    NodeState nodeState(const QString &server, NodeStage stage) const;
    NodeState localStageState(int stage) const;
    // The fill colour the node is drawn with (a running node pulses around it).
    QColor nodeColor(const QString &server, NodeStage stage) const;
    // server empty: the local stage 1-5; otherwise the server's stage 6-10. Null when there is none.
    PipelineNodeItem *nodeItem(const QString &server, int stage) const;
    PipelineLabelItem *laneLabel(const QString &server) const;
    // Compact mode: the group headers' states and their lanes, as last laid out (empty otherwise).
    QList<QPair<NodeState, QStringList>> groups() const;
    PipelineLabelItem *groupHeader(NodeState group) const;
    // The group a lane belongs in now: failed, running, pending, succeeded, or cancelled (stopped).
    NodeState laneGroup(const QString &server) const;

    bool isAnimating() const { return m_pulseTimer.isActive(); }
    bool isLayoutPending() const { return m_layoutTimer.isActive(); }
    int layoutCount() const { return m_layoutCount; }
    // Lays out what changed at once instead of after RelayoutDelayMs.
    void layoutNow();

public slots:
    // The signature of ReleaseTask::nodeChanged. Times the node: Running starts its clock, the outcome
    // after it shows the duration.
    void setNodeState(const QString &server, rd::NodeStage stage, rd::NodeState state, const QString &detail);
    // The signature of ReleaseTask::uploadProgress: a bar inside the server's upload node.
    void setUploadProgress(const QString &server, qint64 done, qint64 total);
    void setLocalStageState(int stage, rd::NodeState state, const QString &detail = {});
    // A task read back from its journal: its servers, each node's state, duration and last error.
    // A stage journalled as running in a task no process runs any more is shown cancelled.
    void restore(const rd::TaskRecord &record);

signals:
    // A click on a node. For the local chain server is empty and stage holds 1-5 (the task log).
    void nodeActivated(const QString &server, rd::NodeStage stage);
    void compactChanged(bool compact);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    // Compact mode: the tooltip of the hidden node under a row's cell.
    void helpEvent(QGraphicsSceneHelpEvent *event) override;

private:
    struct Lane
    {
        QString server;
        bool canary = false;
        PipelineLabelItem *label = nullptr;
        PipelineLaneRowItem *row = nullptr; // compact mode: the label and the cells in one item
        QGraphicsPathItem *edges = nullptr;
        std::array<PipelineNodeItem *, 5> nodes{};
        NodeState group = NodeState::Pending; // where the last layout put it
    };

    static NodeState groupOf(const Lane &lane);
    static QString groupTitle(NodeState group);
    void clearGraph();
    void applyDisplay();
    void scheduleLayout();
    void layoutFull();
    void layoutCompact();
    void updateNode(PipelineNodeItem *node, NodeState state, const QString &detail);
    void updateRow(const PipelineNodeItem *node);
    void pulse();
    PipelineNodeItem *nodeAt(const QPointF &scenePos) const;

    std::vector<std::unique_ptr<Lane>> m_lanes; // lane order
    QHash<QString, Lane *> m_laneIndex;
    std::array<PipelineNodeItem *, 5> m_chain{};
    QGraphicsPathItem *m_chainEdges = nullptr;
    PipelineLegendItem *m_legend = nullptr;
    QHash<int, PipelineLabelItem *> m_headers; // by group state
    QList<QPair<NodeState, QStringList>> m_groups;
    QSet<PipelineNodeItem *> m_running;
    QElapsedTimer m_clock;
    QTimer m_pulseTimer;
    QTimer m_layoutTimer;
    bool m_compact = false;
    qreal m_aspect = 1280.0 / 760.0;
    qreal m_labelWidth = 0;        // lane labels in full mode
    qreal m_compactLabelWidth = 0; // and in compact mode
    int m_layoutCount = 0;
    qint64 m_lastLayoutMs = 0;
    PipelineNodeItem *m_pressed = nullptr;
    QPoint m_pressScreenPos;
};

} // namespace rd
