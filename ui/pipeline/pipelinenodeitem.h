#pragma once

#include "release/nodestate.h"

#include <QCoreApplication>
#include <QGraphicsItem>

namespace rd {

// One stage of the pipeline graph: a local stage (01-05, no server) or one server's stage (06-10).
// It paints from its own fields only, so a state change repaints this node and nothing else; the
// scene drives the pulse of running nodes from one shared timer.
class PipelineNodeItem : public QGraphicsItem
{
    Q_DECLARE_TR_FUNCTIONS(PipelineNodeItem)

public:
    enum { Type = UserType + 1 };
    // Full: title and a status line. Chip: the title only (the chain in compact mode).
    // Cell: a small coloured cell without text (a lane in compact mode).
    enum class Display { Full, Chip, Cell };
    // Below this scale, text is not drawn (it would be a few pixels high).
    static constexpr qreal MinTextDetail = 0.35;

    PipelineNodeItem(QString server, int stage, QGraphicsItem *parent = nullptr);

    QString server() const { return m_server; }
    int stage() const { return m_stage; }
    NodeState state() const { return m_state; }
    QString detail() const { return m_detail; }
    qint64 durationMs() const { return m_durationMs; } // -1 until a run has an outcome
    qint64 uploadedBytes() const { return m_done; }
    qint64 uploadTotal() const { return m_total; }
    Display display() const { return m_display; }
    static QSizeF size(Display display);

    void setDisplay(Display display);
    // Running starts the node's clock at nowMs; an outcome after Running stops it into a duration.
    void setState(NodeState state, const QString &detail, qint64 nowMs);
    // A state and duration read back from a journal, with no clock running.
    void restore(NodeState state, qint64 durationMs, const QString &detail);
    void setProgress(qint64 done, qint64 total);
    // Running nodes only: the shared pulse phase (0..1) and the scene clock, for the live duration.
    void tick(qreal pulse, qint64 nowMs);

    QColor fillColor() const { return fillColor(m_state); }
    static QColor fillColor(NodeState state);
    static QColor borderColor(NodeState state);
    static QColor textColor(NodeState state);
    static bool isMuted(NodeState state) { return state == NodeState::Skipped || state == NodeState::Cancelled; }
    static QString stageTitle(int stage); // "06 Upload"
    static QString stateText(NodeState state);
    static QString durationText(qint64 ms);

    // This node as a compact cell in `box`, in the painter's coordinates (also used by a lane's row).
    void paintCell(QPainter *painter, const QRectF &box) const;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    void changed();
    void updateToolTip();
    QString statusLine() const;
    QColor currentFill() const;

    QString m_server;
    int m_stage;
    NodeState m_state = NodeState::Pending;
    QString m_detail;
    Display m_display = Display::Full;
    qint64 m_startedMs = -1; // scene clock at Running
    qint64 m_nowMs = 0;
    qint64 m_durationMs = -1;
    qint64 m_done = 0;
    qint64 m_total = 0;
    int m_percent = -1; // last shown in the tooltip
    qreal m_pulse = 0;
};

} // namespace rd
