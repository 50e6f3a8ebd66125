#pragma once

#include <QGraphicsItem>
#include <QStaticText>

#include <array>

namespace rd {

class PipelineNodeItem;

// A server's lane in compact mode, drawn as one item: its name, then a cell per stage. The stage
// nodes stay in the scene, hidden, and keep their state, geometry and tooltips; the view paints two
// hundred rows several times faster than a thousand separate cells and their labels.
class PipelineLaneRowItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 4 };

    PipelineLaneRowItem(const std::array<PipelineNodeItem *, 5> &nodes, QGraphicsItem *parent = nullptr);

    // The name (and canary badge) elided into `labelWidth` at the left of a row of `size`.
    void setLabel(const QString &text, const QString &badge, qreal labelWidth, const QSizeF &size,
                  const QFont &sceneFont);
    // The stage node whose cell is at `scenePos`, or null.
    PipelineNodeItem *nodeAt(const QPointF &scenePos) const;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    std::array<PipelineNodeItem *, 5> m_nodes;
    QString m_source;
    QString m_sourceBadge;
    qreal m_labelWidth = -1;
    QFont m_sceneFont;
    QSizeF m_size;
    QFont m_font;
    QFont m_badgeFont;
    QStaticText m_text;
    QStaticText m_badge;
    QRectF m_badgeRect;
};

} // namespace rd
