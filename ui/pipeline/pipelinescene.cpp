#include "pipelinescene.h"
#include "pipeline/pipelinelabelitem.h"
#include "pipeline/pipelinelanerowitem.h"
#include "pipeline/pipelinelegenditem.h"
#include "pipeline/pipelinenodeitem.h"
#include "release/taskrecord.h"

#include <QGraphicsPathItem>
#include <QGraphicsSceneHelpEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGuiApplication>
#include <QPainterPath>
#include <QStyleHints>
#include <QToolTip>

#include <cmath>
#include <numbers>

namespace rd {

namespace {

constexpr int LocalStages = 5;
constexpr int ServerStages = 5;
constexpr NodeState GroupOrder[] = {NodeState::Failed, NodeState::Running, NodeState::Pending, NodeState::Succeeded,
                                    NodeState::Cancelled};

// Scene units; at a scale of 1 they are pixels.
constexpr qreal LegendHeight = 20;
constexpr qreal LegendGap = 18;
constexpr qreal EdgeGap = 2;
constexpr qreal Margin = 24;
// Full mode: the chain runs down the left, lanes fan out to its right.
constexpr qreal ChainPitch = 70;
constexpr qreal LanePitch = 64;
constexpr qreal FanWidth = 72;
constexpr qreal MinLabelWidth = 110;
constexpr qreal MaxLabelWidth = 260;
constexpr qreal LabelHeight = 30;
constexpr qreal StageGap = 30;
// Compact mode: the chain as a row of chips, then groups of lanes in columns.
constexpr qreal ChipGap = 26;
constexpr qreal ChainToGroups = 24;
constexpr qreal MinCompactLabelWidth = 70;
constexpr qreal MaxCompactLabelWidth = 190;
constexpr qreal CellGap = 3;
constexpr qreal RowHeight = 16;
constexpr qreal ColumnGap = 20;
constexpr qreal HeaderHeight = 22;
constexpr qreal GroupGap = 10;
constexpr int MaxColumns = 16;

void addHead(QPainterPath &path, QPointF tip, QPointF direction)
{
    const QPointF back = tip - direction * 6;
    const QPointF side(-direction.y() * 4, direction.x() * 4);
    path.moveTo(back + side);
    path.lineTo(tip);
    path.lineTo(back - side);
}

void addArrow(QPainterPath &path, QPointF from, QPointF to)
{
    path.moveTo(from);
    path.lineTo(to);
    const QPointF delta = to - from;
    const qreal length = std::hypot(delta.x(), delta.y());
    if (length > 0)
        addHead(path, to, delta / length);
}

QPen edgePen()
{
    return QPen(QColor(0x9a, 0xa3, 0xb0), 1.4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
}

} // namespace

PipelineScene::PipelineScene(QObject *parent) : QGraphicsScene(parent)
{
    setItemIndexMethod(BspTreeIndex);
    m_clock.start();
    m_pulseTimer.setInterval(PulseIntervalMs);
    connect(&m_pulseTimer, &QTimer::timeout, this, &PipelineScene::pulse);
    m_layoutTimer.setSingleShot(true);
    connect(&m_layoutTimer, &QTimer::timeout, this, &PipelineScene::layoutNow);

    m_legend = new PipelineLegendItem;
    addItem(m_legend);
    m_chainEdges = addPath(QPainterPath(), edgePen());
    m_chainEdges->setZValue(-1);
    for (int i = 0; i < LocalStages; ++i) {
        m_chain[i] = new PipelineNodeItem(QString(), Start + i);
        addItem(m_chain[i]);
    }
    for (NodeState group : GroupOrder) {
        auto *header = new PipelineLabelItem(PipelineLabelItem::Style::Header);
        header->setSwatch(PipelineNodeItem::isMuted(group) ? PipelineNodeItem::borderColor(group)
                                                           : PipelineNodeItem::fillColor(group));
        header->hide();
        addItem(header);
        m_headers.insert(int(group), header);
    }
    layoutNow();
}

PipelineScene::~PipelineScene() = default;

void PipelineScene::clearGraph()
{
    m_pressed = nullptr;
    m_running.clear();
    m_pulseTimer.stop();
    m_groups.clear();
    m_laneIndex.clear();
    for (const auto &lane : m_lanes) {
        delete lane->label;
        delete lane->row;
        delete lane->edges;
        for (PipelineNodeItem *node : lane->nodes)
            delete node;
    }
    m_lanes.clear();
    for (PipelineNodeItem *node : m_chain)
        node->restore(NodeState::Pending, -1, {});
}

void PipelineScene::setServers(const QStringList &servers, const QStringList &canaries)
{
    clearGraph();
    const QSet<QString> canarySet(canaries.begin(), canaries.end());
    QStringList order;
    QSet<QString> seen;
    for (bool canaryPass : {true, false}) {
        for (const QString &server : servers) {
            if (canarySet.contains(server) == canaryPass && !seen.contains(server)) {
                seen.insert(server);
                order << server;
            }
        }
    }
    for (const QString &server : std::as_const(order)) {
        auto lane = std::make_unique<Lane>();
        lane->server = server;
        lane->canary = canarySet.contains(server);
        lane->label = new PipelineLabelItem(PipelineLabelItem::Style::Lane);
        lane->label->setText(server);
        if (lane->canary)
            lane->label->setBadge(tr("canary"));
        addItem(lane->label);
        lane->edges = addPath(QPainterPath(), edgePen());
        lane->edges->setZValue(-1);
        for (int i = 0; i < ServerStages; ++i) {
            lane->nodes[i] = new PipelineNodeItem(server, int(NodeStage::Upload) + i);
            addItem(lane->nodes[i]);
        }
        lane->row = new PipelineLaneRowItem(lane->nodes);
        addItem(lane->row);
        m_laneIndex.insert(server, lane.get());
        m_lanes.push_back(std::move(lane));
    }
    // Lane labels as wide as the longest name needs, within reason.
    const QString badge = tr("canary");
    qreal widest = 0;
    qreal widestCompact = 0;
    for (const auto &lane : m_lanes) {
        const QString laneBadge = lane->canary ? badge : QString();
        widest = qMax(widest, PipelineLabelItem::idealWidth(PipelineLabelItem::Style::Lane, font(), lane->server,
                                                            laneBadge));
        widestCompact = qMax(widestCompact, PipelineLabelItem::idealWidth(PipelineLabelItem::Style::CompactLane,
                                                                          font(), lane->server, laneBadge));
    }
    m_labelWidth = qBound<qreal>(MinLabelWidth, std::ceil(widest), MaxLabelWidth);
    m_compactLabelWidth = qBound<qreal>(MinCompactLabelWidth, std::ceil(widestCompact), MaxCompactLabelWidth);
    const bool compact = laneCount() > AutoCompactLanes;
    const bool changed = compact != m_compact;
    m_compact = compact;
    applyDisplay();
    layoutNow();
    if (changed)
        emit compactChanged(m_compact);
}

QStringList PipelineScene::laneOrder() const
{
    QStringList order;
    for (const auto &lane : m_lanes)
        order << lane->server;
    return order;
}

bool PipelineScene::isCanary(const QString &server) const
{
    const Lane *lane = m_laneIndex.value(server);
    return lane && lane->canary;
}

void PipelineScene::setCompact(bool compact)
{
    if (compact == m_compact)
        return;
    m_compact = compact;
    applyDisplay();
    layoutNow();
    emit compactChanged(m_compact);
}

void PipelineScene::setPreferredAspect(qreal aspect)
{
    if (aspect <= 0 || qFuzzyCompare(aspect, m_aspect))
        return;
    m_aspect = aspect;
    if (m_compact)
        scheduleLayout();
}

void PipelineScene::applyDisplay()
{
    using Display = PipelineNodeItem::Display;
    for (PipelineNodeItem *node : m_chain)
        node->setDisplay(m_compact ? Display::Chip : Display::Full);
    for (const auto &lane : m_lanes) {
        lane->label->setStyle(m_compact ? PipelineLabelItem::Style::CompactLane : PipelineLabelItem::Style::Lane);
        lane->label->setVisible(!m_compact);
        lane->edges->setVisible(!m_compact);
        lane->row->setVisible(m_compact);
        for (PipelineNodeItem *node : lane->nodes) {
            node->setDisplay(m_compact ? Display::Cell : Display::Full);
            node->setVisible(!m_compact);
        }
    }
    for (PipelineLabelItem *header : std::as_const(m_headers))
        header->setVisible(false);
}

NodeState PipelineScene::nodeState(const QString &server, NodeStage stage) const
{
    const PipelineNodeItem *node = nodeItem(server, int(stage));
    return node ? node->state() : NodeState::Pending;
}

NodeState PipelineScene::localStageState(int stage) const
{
    const PipelineNodeItem *node = nodeItem(QString(), stage);
    return node ? node->state() : NodeState::Pending;
}

QColor PipelineScene::nodeColor(const QString &server, NodeStage stage) const
{
    const PipelineNodeItem *node = nodeItem(server, int(stage));
    return node ? node->fillColor() : QColor();
}

PipelineNodeItem *PipelineScene::nodeItem(const QString &server, int stage) const
{
    if (server.isEmpty())
        return stage >= Start && stage <= Package ? m_chain[stage - Start] : nullptr;
    const Lane *lane = m_laneIndex.value(server);
    const int index = stage - int(NodeStage::Upload);
    return lane && index >= 0 && index < ServerStages ? lane->nodes[index] : nullptr;
}

PipelineLabelItem *PipelineScene::laneLabel(const QString &server) const
{
    const Lane *lane = m_laneIndex.value(server);
    return lane ? lane->label : nullptr;
}

QList<QPair<NodeState, QStringList>> PipelineScene::groups() const
{
    return m_groups;
}

PipelineLabelItem *PipelineScene::groupHeader(NodeState group) const
{
    return m_headers.value(int(group));
}

NodeState PipelineScene::laneGroup(const QString &server) const
{
    const Lane *lane = m_laneIndex.value(server);
    return lane ? groupOf(*lane) : NodeState::Pending;
}

NodeState PipelineScene::groupOf(const Lane &lane)
{
    bool running = false;
    bool pending = false;
    bool cancelled = false;
    bool succeeded = false;
    for (const PipelineNodeItem *node : lane.nodes) {
        switch (node->state()) {
        case NodeState::Failed:
            return NodeState::Failed;
        case NodeState::Running:
            running = true;
            break;
        case NodeState::Pending:
            pending = true;
            break;
        case NodeState::Cancelled:
            cancelled = true;
            break;
        case NodeState::Succeeded:
            succeeded = true;
            break;
        case NodeState::Skipped:
            break;
        }
    }
    if (running)
        return NodeState::Running;
    // An aborted lane keeps its later stages pending, yet nothing more will run there.
    if (cancelled)
        return NodeState::Cancelled;
    if (pending)
        return NodeState::Pending;
    // Skipped stages after a succeeded switch (no hook, no health check) still make a succeeded lane;
    // a lane whose switch was skipped (the failure budget was spent) was stopped, not released.
    const bool switched =
        lane.nodes[int(NodeStage::Release) - int(NodeStage::Upload)]->state() == NodeState::Succeeded;
    return succeeded && switched ? NodeState::Succeeded : NodeState::Cancelled;
}

QString PipelineScene::groupTitle(NodeState group)
{
    switch (group) {
    case NodeState::Failed:
        return tr("Failed");
    case NodeState::Running:
        return tr("Running");
    case NodeState::Pending:
        return tr("Pending");
    case NodeState::Succeeded:
        return tr("Succeeded");
    case NodeState::Skipped:
    case NodeState::Cancelled:
        return tr("Cancelled or skipped");
    }
    return {};
}

void PipelineScene::setNodeState(const QString &server, NodeStage stage, NodeState state, const QString &detail)
{
    const Lane *lane = m_laneIndex.value(server);
    PipelineNodeItem *node = nodeItem(server, int(stage));
    if (!node)
        return;
    updateNode(node, state, detail);
    if (m_compact && groupOf(*lane) != lane->group)
        scheduleLayout();
}

void PipelineScene::setUploadProgress(const QString &server, qint64 done, qint64 total)
{
    PipelineNodeItem *node = nodeItem(server, int(NodeStage::Upload));
    if (!node)
        return;
    node->setProgress(done, total);
    // A running node's row repaints with the next pulse.
    if (node->state() != NodeState::Running)
        updateRow(node);
}

void PipelineScene::setLocalStageState(int stage, NodeState state, const QString &detail)
{
    if (PipelineNodeItem *node = nodeItem(QString(), stage))
        updateNode(node, state, detail);
}

void PipelineScene::restore(const TaskRecord &record)
{
    setServers(record.plan.servers, record.plan.canaries);
    // The package a plan names was made by 01-05 before the task was created; a rollback needs none.
    const NodeState local = record.plan.kind == ReleaseKind::Rollback ? NodeState::Skipped : NodeState::Succeeded;
    for (PipelineNodeItem *node : m_chain)
        node->restore(local, -1, {});
    const bool live = record.status == TaskStatus::Running || record.status == TaskStatus::AwaitingPromotion;
    for (const auto &lane : m_lanes) {
        const NodeRecord node = record.nodes.value(lane->server);
        // The last error belongs to the latest failed stage, or else the latest cancelled one.
        int errorIndex = -1;
        for (NodeState wanted : {NodeState::Failed, NodeState::Cancelled}) {
            for (int i = ServerStages - 1; i >= 0 && errorIndex < 0; --i) {
                if (node.state(NodeStage(int(NodeStage::Upload) + i)) == wanted)
                    errorIndex = i;
            }
        }
        for (int i = 0; i < ServerStages; ++i) {
            const int stage = int(NodeStage::Upload) + i;
            NodeState state = node.state(NodeStage(stage));
            QString detail = i == errorIndex ? node.lastError : QString();
            if (state == NodeState::Running && live) {
                updateNode(lane->nodes[i], state, detail);
                continue;
            }
            if (state == NodeState::Running) {
                state = NodeState::Cancelled;
                detail = tr("Interrupted: no process ran this stage to its end");
            }
            lane->nodes[i]->restore(state, node.durationMs.value(stage, -1), detail);
        }
    }
    layoutNow();
}

void PipelineScene::updateRow(const PipelineNodeItem *node)
{
    if (!m_compact || node->server().isEmpty())
        return;
    if (const Lane *lane = m_laneIndex.value(node->server()))
        lane->row->update();
}

void PipelineScene::updateNode(PipelineNodeItem *node, NodeState state, const QString &detail)
{
    node->setState(state, detail, m_clock.elapsed());
    updateRow(node);
    if (state == NodeState::Running) {
        m_running.insert(node);
        if (!m_pulseTimer.isActive())
            m_pulseTimer.start();
    } else if (m_running.remove(node) && m_running.isEmpty()) {
        m_pulseTimer.stop();
    }
}

void PipelineScene::pulse()
{
    const qint64 now = m_clock.elapsed();
    constexpr qint64 Period = 1400;
    const qreal phase = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * qreal(now % Period) / Period);
    for (PipelineNodeItem *node : std::as_const(m_running)) {
        node->tick(phase, now);
        updateRow(node);
    }
}

void PipelineScene::scheduleLayout()
{
    if (m_layoutTimer.isActive())
        return;
    // Lanes move between groups at most twice a second, however fast their states change.
    const qint64 sinceLast = m_clock.elapsed() - m_lastLayoutMs;
    m_layoutTimer.start(int(qMax<qint64>(RelayoutDelayMs, MinLayoutIntervalMs - sinceLast)));
}

void PipelineScene::layoutNow()
{
    m_layoutTimer.stop();
    m_legend->setPos(0, 0);
    if (m_compact)
        layoutCompact();
    else
        layoutFull();
    ++m_layoutCount;
    m_lastLayoutMs = m_clock.elapsed();
}

void PipelineScene::layoutFull()
{
    const QSizeF node = PipelineNodeItem::size(PipelineNodeItem::Display::Full);
    const qreal top = LegendHeight + LegendGap;
    const qreal labelX = node.width() + FanWidth;
    const qreal firstNodeX = labelX + m_labelWidth + StageGap;
    const qreal nodePitch = node.width() + StageGap;

    QPainterPath chain;
    for (int i = 0; i < LocalStages; ++i) {
        m_chain[i]->setPos(0, top + i * ChainPitch);
        if (i > 0)
            addArrow(chain, QPointF(node.width() / 2, top + (i - 1) * ChainPitch + node.height() + EdgeGap),
                     QPointF(node.width() / 2, top + i * ChainPitch - EdgeGap));
    }
    const QPointF fanFrom(node.width() + EdgeGap, top + (LocalStages - 1) * ChainPitch + node.height() / 2);
    for (size_t k = 0; k < m_lanes.size(); ++k) {
        Lane &lane = *m_lanes[k];
        const qreal y = top + qreal(k) * LanePitch;
        const qreal middle = y + node.height() / 2;
        lane.label->setSize(QSizeF(m_labelWidth, LabelHeight));
        lane.label->setPos(labelX, middle - LabelHeight / 2);
        const QPointF fanTo(labelX - EdgeGap, middle);
        chain.moveTo(fanFrom);
        chain.cubicTo(fanFrom + QPointF(FanWidth / 2, 0), fanTo - QPointF(FanWidth / 2, 0), fanTo);
        addHead(chain, fanTo, QPointF(1, 0));

        QPainterPath edges;
        addArrow(edges, QPointF(labelX + m_labelWidth + EdgeGap, middle), QPointF(firstNodeX - EdgeGap, middle));
        for (int i = 0; i < ServerStages; ++i) {
            const qreal x = firstNodeX + i * nodePitch;
            lane.nodes[i]->setPos(x, y);
            if (i > 0)
                addArrow(edges, QPointF(x - StageGap + EdgeGap, middle), QPointF(x - EdgeGap, middle));
        }
        lane.edges->setPath(edges);
        lane.group = groupOf(lane);
    }
    m_chainEdges->setPath(chain);
    m_groups.clear();

    const qreal chainBottom = top + (LocalStages - 1) * ChainPitch + node.height();
    const qreal lanesBottom = top + qreal(m_lanes.size()) * LanePitch - (LanePitch - node.height());
    const qreal width = m_lanes.empty() ? node.width() : firstNodeX + (ServerStages - 1) * nodePitch + node.width();
    const QRectF bounds = QRectF(0, 0, width, qMax(chainBottom, lanesBottom)) | m_legend->boundingRect();
    setSceneRect(bounds.adjusted(-Margin, -Margin, Margin, Margin));
}

void PipelineScene::layoutCompact()
{
    const QSizeF chip = PipelineNodeItem::size(PipelineNodeItem::Display::Chip);
    const QSizeF cell = PipelineNodeItem::size(PipelineNodeItem::Display::Cell);
    const qreal top = LegendHeight + LegendGap;

    QPainterPath chain;
    for (int i = 0; i < LocalStages; ++i) {
        const qreal x = i * (chip.width() + ChipGap);
        m_chain[i]->setPos(x, top);
        if (i > 0)
            addArrow(chain, QPointF(x - ChipGap + EdgeGap, top + chip.height() / 2),
                     QPointF(x - EdgeGap, top + chip.height() / 2));
    }
    m_chainEdges->setPath(chain);
    const qreal minWidth =
        qMax(LocalStages * chip.width() + (LocalStages - 1) * ChipGap, m_legend->boundingRect().width());
    const qreal groupsTop = top + chip.height() + ChainToGroups;

    QList<QPair<NodeState, QList<Lane *>>> grouped;
    for (NodeState group : GroupOrder)
        grouped.append({group, {}});
    for (const auto &lane : m_lanes) {
        lane->group = groupOf(*lane);
        for (auto &group : grouped) {
            if (group.first == lane->group)
                group.second.append(lane.get());
        }
    }

    // The extent is the most any grouping of these lanes can need, so that the graph keeps its size
    // (and the view its zoom) while lanes move between groups. Columns: as many as make the graph
    // largest in a window of the preferred aspect.
    const qreal laneWidth =
        m_compactLabelWidth + 6 + ServerStages * cell.width() + (ServerStages - 1) * CellGap;
    const int groupCount = qMin(int(std::size(GroupOrder)), laneCount());
    auto extent = [&](int columns) {
        // Each group's last row may be partly empty: at most columns - 1 cells per group.
        const int rows = (laneCount() + groupCount * (columns - 1)) / columns;
        const qreal height = groupsTop + groupCount * (HeaderHeight + GroupGap) + rows * RowHeight;
        return QSizeF(qMax(columns * laneWidth + (columns - 1) * ColumnGap, minWidth), height);
    };
    int columns = 1;
    qreal bestScale = 0;
    for (int c = 1; c <= qMax(1, qMin(laneCount(), MaxColumns)); ++c) {
        const QSizeF size = extent(c);
        const qreal scale = qMin(m_aspect / size.width(), 1.0 / size.height());
        if (scale > bestScale * 1.0001) {
            bestScale = scale;
            columns = c;
        }
    }
    const QSizeF size = extent(columns);

    m_groups.clear();
    qreal y = groupsTop;
    for (const auto &[group, lanes] : std::as_const(grouped)) {
        PipelineLabelItem *header = m_headers.value(int(group));
        header->setVisible(!lanes.isEmpty());
        if (lanes.isEmpty())
            continue;
        header->setText(tr("%1 · %2").arg(groupTitle(group), tr("%n server(s)", nullptr, int(lanes.size()))));
        header->setSize(QSizeF(size.width(), HeaderHeight));
        header->setPos(0, y);
        y += HeaderHeight;
        QStringList names;
        for (qsizetype k = 0; k < lanes.size(); ++k) {
            Lane &lane = *lanes[k];
            names << lane.server;
            const qreal x = qreal(k % columns) * (laneWidth + ColumnGap);
            const qreal rowY = y + qreal(k / columns) * RowHeight;
            lane.label->setSize(QSizeF(m_compactLabelWidth, RowHeight));
            lane.label->setPos(x, rowY);
            lane.row->setPos(x, rowY);
            lane.row->setLabel(lane.server, lane.canary ? tr("canary") : QString(), m_compactLabelWidth,
                               QSizeF(laneWidth, RowHeight), font());
            for (int i = 0; i < ServerStages; ++i)
                lane.nodes[i]->setPos(x + m_compactLabelWidth + 6 + i * (cell.width() + CellGap),
                                      rowY + (RowHeight - cell.height()) / 2);
        }
        y += std::ceil(qreal(lanes.size()) / columns) * RowHeight + GroupGap;
        m_groups.append({group, names});
    }
    setSceneRect(QRectF(QPointF(0, 0), size).adjusted(-Margin, -Margin, Margin, Margin));
}

PipelineNodeItem *PipelineScene::nodeAt(const QPointF &scenePos) const
{
    for (QGraphicsItem *item : items(scenePos)) {
        if (auto *node = qgraphicsitem_cast<PipelineNodeItem *>(item))
            return node;
        if (auto *row = qgraphicsitem_cast<PipelineLaneRowItem *>(item))
            return row->nodeAt(scenePos);
    }
    return nullptr;
}

void PipelineScene::helpEvent(QGraphicsSceneHelpEvent *event)
{
    const PipelineNodeItem *node = m_compact ? nodeAt(event->scenePos()) : nullptr;
    if (!node || node->isVisible()) {
        QGraphicsScene::helpEvent(event);
        return;
    }
    QToolTip::showText(event->screenPos(), node->toolTip(), event->widget());
    event->setAccepted(true);
}

void PipelineScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    QGraphicsScene::mousePressEvent(event);
    m_pressed = event->button() == Qt::LeftButton ? nodeAt(event->scenePos()) : nullptr;
    m_pressScreenPos = event->screenPos();
}

void PipelineScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    QGraphicsScene::mouseReleaseEvent(event);
    PipelineNodeItem *node = event->button() == Qt::LeftButton ? nodeAt(event->scenePos()) : nullptr;
    // A press that became a drag pans the view; only a click opens the log.
    const bool click =
        (event->screenPos() - m_pressScreenPos).manhattanLength() < QGuiApplication::styleHints()->startDragDistance();
    if (node && node == m_pressed && click)
        emit nodeActivated(node->server(), NodeStage(node->stage()));
    m_pressed = nullptr;
}

} // namespace rd
